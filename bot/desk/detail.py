"""A ticket as the desk shows it when selected: summary, transcript, and the verified account.

    ticket_detail(session, ticket_id, now, config, policy, bot_limit_cents)   # TicketDetail

The account part (account, invoices, findings, disputes, offers) is built only when the ticket
is verified, for the account attached from the conversation's verified session; otherwise
those fields are null and nothing about any account is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.billing.models import Account
from bot.desk.account_view import account_view
from bot.desk.api_schemas import TicketDetail
from bot.desk.records import get_ticket
from bot.desk.views import messages_out, ticket_summary

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.commerce.policy import DiscountPolicy
    from bot.desk.config import DeskConfig


def ticket_detail(
    session: Session,
    ticket_id: int,
    now: datetime,
    config: DeskConfig,
    policy: DiscountPolicy,
    bot_limit_cents: int,
) -> TicketDetail:
    ticket = get_ticket(session, ticket_id)
    account = session.get(Account, ticket.account_id) if ticket.account_id is not None else None
    view = None
    if ticket.verified and account is not None:
        view = account_view(session, account, now.date(), policy, bot_limit_cents)
    return TicketDetail(
        **dict(ticket_summary(session, ticket, now, config)),
        summary=ticket.summary,
        intents=list(ticket.intents),
        slots=dict(ticket.slots),
        messages=messages_out(session, ticket.id),
        **(dict(view) if view is not None else {}),
    )
