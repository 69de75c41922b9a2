"""Practices on the seeded data (bot/seed/practices.py plants confounded effects): the adjusted
estimate's 95% interval holds every planted effect, the naive difference misses it (the reason
to adjust), the rare arrangements say "not enough data", and every output carries the caveat."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot.analytics.practices import (
    CAVEAT,
    PracticeEffect,
    adjusted_difference,
    load_contacts,
    practice_effects,
)
from bot.seed.practices import ARRANGEMENT, PLANTED_PRACTICES, PlantedPractice
from bot.tables import metadata

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine import Engine

CONFOUNDED = [p for p in PLANTED_PRACTICES if p is not ARRANGEMENT]


@pytest.fixture(scope="module")
def found(analytics_engine: Engine) -> dict[str, PracticeEffect]:
    with Session(analytics_engine) as session:
        return {effect.practice: effect for effect in practice_effects(session, 90)}


@pytest.mark.parametrize("planted", PLANTED_PRACTICES, ids=lambda p: p.practice)
def test_the_adjusted_interval_holds_the_planted_effect(
    found: dict[str, PracticeEffect], planted: PlantedPractice
) -> None:
    effect = found[planted.practice]
    assert effect.ci_low is not None
    assert effect.ci_high is not None
    assert effect.ci_low <= planted.difference_90 <= effect.ci_high


@pytest.mark.parametrize("planted", CONFOUNDED, ids=lambda p: p.practice)
def test_the_naive_difference_misses_it(
    found: dict[str, PracticeEffect], planted: PlantedPractice
) -> None:
    effect = found[planted.practice]
    assert effect.naive_ci_low is not None
    assert effect.naive_ci_high is not None
    outside = not effect.naive_ci_low <= planted.difference_90 <= effect.naive_ci_high
    assert outside, "the seed's confounding should push the naive difference off"
    assert effect.naive_difference is not None
    assert effect.adjusted_difference is not None
    naive_error = abs(effect.naive_difference - planted.difference_90)
    assert naive_error > 2 * abs(effect.adjusted_difference - planted.difference_90)


def test_the_clear_effects_get_their_direction(found: dict[str, PracticeEffect]) -> None:
    assert found["long_wait"].verdict == "associated_more_churn"
    assert found["first_contact_resolution"].verdict == "associated_less_churn"


def test_too_few_arrangements_is_not_enough_data(found: dict[str, PracticeEffect]) -> None:
    effect = found["arrangement"]
    assert effect.exposed_n < 100
    assert effect.verdict == "not_enough_data"
    assert effect.verdict_text.startswith("Not enough data yet")


def test_every_output_carries_the_caveat(found: dict[str, PracticeEffect]) -> None:
    assert CAVEAT.startswith("association, not proven cause")
    for effect in found.values():
        data = effect.as_json()
        assert data["caveat"] == CAVEAT
        assert "association, not proven cause" in data["verdict_text"]
        assert data["adjusted_for"] == ["segment", "plan"]


def test_exposures_are_read_from_the_product_tables(analytics_engine: Engine) -> None:
    with Session(analytics_engine) as session:
        contacts = load_contacts(session, 90)
    assert len(contacts) == 2960  # one per generated customer outside the 40-customer pilot
    waited = contacts["long_wait"].notna()
    assert 0.5 < waited.mean() < 0.7  # handed to a person: 60% planted
    assert set(contacts["first_contact_resolution"].unique()) == {0, 1}
    assert 0 < contacts["review_credit"].mean() < 0.3


def test_an_empty_database_gives_not_enough_data(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    metadata.create_all(engine)
    with Session(engine) as session:
        effects = practice_effects(session)
    engine.dispose()
    assert [e.verdict for e in effects] == ["not_enough_data"] * 4
    assert all(e.exposed_n == 0 and e.caveat == CAVEAT for e in effects)


def test_adjustment_recovers_a_known_effect_under_confounding() -> None:
    rng = np.random.default_rng(5)
    n = 20_000
    segment = rng.choice(["a", "b"], size=n)
    high = segment == "a"
    treated = (rng.random(n) < np.where(high, 0.7, 0.2)).astype(int)
    churn = rng.random(n) < np.where(high, 0.4, 0.1) + 0.05 * treated
    frame = pd.DataFrame(
        {"segment": segment, "plan": "1", "practice": treated, "churned": churn.astype(int)}
    )
    _difference, low, high_ci, p_value = adjusted_difference(frame, "practice")
    assert low <= 0.05 <= high_ci
    assert high_ci - low < 0.04
    assert p_value < 0.001
    naive = frame[frame.practice == 1].churned.mean() - frame[frame.practice == 0].churned.mean()
    assert naive > 0.15  # confounded: far above the true 0.05
