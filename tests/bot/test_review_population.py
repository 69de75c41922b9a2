"""The review over the whole default data set: every seeded error found, nothing else.

Run with `-s` to see the measured numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.billing.models import InvoiceLine
from bot.review.evaluation import evaluate
from bot.review.models import SeededBillingError
from bot.review.types import RuleName
from bot.seed.errors import RATES

if TYPE_CHECKING:
    from tests.bot.conftest import FullSeed

GENERATED = 2000


@pytest.mark.slow
def test_review_finds_every_seeded_error_and_nothing_on_clean_accounts(
    full_seed: FullSeed,
) -> None:
    with Session(full_seed.engine) as session:
        result = evaluate(session)
    print(
        f"\nreview on {result.accounts} accounts: {result.seeded} seeded errors, "
        f"{result.found} found (recall {result.recall:.3f}), {result.false_positives} false "
        f"positives, clean accounts with a finding {result.clean_accounts_with_findings} "
        f"({result.false_positive_rate:.2%})"
    )
    for score in result.rules:
        print(f"  {score.rule:<26} seeded {score.seeded:>3} found {score.found:>3}")
    assert result.recall == 1.0
    assert result.false_positives == 0
    assert result.clean_accounts_with_findings == 0
    assert 250 <= result.seeded <= 450  # "a few hundred"


@pytest.mark.slow
def test_seeded_error_rates_are_as_documented(full_seed: FullSeed) -> None:
    with Session(full_seed.engine) as session:
        counts = dict(
            session.execute(
                select(SeededBillingError.rule, func.count()).group_by(SeededBillingError.rule)
            ).all()
        )
        kinds = dict(
            session.execute(
                select(SeededBillingError.rule, func.min(InvoiceLine.kind))
                .join(InvoiceLine, InvoiceLine.id == SeededBillingError.line_id)
                .group_by(SeededBillingError.rule)
            ).all()
        )
    assert set(counts) == set(RuleName)
    for rule in (RuleName.DUPLICATE_CHARGE, RuleName.ABOVE_CONTRACT_PRICE):
        expected = RATES[rule] * GENERATED
        assert 0.6 * expected <= counts[rule] <= 1.5 * expected, rule
    assert kinds[RuleName.LATE_FEE_PAID_ON_TIME] == "late_fee"
    assert kinds[RuleName.CHARGE_AFTER_CANCELLATION] == "add_on"
    assert kinds[RuleName.PROMO_NOT_APPLIED] == "plan_charge"
    assert kinds[RuleName.ABOVE_CONTRACT_PRICE] == "plan_charge"
