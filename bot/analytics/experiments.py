"""The randomized holdout as evidence: retention of offered against held-out customers per offer
and segment at 30, 90 and 180 days, with an honest verdict.

* difference, 95% interval and p-value: `bot.analytics.proportions.compare` (statsmodels);
* number needed to treat: 1 / difference (offers made per customer kept), when positive;
* cost per retained customer: the discounts given in the offered arm / the extra customers kept
  (difference x offered n), when the difference is positive;
* verdict: "works" only when the whole interval is above 0, "harms" when it is below 0,
  "no_effect" when the interval excludes any difference of `MIN_EFFECT` or more, otherwise
  "not_enough_data" with the holdout and offered sizes a test needs to detect `MIN_EFFECT`
  with 80% power at 5% (statsmodels `NormalIndPower` on Cohen's h), at the current ratio.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Any

from statsmodels.stats.power import NormalIndPower  # type: ignore[import-untyped]
from statsmodels.stats.proportion import proportion_effectsize  # type: ignore[import-untyped]

from bot.analytics.proportions import compare

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bot.analytics.histories import History

HORIZONS = (30, 90, 180)
MIN_EFFECT = 0.10  # the smallest retention difference worth acting on
POWER = 0.8
ALPHA = 0.05
ALL_SEGMENTS = "all"


@dataclass(frozen=True, slots=True)
class ArmCount:
    n: int
    retained: int

    @property
    def rate(self) -> float | None:
        return self.retained / self.n if self.n else None


@dataclass(frozen=True, slots=True)
class Effect:
    offer_code: str
    segment: str
    horizon_days: int
    offered: ArmCount
    holdout: ArmCount
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    number_needed_to_treat: float | None
    cost_per_retained_cents: int | None
    verdict: str
    verdict_text: str
    needed_holdout: int | None
    needed_offered: int | None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for arm in ("offered", "holdout"):
            count: ArmCount = getattr(self, arm)
            data[arm] = {"n": count.n, "retained": count.retained, "rate": count.rate}
        return data


def _count(histories: Iterable[History], offered: bool, horizon: int) -> tuple[ArmCount, int]:
    n = retained = cost = 0
    for history in histories:
        if history.offered != offered:
            continue
        kept = history.retained_at(horizon)
        if kept is None:
            continue
        n += 1
        retained += kept
        cost += history.cost_cents
    return ArmCount(n, retained), cost


def needed_sizes(ratio: float) -> tuple[int, int]:
    """Holdout and offered customers (offered = `ratio` x holdout) needed to detect a difference
    of `MIN_EFFECT`, sized for the least favourable retention (50% -> 60%), so never too few."""
    effect_size = abs(proportion_effectsize(0.5 + MIN_EFFECT, 0.5))
    holdout = NormalIndPower().solve_power(
        effect_size=effect_size, alpha=ALPHA, power=POWER, ratio=ratio, alternative="two-sided"
    )
    return math.ceil(holdout), math.ceil(holdout * ratio)


def _pp(value: float) -> str:
    return f"{value * 100:+.1f} points"


def effect(offer_code: str, segment: str, histories: list[History], horizon: int) -> Effect:
    offered, offered_cost = _count(histories, True, horizon)
    holdout, _ = _count(histories, False, horizon)
    if offered.n == 0 or holdout.n == 0:
        need_h, need_o = needed_sizes(max(offered.n, 1) / max(holdout.n, 1))
        return Effect(
            offer_code=offer_code,
            segment=segment,
            horizon_days=horizon,
            offered=offered,
            holdout=holdout,
            difference=None,
            ci_low=None,
            ci_high=None,
            p_value=None,
            number_needed_to_treat=None,
            cost_per_retained_cents=None,
            verdict="not_enough_data",
            verdict_text=(
                f"Not enough data yet: {offered.n} offered and {holdout.n} held-out customers "
                f"followed {horizon} days; about {need_h} held out and {need_o} offered are "
                f"needed to detect a difference of {MIN_EFFECT * 100:.0f} points."
            ),
            needed_holdout=need_h,
            needed_offered=need_o,
        )
    result = compare(offered.retained, offered.n, holdout.retained, holdout.n)
    diff = result.difference
    nnt = 1 / diff if diff > 0 else None
    cost = round(offered_cost / (diff * offered.n)) if diff > 0 else None
    interval = f"{_pp(result.ci_low)} to {_pp(result.ci_high)}"
    needed: tuple[int, int] | None = None
    if result.ci_low > 0:
        verdict = "works"
        text = (
            f"Works: offered customers were retained more at {horizon} days, by {_pp(diff)} "
            f"(95% CI {interval}, p={result.p_value:.3g})."
        )
    elif result.ci_high < 0:
        verdict = "harms"
        text = (
            f"Harms: offered customers left more by {horizon} days; retention {_pp(diff)} "
            f"(95% CI {interval}, p={result.p_value:.3g}). Contacting them costs customers."
        )
    elif max(-result.ci_low, result.ci_high) < MIN_EFFECT:
        verdict = "no_effect"
        text = (
            f"No effect of {MIN_EFFECT * 100:.0f} points or more at {horizon} days "
            f"(95% CI {interval})."
        )
    else:
        verdict = "not_enough_data"
        needed = needed_sizes(offered.n / holdout.n)
        text = (
            f"Not enough data yet: the difference at {horizon} days could be anything from "
            f"{interval}; about {needed[0]} held-out and {needed[1]} offered customers are "
            f"needed to "
            f"detect {MIN_EFFECT * 100:.0f} points (now {holdout.n} and {offered.n})."
        )
    return Effect(
        offer_code=offer_code,
        segment=segment,
        horizon_days=horizon,
        offered=offered,
        holdout=holdout,
        difference=diff,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        p_value=result.p_value,
        number_needed_to_treat=nnt,
        cost_per_retained_cents=cost,
        verdict=verdict,
        verdict_text=text,
        needed_holdout=needed[0] if needed else None,
        needed_offered=needed[1] if needed else None,
    )


def effects(histories: list[History], horizons: Iterable[int] = HORIZONS) -> list[Effect]:
    """Per offer (all segments together, then each segment) and horizon."""
    results = []
    by_offer = sorted(histories, key=lambda h: (h.offer_code, h.segment))
    for code, group in groupby(by_offer, key=lambda h: h.offer_code):
        offer_histories = list(group)
        segments = [(ALL_SEGMENTS, offer_histories)] + [
            (segment, list(items))
            for segment, items in groupby(offer_histories, key=lambda h: h.segment)
        ]
        for segment, items in segments:
            for horizon in horizons:
                results.append(effect(code, segment, items, horizon))
    return results
