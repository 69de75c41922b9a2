"""A ticket as the desk shows it when selected: summary, transcript, and the verified account.

    ticket_detail(session, ticket_id, agent, now, config, policy, bot_limit_cents)  # TicketDetail

The account part (account, invoices, findings, disputes, offers) is built only when the ticket
is verified, for the account attached from the conversation's verified session, and only for
the agent who claimed the ticket or a supervisor (`may_see_account`, `account_visible`);
otherwise those fields are null and nothing about any account is read. The grants beside it
refuse other agents with 403 `not_your_ticket` (bot.desk.handling.require_handler).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.billing.models import Account
from bot.desk.account_view import account_view
from bot.desk.api_schemas import TicketDetail
from bot.desk.handling import may_see_account
from bot.desk.phrases import canned_phrases
from bot.desk.records import get_ticket
from bot.desk.views import messages_out, ticket_summary

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.commerce.policy import DiscountPolicy
    from bot.desk.config import DeskConfig
    from bot.desk.models import Agent


def ticket_detail(
    session: Session,
    ticket_id: int,
    agent: Agent,
    now: datetime,
    config: DeskConfig,
    policy: DiscountPolicy,
    bot_limit_cents: int,
) -> TicketDetail:
    ticket = get_ticket(session, ticket_id)
    view = None
    if ticket.verified and ticket.account_id is not None and may_see_account(ticket, agent):
        account = session.get(Account, ticket.account_id)
        if account is not None:
            view = account_view(session, account, now.date(), policy, bot_limit_cents)
    return TicketDetail(
        **dict(ticket_summary(session, ticket, now, config)),
        summary=ticket.summary,
        intents=list(ticket.intents),
        slots=dict(ticket.slots),
        messages=messages_out(session, ticket.id),
        phrases=canned_phrases(ticket.language, agent.display_name),
        account_visible=view is not None,
        **(dict(view) if view is not None else {}),
    )
