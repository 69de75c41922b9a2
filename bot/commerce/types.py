"""Enumerations stored in the commerce tables and used by the discount policy."""

from __future__ import annotations

from enum import StrEnum


class Trigger(StrEnum):
    """What the customer said that asks for an offer."""

    PRICE_COMPLAINT = "price_complaint"
    DISCOUNT_REQUEST = "discount_request"
    CANCELLATION = "cancellation"
    AGENT_GRANT = "agent_grant"  # an agent granted a discount by hand


class Tier(StrEnum):
    """Who may grant a discount, from the least to the most authority."""

    BOT = "bot"
    AGENT = "agent"
    SUPERVISOR = "supervisor"


class Decision(StrEnum):
    OFFER = "offer"
    HOLDOUT = "holdout"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_HUMAN = "needs_human"


class OfferStatus(StrEnum):
    """One row of `offers`: a decision, then (for an offer) the customer's answer."""

    OFFERED = "offered"
    HOLDOUT = "holdout"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_HUMAN = "needs_human"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class CancellationStatus(StrEnum):
    REQUESTED = "requested"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


class ArrangementKind(StrEnum):
    EXTEND_DUE_DATE = "extend_due_date"
    SPLIT = "split"


class ArrangementStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
