"""Bodies of the desk's own JSON API (/desk/api) beyond the ticket schemas of bot.desk.schemas."""

from __future__ import annotations

from bot.billing.schemas import InvoiceDetail
from bot.core.schemas import Schema
from bot.desk.account_view import AccountFacts, OfferRow
from bot.desk.phrases import CannedPhraseOut
from bot.desk.schemas import MessageOut, TicketSummary
from bot.disputes.schemas import DisputeOut
from bot.review.schemas import FindingOut


class DiscountLimitsOut(Schema):
    max_percent: int
    max_monthly_amount: str
    max_months: int


class MeOut(Schema):
    agent_id: int
    username: str
    display_name: str
    role: str
    on_duty: bool
    csrf_token: str
    credit_limit: str
    discount_limits: DiscountLimitsOut


class DutyIn(Schema):
    on_duty: bool


class DutyOut(Schema):
    on_duty: bool


class TicketDetail(TicketSummary):
    """A ticket with its transcript; the account part only for a verified ticket, and only for
    the agent who claimed it or a supervisor (`account_visible`; else the fields are null)."""

    summary: str
    intents: list[str]
    slots: dict[str, object]
    messages: list[MessageOut]
    phrases: list[CannedPhraseOut]  # canned phrases in the ticket's language
    account_visible: bool = False
    account: AccountFacts | None = None
    invoices: list[InvoiceDetail] | None = None
    findings: list[FindingOut] | None = None
    disputes: list[DisputeOut] | None = None
    offers: list[OfferRow] | None = None


class MessageSentOut(Schema):
    ticket_id: int
    message: MessageOut
