"""Simulated service practices with planted, CONFOUNDED effects on churn: one contact about a
bill per generated customer one to two years before `as_of`, in the tables where the product
records such things, and what happened in the 90 days after it (`outcomes` rows without an
offer, tied to the contact by its conversation id).

What each contact may have had (drawn independently of each other, given the segment):

* a wait for a person: a closed `handoff_tickets` row; `claimed_at - created_at` is the wait,
  "long" beyond `LONG_WAIT_MINUTES`;
* first-contact resolution: no repeat contact (a second `conversation_endings` row, same account
  and topic) within 7 days, as the service figures define it;
* a review credit: an `adjustments` credit with its `credit_grants` row (tier bot) when the
  contact ends (grants name no conversation: the analysis matches account and time);
* a payment arrangement: a completed `payment_arrangements` row (extend the due date); rare, so a
  small seed holds too few for an answer (the analysis must say so).

Churn within 90 days has probability `BASE_CHURN[segment] + sum(planted effects of what the
contact had)`: additive, so each practice's true effect is exactly its `PLANTED_PRACTICES`
difference. The confounding: the high-churn price-sensitive customers wait long, go unresolved
and get credits far more often than loyal ones (`EXPOSURE`), so the naive difference of churn
rates is far from the planted effect and only an adjusted estimate recovers it. Churn days fall
uniformly in 1..90; who stays is seen staying on `as_of` (churn at 90 days = churn at 180).

The practice histories are simulated apart from the offer histories (bot/seed/outcomes.py): the
two share the customer's segment, not a lifetime. The pilot segment (the first 40 generated
customers) takes no part, so a small seed (the test fixtures, e2e: 40 customers or fewer) holds
no practice rows that other features' tests would count. Seeded tickets are closed, carry no
estimate (so the live wait-estimate correction ignores them) and took exactly the desk's default
handle time (so the live handle-time average stays the default until real tickets replace them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.types.json import JsonDumper

from bot.analytics.models import Outcome, OutcomeKind
from bot.billing.models import Account, Adjustment
from bot.billing.types import AdjustmentKind
from bot.commerce.models import PaymentArrangement
from bot.commerce.types import ArrangementKind, ArrangementStatus, Tier
from bot.core.language import Language
from bot.desk.models import HandoffTicket
from bot.desk.types import HandoffReason, TicketStatus
from bot.desk.types import Outcome as TicketOutcome
from bot.review.models import CreditGrant
from bot.seed.rows import table_of
from bot.service.models import ConversationEnding

if TYPE_CHECKING:
    from bot.seed.rows import Rows

FIRST_DAY, LAST_DAY = 366, 730  # days before `as_of` a contact falls on
HORIZON_DAYS = 90  # the planted effects are on churn within 90 days
TOPIC = "bill_higher_than_usual"
LONG_WAIT_MINUTES = 10
REPEAT_WITHIN_DAYS = 7
CREDIT_CENTS = 500
HANDED_TO_PERSON = 0.6  # contacts with a wait for a person (the long-wait comparison's base)
HANDLE_SECONDS = (
    300  # the desk's default handle time, so seeded tickets leave estimates as they are
)

BASE_CHURN = {"price_sensitive": 0.40, "loyal": 0.20, "quiet": 0.25}


@dataclass(frozen=True, slots=True)
class PlantedPractice:
    practice: str
    difference_90: float  # churn within 90 days, had it minus did not (additive)


LONG_WAIT = PlantedPractice("long_wait", 0.10)
FIRST_CONTACT_RESOLUTION = PlantedPractice("first_contact_resolution", -0.06)
REVIEW_CREDIT = PlantedPractice("review_credit", -0.05)
ARRANGEMENT = PlantedPractice("arrangement", -0.08)
PLANTED_PRACTICES = (LONG_WAIT, FIRST_CONTACT_RESOLUTION, REVIEW_CREDIT, ARRANGEMENT)

# probability of each exposure per segment (long wait: among contacts handed to a person)
EXPOSURE = {
    "long_wait": {"price_sensitive": 0.60, "loyal": 0.15, "quiet": 0.30},
    "first_contact_resolution": {"price_sensitive": 0.45, "loyal": 0.85, "quiet": 0.70},
    "review_credit": {"price_sensitive": 0.35, "loyal": 0.05, "quiet": 0.10},
    "arrangement": {"price_sensitive": 0.03, "loyal": 0.005, "quiet": 0.01},
}


class _JsonList(list[str]):
    """A JSON column's list: SQLAlchemy serialises it as a list; COPY dumps it as JSON."""


class _JsonDict(dict[str, Any]):
    """A JSON column's object, like `_JsonList`."""


psycopg.adapters.register_dumper(_JsonList, JsonDumper)
psycopg.adapters.register_dumper(_JsonDict, JsonDumper)


