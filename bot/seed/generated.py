"""Generated customers: varied but reproducible, each from its own `random.Random(seed:index)`.

Customer `i` is the same whatever `--customers` says, so a small seed is a prefix of a big one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.billing.types import LineKind, PaymentMethod, PlanKind
from bot.core.dates import months_between
from bot.core.money import percent_of
from bot.seed import catalog
from bot.seed.errors import plan_errors
from bot.seed.memo import add_months, month_end
from bot.seed.spec import (
    AddOnSpec,
    ContractSpec,
    CreditSpec,
    CustomerSpec,
    DiscountSpec,
    ExtraLine,
    PaymentSpec,
)

if TYPE_CHECKING:
    from bot.seed.catalog import PlanItem
    from bot.seed.spec import InvoiceFacts, Payer

SEED = "billing-support-bot-v1"
FIRST_NAMES = (
    "Maja",
    "Nina",
    "Jan",
    "Nejc",
    "Tina",
    "Petra",
    "Matej",
    "Žiga",
    "Urška",
    "Tjaša",
    "Rok",
    "Anže",
    "Katja",
    "Sara",
    "Miha",
    "Tomaž",
    "Jure",
    "Špela",
    "Alen",
    "Mateja",
    "Barbara",
    "Gregor",
    "Mojca",
    "Primož",
    "Andrej",
    "Polona",
    "Klemen",
    "Lara",
    "Blaž",
    "Irena",
)
LAST_NAMES = (
    "Novak",
    "Horvat",
    "Kovačič",
    "Krajnc",
    "Zupančič",
    "Potočnik",
    "Kovač",
    "Mlakar",
    "Kos",
    "Vidmar",
    "Golob",
    "Turk",
    "Božič",
    "Kralj",
    "Korošec",
    "Bizjak",
    "Hribar",
    "Kotnik",
    "Rozman",
    "Kavčič",
    "Oblak",
    "Petek",
    "Žagar",
    "Kolar",
    "Košir",
    "Jereb",
    "Koren",
    "Hočevar",
    "Medved",
    "Pirc",
)
POSTCODES = (
    "1000",
    "1230",
    "1290",
    "1360",
    "2000",
    "2250",
    "3000",
    "3320",
    "4000",
    "4220",
    "5000",
    "6000",
    "6320",
    "8000",
    "8250",
    "9000",
    "9220",
)
_ASCII = str.maketrans("čšžČŠŽ", "cszCSZ")
_FIBER = (catalog.FIBER_100, catalog.FIBER_300, catalog.FIBER_1000)
_MOBILE = (catalog.MOBILE_5GB, catalog.MOBILE_20GB, catalog.MOBILE_UNLIMITED)
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Identity:
    first_name: str
    last_name: str
    date_of_birth: date
    postcode: str
    phone: str


def _identity(rng: random.Random) -> _Identity:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    birthday = date(1945, 1, 1) + timedelta(days=rng.randrange(365 * 60))
    prefix = rng.choice(("30", "31", "40", "41", "51"))
    phone = f"+386 {prefix} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    return _Identity(first, last, birthday, rng.choice(POSTCODES), phone)


def _contracts(
    rng: random.Random, plans: tuple[PlanItem, ...], start: date, months: int
) -> list[ContractSpec]:
    plan = rng.choices(plans, weights=(3, 4, 2))[0]
    term = 24 if months <= 22 else 36
    promo_price, promo_end = None, None
    if rng.random() < 0.3:
        promo_months, discount = rng.choice((6, 12)), rng.choice((500, 1000))
        promo_price = plan.price_cents - min(discount, plan.price_cents // 2)
        promo_end = add_months(start, promo_months) - _DAY
    first = ContractSpec(plan, start, add_months(start, term) - _DAY, promo_price, promo_end)
    if months < 6 or rng.random() >= 0.12:
        return [first]
    switch_month = add_months(start, rng.randint(3, months - 2))
    switch_day = switch_month.replace(day=rng.randint(5, 25))
    new_plan = rng.choice([other for other in plans if other != plan])
    old_end = switch_day - _DAY
    ended = ContractSpec(
        plan, start, old_end, promo_price, min(promo_end, old_end) if promo_end else None
    )
    return [ended, ContractSpec(new_plan, switch_day, add_months(switch_day, 24) - _DAY)]


def _add_ons(rng: random.Random, kind: PlanKind, start: date, months: int) -> list[AddOnSpec]:
    chosen: list[AddOnSpec] = []
    if kind is PlanKind.FIBER:
        if rng.random() < 0.2:
            chosen.append(AddOnSpec(catalog.STATIC_IP, start))
        if rng.random() < 0.25:
            begin = add_months(start, rng.randrange(months))
            end = month_end(add_months(begin, rng.randint(2, 8))) if rng.random() < 0.3 else None
            chosen.append(AddOnSpec(catalog.TV_PACK, begin, end))
    elif rng.random() < 0.2:
        begin = add_months(start, rng.randrange(months))
        chosen.append(
            AddOnSpec(catalog.ROAMING, begin, month_end(add_months(begin, rng.randint(0, 3))))
        )
    return chosen


def _usage(rng: random.Random, spec: CustomerSpec, months: int) -> dict[date, int]:
    usage: dict[date, int] = {}
    for offset in range(months):
        month = add_months(spec.first_period, offset)
        plans = [c.plan for c in spec.contracts if c.start <= month_end(month) <= c.end]
        allowance = plans[-1].allowance_gb if plans else None
        if allowance is None:
            continue
        used = int(allowance * rng.uniform(0.3, 0.95))
        usage[month] = allowance + rng.randint(1, 6) if rng.random() < 0.08 else used
    return usage


def _extras(rng: random.Random, spec: CustomerSpec, kind: PlanKind, months: int) -> None:
    start = spec.first_period
    if kind is PlanKind.FIBER:
        spec.fees[start] = [catalog.INSTALLATION]
        if rng.random() < 0.3:
            spec.fees[start].append(catalog.ROUTER)
    elif rng.random() < 0.1:
        spec.fees.setdefault(add_months(start, rng.randrange(months)), []).append(
            catalog.SIM_REPLACEMENT
        )
    if rng.random() < 0.04:
        month = add_months(start, rng.randrange(months))
        outage = ExtraLine(LineKind.CREDIT, "Service outage compensation", -rng.choice((300, 500)))
        spec.extra_lines.setdefault(month, []).append(outage)
    if rng.random() < 0.03:
        on = add_months(start, rng.randrange(months)) + timedelta(days=rng.randint(3, 20))
        spec.credits.append(CreditSpec(on, rng.choice((500, 1000)), "Goodwill credit"))


def _payer(rng: random.Random, invoices: int) -> Payer:
    profile = rng.choices(("on_time", "late", "stopped", "partial"), weights=(72, 15, 8, 5))[0]
    method = rng.choice(tuple(PaymentMethod))
    stop_after = invoices - rng.randint(2, 4)  # "stopped": the last 2-4 invoices stay unpaid
    seen = 0

    def pay(invoice: InvoiceFacts) -> list[PaymentSpec]:
        nonlocal seen
        seen += 1
        on_time = invoice.issue_date + timedelta(
            days=5 if method is PaymentMethod.DIRECT_DEBIT else rng.randint(2, 25)
        )
        late = invoice.due_date + timedelta(days=rng.randint(3, 25))
        if profile == "stopped" and seen > stop_after:
            return []
        if profile == "late" and rng.random() < 0.35:
            return [PaymentSpec(late, invoice.total_cents, method)]
        if profile == "partial" and invoice.is_latest:
            half = invoice.total_cents // 2
            return [PaymentSpec(on_time, half, method)]
        return [PaymentSpec(on_time, invoice.total_cents, method)]

    return pay


def _retention_discount(index: int, spec: CustomerSpec, latest: date) -> None:
    """About 1 in 8 single-contract customers accepted a discount in the last 12 months.

    Its own random stream, so the rest of the customer stays as it was without discounts.
    """
    rng = random.Random(f"{SEED}:discount:{index}")
    contract = spec.contracts[-1]
    billed = months_between(spec.first_period, latest) + 1
    if len(spec.contracts) > 1 or contract.promo_price_cents is not None or billed < 6:
        return
    if rng.random() >= 0.125:
        return
    percent, months = rng.choice(((10, 6), (15, 12), (20, 6)))
    start = add_months(latest, -rng.randint(0, min(10, billed - 3)))
    amount = percent_of(contract.plan.price_cents, Decimal(percent) / 100)
    spec.discounts.append(DiscountSpec(start, percent, months, amount, "Retention discount"))
    for offset in range(months):
        month = add_months(start, offset)
        if month > latest:
            break
        line = ExtraLine(
            LineKind.DISCOUNT, f"Retention discount {percent}%, {months} months", -amount
        )
        spec.extra_lines.setdefault(month, []).append(line)


def generated_spec(index: int, account_number: str, latest: date) -> CustomerSpec:
    """Generated customer number `index` (0-based), billed up to the month starting `latest`."""
    rng = random.Random(f"{SEED}:{index}")
    person = _identity(rng)
    months = rng.randint(12, 24)
    start = add_months(latest, -(months - 1))
    kind = PlanKind.FIBER if rng.random() < 0.5 else PlanKind.MOBILE
    contracts = _contracts(rng, _FIBER if kind is PlanKind.FIBER else _MOBILE, start, months)
    slug = f"{person.first_name}.{person.last_name}".translate(_ASCII).lower()
    spec = CustomerSpec(
        account_number=account_number,
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.date_of_birth,
        postcode=person.postcode,
        email=f"{slug}{index}@example.com",
        phone=person.phone,
        first_period=start,
        contracts=contracts,
        payer=_payer(rng, months),
    )
    spec.add_ons = _add_ons(rng, kind, start, months)
    spec.usage_gb = _usage(rng, spec, months)
    _extras(rng, spec, kind, months)
    _retention_discount(index, spec, latest)
    plan_errors(index, spec, latest, SEED)
    return spec
