"""Enumerations stored in the desk tables (agents, handoff tickets, ticket messages)."""

from __future__ import annotations

from enum import StrEnum


class AgentRole(StrEnum):
    """What a person at the desk may do: supervisors have higher limits and see the figures."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"


class HandoffReason(StrEnum):
    """Why the bot handed the conversation to a person (sets the ticket's priority)."""

    CUSTOMER_REQUEST = "customer_request"
    REPEATED_FALLBACK = "repeated_fallback"
    VERIFICATION_LOCKED = "verification_locked"
    BEYOND_AUTHORITY = "beyond_authority"
    UPSET_CUSTOMER = "upset_customer"


class TicketStatus(StrEnum):
    """`queued`: waiting for an agent; `claimed`: an agent has it; `callback`: the customer chose
    a callback window (out of the live queue); `withdrawn`: the customer went back to the bot;
    `resolved`: handed back to the bot; `closed`: conversation ended; `abandoned`: nobody
    claimed it within DESK_ABANDON_AFTER_MINUTES (the customer left)."""

    QUEUED = "queued"
    CLAIMED = "claimed"
    CALLBACK = "callback"
    WITHDRAWN = "withdrawn"
    RESOLVED = "resolved"
    CLOSED = "closed"
    ABANDONED = "abandoned"


OPEN_STATUSES = frozenset({TicketStatus.QUEUED, TicketStatus.CLAIMED, TicketStatus.CALLBACK})
FINISHED_STATUSES = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})


class MessageSender(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class Outcome(StrEnum):
    """What the agent did, chosen when resolving the ticket."""

    CREDITED = "credited"
    DISCOUNT_GRANTED = "discount_granted"
    EXPLAINED = "explained"
    DISPUTE_OPENED = "dispute_opened"
    PLAN_CHANGED = "plan_changed"
    CALLBACK_ARRANGED = "callback_arranged"
    NO_ACTION = "no_action"
    OTHER = "other"


class ResolveThen(StrEnum):
    """After resolving: give the conversation back to the bot, or end it."""

    HAND_BACK = "hand_back"
    CLOSE = "close"
