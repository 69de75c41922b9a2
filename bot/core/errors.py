"""Errors raised by the back end's services, every capability's (billing, desk, commerce...).

Our exception hierarchy:

* BotError
  + NotAuthenticated - the caller did not present the service token.
  + NotVerified - the conversation has no live verification for the account (also used
                  for accounts that do not exist, so existence is never revealed).
  + NotLoggedIn - a desk request without a live agent session.
  + Forbidden - a logged-in agent may not do this (403); subclasses name why:
    + CsrfRejected - a desk write without the session's CSRF token.
    + NotYourTicket - the ticket is claimed by another agent.
  + NotFound - an invoice (or a month of invoices) does not exist for a verified account.
  + InvalidRequest - the request is well formed JSON but breaks a rule.
  + StepUpRequired - a write that moves money or changes a contract needs a fresh one-time code.
  + TooManyRequests - too many one-time codes asked for in an hour.
  + Conflict - the write cannot happen in the current state (409); subclasses name why:
    + IdempotencyConflict - an Idempotency-Key was reused for a different request.
    + AlreadyCredited - the finding was already credited (under another key).
    + BeyondAuthority - the credit exceeds what the bot may grant; escalated to a person.
      + BeyondAgentAuthority - beyond what the agent's role may grant at the desk (403).
        + AuthorityUsedUp - with what the role already granted the account in the period (or
                            the discounts already running in those months) the grant would
                            pass the role's limit; says what remains (403).
    + CreditExceedsInvoice - the invoice's credits would pass what it charged; says what
                             remains creditable on it.
    + FindingClosed - the finding was dismissed.
    + AlreadyDisputed - the line already has an open dispute.
    + OfferUnavailable - the offer was already answered or has expired.
    + AlreadyPending - a cancellation request or payment arrangement is already in place.
    + NothingOwed - there is no open balance to pay or arrange.
    + TicketClosed - the handoff ticket is no longer open (or not in a state that allows this).
    + AlreadyClaimed - another agent already claimed the handoff ticket.
  + DatabaseUnavailable - the database cannot be reached.
  + RasaUnavailable - Rasa's HTTP API cannot be reached or refused (desk pause/resume/replies).
  + ConfigurationError - a setting or a configuration file is invalid (stops the start):
    + PolicyFileError - the discount policy file is missing or invalid.

Services raise these; `bot.api.errors` maps each class to an HTTP status and error code in
one place, and the CLI prints their message without a traceback.
"""

from __future__ import annotations


class BotError(Exception):
    """Base class of every error the back end raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthenticated(BotError):
    """Missing or wrong service bearer token."""


class NotVerified(BotError):
    """No live verified session of this conversation for this account."""


class NotLoggedIn(BotError):
    """A desk request without a live agent session (no cookie, unknown, ended or expired)."""


class Forbidden(BotError):
    """The logged-in agent may not do this (e.g. an agent asking for the supervisor figures)."""


class CsrfRejected(Forbidden):
    """A desk write without the session's CSRF token (or the login form without its cookie)."""


class NotYourTicket(Forbidden):
    """The handoff ticket is claimed by another agent."""


class NotFound(BotError):
    """The requested invoice or month does not exist for this (verified) account."""


class InvalidRequest(BotError):
    """The request breaks a rule that schema validation cannot express."""


class DatabaseUnavailable(BotError):
    """The database cannot be reached or has no schema yet."""


class RasaUnavailable(BotError):
    """Rasa's HTTP API timed out, could not be reached, refused the token or failed."""


class ConfigurationError(BotError):
    """A setting (or a file it names) is invalid: the back end refuses to start."""


class PolicyFileError(ConfigurationError):
    """The discount policy file cannot be read or breaks its schema."""


class StepUpRequired(BotError):
    """No live step-up (one-time code) of this conversation for this account."""


class TooManyRequests(BotError):
    """A rate limit was reached (one-time codes per account and hour)."""


class Conflict(BotError):
    """The request is valid but the current state forbids it."""


class IdempotencyConflict(Conflict):
    """The Idempotency-Key was already used for a different request."""


class AlreadyCredited(Conflict):
    """The finding has already been credited."""


class BeyondAuthority(Conflict):
    """The amount is above the bot's credit limit; the finding went to a person."""


class BeyondAgentAuthority(BeyondAuthority):
    """A credit or discount beyond the limits of the agent's role (agent or supervisor)."""


class AuthorityUsedUp(BeyondAgentAuthority):
    """A cumulative limit is reached: credits a role granted an account within the period, or
    discounts stacked over the same months; `remaining` is what may still be granted."""

    def __init__(self, message: str, remaining: str) -> None:
        super().__init__(message)
        self.remaining = remaining


class CreditExceedsInvoice(Conflict):
    """All credits on an invoice together may not exceed what it charged; `remaining` is what
    may still be credited on it."""

    def __init__(self, message: str, remaining: str) -> None:
        super().__init__(message)
        self.remaining = remaining


class FindingClosed(Conflict):
    """The finding was dismissed and can no longer be credited."""


class AlreadyDisputed(Conflict):
    """The invoice line already has an open dispute."""


class OfferUnavailable(Conflict):
    """The offer was already accepted or declined, or has expired."""


class AlreadyPending(Conflict):
    """A cancellation request or payment arrangement of the account is already in place."""


class NothingOwed(Conflict):
    """The account owes nothing, so there is nothing to pay or arrange."""


class TicketClosed(Conflict):
    """The handoff ticket is not open, or not in a state that allows this change."""


class AlreadyClaimed(Conflict):
    """Another agent already claimed the handoff ticket."""
