"""Plain-text tables of analysis results for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.analytics.experiment_file import ArmResult, ExperimentResult


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
