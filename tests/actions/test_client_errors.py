"""Every answer that is not 2xx becomes one typed error of the billing client, never a raw httpx
error or KeyError, and never with the back end's message or the customer's words in it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from actions.billing_client import (
    BackendRejected,
    BackendUnavailable,
    BeyondAuthority,
    BillingClient,
    BillingClientError,
    InvalidRequest,
    NotFound,
    NotVerified,
    Refused,
    StepUpRequired,
    TooManyRequests,
)
from actions.settings import ClientSettings

SECRET = "born 1961-07-14, postcode 7071"  # what a customer typed, echoed by a careless back end


def answering(*responses: httpx.Response | Exception) -> tuple[BillingClient, list[httpx.Request]]:
    """A client whose back end gives these answers in turn (an exception is raised instead)."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = BillingClient(
        ClientSettings(backend_url="http://backend.test"), transport=httpx.MockTransport(handler)
    )
    return client, seen


def error(status: int, code: str, **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": SECRET, **extra}})


@pytest.mark.parametrize(
    ("answer", "expected", "status", "code"),
    [
        (error(403, "not_verified"), NotVerified, 403, "not_verified"),
        (error(403, "step_up_required"), StepUpRequired, 403, "step_up_required"),
        (error(404, "not_found"), NotFound, 404, "not_found"),
        (error(422, "invalid_request"), InvalidRequest, 422, "invalid_request"),
        (error(429, "too_many_requests"), TooManyRequests, 429, "too_many_requests"),
        (error(409, "beyond_authority"), BeyondAuthority, 409, "beyond_authority"),
        (error(409, "credit_exceeds_invoice"), BeyondAuthority, 409, "credit_exceeds_invoice"),
        (error(403, "authority_used_up"), BeyondAuthority, 403, "authority_used_up"),
        (error(403, "not_your_ticket"), Refused, 403, "not_your_ticket"),
        (error(403, "forbidden"), Refused, 403, "forbidden"),
        (error(409, "already_credited"), Refused, 409, "already_credited"),
        (error(409, "idempotency_conflict"), Refused, 409, "idempotency_conflict"),
        (error(400, "bad_request"), BackendRejected, 400, "bad_request"),
        (error(405, "method_not_allowed"), BackendRejected, 405, "method_not_allowed"),
        (httpx.Response(403, text="Forbidden by proxy"), Refused, 403, "unknown"),
        (
            httpx.Response(422, json={"detail": [{"loc": ["month"]}]}),
            InvalidRequest,
            422,
            "unknown",
        ),
    ],
)
async def test_each_4xx_is_its_typed_error_with_status_and_code(
    answer: httpx.Response, expected: type[BackendRejected], status: int, code: str
) -> None:
    client, seen = answering(answer)
    with pytest.raises(BackendRejected) as raised:
        await client.balance("conv-1", "100001")
    assert type(raised.value) is expected
    assert (raised.value.status, raised.value.code) == (status, code)
    assert SECRET not in str(raised.value)
    assert len(seen) == 1  # a refusal is an answer: never retried


@pytest.mark.parametrize(
    "answer",
    [
        error(500, "internal_error"),
        error(503, "database_unavailable"),
        error(401, "unauthorized"),
        error(408, "timeout"),
        httpx.Response(302, headers={"Location": "http://elsewhere.test/"}),
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("server disconnected"),
    ],
)
async def test_failures_and_unreadable_answers_are_backend_unavailable_after_one_retry(
    answer: httpx.Response | Exception,
) -> None:
    client, seen = answering(answer)
    with pytest.raises(BackendUnavailable) as raised:
        await client.balance("conv-1", "100001")
    assert SECRET not in str(raised.value)
    assert len(seen) == 2  # a read is retried once


async def test_a_write_is_never_retried() -> None:
    client, seen = answering(error(503, "database_unavailable"))
    with pytest.raises(BackendUnavailable):
        await client.post("conv-1", "100001", "/payment-links", {}, "key-12345678")
    assert len(seen) == 1


async def test_a_free_text_error_code_is_not_carried() -> None:
    client, _ = answering(error(409, f"no match for {SECRET}"))
    with pytest.raises(Refused) as raised:
        await client.post("conv-1", "100001", "/payment-links", {}, "key-12345678")
    assert raised.value.code == "unknown"
    assert SECRET not in str(raised.value)
    assert SECRET not in repr(raised.value.args)


async def test_a_cumulative_limit_says_what_remains() -> None:
    client, _ = answering(error(409, "credit_exceeds_invoice", remaining="12.50"))
    with pytest.raises(BeyondAuthority) as raised:
        await client.post("conv-1", "100001", "/findings/17/credit", {}, "key-12345678")
    assert raised.value.remaining == "12.50"
    client, _ = answering(error(403, "authority_used_up", remaining=SECRET))
    with pytest.raises(BeyondAuthority) as raised:
        await client.post("conv-1", "100001", "/findings/17/credit", {}, "key-12345678")
    assert raised.value.remaining is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "maybe"},
        {"status": None},
        {"status": "failed", "attempts_left": "two"},
        {"status": "verified", "customer": "Ana"},
    ],
)
async def test_a_verification_answer_of_another_shape_is_backend_unavailable(
    body: dict[str, Any],
) -> None:
    client, _ = answering(httpx.Response(200, json=body))
    with pytest.raises(BackendUnavailable):
        await client.verify("conv-1", "100001", "date_of_birth", "1985-03-14")


@pytest.mark.parametrize(
    ("call", "body"),
    [
        ("invoices", {"invoices": None}),
        ("invoices", {}),
        ("payments", {"payments": "none"}),
        ("payments", {"payments": [1, 2]}),
        ("step_up_channels", {"channels": {"id": "x"}}),
    ],
)
async def test_a_list_answer_of_another_shape_is_backend_unavailable(
    call: str, body: dict[str, Any]
) -> None:
    client, _ = answering(httpx.Response(200, json=body))
    with pytest.raises(BackendUnavailable):
        await getattr(client, call)("conv-1", "100001")


def test_every_client_error_is_a_billing_client_error() -> None:
    for error_class in (
        BackendUnavailable,
        BackendRejected,
        NotVerified,
        StepUpRequired,
        NotFound,
        TooManyRequests,
        Refused,
        BeyondAuthority,
        InvalidRequest,
    ):
        assert issubclass(error_class, BillingClientError)
    assert issubclass(InvalidRequest, Refused)  # older handlers of refusals still see a 422
