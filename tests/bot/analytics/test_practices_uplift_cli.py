"""`bot analytics practices` and `bot analytics uplift` on the seeded database: text with the
caveat and the recommendations, the same figures as JSON, and the policy rule block."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from bot.commerce.policy import UpliftRule
from bot.settings import get_settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine

runner = CliRunner()


@pytest.fixture(autouse=True)
def _seeded_settings(monkeypatch: pytest.MonkeyPatch, analytics_engine: Engine) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", analytics_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    root_level = logging.getLogger().level
    yield
    get_settings.cache_clear()
    logging.getLogger().handlers = [
        h for h in logging.getLogger().handlers if h.get_name() != "bot"
    ]
    logging.getLogger().setLevel(root_level)


def test_practices_text_and_json() -> None:
    text = runner.invoke(app, ["analytics", "practices"])
    assert text.exit_code == 0, text.output
    assert "association, not proven cause" in text.output
    assert "long_wait" in text.output
    assert "Not enough data yet" in text.output  # the rare arrangements
    as_json = runner.invoke(app, ["analytics", "practices", "--json", "--horizon", "90"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["caveat"].startswith("association, not proven cause")
    assert [p["practice"] for p in data["practices"]] == [
        "long_wait",
        "first_contact_resolution",
        "review_credit",
        "arrangement",
    ]


def test_uplift_text_json_and_policy_rule() -> None:
    text = runner.invoke(app, ["analytics", "uplift"])
    assert text.exit_code == 0, text.output
    assert "Qini coefficient" in text.output
    assert "price_match / price_sensitive (n=" in text.output
    data = json.loads(runner.invoke(app, ["analytics", "uplift", "--json"]).output)
    assert data["n"] == 3000
    assert data["qini_coefficient"] > 0
    rule = runner.invoke(app, ["analytics", "uplift", "--policy"])
    assert rule.exit_code == 0, rule.output
    block = UpliftRule.model_validate(yaml.safe_load(rule.output)["uplift"])
    assert block.enabled is False  # a person turns it on
    assert {(s.offer, s.segment) for s in block.skip} == {
        ("price_match", "loyal"),
        ("retention", "quiet"),
    }
