"""A credit never exceeds its finding, whatever the sequence of requests and keys (hypothesis
against the real services and database)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.billing.models import Adjustment
from bot.core.errors import AlreadyCredited, BeyondAuthority, IdempotencyConflict, NotFound
from bot.review import credits, service
from bot.review.models import Finding
from tests.bot.safety_helpers import context, step_up_now

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    keys=st.lists(st.sampled_from(["k-aaaa", "k-bbbb", "k-cccc"]), min_size=1, max_size=6),
    limit=st.sampled_from([0, 1000, 1218, 3000]),
    other_finding=st.booleans(),
)
def test_total_credit_never_exceeds_the_finding(
    seeded_db: Engine,
    seeded_ids: dict[str, int],
    clock: FakeClock,
    keys: list[str],
    limit: int,
    other_finding: bool,
) -> None:
    with seeded_db.begin() as connection:  # a clean slate for every example
        from bot.tables import metadata

        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete().where(table.c.id > seeded_ids[table.name]))
    with Session(seeded_db, expire_on_commit=False) as session:
        ctx = context(session, "100002", clock())
        result = service.run_review(session, ctx.account, clock(), limit_cents=limit)
        finding_id = result.findings[0].id
        step_up_now(session, ctx)
        for key in keys:
            request = context(session, "100002", clock(), key=key, fingerprint=key * 8)
            target = finding_id + 999 if other_finding and key == "k-cccc" else finding_id
            try:
                credits.credit_finding(session, request, target, limit)
            except (AlreadyCredited, BeyondAuthority, IdempotencyConflict):
                pass
            except NotFound:
                assert target != finding_id
        finding = session.get(Finding, finding_id)
        assert finding is not None
        session.refresh(finding)
        total = session.scalar(
            select(func.coalesce(func.sum(Adjustment.amount_cents), 0)).where(
                Adjustment.id > seeded_ids["adjustments"]
            )
        )
        assert total in (0, finding.amount_cents)
        assert (total == finding.amount_cents) == (str(finding.status) == "credited")
        assert total <= limit or total == 0