def add_practices(rows: Rows, as_of: date) -> None:
    """Add a contact and its 90 days for every account with an offer history in this batch of
    `rows` (the generated customers), in the segment that history gave it; the pilot segment
    (the first 40 generated customers) has none."""
    segments = {
        row["account_id"]: str(row["segment"])
        for row in rows.by_table.get(table_of(Outcome), [])
        if row["offer_id"] is not None
    }
    for account in rows.by_table.get(table_of(Account), []):
        segment = segments.get(account["id"])
        if segment in BASE_CHURN:
            _simulate(rows, int(account["id"]), str(account["account_number"]), segment, as_of)


def _simulate(rows: Rows, account_id: int, number: str, segment: str, as_of: date) -> None:
    rng = random.Random(f"practices:{number}")  # the number, not the id: ids may be batch-local
    day = as_of - timedelta(days=rng.randint(FIRST_DAY, LAST_DAY))
    started = datetime.combine(day, time(9), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 480))
    conversation = f"seed-practice-{number}-{day:%Y%m%d}"
    churn = BASE_CHURN[segment]

    ended = started + timedelta(minutes=rng.randint(3, 12))
    if rng.random() < HANDED_TO_PERSON:
        long_wait = rng.random() < EXPOSURE["long_wait"][segment]
        wait = rng.randint(11 * 60, 40 * 60) if long_wait else rng.randint(30, 9 * 60)
        claimed = ended + timedelta(seconds=wait)
        resolved = claimed + timedelta(seconds=HANDLE_SECONDS)
        _ticket(rows, account_id, conversation, ended, claimed, resolved)
        ended = resolved
        churn += LONG_WAIT.difference_90 if long_wait else 0.0
    _ending(rows, account_id, conversation, started, ended)

    if rng.random() < EXPOSURE["first_contact_resolution"][segment]:
        churn += FIRST_CONTACT_RESOLUTION.difference_90
    else:
        again = ended + timedelta(days=rng.randint(1, REPEAT_WITHIN_DAYS - 1))
        _ending(rows, account_id, f"{conversation}-repeat", again, again + timedelta(minutes=5))
    if rng.random() < EXPOSURE["review_credit"][segment]:
        _credit(rows, account_id, ended)
        churn += REVIEW_CREDIT.difference_90
    if rng.random() < EXPOSURE["arrangement"][segment]:
        _arrangement(rows, account_id, conversation, ended)
        churn += ARRANGEMENT.difference_90

    followed = (as_of - day).days
    if rng.random() < churn:
        kind, after = OutcomeKind.CANCELLED, rng.randint(1, HORIZON_DAYS)
    else:
        kind, after = OutcomeKind.STAYED, followed
    rows.add(
        Outcome,
        account_id=account_id,
        offer_id=None,
        conversation_id=conversation,
        offer_code=None,
        segment=segment,
        kind=kind,
        started_on=day,
        occurred_on=day + timedelta(days=after),
        recorded_at=started + timedelta(days=after),
    )


def _ending(
    rows: Rows, account_id: int, conversation: str, started: datetime, ended: datetime
) -> None:
    rows.add(
        ConversationEnding,
        conversation_id=conversation,
        channel="web",
        language=Language.EN,
        topic=TOPIC,
        account_id=account_id,
        started_at=started,
        ended_at=ended,
    )


def _ticket(
    rows: Rows,
    account_id: int,
    conversation: str,
    created: datetime,
    claimed: datetime,
    resolved: datetime,
) -> None:
    rows.add(
        HandoffTicket,
        conversation_id=conversation,
        open_conversation_id=None,
        channel="web",
        language=Language.EN,
        account_id=account_id,
        verified=True,
        reason=HandoffReason.CUSTOMER_REQUEST,
        priority=0,
        summary="Asked about a higher bill than usual.",
        intents=_JsonList([TOPIC, "talk_to_human"]),
        slots=_JsonDict(),
        finding_id=None,
        offer_id=None,
        status=TicketStatus.CLOSED,
        created_at=created,
        claimed_at=claimed,
        claimed_by=None,
        resolved_at=resolved,
        outcome=TicketOutcome.EXPLAINED,
        note=None,
        callback_start=None,
        callback_end=None,
        estimated_wait_seconds=None,
        last_update_position=None,
        last_update_wait=None,
        churn_risk=None,
    )


def _credit(rows: Rows, account_id: int, at: datetime) -> None:
    adjustment_id = rows.add(
        Adjustment,
        account_id=account_id,
        invoice_id=None,
        kind=AdjustmentKind.CREDIT,
        amount_cents=CREDIT_CENTS,
        reason="Review credit: billing error found",
        created_at=at,
    )
    rows.add(
        CreditGrant,
        adjustment_id=adjustment_id,
        account_id=account_id,
        tier=Tier.BOT,
        actor="bot",
        amount_cents=CREDIT_CENTS,
        created_at=at,
    )


def _arrangement(rows: Rows, account_id: int, conversation: str, at: datetime) -> None:
    rows.add(
        PaymentArrangement,
        account_id=account_id,
        conversation_id=conversation,
        kind=ArrangementKind.EXTEND_DUE_DATE,
        status=ArrangementStatus.COMPLETED,
        total_cents=4500,
        extension_days=14,
        actor="bot",
        created_at=at,
    )
