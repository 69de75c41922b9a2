"""On the seeded data (`bot seed`'s runner, SQLite), the analysis recovers every planted effect
(bot/seed/outcomes.py) within its 95% interval, at the planted 90-day horizon and as a hazard
ratio, gives the right verdict and says "not enough data" for the too-small segment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.analytics.experiments import effects
from bot.analytics.histories import History, load_histories
from bot.analytics.models import Outcome, OutcomeKind
from bot.analytics.survival import survival
from bot.billing.models import Account
from bot.commerce.models import Offer
from bot.commerce.types import OfferStatus
from bot.seed.outcomes import PLANTED, SMALL, SMALL_CUSTOMERS, PlantedEffect
from bot.seed.rows import table_of
from bot.seed.runner import FIRST_GENERATED_ACCOUNT, generate, seed
from bot.tables import metadata

if TYPE_CHECKING:
    from pathlib import Path

AS_OF = date(2026, 12, 1)
CUSTOMERS = 3000


@pytest.fixture(scope="module")
def planted_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("planted") / "seed.db"
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    metadata.create_all(engine)
    seed(engine, CUSTOMERS, AS_OF)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def histories(planted_url: str) -> list[History]:
    engine = create_engine(planted_url)
    with Session(engine) as session:
        decisions = session.scalar(select(func.count()).select_from(Offer))
        assert decisions == CUSTOMERS  # one decision per generated customer, none for the demo
        loaded = load_histories(session)
    engine.dispose()
    return loaded


def by_segment(histories: list[History], segment: str) -> list[History]:
    return [h for h in histories if h.segment == segment]


def test_holdout_follows_the_policy_share(histories: list[History]) -> None:
    share = sum(not h.offered for h in histories) / len(histories)
    assert 0.08 < share < 0.12  # the policy's 10%, by the same stable coin as the live bot
    rows = list(generate(1000, AS_OF, holdout_share=0.5))
    statuses = Counter(row["status"] for batch in rows for row in batch.by_table[table_of(Offer)])
    assert 0.45 < statuses[OfferStatus.HOLDOUT] / 1000 < 0.55


@pytest.mark.parametrize("planted", PLANTED, ids=lambda p: p.segment)
def test_every_planted_effect_is_inside_its_interval(
    histories: list[History], planted: PlantedEffect
) -> None:
    found = [
        e
        for e in effects(by_segment(histories, planted.segment), horizons=(90,))
        if e.segment == planted.segment
    ]
    assert len(found) == 1
    effect = found[0]
    assert effect.ci_low is not None
    assert effect.ci_high is not None
    assert effect.ci_low <= planted.difference_90 <= effect.ci_high
    if planted.difference_90 > 0:
        assert effect.verdict == "works"
        assert effect.number_needed_to_treat == pytest.approx(1 / effect.difference)
        assert effect.cost_per_retained_cents is not None
        assert effect.cost_per_retained_cents > 0
    elif planted.difference_90 < 0:  # the sleeping dogs
        assert effect.verdict == "harms"
        assert effect.number_needed_to_treat is None
    else:  # no planted effect: never "works" or "harms"
        assert effect.verdict in {"no_effect", "not_enough_data"}
    result = survival(planted.offer_code, planted.segment, by_segment(histories, planted.segment))
    assert result.cox is not None
    assert result.cox.ci_low <= planted.hazard_ratio <= result.cox.ci_high
    assert result.cox.proportional_hazards_hold  # exponential times: proportional by design
    arms = {arm.arm: arm for arm in result.arms}
    at_90 = {name: next(p for p in arm.curve if p.day == 90) for name, arm in arms.items()}
    for name, offered in (("offered", True), ("holdout", False)):
        assert at_90[name].ci_low <= planted.retention(offered, 90) <= at_90[name].ci_high


def test_the_small_segment_is_not_enough_data(histories: list[History]) -> None:
    pilot = by_segment(histories, SMALL.segment)
    assert len(pilot) == SMALL_CUSTOMERS
    for effect in effects(pilot):
        assert effect.verdict == "not_enough_data"
        assert "Not enough data yet" in effect.verdict_text
        assert effect.needed_holdout is not None
        assert effect.needed_holdout > effect.holdout.n
        assert effect.needed_offered is not None
        assert effect.needed_offered > effect.offered.n
        if effect.ci_low is not None and effect.ci_high is not None:
            assert effect.ci_low <= SMALL.difference(effect.horizon_days) <= effect.ci_high


def test_outcome_rows_tell_each_history(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'small.db'}")
    metadata.create_all(engine)
    seed(engine, 60, AS_OF)
    with Session(engine) as session:
        kinds = Counter(session.scalars(select(Outcome.kind)))
        ends = session.execute(
            select(Outcome.offer_id, func.count())
            .where(Outcome.kind.in_([OutcomeKind.STAYED, OutcomeKind.CANCELLED]))
            .where(Outcome.offer_id.is_not(None))  # the practice contacts' outcomes have none
            .group_by(Outcome.offer_id)
        ).all()
        demo = session.scalar(
            select(func.count())
            .select_from(Outcome)
            .join(Account, Account.id == Outcome.account_id)
            .where(Account.account_number < str(FIRST_GENERATED_ACCOUNT))
        )
        early = session.scalar(select(func.count()).where(Outcome.occurred_on < Outcome.started_on))
    engine.dispose()
    assert len(ends) == 60
    assert all(count == 1 for _, count in ends)  # each history ends once: stayed or cancelled
    assert kinds[OutcomeKind.CAME_BACK] > 0
    assert early == 0
    assert demo == 0  # the demo customers stay out of the simulated histories


def test_cli_retention_prints_the_same_verdicts(planted_url: str) -> None:
    environment = {**os.environ, "DATABASE_URL": planted_url, "APP_ENV": "development"}
    process = subprocess.run(
        [sys.executable, "-m", "bot.cli", "analytics", "retention", "--horizon", "90", "--json"],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    assert process.returncode == 0, process.stderr
    verdicts = {(e["segment"], e["verdict"]) for e in json.loads(process.stdout)}
    assert {("price_sensitive", "works"), ("quiet", "harms"), ("pilot", "not_enough_data")} <= (
        verdicts
    )
