"""The one place that speaks HTTP to the billing back end (contract: docs/api.md).

Errors (every answer that is not 2xx becomes one of these; nothing else escapes the client):
    BillingClientError
    ├── BackendUnavailable   timeouts, connection errors, 5xx, 401/408, other non-2xx, unreadable
    │                        or unexpected answers
    └── BackendRejected      any other 4xx; `status` and `code` (the back end's error code)
        ├── NotVerified      403 not_verified: this conversation is not verified for the account
        ├── StepUpRequired   403 step_up_required: a one-time code must be confirmed first
        ├── NotFound         404: e.g. no invoice for that month
        ├── TooManyRequests  429: e.g. too many one-time codes this hour; wait before asking again
        └── Refused          409, or another 403: the back end's rules refuse (`code` says why)
            ├── BeyondAuthority  beyond_authority, authority_used_up, credit_exceeds_invoice:
            │                    more than may be granted (`remaining`: what still could be)
            └── InvalidRequest   422 invalid_request: the request broke the contract (an odd id,
                                 month or amount); repeating it unchanged will not help

An exception's message holds only the status and the back end's error code, never the back
end's message or anything the customer typed. Reads are retried once when the back end is
unavailable; writes never are.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx

from actions.settings import ClientSettings
from actions.speech import current_language

logger = logging.getLogger(__name__)

JSON = dict[str, Any]
Factor = Literal["date_of_birth", "invoice_amount"]
T = TypeVar("T")

# Error codes meaning "more than may be granted": a person can decide instead.
AUTHORITY_CODES = frozenset({"beyond_authority", "authority_used_up", "credit_exceeds_invoice"})
UNKNOWN_CODE = "unknown"
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_AMOUNT = re.compile(r"-?\d{1,9}(\.\d{1,2})?")


class BillingClientError(Exception):
    """Base class of everything the client raises."""


class BackendUnavailable(BillingClientError):
    """The back end could not be reached, failed, or gave an answer the client cannot read."""


class BackendRejected(BillingClientError):
    """The back end answered 4xx: it will not do this (`status`, `code`: its error code)."""

    def __init__(self, status: int, code: str = UNKNOWN_CODE) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code


class NotVerified(BackendRejected):
    """The back end does not consider this conversation verified for the account."""


class StepUpRequired(BackendRejected):
    """The write needs a confirmed one-time code first."""


class NotFound(BackendRejected):
    """The requested record does not exist."""


class TooManyRequests(BackendRejected):
    """Too many requests of this kind for now (e.g. one-time codes in an hour)."""


class Refused(BackendRejected):
    """The back end refused by its rules, e.g. `already_credited`, `offer_unavailable`."""


class BeyondAuthority(Refused):
    """More than may be granted: above the bot's limit, above what the role may still grant in
    the period, or above what the invoice charged. `remaining` is what could still be granted."""

    def __init__(self, status: int, code: str, remaining: str | None = None) -> None:
        super().__init__(status, code)
        self.remaining = remaining


class InvalidRequest(Refused):
    """The back end found the request malformed (422), e.g. a month like 9999-12."""


@dataclass(frozen=True)
class VerificationResult:
    status: Literal["verified", "failed", "locked"]
    attempts_left: int | None
    first_name: str | None
    account_number: str | None

    @property
    def locked(self) -> bool:
        return self.status == "locked" or (self.status == "failed" and self.attempts_left == 0)


class BillingClient:
    """A pooled async HTTP client with timeouts. `transport` lets tests answer requests."""

    def __init__(
        self, settings: ClientSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=settings.backend_url,
            headers={"Authorization": f"Bearer {settings.service_token}"},
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            limits=httpx.Limits(max_connections=settings.max_connections),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- verification -------------------------------------------------------------------

    async def verify(
        self,
        conversation_id: str,
        account_number: str,
        factor: Factor,
        value: str,
        client_address: str | None = None,
    ) -> VerificationResult:
        """`factor` is "date_of_birth", or "invoice_amount" for the postcode held before."""
        body = {"conversation_id": conversation_id, "account_number": account_number, factor: value}
        if client_address:
            body["client_address"] = client_address
        data = await self._request("POST", "/api/v1/verifications", json=body, retries=0)
        return verification_result(data)

    async def hold_postcode(self, conversation_id: str, account_number: str, postcode: str) -> None:
        """Hand the postcode over until the invoice amount comes (the back end judges nothing)."""
        await self._request(
            "PUT",
            f"/api/v1/verifications/{quote(conversation_id, safe='')}/postcode",
            json={"account_number": account_number, "postcode": postcode},
            retries=0,
        )

    async def end_verification(self, conversation_id: str) -> None:
        await self._request(
            "DELETE", f"/api/v1/verifications/{quote(conversation_id, safe='')}", retries=0
        )

    # -- account reads ------------------------------------------------------------------

    async def balance(self, conversation_id: str, account_number: str) -> JSON:
        return await self._read(conversation_id, f"/api/v1/accounts/{account_number}/balance")

    async def latest_invoice(self, conversation_id: str, account_number: str) -> JSON:
        return await self._read(
            conversation_id, f"/api/v1/accounts/{account_number}/invoices/latest"
        )

    async def invoice(self, conversation_id: str, account_number: str, number: str) -> JSON:
        return await self._read(
            conversation_id, f"/api/v1/accounts/{account_number}/invoices/{number}"
        )

    async def invoices(
        self,
        conversation_id: str,
        account_number: str,
        month: str | None = None,
        limit: int = 12,
    ) -> list[JSON]:
        params: dict[str, Any] = {"limit": limit}
        if month:
            params["month"] = month
        data = await self._read(
            conversation_id, f"/api/v1/accounts/{account_number}/invoices", params
        )
        return records(data, "invoices")

    async def payments(
        self, conversation_id: str, account_number: str, limit: int = 5
    ) -> list[JSON]:
        path = f"/api/v1/accounts/{account_number}/payments"
        data = await self._read(conversation_id, path, {"limit": limit})
        return records(data, "payments")

    # -- billing insight, review, commerce (docs/api.md) ------------------------------------

    async def get(
        self, conversation_id: str, account_number: str, path: str, params: JSON | None = None
    ) -> JSON:
        """A read under /api/v1/accounts/{account}: `path` like "/plan-options"."""
        return await self._read(conversation_id, f"/api/v1/accounts/{account_number}{path}", params)

    async def post(
        self, conversation_id: str, account_number: str, path: str, body: JSON, key: str
    ) -> JSON:
        """A write under /api/v1/accounts/{account} with an idempotency key."""
        return await self.write(
            conversation_id, f"/api/v1/accounts/{account_number}{path}", body, key
        )

    async def put(
        self, conversation_id: str, account_number: str, path: str, body: JSON, key: str
    ) -> JSON:
        """A PUT under /api/v1/accounts/{account} with an idempotency key (never retried here)."""
        headers = {"X-Conversation-Id": conversation_id, "Idempotency-Key": key}
        return await self._request(
            "PUT", f"/api/v1/accounts/{account_number}{path}", json=body, headers=headers, retries=0
        )

    # -- handoff to a person (docs/desk-api.md) ------------------------------------------

    async def open_handoff(self, conversation_id: str, body: JSON) -> JSON:
        """Open the conversation's ticket; a retry returns the same ticket, so it may be retried."""
        headers = {"X-Conversation-Id": conversation_id}
        return await self._request(
            "POST", "/api/v1/handoffs", json=body, headers=headers, retries=1
        )

    async def choose_callback(self, conversation_id: str, ticket_id: int, start: str) -> JSON:
        headers = {"X-Conversation-Id": conversation_id}
        path = f"/api/v1/handoffs/{ticket_id}/callback"
        return await self._request(
            "POST", path, json={"window_start": start}, headers=headers, retries=1
        )

    async def withdraw_handoff(self, conversation_id: str, ticket_id: int) -> JSON:
        headers = {"X-Conversation-Id": conversation_id}
        path = f"/api/v1/handoffs/{ticket_id}/withdraw"
        return await self._request("POST", path, json={}, headers=headers, retries=1)

    # -- service figures and the survey (issue 13) ----------------------------------------

    async def report_ending(self, conversation_id: str, body: JSON) -> JSON:
        """The bot closed the conversation; a retry updates the same row, so it may be retried."""
        headers = {"X-Conversation-Id": conversation_id}
        return await self._request(
            "POST", "/api/v1/service/endings", json=body, headers=headers, retries=1
        )

    async def answer_survey(self, conversation_id: str, body: JSON) -> JSON:
        headers = {"X-Conversation-Id": conversation_id}
        return await self._request(
            "POST", "/api/v1/service/survey-answers", json=body, headers=headers, retries=0
        )

    async def comment_survey(self, conversation_id: str, answer_id: int, comment: str) -> JSON:
        headers = {"X-Conversation-Id": conversation_id}
        path = f"/api/v1/service/survey-answers/{answer_id}/comment"
        body = {"conversation_id": conversation_id, "comment": comment}
        return await self._request("POST", path, json=body, headers=headers, retries=1)

    # -- step-up (one-time code) ---------------------------------------------------------

    async def step_up_channels(self, conversation_id: str, account_number: str) -> list[JSON]:
        path = f"/api/v1/accounts/{account_number}/step-up/channels"
        data = await self._read(conversation_id, path)
        return records(data, "channels")

    async def send_step_up_code(
        self, conversation_id: str, account_number: str, channel_id: str, idempotency_key: str
    ) -> JSON:
        path = f"/api/v1/accounts/{account_number}/step-up/codes"
        return await self.write(conversation_id, path, {"channel_id": channel_id}, idempotency_key)

    async def check_step_up_code(
        self, conversation_id: str, account_number: str, code: str
    ) -> JSON:
        path = f"/api/v1/accounts/{account_number}/step-up/verify"
        headers = {"X-Conversation-Id": conversation_id}
        return await self._request("POST", path, json={"code": code}, headers=headers, retries=0)

    # -- plumbing -----------------------------------------------------------------------

    async def write(
        self, conversation_id: str, path: str, body: JSON, idempotency_key: str
    ) -> JSON:
        """A POST that changes something; never retried here (the key makes a retry safe)."""
        headers = {"X-Conversation-Id": conversation_id, "Idempotency-Key": idempotency_key}
        return await self._request("POST", path, json=body, headers=headers, retries=0)

    async def _read(
        self, conversation_id: str, path: str, params: dict[str, Any] | None = None
    ) -> JSON:
        headers = {"X-Conversation-Id": conversation_id}
        return await self._request("GET", path, params=params, headers=headers, retries=1)

    async def _request(self, method: str, path: str, *, retries: int, **kwargs: Any) -> JSON:
        for attempt in range(retries + 1):
            try:
                return await self._send_once(method, path, **kwargs)
            except BackendUnavailable:
                if attempt == retries:
                    raise
                logger.info(
                    "billing_client.retry", extra={"method": method, "attempt": attempt + 1}
                )
        raise AssertionError("unreachable")

    async def _send_once(self, method: str, path: str, **kwargs: Any) -> JSON:
        # Texts the back end composes (explanations, findings, offers) come in the language of
        # the conversation this action call speaks (actions/speech.py).
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Accept-Language": current_language()}
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            logger.warning(
                "billing_client.unreachable", extra={"method": method, "error": type(exc).__name__}
            )
            raise BackendUnavailable(type(exc).__name__) from exc
        if not response.is_success:
            error = rejection(response)
            log = {"method": method, "status": response.status_code, "code": error_code(response)}
            if isinstance(error, BackendUnavailable):
                logger.warning("billing_client.failed", extra=log)
            else:
                logger.info("billing_client.rejected", extra=log)
            raise error
        if response.status_code == 204 or not response.content:
            return {}
        try:
            data = response.json()
        except ValueError as exc:
            raise BackendUnavailable("unreadable answer") from exc
        if not isinstance(data, dict):
            raise BackendUnavailable("unexpected answer")
        return data


