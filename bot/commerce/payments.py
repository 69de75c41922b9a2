"""Payment links for the open balance, and billing preferences (autopay, e-billing).

A payment link points at the payment provider's page (`PAYMENT_LINK_BASE_URL` + a random token)
for the balance owed today and expires after `PAYMENT_LINK_HOURS`. The customer enters their card
there: the back end never receives card numbers, and keeps only a hash of the token.

Billing preferences default, until first set, to autopay when the latest payment was a direct
debit and e-billing when the customer has an e-mail address on file.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.billing.accounts import account_position
from bot.billing.models import Contact, Payment
from bot.billing.types import ContactKind, PaymentMethod
from bot.commerce.models import BillingPreference, PaymentLink
from bot.commerce.schemas import BillingPreferences, PaymentLinkOut
from bot.core.errors import NothingOwed
from bot.core.money import format_amount
from bot.safety.audit import audit_write
from bot.safety.idempotency import commit_once, replay
from bot.safety.step_up import require_step_up

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.billing.models import Account
    from bot.safety.context import WriteContext
    from bot.safety.idempotency import StoredResponse

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkSettings:
    base_url: str
    hours: int


def _url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{token}"


def create_payment_link(session: Session, ctx: WriteContext, link: LinkSettings) -> StoredResponse:
    """A link to pay today's balance (409 nothing_owed when there is none); 201."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    balance = account_position(session, ctx.account, ctx.now.date()).balance_cents
    if balance <= 0:
        raise NothingOwed("nothing is owed, so there is nothing to pay")
    token = secrets.token_urlsafe(24)
    expires = ctx.now + timedelta(hours=link.hours)
    row = PaymentLink(
        account_id=ctx.account.id,
        conversation_id=ctx.conversation_id or None,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        amount_cents=balance,
        currency=ctx.account.currency,
        created_at=ctx.now,
        expires_at=expires,
    )
    session.add(row)
    body = PaymentLinkOut(
        url=_url(link.base_url, token),
        amount=format_amount(balance),
        currency=ctx.account.currency,
        expires_at=expires,
    )
    logger.info(
        "payment_link.created",
        extra={"conversation_id": ctx.conversation_id, "account_id": ctx.account.id},
    )
    return commit_once(session, ctx.idempotency, ctx.now, 201, body)


def _stored_preferences(session: Session, account: Account) -> BillingPreference | None:
    return session.scalar(
        select(BillingPreference).where(BillingPreference.account_id == account.id)
    )


def _defaults(session: Session, account: Account) -> BillingPreferences:
    method = session.scalar(
        select(Payment.method)
        .where(Payment.account_id == account.id)
        .order_by(Payment.paid_on.desc(), Payment.id.desc())
        .limit(1)
    )
    email = session.scalar(
        select(Contact.id).where(
            Contact.customer_id == account.customer_id, Contact.kind == ContactKind.EMAIL
        )
    )
    return BillingPreferences(
        autopay=method is PaymentMethod.DIRECT_DEBIT, e_billing=email is not None
    )


def billing_preferences(session: Session, account: Account) -> BillingPreferences:
    row = _stored_preferences(session, account)
    if row is None:
        return _defaults(session, account)
    return BillingPreferences(autopay=row.autopay, e_billing=row.e_billing)


def set_billing_preferences(
    session: Session, ctx: WriteContext, wanted: BillingPreferences
) -> StoredResponse:
    """Replace the preferences (needs step-up); audited with the before and after."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    require_step_up(session, ctx)
    before = billing_preferences(session, ctx.account)
    row = _stored_preferences(session, ctx.account)
    if row is None:
        row = BillingPreference(account_id=ctx.account.id)
        session.add(row)
    row.autopay, row.e_billing, row.updated_at = wanted.autopay, wanted.e_billing, ctx.now
    audit_write(
        session,
        ctx,
        action="billing_preferences.updated",
        reason="customer changed billing preferences",
        details={"before": before.model_dump(), "after": wanted.model_dump()},
    )
    return commit_once(session, ctx.idempotency, ctx.now, 200, wanted)
