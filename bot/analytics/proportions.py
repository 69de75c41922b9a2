"""Comparing two proportions: one arm's outcome rate against the control's.

The one implementation used by the CSV experiment (`bot analytics experiment`) and the
offer-versus-holdout analysis. Both figures come from statsmodels:

* the 95% interval of the difference is Newcombe's hybrid score interval
  (`confint_proportions_2indep(method="newcomb")`, Newcombe 1998, method 10): built from the two
  Wilson intervals, it keeps close to its nominal coverage with small arms and rates near 0 or
  1, where the textbook Wald interval is too narrow (and statsmodels' score interval fails to
  solve for small counts);
* the p-value is the Miettinen-Nurminen score test of "no difference"
  (`test_proportions_2indep(method="score")`): at a difference of 0 it is the pooled z-test with
  the N/(N-1) variance correction, the test that matches a score-type interval.

When both arms have the same all-0 or all-1 outcome the observed difference is exactly 0 and
every other table is at least as extreme, so the p-value is 1.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from statsmodels.stats.proportion import (  # type: ignore[import-untyped]
    confint_proportions_2indep,
    test_proportions_2indep,
)

CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class Comparison:
    """Arm rate minus control rate, its 95% interval and the two-sided p-value."""

    difference: float
    ci_low: float
    ci_high: float
    p_value: float


def rate(successes: int, n: int) -> float | None:
    return successes / n if n else None


def compare(successes: int, n: int, control_successes: int, control_n: int) -> Comparison:
    """`successes / n` against `control_successes / control_n` (both n at least 1)."""
    if n < 1 or control_n < 1:
        raise ValueError("both arms need at least one row")
    if not (0 <= successes <= n and 0 <= control_successes <= control_n):
        raise ValueError("successes must lie between 0 and n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = confint_proportions_2indep(
            successes,
            n,
            control_successes,
            control_n,
            compare="diff",
            method="newcomb",
            alpha=1 - CONFIDENCE,
        )
        pooled = (successes + control_successes) / (n + control_n)
        if pooled in (0.0, 1.0):
            p_value = 1.0
        else:
            p_value = float(
                test_proportions_2indep(
                    successes, n, control_successes, control_n, compare="diff", method="score"
                ).pvalue
            )
    difference = successes / n - control_successes / control_n
    return Comparison(difference, float(low), float(high), min(1.0, p_value))