def rejection(response: httpx.Response) -> BillingClientError:
    """The typed error for an answer that is not 2xx."""
    status, code = response.status_code, error_code(response)
    if status in (401, 408) or not 400 <= status < 500:
        # A wrong service token is our configuration, not the customer's request.
        return BackendUnavailable(f"{status} {code}")
    if status == 403 and code == "not_verified":
        return NotVerified(status, code)
    if status == 403 and code == "step_up_required":
        return StepUpRequired(status, code)
    if status == 404:
        return NotFound(status, code)
    if status == 422:
        return InvalidRequest(status, code)
    if status == 429:
        return TooManyRequests(status, code)
    if status in (403, 409) and code in AUTHORITY_CODES:
        return BeyondAuthority(status, code, remaining(response))
    if status in (403, 409):
        return Refused(status, code)
    return BackendRejected(status, code)


def _error_body(response: httpx.Response) -> JSON:
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return {}
    return error if isinstance(error, dict) else {}


def error_code(response: httpx.Response) -> str:
    """The back end's error code if it is one (snake_case), else "unknown": never free text."""
    code = _error_body(response).get("code")
    return code if isinstance(code, str) and _CODE.fullmatch(code) else UNKNOWN_CODE


def remaining(response: httpx.Response) -> str | None:
    """What a cumulative limit still allows ("12.50"), if the back end said so."""
    value = _error_body(response).get("remaining")
    return value if isinstance(value, str) and _AMOUNT.fullmatch(value) else None


