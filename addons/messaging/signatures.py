"""Is an inbound webhook request really from the platform? One check per scheme.

- Telegram: the `secret_token` given to setWebhook comes back in `X-Telegram-Bot-Api-Secret-Token`.
- Meta (WhatsApp Cloud API, Messenger): `X-Hub-Signature-256: sha256=<hex>`, an HMAC-SHA256 of the
  raw body with the app secret; the webhook is registered with a `hub.verify_token` handshake.
- Slack: `X-Slack-Signature: v0=<hex>`, an HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the
  signing secret; `X-Slack-Request-Timestamp` older (or newer) than five minutes is a replay.

A missing proof is `SignatureMissing` (401), a wrong or stale one `SignatureInvalid` (403). Every
comparison is constant-time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

SLACK_MAX_AGE_S: Final = 300


class SignatureError(Exception):
    """The request does not prove it comes from the platform."""

    status = 403


class SignatureMissing(SignatureError):
    status = 401


class SignatureInvalid(SignatureError):
    status = 403


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def check_telegram_secret(header: str | None, secret: str) -> None:
    if not header:
        raise SignatureMissing("no X-Telegram-Bot-Api-Secret-Token")
    if not _same(header, secret):
        raise SignatureInvalid("wrong secret token")


def hub_signature(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta sends with `body`."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def check_hub_signature(header: str | None, body: bytes, app_secret: str) -> None:
    if not header:
        raise SignatureMissing("no X-Hub-Signature-256")
    if not _same(header.strip().lower(), hub_signature(body, app_secret)):
        raise SignatureInvalid("wrong X-Hub-Signature-256")


def check_hub_handshake(
    mode: str | None, token: str | None, challenge: str | None, verify_token: str
) -> str:
    """The challenge to echo when Meta subscribes the webhook with our verify token."""
    if mode != "subscribe" or not token or challenge is None:
        raise SignatureMissing("not a subscription handshake")
    if not _same(token, verify_token):
        raise SignatureInvalid("wrong hub.verify_token")
    return challenge


def slack_signature(timestamp: str, body: bytes, signing_secret: str) -> str:
    """The `X-Slack-Signature` value Slack sends with `body` at `timestamp`."""
    base = b"v0:" + timestamp.encode("utf-8") + b":" + body
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def check_slack_signature(
    signature: str | None, timestamp: str | None, body: bytes, signing_secret: str, now: float
) -> None:
    if not signature or not timestamp:
        raise SignatureMissing("no X-Slack-Signature or X-Slack-Request-Timestamp")
    try:
        sent_at = int(timestamp)
    except ValueError as error:
        raise SignatureInvalid("X-Slack-Request-Timestamp is not a number") from error
    if abs(now - sent_at) > SLACK_MAX_AGE_S:
        raise SignatureInvalid("stale X-Slack-Request-Timestamp")
    if not _same(signature.strip(), slack_signature(timestamp, body, signing_secret)):
        raise SignatureInvalid("wrong X-Slack-Signature")
