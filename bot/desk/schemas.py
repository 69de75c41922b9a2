"""Request and response bodies of the handoff routes and the desk (docs/desk-api.md)."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from bot.core.language import DEFAULT_LANGUAGE, Language
from bot.core.schemas import Id, Schema
from bot.desk.types import HandoffReason, MessageSender, Outcome, ResolveThen

ConversationId = str


# --- service-token API (actions, event broker) ---


class TranscriptLine(Schema):
    sender: MessageSender
    text: str = Field(max_length=4000)
    at: AwareDatetime | None = None  # default: when the ticket is opened


class HandoffIn(Schema):
    conversation_id: ConversationId = Field(min_length=1, max_length=255)
    channel: str = Field(default="unknown", min_length=1, max_length=64)
    language: Language = DEFAULT_LANGUAGE  # the conversation's (Rasa slot `language`)
    reason: HandoffReason
    summary: str = Field(default="", max_length=1000)
    intents: list[str] = Field(default_factory=list, max_length=20)
    slots: dict[str, Any] = Field(default_factory=dict)
    finding_id: Id | None = None
    offer_id: Id | None = None
    transcript: list[TranscriptLine] = Field(default_factory=list, max_length=100)


class CallbackWindowOut(Schema):
    start: datetime
    end: datetime
    label: str


class HandoffStatusOut(Schema):
    ticket_id: int
    status: str
    position: int | None  # only while queued
    estimated_wait_seconds: int | None  # None: no agent on duty (or not queued)
    agents_on_duty: int
    open_now: bool
    callback_offered: bool
    callback_windows: list[CallbackWindowOut]
    callback_window: CallbackWindowOut | None = None  # the chosen one (status `callback`)


class CallbackIn(Schema):
    window_start: AwareDatetime


class ConversationEvent(BaseModel):
    """One event of Rasa's event broker; fields other than these are ignored."""

    model_config = ConfigDict(extra="ignore")

    sender_id: ConversationId = Field(min_length=1, max_length=255)
    event: str = Field(min_length=1, max_length=64)
    text: str | None = None
    timestamp: float
    input_channel: str | None = None

    @field_validator("timestamp")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value) or value < 0:
            raise ValueError("timestamp must be a finite number of seconds since 1970")
        return value


class ConversationEventsIn(Schema):
    events: list[ConversationEvent] = Field(max_length=1000)


class EventsStoredOut(Schema):
    stored: int


# --- desk (browser session) ---


class MessageOut(Schema):
    id: int
    sender: MessageSender
    text: str
    at: datetime
    agent_name: str | None


class TicketSummary(Schema):
    id: int
    status: str
    reason: HandoffReason
    priority: int
    position: int | None
    created_at: datetime
    waiting_seconds: int  # created -> claimed (or now while waiting)
    verified: bool
    customer_name: str | None  # verified tickets only
    account_number: str | None
    claimed_by: str | None  # the agent's display name
    claimed_by_agent_id: int | None
    channel: str
    language: Language
    callback_window: CallbackWindowOut | None


class QueueOut(Schema):
    tickets: list[TicketSummary]
    agents_on_duty: int


class AgentMessageIn(Schema):
    text: str = Field(min_length=1, max_length=4000)


class ResolveIn(Schema):
    outcome: Outcome
    note: str = Field(default="", max_length=1000)
    then: ResolveThen


class CreditIn(Schema):
    """Either a review finding (`finding_id`) or a goodwill `amount` on an invoice."""

    finding_id: Id | None = None
    amount: str | None = Field(default=None, pattern=r"^\d{1,7}(\.\d{1,2})?$")
    invoice_number: str | None = Field(default=None, min_length=1, max_length=32)
    reason: str = Field(default="", max_length=300)


class CreditGrantOut(Schema):
    ticket_id: int
    adjustment_id: int
    finding_id: int | None
    invoice_number: str
    amount: str
    currency: str
    balance: str


class DiscountIn(Schema):
    percent: int = Field(ge=1, le=100)
    months: int = Field(ge=1, le=60)
    reason: str = Field(min_length=1, max_length=300)


class DiscountGrantOut(Schema):
    ticket_id: int
    percent: int
    monthly_amount: str
    months: int
    start_date: date
    end_date: date
    currency: str
    tier: Literal["agent", "supervisor"]


# --- supervisor figures ---


class HourOut(Schema):
    hour: datetime
    handoffs: int
    answered: int
    abandoned: int
    wait_p50_seconds: float | None
    service_level_20s: float | None


class StatsOut(Schema):
    queue_length: int
    agents_on_duty: int
    wait_p50_seconds: float | None
    wait_p90_seconds: float | None
    service_level_20s: float | None
    abandonment_rate: float | None
    handoffs_by_reason: dict[str, int]
    outcomes: dict[str, int]
    hourly: list[HourOut]
