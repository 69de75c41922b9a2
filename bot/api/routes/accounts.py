"""Reads of a verified account: /api/v1/accounts/{acct}/..."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from bot.api.deps import SessionDep, TodayDep, VerifiedAccount
from bot.billing import accounts
from bot.billing.errors import InvalidRequest
from bot.billing.schemas import AccountOut, BalanceOut, InvoiceDetail, InvoiceList, PaymentList

router = APIRouter(prefix="/accounts/{acct}", tags=["accounts"])


def parse_month(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError as error:
        raise InvalidRequest("month: expected YYYY-MM") from error


@router.get("", response_model=AccountOut)
def get_account(account: VerifiedAccount, session: SessionDep, today: TodayDep) -> AccountOut:
    return accounts.account_summary(session, account, today)


@router.get("/balance", response_model=BalanceOut)
def get_balance(account: VerifiedAccount, session: SessionDep, today: TodayDep) -> BalanceOut:
    return accounts.balance(session, account, today)


@router.get("/invoices", response_model=InvoiceList)
def list_invoices(
    account: VerifiedAccount,
    session: SessionDep,
    today: TodayDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 12,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", examples=["2026-10"])] = None,
) -> InvoiceList:
    """Newest first; `month` keeps the invoice whose billing period is in that month."""
    return accounts.list_invoices(session, account, today, limit, parse_month(month))


@router.get("/invoices/latest", response_model=InvoiceDetail)
def latest_invoice(account: VerifiedAccount, session: SessionDep, today: TodayDep) -> InvoiceDetail:
    return accounts.invoice_detail(session, account, today, None)


@router.get("/invoices/{invoice_number}", response_model=InvoiceDetail)
def get_invoice(
    invoice_number: str, account: VerifiedAccount, session: SessionDep, today: TodayDep
) -> InvoiceDetail:
    return accounts.invoice_detail(session, account, today, invoice_number)


@router.get("/payments", response_model=PaymentList)
def list_payments(
    account: VerifiedAccount,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
) -> PaymentList:
    """Newest first."""
    return accounts.list_payments(session, account, limit)
