"""Reads of a verified account: /api/v1/accounts/{acct}/..."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bot.api.deps import MonthDep, SessionDep, TextsDep, TodayDep, VerifiedAccount
from bot.billing import accounts
from bot.billing.schemas import AccountOut, BalanceOut, InvoiceDetail, InvoiceList, PaymentList

router = APIRouter(prefix="/accounts/{acct}", tags=["accounts"])


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
    month: MonthDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 12,
) -> InvoiceList:
    """Newest first; `month` keeps the invoice whose billing period is in that month."""
    return accounts.list_invoices(session, account, today, limit, month)


@router.get("/invoices/latest", response_model=InvoiceDetail)
def latest_invoice(
    account: VerifiedAccount, session: SessionDep, today: TodayDep, texts: TextsDep
) -> InvoiceDetail:
    return accounts.invoice_detail(session, account, today, None, texts)


@router.get("/invoices/{invoice_number}", response_model=InvoiceDetail)
def get_invoice(
    invoice_number: str,
    account: VerifiedAccount,
    session: SessionDep,
    today: TodayDep,
    texts: TextsDep,
) -> InvoiceDetail:
    return accounts.invoice_detail(session, account, today, invoice_number, texts)


@router.get("/payments", response_model=PaymentList)
def list_payments(
    account: VerifiedAccount,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
) -> PaymentList:
    """Newest first."""
    return accounts.list_payments(session, account, limit)
