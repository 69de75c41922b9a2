"""Questions about a bill: /api/v1/accounts/{acct}/invoices/.../changes and /charges."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bot.api.deps import MonthDep, SessionDep, TextsDep, TodayDep, VerifiedAccount
from bot.billing import inquiries
from bot.billing.schemas import ChargeList, InvoiceChanges
from bot.core.errors import InvalidRequest
from bot.core.money import parse_amount

router = APIRouter(prefix="/accounts/{acct}", tags=["inquiries"])


@router.get("/invoices/latest/changes", response_model=InvoiceChanges)
def latest_changes(
    account: VerifiedAccount, session: SessionDep, texts: TextsDep
) -> InvoiceChanges:
    """The latest invoice against the one before: every difference with its cause."""
    return inquiries.invoice_changes(session, account, None, texts)


@router.get("/invoices/{invoice_number}/changes", response_model=InvoiceChanges)
def invoice_changes(
    invoice_number: str, account: VerifiedAccount, session: SessionDep, texts: TextsDep
) -> InvoiceChanges:
    """Invoice `invoice_number` against the one before it."""
    return inquiries.invoice_changes(session, account, invoice_number, texts)


@router.get("/charges", response_model=ChargeList)
def find_charges(
    account: VerifiedAccount,
    session: SessionDep,
    today: TodayDep,
    month: MonthDep,
    texts: TextsDep,
    amount: Annotated[
        str | None, Query(pattern=r"^-?\d{1,7}(\.\d{1,2})?$", examples=["9.99"])
    ] = None,
    text: Annotated[str | None, Query(min_length=1, max_length=100, examples=["late fee"])] = None,
) -> ChargeList:
    """Lines matching `amount` and/or `text` on the invoice of `month` (default: the last 3)."""
    if amount is None and text is None:
        raise InvalidRequest("give amount, text or both")
    cents = None if amount is None else parse_amount(amount)
    return inquiries.find_charges(
        session, account, today, amount_cents=cents, text=text, month=month, texts=texts
    )
