"""What `bot seed` gives the policy (Eva eligible, some recent discounts), and migration 0003."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from bot.billing.models import Account, Invoice, InvoiceLine
from bot.commerce.models import AccountDiscount
from bot.core.dates import add_months
from bot.db import create_db_engine
from bot.migrations import downgrade, upgrade
from tests.bot.conftest import AS_OF, throwaway_database

if TYPE_CHECKING:
    import pytest
    from sqlalchemy import Engine

COMMERCE_TABLES = {
    "offers",
    "account_discounts",
    "cancellation_requests",
    "payment_links",
    "payment_arrangements",
    "arrangement_instalments",
    "billing_preferences",
}
DESK_TABLES = {"agents", "agent_sessions", "handoff_tickets", "ticket_messages"}


def test_some_generated_customers_had_a_discount_this_year(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        rows = session.execute(
            select(Account.account_number, AccountDiscount)
            .join(AccountDiscount, AccountDiscount.account_id == Account.id)
            .order_by(Account.account_number)
        ).all()
        numbers = [number for number, _ in rows]
        assert numbers == ["100011", "100012"]
        assert not {"100001", "100002", "100003", "100004"} & set(numbers)
        for number, discount in rows:
            assert discount.start_date >= add_months(AS_OF, -12)
            assert discount.end_date == add_months(
                discount.start_date, discount.months
            ) - timedelta(days=1)
            assert discount.created_at.date() == discount.start_date - timedelta(days=1)
            lines = session.scalars(
                select(InvoiceLine.amount_cents)
                .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
                .join(Account, Account.id == Invoice.account_id)
                .where(
                    Account.account_number == number,
                    InvoiceLine.kind == "discount",
                    Invoice.period_start >= discount.start_date,
                    Invoice.period_start <= discount.end_date,
                )
            ).all()
            assert lines
            assert set(lines) == {-discount.monthly_amount_cents}


def test_downgrade_to_0002_drops_only_the_commerce_tables(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with throwaway_database(backend, tmp_path_factory.mktemp("commerce")) as url:
        upgrade(url)
        engine = create_db_engine(url)
        everything = set(inspect(engine).get_table_names())
        assert everything >= COMMERCE_TABLES
        downgrade(url, "0002")
        engine.dispose()
        engine = create_db_engine(url)
        # Later migrations come down first: 0004's desk tables (and every later one's) go too.
        left = set(inspect(engine).get_table_names())
        with throwaway_database(backend, tmp_path_factory.mktemp("at-0002")) as reference:
            upgrade(reference, "0002")
            reference_engine = create_db_engine(reference)
            assert left == set(inspect(reference_engine).get_table_names())
            reference_engine.dispose()
        assert left <= everything - COMMERCE_TABLES - DESK_TABLES
        upgrade(url)
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(AccountDiscount)) == 0
        engine.dispose()
