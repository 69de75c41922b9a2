"""The service figures (issue 13 part 6), computed from what the back end stores: the
conversations the bot closed (`conversation_endings`), the handoff tickets and the survey answers.

A *contact* is one conversation session: a `ConversationEnding`, or a handoff ticket that no
ending covers (same conversation, opened between the session's start and end). For a contact:

* handed off: a ticket was opened during it (its `reason` counts in the handoff rate by reason);
* resolved: the bot closed it (an ending), or a person resolved its ticket (status `resolved` or
  `closed` with a `resolved_at`); a withdrawn, abandoned or open ticket is not resolved;
* repeat contact: the same verified account came back about the same topic (the request's
  intent) within 7 days after the contact ended. Unverified contacts cannot be matched and so
  never count as repeated (the figures say how many contacts were verified);
* contained: resolved, not handed off, and no repeat contact;
* first-contact resolution: resolved (by the bot or a person) and no repeat contact;
* time to resolution: from the contact's start to its resolution (median and 90th percentile);
* satisfaction: the survey's mean rating, the share of 4 and 5 ("CSAT"), and the count of each.

Rates are over all contacts that started in the period; a rate with no contacts is `None`.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.desk.models import HandoffTicket
from bot.desk.types import TicketStatus
from bot.service.models import ConversationEnding, SurveyAnswer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

REPEAT_WINDOW = timedelta(days=7)
RESOLVED_TICKETS = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})
# Intents of a ticket that say nothing about the customer's request (its topic is the last other).
NOT_A_TOPIC = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "talk_to_human",
     "express_frustration", "nlu_fallback", "out_of_scope", "provide_account_number",
     "provide_verification_info", "choose_option", "change_language", "wait_for_agent",
     "request_callback", "continue_with_bot"}
)  # fmt: skip


@dataclass(frozen=True)
class Contact:
    conversation_id: str
    account_id: int | None
    topic: str
    started_at: datetime
    ended_at: datetime
    resolved_at: datetime | None
    handoff_reason: str | None


@dataclass(frozen=True)
class Rating:
    rating: int
    answered_at: datetime


@dataclass
class Tally:
    contacts: int = 0
    contained: int = 0
    first_contact_resolved: int = 0
    handed_off: int = 0
    ratings: list[int] = field(default_factory=list)

    def rate(self, count: int) -> float | None:
        return round(count / self.contacts, 4) if self.contacts else None


def ticket_topic(intents: list[str], reason: str) -> str:
    topics = [intent for intent in intents if intent not in NOT_A_TOPIC]
    return topics[-1] if topics else reason


def contacts_from(endings: list[ConversationEnding], tickets: list[HandoffTicket]) -> list[Contact]:
    """Endings, each marked handed off by a ticket opened during it; the other tickets alone."""
    by_conversation: dict[str, list[HandoffTicket]] = defaultdict(list)
    for ticket in tickets:
        by_conversation[ticket.conversation_id].append(ticket)
    covered: set[int] = set()
    contacts = []
    for ending in endings:
        during = [
            t
            for t in by_conversation.get(ending.conversation_id, [])
            if ending.started_at <= t.created_at <= ending.ended_at
        ]
        covered.update(t.id for t in during)
        contacts.append(
            Contact(
                conversation_id=ending.conversation_id,
                account_id=ending.account_id,
                topic=ending.topic,
                started_at=ending.started_at,
                ended_at=ending.ended_at,
                resolved_at=ending.ended_at,
                handoff_reason=during[0].reason.value if during else None,
            )
        )
    for ticket in tickets:
        if ticket.id in covered:
            continue
        resolved = ticket.resolved_at if ticket.status in RESOLVED_TICKETS else None
        contacts.append(
            Contact(
                conversation_id=ticket.conversation_id,
                account_id=ticket.account_id,
                topic=ticket_topic(list(ticket.intents or []), ticket.reason.value),
                started_at=ticket.created_at,
                ended_at=ticket.resolved_at or ticket.created_at,
                resolved_at=resolved,
                handoff_reason=ticket.reason.value,
            )
        )
    return sorted(contacts, key=lambda c: (c.started_at, c.conversation_id))


def repeated(contact: Contact, later: list[Contact]) -> bool:
    """Did the same verified account come back about the same topic within 7 days?"""
    if contact.account_id is None:
        return False
    return any(
        other is not contact
        and other.account_id == contact.account_id
        and other.topic == contact.topic
        and contact.ended_at < other.started_at <= contact.ended_at + REPEAT_WINDOW
        for other in later
    )


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1], 1)


def summarise(
    contacts: list[Contact], ratings: list[Rating], start: datetime, end: datetime
) -> dict[str, object]:
    """The figures for contacts that started (and answers given) in [start, end), plus per day.
    `contacts` may reach 7 days past `end`: those only count as repeat contacts."""
    by_account: dict[int, list[Contact]] = defaultdict(list)
    for contact in contacts:
        if contact.account_id is not None:
            by_account[contact.account_id].append(contact)
    total = Tally()
    days: dict[date, Tally] = defaultdict(Tally)
    reasons: Counter[str] = Counter()
    durations: list[float] = []
    verified = 0
    for contact in contacts:
        if not start <= contact.started_at < end:
            continue
        day = days[contact.started_at.date()]
        again = repeated(contact, by_account.get(contact.account_id or -1, []))
        resolved = contact.resolved_at is not None
        for tally in (total, day):
            tally.contacts += 1
            tally.handed_off += contact.handoff_reason is not None
            tally.contained += resolved and contact.handoff_reason is None and not again
            tally.first_contact_resolved += resolved and not again
        verified += contact.account_id is not None
        if contact.handoff_reason is not None:
            reasons[contact.handoff_reason] += 1
        if contact.resolved_at is not None:
            durations.append((contact.resolved_at - contact.started_at).total_seconds())
    for answer in ratings:
        if start <= answer.answered_at < end:
            total.ratings.append(answer.rating)
            days[answer.answered_at.date()].ratings.append(answer.rating)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "contacts": total.contacts,
        "verified_contacts": verified,
        "containment_rate": total.rate(total.contained),
        "first_contact_resolution_rate": total.rate(total.first_contact_resolved),
        "handoff_rate": total.rate(total.handed_off),
        "handoffs_by_reason": [
            {"reason": reason, "count": count, "rate": total.rate(count)}
            for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
        ],
        "time_to_resolution_seconds": {
            "resolved": len(durations),
            "median": round(statistics.median(durations), 1) if durations else None,
            "p90": _percentile(sorted(durations), 0.9),
        },
        "satisfaction": _satisfaction(total.ratings),
        "daily": [
            {
                "date": day.isoformat(),
                "contacts": tally.contacts,
                "containment_rate": tally.rate(tally.contained),
                "first_contact_resolution_rate": tally.rate(tally.first_contact_resolved),
                "handoff_rate": tally.rate(tally.handed_off),
                "satisfaction_mean": _mean(tally.ratings),
                "survey_answers": len(tally.ratings),
            }
            for day, tally in _every_day(days, start, end)
        ],
    }


def _every_day(days: dict[date, Tally], start: datetime, end: datetime) -> list[tuple[date, Tally]]:
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    count = (last - first).days + 1
    return [
        (first + timedelta(days=i), days.get(first + timedelta(days=i), Tally()))
        for i in range(count)
    ]


def _mean(ratings: list[int]) -> float | None:
    return round(statistics.fmean(ratings), 2) if ratings else None


def _satisfaction(ratings: list[int]) -> dict[str, object]:
    counts = Counter(ratings)
    return {
        "answers": len(ratings),
        "mean": _mean(ratings),
        "csat_rate": round(sum(counts[r] for r in (4, 5)) / len(ratings), 4) if ratings else None,
        "counts": {str(r): counts[r] for r in range(1, 6)},
    }


def service_figures(session: Session, start: datetime, end: datetime) -> dict[str, object]:
    """Three queries: endings, tickets (to 7 days past `end`, for repeats) and survey answers."""
    horizon = end + REPEAT_WINDOW
    endings = list(
        session.scalars(
            select(ConversationEnding).where(
                ConversationEnding.ended_at >= start - REPEAT_WINDOW,
                ConversationEnding.started_at < horizon,
            )
        )
    )
    tickets = list(
        session.scalars(
            select(HandoffTicket).where(
                HandoffTicket.created_at >= start - REPEAT_WINDOW,
                HandoffTicket.created_at < horizon,
            )
        )
    )
    ratings = [
        Rating(rating, answered_at)
        for rating, answered_at in session.execute(
            select(SurveyAnswer.rating, SurveyAnswer.answered_at).where(
                SurveyAnswer.answered_at >= start, SurveyAnswer.answered_at < end
            )
        )
    ]
    return summarise(contacts_from(endings, tickets), ratings, start, end)