def member(data: JSON, key: str, kind: type[T]) -> T:
    """`data[key]`, checked to be a `kind`: an answer of another shape is BackendUnavailable."""
    value = data.get(key)
    if not isinstance(value, kind):
        raise BackendUnavailable("unexpected answer")
    return value


def records(data: JSON, key: str) -> list[JSON]:
    """The list of objects under `key` (invoices, payments, channels)."""
    found = member(data, key, list)
    if not all(isinstance(item, dict) for item in found):
        raise BackendUnavailable("unexpected answer")
    return found


VERIFICATION_STATUSES = ("verified", "failed", "locked")


def verification_result(data: JSON) -> VerificationResult:
    status = member(data, "status", str)
    if status not in VERIFICATION_STATUSES:
        raise BackendUnavailable("unexpected answer")
    customer = data.get("customer") or {}
    attempts_left = data.get("attempts_left")
    if not isinstance(customer, dict) or not isinstance(attempts_left, int | None):
        raise BackendUnavailable("unexpected answer")
    first_name, account_number = customer.get("first_name"), customer.get("account_number")
    return VerificationResult(
        status=status,  # type: ignore[arg-type]
        attempts_left=attempts_left,
        first_name=str(first_name) if first_name is not None else None,
        account_number=str(account_number) if account_number is not None else None,
    )


_shared_client: BillingClient | None = None


def shared_client() -> BillingClient:
    """The action server's one pooled client, created on first use (not at import)."""
    global _shared_client
    if _shared_client is None:
        _shared_client = BillingClient(ClientSettings.from_env())
    return _shared_client
