"""`bot analytics experiment`: known rates, intervals and p-values on CSV files built here,
checked against textbook formulas written out in the test (Wilson, Newcombe 1998 method 10,
the pooled score test with the N/(N-1) correction) and a published example; every error."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from scipy.stats import norm
from typer.testing import CliRunner

from bot.analytics.errors import EmptyArm, MissingColumn, NonBinaryOutcome, UnreadableFile
from bot.analytics.experiment_file import analyse_file
from bot.cli import app

Z = norm.ppf(0.975)


def wilson(x: int, n: int) -> tuple[float, float]:
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half


def newcombe(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1), wilson(x2, n2)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def score_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """Miettinen-Nurminen at a difference of 0: the pooled z-test times N/(N-1)."""
    n = n1 + n2
    pooled = (x1 + x2) / n
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2) * n / (n - 1)
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return float(2 * norm.sf(abs(z)))


def write_csv(path: Path, groups: dict[tuple[str, str], tuple[int, int]]) -> Path:
    """(arm, segment) -> (positives, n), as rows in a shuffled but fixed order."""
    rows = []
    for (arm, segment), (positives, n) in groups.items():
        rows += [(arm, "1" if i < positives else "0", segment) for i in range(n)]
    rows = rows[::2] + rows[1::2]
    text = "arm,converted,region\n" + "".join(f"{a},{o},{s}\n" for a, o, s in rows)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    # control 200/1000 = 20%, mail 260/1000 = 26%, sms 190/950 = 20%; by region.
    return write_csv(
        tmp_path / "campaign.csv",
        {
            ("control", "north"): (120, 500),
            ("control", "south"): (80, 500),
            ("mail", "north"): (180, 500),
            ("mail", "south"): (80, 500),
            ("sms", "north"): (95, 475),
            ("sms", "south"): (95, 475),
        },
    )


def test_rates_intervals_and_p_values_match_the_textbook_formulas(campaign: Path) -> None:
    result = analyse_file(campaign, arm="arm", control="control", outcome="converted")
    arms = {arm.arm: arm for arm in result.arms}
    assert [arm.arm for arm in result.arms] == ["control", "mail", "sms"]
    assert (arms["control"].n, arms["control"].rate) == (1000, 0.2)
    assert arms["control"].difference is None
    assert arms["control"].p_value is None
    for name, (x, n) in {"mail": (260, 1000), "sms": (190, 950)}.items():
        arm = arms[name]
        assert (arm.n, arm.rate) == (n, x / n)
        assert arm.difference == pytest.approx(x / n - 0.2)
        low, high = newcombe(x, n, 200, 1000)
        assert (arm.ci_low, arm.ci_high) == (
            pytest.approx(low, abs=1e-9),
            pytest.approx(high, abs=1e-9),
        )
        assert arm.p_value == pytest.approx(score_p_value(x, n, 200, 1000), rel=1e-9)
    assert arms["mail"].ci_low is not None
    assert arms["mail"].ci_low > 0
    assert arms["mail"].p_value is not None
    assert arms["mail"].p_value < 0.01
    assert arms["sms"].p_value is not None
    assert arms["sms"].p_value == pytest.approx(1.0)


def test_published_example_newcombe_1998(tmp_path: Path) -> None:
    """Newcombe (1998), Statistics in Medicine 17:873-890, example (a): 56/70 vs 48/80,
    method 10 gives 0.0524 to 0.3339."""
    path = write_csv(tmp_path / "n.csv", {("a", "x"): (56, 70), ("b", "x"): (48, 80)})
    arm = analyse_file(path, arm="arm", control="b", outcome="converted").arms[1]
    assert arm.ci_low == pytest.approx(0.0524, abs=5e-5)
    assert arm.ci_high == pytest.approx(0.3339, abs=5e-5)


def test_per_segment_with_by(campaign: Path) -> None:
    result = analyse_file(campaign, arm="arm", control="control", outcome="converted", by="region")
    segments = {segment.segment: {a.arm: a for a in segment.arms} for segment in result.segments}
    assert sorted(segments) == ["north", "south"]
    north = segments["north"]["mail"]
    assert (north.n, north.rate) == (500, 0.36)
    assert (north.ci_low, north.ci_high) == pytest.approx(newcombe(180, 500, 120, 500))
    assert north.p_value == pytest.approx(score_p_value(180, 500, 120, 500))
    south = segments["south"]["mail"]
    assert south.difference == pytest.approx(0.0)
    assert south.p_value == pytest.approx(1.0)


def test_small_and_degenerate_arms(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "d.csv",
        {("c", "x"): (0, 10), ("same", "x"): (0, 4), ("one", "x"): (1, 1), ("all", "x"): (5, 5)},
    )
    arms = {a.arm: a for a in analyse_file(path, arm="arm", control="c", outcome="converted").arms}
    assert arms["same"].p_value == 1.0
    assert arms["same"].difference == 0.0
    for name, (x, n) in {"one": (1, 1), "all": (5, 5)}.items():
        assert (arms[name].ci_low, arms[name].ci_high) == pytest.approx(newcombe(x, n, 0, 10))
        assert arms[name].p_value == pytest.approx(score_p_value(x, n, 0, 10))


def test_outcome_spellings_and_a_segment_without_control(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "\ufeffarm,converted,region\nc, Yes ,a\nc,no,a\nt,TRUE,a\nt,false,b\n", encoding="utf-8"
    )
    result = analyse_file(path, arm="arm", control="c", outcome="converted", by="region")
    assert [(a.arm, a.n, a.rate) for a in result.arms] == [("c", 2, 0.5), ("t", 2, 0.5)]
    segment_b = next(s for s in result.segments if s.segment == "b")
    assert [(a.arm, a.difference) for a in segment_b.arms] == [("t", None)]


@pytest.mark.parametrize(
    ("content", "options", "error", "words"),
    [
        ("arm,converted\nc,1\n", {"arm": "group"}, MissingColumn, "'group' is not in"),
        ("arm,converted\nc,1\n", {"outcome": "bought"}, MissingColumn, "'bought'"),
        ("arm,converted\nc,1\n", {"by": "region"}, MissingColumn, "'region'"),
        ("arm,converted\nt,1\nt,0\n", {}, EmptyArm, "control 'c' has no rows"),
        ("arm,converted\n", {}, EmptyArm, "no rows"),
        ("arm,converted\nc,1\nc,2\n", {}, NonBinaryOutcome, "line 3 has '2'"),
        ("arm,converted\nc,1\nc,\n", {}, NonBinaryOutcome, "line 3 has ''"),
        ("arm,converted\nc,1\nc\n", {}, NonBinaryOutcome, "line 3"),
        ("", {}, UnreadableFile, "empty file"),
    ],
)
def test_errors(
    tmp_path: Path, content: str, options: dict[str, str], error: type[Exception], words: str
) -> None:
    path = tmp_path / "e.csv"
    path.write_text(content, encoding="utf-8")
    arguments = {"arm": "arm", "control": "c", "outcome": "converted", **options}
    with pytest.raises(error, match=words):
        analyse_file(path, **arguments)


def test_unreadable_files(tmp_path: Path) -> None:
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"arm,converted\n\xff\xfe\x00,1\n")
    for path, words in [
        (tmp_path / "missing.csv", "No such file"),
        (tmp_path, "Is a directory"),
        (binary, "cannot read"),
    ]:
        with pytest.raises(UnreadableFile, match=words):
            analyse_file(path, arm="arm", control="c", outcome="converted")


def test_cli_json_shape_and_table(campaign: Path) -> None:
    runner = CliRunner()
    arguments = ["analytics", "experiment", str(campaign), "--arm", "arm", "--control", "control"]
    result = runner.invoke(app, [*arguments, "--outcome", "converted", "--by", "region", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"control", "arms", "segments"}
    assert data["control"] == "control"
    keys = {"arm", "n", "rate", "difference", "ci_low", "ci_high", "p_value"}
    assert all(set(arm) == keys for arm in data["arms"])
    assert [s["segment"] for s in data["segments"]] == ["north", "south"]
    assert all(set(arm) == keys for s in data["segments"] for arm in s["arms"])
    mail = next(arm for arm in data["arms"] if arm["arm"] == "mail")
    assert mail["n"] == 1000
    assert mail["rate"] == 0.26
    table = runner.invoke(app, [*arguments, "--outcome", "converted"])
    assert table.exit_code == 0
    assert "+6.0 pp" in table.stdout


def test_cli_errors_exit_1_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("arm,converted\nc,maybe\n", encoding="utf-8")
    process = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [
            sys.executable,
            "-m",
            "bot.cli",
            "analytics",
            "experiment",
            str(path),
            "--arm",
            "arm",
            "--control",
            "c",
            "--outcome",
            "converted",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 1
    assert process.stderr.strip() == (
        "error: outcome column 'converted' must be 0/1, true/false or yes/no; line 2 has 'maybe'"
    )
    assert "Traceback" not in process.stderr
