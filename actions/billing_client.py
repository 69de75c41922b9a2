"""The one place that speaks HTTP to the billing back end (contract: docs/api.md).

Errors:
    BillingClientError
    ├── BackendUnavailable   timeouts, connection errors, 5xx, unreadable answers
    ├── NotVerified          403 not_verified: this conversation is not verified for the account
    ├── StepUpRequired       403 step_up_required: a one-time code must be confirmed first
    ├── NotFound             404: e.g. no invoice for that month
    └── Refused              409/422: the back end's rules refuse the request (`code` says why)

Reads are retried once when the back end is unavailable; writes never are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import httpx

from actions.settings import ClientSettings

logger = logging.getLogger(__name__)

JSON = dict[str, Any]
Factor = Literal["date_of_birth", "invoice_amount"]


class BillingClientError(Exception):
    """Base class of everything the client raises."""


class BackendUnavailable(BillingClientError):
    """The back end could not be reached or failed to answer."""


class NotVerified(BillingClientError):
    """The back end does not consider this conversation verified for the account."""


class StepUpRequired(BillingClientError):
    """The write needs a confirmed one-time code first."""


class NotFound(BillingClientError):
    """The requested record does not exist."""


class Refused(BillingClientError):
    """The back end refused by its rules, e.g. `beyond_authority`, `already_credited`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


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
        customer = data.get("customer") or {}
        return VerificationResult(
            status=data["status"],
            attempts_left=data.get("attempts_left"),
            first_name=customer.get("first_name"),
            account_number=customer.get("account_number"),
        )

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
        return list(data["invoices"])

    async def payments(
        self, conversation_id: str, account_number: str, limit: int = 5
    ) -> list[JSON]:
        path = f"/api/v1/accounts/{account_number}/payments"
        data = await self._read(conversation_id, path, {"limit": limit})
        return list(data["payments"])

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

    # -- step-up (one-time code) ---------------------------------------------------------

    async def step_up_channels(self, conversation_id: str, account_number: str) -> list[JSON]:
        path = f"/api/v1/accounts/{account_number}/step-up/channels"
        data = await self._read(conversation_id, path)
        return list(data["channels"])

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
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            logger.warning(
                "billing_client.unreachable", extra={"method": method, "error": type(exc).__name__}
            )
            raise BackendUnavailable(type(exc).__name__) from exc
        if response.status_code in (403, 409, 422):
            code = error_code(response)
            if code == "step_up_required":
                raise StepUpRequired()
            if response.status_code == 403:
                raise NotVerified()
            raise Refused(code)
        if response.status_code == 404:
            raise NotFound()
        if response.status_code >= 400:
            logger.warning(
                "billing_client.error_status",
                extra={"method": method, "status": response.status_code},
            )
            raise BackendUnavailable(f"status {response.status_code}")
        if response.status_code == 204 or not response.content:
            return {}
        try:
            data = response.json()
        except ValueError as exc:
            raise BackendUnavailable("unreadable answer") from exc
        if not isinstance(data, dict):
            raise BackendUnavailable("unexpected answer")
        return data


def error_code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "unknown"


_shared_client: BillingClient | None = None


def shared_client() -> BillingClient:
    """The action server's one pooled client, created on first use (not at import)."""
    global _shared_client
    if _shared_client is None:
        _shared_client = BillingClient(ClientSettings.from_env())
    return _shared_client
