"""Meta's webhook scheme, shared by WhatsApp (Cloud API) and Messenger.

Meta subscribes a webhook with `GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`
(answer the challenge when the token is ours) and signs every `POST` with
`X-Hub-Signature-256`, an HMAC-SHA256 of the raw body with the app secret.
"""

from __future__ import annotations

from typing import ClassVar

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from addons.messaging.base import MessagingInput
from addons.messaging.signatures import SignatureError, check_hub_handshake, check_hub_signature


class MetaWebhookInput(MessagingInput):
    """Signature and handshake of a Meta webhook; the subclass names its two variables."""

    app_secret_variable: ClassVar[str]
    verify_token_variable: ClassVar[str]

    def check_signature(self, request: Request) -> None:
        secret = self.secret(self.app_secret_variable)
        check_hub_signature(request.headers.get("X-Hub-Signature-256"), request.body, secret)

    def handshake(self, request: Request) -> HTTPResponse:
        try:
            challenge = check_hub_handshake(
                request.args.get("hub.mode"),
                request.args.get("hub.verify_token"),
                request.args.get("hub.challenge"),
                self.secret(self.verify_token_variable),
            )
        except SignatureError as error:
            return response.json({"error": "verify_token"}, status=error.status)
        return response.text(challenge)
