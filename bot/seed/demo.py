"""The four demo customers of the README. Always the same; only their dates follow `as_of`.

`latest` is the period of the latest invoice: the month before `as_of`'s month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.billing.types import LineKind, PaymentMethod
from bot.core.dates import add_months, format_month, month_end
from bot.review.types import RuleName
from bot.seed.catalog import (
    FIBER_300,
    FIBER_1000,
    INSTALLATION,
    MOBILE_5GB,
    MOBILE_20GB,
    ROAMING,
)
from bot.seed.spec import AddOnSpec, ContractSpec, CustomerSpec, ExtraLine, PaymentSpec

if TYPE_CHECKING:
    from bot.seed.spec import InvoiceFacts, Payer


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    """What `bot demo` prints and what a tester types to verify."""

    account_number: str
    name: str
    date_of_birth: date
    postcode: str
    email: str
    story: str


DEMO_CUSTOMERS = (
    DemoCustomer(
        "100001",
        "Ana Novak",
        date(1985, 3, 14),
        "1000",
        "ana.novak@example.com",
        "Fiber 300; 12-month welcome discount just ended, extra usage on the latest bill",
    ),
    DemoCustomer(
        "100002",
        "Marko Kranjc",
        date(1979, 11, 2),
        "2000",
        "marko.kranjc@example.com",
        "Mobile 20GB + Roaming pack; latest bill charges the add-on twice",
    ),
    DemoCustomer(
        "100003",
        "Eva Horvat",
        date(1992, 7, 21),
        "3000",
        "eva.horvat@example.com",
        "Fiber 1000; 36 invoices paid on time, contract ends this month",
    ),
    DemoCustomer(
        "100004",
        "Luka Zupan",
        date(2001, 1, 9),
        "4000",
        "luka.zupan@example.com",
        "Mobile 5GB; simple, always on time",
    ),
)
DEMO_ACCOUNT_NUMBERS = tuple(customer.account_number for customer in DEMO_CUSTOMERS)


def _pays(days_after_issue: int, method: PaymentMethod, *, latest_too: bool = False) -> Payer:
    def payer(invoice: InvoiceFacts) -> list[PaymentSpec]:
        if invoice.is_latest and not latest_too:
            return []
        paid_on = invoice.issue_date + timedelta(days=days_after_issue)
        return [PaymentSpec(paid_on, invoice.total_cents, method)]

    return payer


def _spec(
    demo: DemoCustomer, first_period: date, contracts: list[ContractSpec], payer: Payer
) -> CustomerSpec:
    first, last = demo.name.split(" ", 1)
    return CustomerSpec(
        account_number=demo.account_number,
        first_name=first,
        last_name=last,
        date_of_birth=demo.date_of_birth,
        postcode=demo.postcode,
        email=demo.email,
        phone=f"+386 40 {demo.account_number[3:]} {demo.account_number[:3]}",
        first_period=first_period,
        contracts=contracts,
        payer=payer,
    )


def _ana(latest: date) -> CustomerSpec:
    start = add_months(latest, -12)  # 13 invoices; the first 12 months are discounted
    promo_end = add_months(start, 12) - timedelta(days=1)
    contract = ContractSpec(
        FIBER_300,
        start,
        add_months(start, 24) - timedelta(days=1),
        promo_price_cents=FIBER_300.price_cents - 1000,
        promo_end=promo_end,
    )
    spec = _spec(DEMO_CUSTOMERS[0], start, [contract], _pays(14, PaymentMethod.CARD))
    months = [add_months(start, offset) for offset in range(13)]
    spec.usage_gb = {month: 610 + (offset * 53) % 340 for offset, month in enumerate(months)}
    spec.usage_gb[latest] = 1003  # 3 GB over the 1000 GB allowance: 3 x 1.50
    spec.fees = {start: [INSTALLATION]}
    return spec


def _marko(latest: date) -> CustomerSpec:
    start = add_months(latest, -17)
    contract = ContractSpec(MOBILE_20GB, start, add_months(start, 24) - timedelta(days=1))
    spec = _spec(DEMO_CUSTOMERS[1], start, [contract], _pays(10, PaymentMethod.BANK_TRANSFER))
    spec.add_ons = [AddOnSpec(ROAMING, add_months(latest, -3))]
    spec.usage_gb = {add_months(start, offset): 11 + offset % 8 for offset in range(18)}
    duplicate = ExtraLine(
        LineKind.ADD_ON,
        f"{ROAMING.name}, {format_month(latest)}",
        ROAMING.price_cents,
        ROAMING,
        error_rule=str(RuleName.DUPLICATE_CHARGE),
    )
    spec.extra_lines = {latest: [duplicate]}
    return spec


def _eva(latest: date) -> CustomerSpec:
    start = add_months(latest, -35)  # 36 invoices; the contract runs to the end of as-of's month
    contract = ContractSpec(FIBER_1000, start, month_end(add_months(latest, 1)))
    spec = _spec(
        DEMO_CUSTOMERS[2], start, [contract], _pays(0, PaymentMethod.DIRECT_DEBIT, latest_too=True)
    )
    spec.fees = {start: [INSTALLATION]}
    return spec


def _luka(latest: date) -> CustomerSpec:
    start = add_months(latest, -7)
    contract = ContractSpec(MOBILE_5GB, start, add_months(start, 24) - timedelta(days=1))
    spec = _spec(DEMO_CUSTOMERS[3], start, [contract], _pays(7, PaymentMethod.CARD))
    spec.usage_gb = {add_months(start, offset): 2 + offset % 3 for offset in range(8)}
    return spec


def demo_specs(latest: date) -> list[CustomerSpec]:
    """Ana, Marko, Eva and Luka, billed up to the month starting `latest`."""
    return [_ana(latest), _marko(latest), _eva(latest), _luka(latest)]
