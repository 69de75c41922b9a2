"""Errors raised by the billing services.

Our exception hierarchy:

* BillingError
  + NotAuthenticated - the caller did not present the service token.
  + NotVerified - the conversation has no live verification for the account (also used
                  for accounts that do not exist, so existence is never revealed).
  + NotFound - an invoice (or a month of invoices) does not exist for a verified account.
  + InvalidRequest - the request is well formed JSON but breaks a rule.
  + DatabaseUnavailable - the database cannot be reached.

Services raise these; `bot.api.errors` maps each class to an HTTP status and error code in
one place, and the CLI prints their message without a traceback.
"""

from __future__ import annotations


class BillingError(Exception):
    """Base class of every error the billing back end raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthenticated(BillingError):
    """Missing or wrong service bearer token."""


class NotVerified(BillingError):
    """No live verified session of this conversation for this account."""


class NotFound(BillingError):
    """The requested invoice or month does not exist for this (verified) account."""


class InvalidRequest(BillingError):
    """The request breaks a rule that schema validation cannot express."""


class DatabaseUnavailable(BillingError):
    """The database cannot be reached or has no schema yet."""
