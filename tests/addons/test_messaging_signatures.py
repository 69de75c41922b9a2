"""The webhook signature checks of addons/messaging/signatures.py, against the platforms'
documented examples and against forged, truncated, stale and odd input."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from addons.messaging.signatures import (
    SLACK_MAX_AGE_S,
    SignatureInvalid,
    SignatureMissing,
    check_hub_handshake,
    check_hub_signature,
    check_slack_signature,
    check_telegram_secret,
    hub_signature,
    slack_signature,
)

# Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack).
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_TS = "1531420618"
SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmib"
    b"IGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_EXPECTED = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_slack_signature_matches_slack_s_documented_example() -> None:
    assert slack_signature(SLACK_TS, SLACK_BODY, SLACK_SECRET) == SLACK_EXPECTED
    check_slack_signature(SLACK_EXPECTED, SLACK_TS, SLACK_BODY, SLACK_SECRET, now=1531420618)


@pytest.mark.parametrize(
    ("signature", "timestamp"),
    [(None, SLACK_TS), (SLACK_EXPECTED, None), ("", SLACK_TS), (SLACK_EXPECTED, "")],
)
def test_slack_without_signature_or_timestamp_is_missing(
    signature: str | None, timestamp: str | None
) -> None:
    with pytest.raises(SignatureMissing):
        check_slack_signature(signature, timestamp, SLACK_BODY, SLACK_SECRET, now=1531420618)


@pytest.mark.parametrize(
    "signature",
    [
        SLACK_EXPECTED[:-1] + "0",  # one digit off
        SLACK_EXPECTED[:20],  # truncated
        SLACK_EXPECTED.replace("v0=", "v1="),
        "v0=" + "é" * 64,  # not ASCII
        slack_signature(SLACK_TS, SLACK_BODY, "another-secret"),
    ],
)
def test_slack_wrong_signature_is_invalid(signature: str) -> None:
    with pytest.raises(SignatureInvalid):
        check_slack_signature(signature, SLACK_TS, SLACK_BODY, SLACK_SECRET, now=1531420618)


def test_slack_body_changed_after_signing_is_invalid() -> None:
    with pytest.raises(SignatureInvalid):
        check_slack_signature(
            SLACK_EXPECTED, SLACK_TS, SLACK_BODY + b"&x=1", SLACK_SECRET, now=1531420618
        )


@pytest.mark.parametrize("age", [SLACK_MAX_AGE_S + 1, -(SLACK_MAX_AGE_S + 1), 86400])
def test_slack_request_older_or_newer_than_five_minutes_is_a_replay(age: int) -> None:
    with pytest.raises(SignatureInvalid, match="stale"):
        check_slack_signature(
            SLACK_EXPECTED, SLACK_TS, SLACK_BODY, SLACK_SECRET, now=int(SLACK_TS) + age
        )


def test_slack_request_within_five_minutes_is_accepted() -> None:
    check_slack_signature(
        SLACK_EXPECTED, SLACK_TS, SLACK_BODY, SLACK_SECRET, now=int(SLACK_TS) + SLACK_MAX_AGE_S
    )


def test_slack_timestamp_that_is_no_number_is_invalid() -> None:
    with pytest.raises(SignatureInvalid):
        check_slack_signature(SLACK_EXPECTED, "soon", SLACK_BODY, SLACK_SECRET, now=0)


def test_hub_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"object":"page","entry":[]}'
    digest = hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    assert hub_signature(body, "app-secret") == f"sha256={digest}"
    check_hub_signature(f"sha256={digest}", body, "app-secret")
    check_hub_signature(f"SHA256={digest.upper()}", body, "app-secret")  # case of hex digits


@pytest.mark.parametrize("header", [None, ""])
def test_hub_without_signature_is_missing(header: str | None) -> None:
    with pytest.raises(SignatureMissing):
        check_hub_signature(header, b"{}", "app-secret")


@pytest.mark.parametrize(
    "header",
    [
        hub_signature(b"{}", "other-secret"),
        hub_signature(b"{} ", "app-secret"),  # another body
        "sha1=" + hashlib.sha1(b"{}").hexdigest(),  # noqa: S324 - the old scheme, refused
        "sha256=",
        "garbage",
    ],
)
def test_hub_wrong_signature_is_invalid(header: str) -> None:
    with pytest.raises(SignatureInvalid):
        check_hub_signature(header, b"{}", "app-secret")


def test_hub_handshake_echoes_the_challenge_for_our_token_only() -> None:
    assert check_hub_handshake("subscribe", "verify-me", "1158201444", "verify-me") == "1158201444"
    with pytest.raises(SignatureInvalid):
        check_hub_handshake("subscribe", "guess", "1158201444", "verify-me")
    with pytest.raises(SignatureMissing):
        check_hub_handshake("unsubscribe", "verify-me", "1158201444", "verify-me")
    with pytest.raises(SignatureMissing):
        check_hub_handshake("subscribe", None, "1158201444", "verify-me")
    with pytest.raises(SignatureMissing):
        check_hub_handshake("subscribe", "verify-me", None, "verify-me")


def test_telegram_secret_token() -> None:
    check_telegram_secret("s3cret_token-1", "s3cret_token-1")
    with pytest.raises(SignatureMissing):
        check_telegram_secret(None, "s3cret_token-1")
    with pytest.raises(SignatureInvalid):
        check_telegram_secret("s3cret_token-2", "s3cret_token-1")
    with pytest.raises(SignatureInvalid):
        check_telegram_secret("s3cret_token-1 ", "s3cret_token-1")
