"""The rows of a customer before any bill: identity, contacts, account, contracts, extras."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.billing.models import Account, AccountAddOn, Adjustment, Contact, Contract, Customer
from bot.billing.types import AccountStatus, AdjustmentKind, ContactKind, ContractStatus
from bot.commerce.models import AccountDiscount
from bot.seed.memo import add_months

if TYPE_CHECKING:
    from datetime import date

    from bot.seed.rows import Rows
    from bot.seed.spec import ContractSpec, CustomerSpec


@dataclass
class OpenAccount:
    """A customer's account being billed: its spec, its ids and where rows go."""

    spec: CustomerSpec
    account_id: int
    contracts: list[tuple[ContractSpec, int]]  # with their row ids
    rows: Rows
    as_of: date


def _add_customer(spec: CustomerSpec, rows: Rows) -> int:
    customer_id = rows.add(
        Customer,
        first_name=spec.first_name,
        last_name=spec.last_name,
        date_of_birth=spec.date_of_birth,
        postcode=spec.postcode,
    )
    rows.add(Contact, customer_id=customer_id, kind=ContactKind.EMAIL, value=spec.email)
    rows.add(Contact, customer_id=customer_id, kind=ContactKind.PHONE, value=spec.phone)
    return rows.add(
        Account,
        customer_id=customer_id,
        account_number=spec.account_number,
        currency="EUR",
        status=AccountStatus.ACTIVE,
        opened_on=spec.contracts[0].start,
    )


def _add_contract(contract: ContractSpec, account_id: int, as_of: date, rows: Rows) -> int:
    return rows.add(
        Contract,
        account_id=account_id,
        plan_id=contract.plan.id,
        start_date=contract.start,
        end_date=contract.end,
        promo_price_cents=contract.promo_price_cents,
        promo_end_date=contract.promo_end,
        early_termination_fee_cents=contract.plan.etf_cents,
        status=ContractStatus.ACTIVE if contract.end >= as_of else ContractStatus.ENDED,
        cancelled_on=None,
    )


def _add_extras(spec: CustomerSpec, account_id: int, as_of: date, rows: Rows) -> None:
    for item in spec.add_ons:
        rows.add(
            AccountAddOn,
            account_id=account_id,
            add_on_id=item.add_on.id,
            start_date=item.start,
            end_date=item.end,
        )
    for credit in spec.credits:
        if credit.on <= as_of:
            rows.add(
                Adjustment,
                account_id=account_id,
                invoice_id=None,
                kind=AdjustmentKind.CREDIT,
                amount_cents=credit.amount_cents,
                reason=credit.reason,
                created_at=datetime.combine(credit.on, time(10, 0), UTC),
            )


def _add_discounts(spec: CustomerSpec, account_id: int, rows: Rows) -> None:
    """Retention discounts, accepted the day before they start (the policy counts them)."""
    for discount in spec.discounts:
        rows.add(
            AccountDiscount,
            account_id=account_id,
            offer_id=None,
            percent=discount.percent,
            monthly_amount_cents=discount.monthly_amount_cents,
            months=discount.months,
            start_date=discount.start,
            end_date=add_months(discount.start, discount.months) - timedelta(days=1),
            granted_by="bot",
            reason=discount.reason,
            created_at=datetime.combine(discount.start - timedelta(days=1), time(10, 0), UTC),
        )


def open_account(spec: CustomerSpec, as_of: date, rows: Rows) -> OpenAccount:
    """Add the customer's non-billing rows; the result is what `invoicing` bills."""
    account_id = _add_customer(spec, rows)
    contracts = [(c, _add_contract(c, account_id, as_of, rows)) for c in spec.contracts]
    _add_extras(spec, account_id, as_of, rows)
    _add_discounts(spec, account_id, rows)
    return OpenAccount(spec, account_id, contracts, rows, as_of)
