"""Plain-text tables of analysis results for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.analytics.experiment_file import ArmResult, ExperimentResult
    from bot.analytics.practices import PracticeEffect
    from bot.analytics.uplift import UpliftReport


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f} pp"


def _arm_lines(arms: list[ArmResult], indent: str) -> list[str]:
    header = f"{indent}{'arm':<20} {'n':>8} {'rate':>7} {'difference':>11} {'95% CI':>22} {'p':>8}"
    lines = [header]
    for arm in arms:
        interval = (
            "-"
            if arm.ci_low is None or arm.ci_high is None
            else f"[{_percent(arm.ci_low)}, {_percent(arm.ci_high)}]"
        )
        p_value = "-" if arm.p_value is None else f"{arm.p_value:.4f}"
        lines.append(
            f"{indent}{arm.arm[:20]:<20} {arm.n:>8} {arm.rate * 100:>6.1f}% "
            f"{_percent(arm.difference):>11} {interval:>22} {p_value:>8}"
        )
    return lines


def experiment_table(result: ExperimentResult) -> str:
    """Every arm against the control, then the same per segment."""
    lines = [f"control: {result.control}", *_arm_lines(result.arms, "")]
    for segment in result.segments:
        lines += ["", f"segment {segment.segment!r}:", *_arm_lines(segment.arms, "  ")]
    lines += [
        "",
        "difference: arm rate minus control rate (percentage points); 95% CI: Newcombe's "
        "hybrid score interval; p: score test of no difference",
    ]
    return "\n".join(lines)


def _interval(low: float | None, high: float | None) -> str:
    return "-" if low is None or high is None else f"[{_percent(low)}, {_percent(high)}]"


def practices_table(effects: list[PracticeEffect]) -> str:
    """Each practice: churn with and without it, the naive and the adjusted difference."""
    if not effects:
        return "no contacts with outcomes yet"
    horizon = effects[0].horizon_days
    lines = [
        f"Practices and churn within {horizon} days (OBSERVATIONAL: {effects[0].caveat})",
        f"{'practice':<26} {'had':>6} {'not':>6} {'naive':>10} {'adjusted':>10} {'95% CI':>22}",
    ]
    for e in effects:
        lines.append(
            f"{e.practice:<26} {e.exposed_n:>6} {e.unexposed_n:>6} "
            f"{_percent(e.naive_difference):>10} {_percent(e.adjusted_difference):>10} "
            f"{_interval(e.ci_low, e.ci_high):>22}"
        )
    lines += ["", *(f"- {e.verdict_text}" for e in effects), "", f"method: {effects[0].method}"]
    return "\n".join(lines)


def uplift_table(report: UpliftReport) -> str:
    """The Qini coefficient, the curve and the recommendation per offer and segment."""
    if report.qini_coefficient is None:
        return "no offer decisions with both arms followed long enough yet"
    lines = [
        f"Uplift at {report.horizon_days} days, {report.n} decisions ({report.method})",
        f"Qini coefficient (out of fold, above 0 beats random): {report.qini_coefficient:.4f}",
        "share targeted -> incremental retained (model / random):",
    ]
    for point, line in zip(report.qini_curve, report.random_line, strict=True):
        if round(point.share_targeted * 100) % 25 == 0:
            lines.append(
                f"  {point.share_targeted:>5.0%}  {point.incremental_retained:>8.1f} / "
                f"{line.incremental_retained:>8.1f}"
            )
    lines.append("")
    for r in report.recommendations:
        lines.append(f"{r.offer_code} / {r.segment} (n={r.n}): {r.reason}")
    return "\n".join(lines)


def uplift_policy_rule(report: UpliftReport) -> str:
    """The discount policy's `uplift` block for the model's skips (enabled: false until a person
    turns it on)."""
    lines = [
        f"# From `bot analytics uplift` at {report.horizon_days} days ({report.n} decisions).",
        "uplift:",
        "  enabled: false",
    ]
    skips = report.skips()
    if not skips:
        return "\n".join([*lines, "  skip: []"])
    lines.append("  skip:")
    lines += [f"    - {{offer: {offer}, segment: {segment}}}" for offer, segment in skips]
    return "\n".join(lines)
