"""What an agent sees of a verified customer's account beside a ticket, from existing services.

    view = account_view(session, account, today, policy, bot_limit_cents)   # AccountView

Built only for a ticket whose conversation was verified (the route checks `ticket.verified`):
the account (who, plan, contract, add-ons, balance), the last three invoices with every line's
plain-words explanation, the fair-treatment review findings, disputes, and the discount offers
and grants (bot decisions that needed a person included). Nothing here writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from sqlalchemy import select

from bot.billing.accounts import account_summary, balance, invoice_detail, list_invoices
from bot.billing.schemas import AddOnOut, BalanceOut, ContractOut, InvoiceDetail, PlanOut
from bot.commerce.models import Offer
from bot.core.money import format_amount
from bot.core.schemas import Schema
from bot.disputes.schemas import DisputeOut
from bot.disputes.service import list_disputes
from bot.review.schemas import FindingOut
from bot.review.service import list_findings

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from bot.billing.models import Account
    from bot.commerce.policy import DiscountPolicy

LAST_INVOICES: Final = 3
LAST_OFFERS: Final = 10


class AccountFacts(Schema):
    account_number: str
    name: str
    plan: PlanOut | None
    contract: ContractOut | None
    add_ons: list[AddOnOut]
    balance: BalanceOut


class OfferRow(Schema):
    """One discount decision or grant (`status`: offered, accepted, declined, needs_human...)."""

    id: int
    name: str
    trigger: str
    status: str
    percent: int | None
    monthly_amount: str | None
    months: int | None
    currency: str
    tier: str | None
    actor: str
    created_at: datetime
    expires_at: datetime | None


class AccountView(Schema):
    account: AccountFacts
    invoices: list[InvoiceDetail]
    findings: list[FindingOut]
    disputes: list[DisputeOut]
    offers: list[OfferRow]


def _facts(session: Session, account: Account, today: date) -> AccountFacts:
    summary = account_summary(session, account, today)
    return AccountFacts(
        account_number=summary.account_number,
        name=f"{summary.first_name} {summary.last_name}",
        plan=summary.plan,
        contract=summary.contract,
        add_ons=summary.add_ons,
        balance=balance(session, account, today),
    )


def _invoices(session: Session, account: Account, today: date) -> list[InvoiceDetail]:
    recent = list_invoices(session, account, today, LAST_INVOICES, None).invoices
    return [invoice_detail(session, account, today, invoice.number) for invoice in recent]


def _offers(session: Session, account: Account, policy: DiscountPolicy) -> list[OfferRow]:
    names = {offer.code: offer.name for offer in policy.offers}
    rows = session.scalars(
        select(Offer)
        .where(Offer.account_id == account.id)
        .order_by(Offer.created_at.desc(), Offer.id.desc())
        .limit(LAST_OFFERS)
    ).all()
    return [
        OfferRow(
            id=row.id,
            name=names.get(row.offer_code or "", "Discount"),
            trigger=str(row.trigger),
            status=str(row.status),
            percent=row.percent,
            monthly_amount=None
            if row.monthly_amount_cents is None
            else format_amount(row.monthly_amount_cents),
            months=row.months,
            currency=account.currency,
            tier=None if row.tier is None else str(row.tier),
            actor=row.actor,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )
        for row in rows
    ]


def account_view(
    session: Session,
    account: Account,
    today: date,
    policy: DiscountPolicy,
    bot_limit_cents: int,
) -> AccountView:
    """Everything the desk shows about the account (see the module docstring)."""
    return AccountView(
        account=_facts(session, account, today),
        invoices=_invoices(session, account, today),
        findings=list_findings(session, account, bot_limit_cents).findings,
        disputes=list_disputes(session, account).disputes,
        offers=_offers(session, account, policy),
    )
