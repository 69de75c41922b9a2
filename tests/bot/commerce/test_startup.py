"""The policy file is checked when the back end starts: a bad one stops it with a clear line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from bot.api.app import create_app
from bot.cli import app
from bot.core.errors import PolicyFileError
from bot.settings import Settings, get_settings
from tests.bot.commerce.factories import POLICY_PATH

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from fastapi.testclient import TestClient


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'b.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.discount_policy_path == "config/discount_policy.yml"
    assert settings.payment_link_base_url == "https://pay.example.com/p/"
    assert (settings.payment_link_hours, settings.cancellation_notice_days) == (48, 30)


def test_the_app_loads_the_policy_whatever_the_working_directory(fresh_settings: None) -> None:
    api = create_app(get_settings())
    assert api.state.discount_policy.offers[0].code == "loyalty"
    api.state.engine.dispose()


def test_a_bad_policy_stops_the_app(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yml"
    bad.write_text(POLICY_PATH.read_text().replace("percent: 15", "percent: 150"), encoding="utf-8")
    settings = Settings(_env_file=None, discount_policy_path=str(bad))  # type: ignore[call-arg]
    with pytest.raises(PolicyFileError, match=r"offers\.0\.percent"):
        create_app(settings)


@pytest.mark.usefixtures("fresh_settings")
def test_serve_says_what_is_wrong_with_the_policy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DISCOUNT_POLICY_PATH", str(tmp_path / "missing.yml"))
    result = CliRunner().invoke(app, ["serve", "--no-migrate"])
    assert result.exit_code == 1
    assert "error: discount policy" in result.output
    assert "missing.yml: cannot read it" in result.output
    assert "Traceback" not in result.output


def test_openapi_lists_the_commerce_routes(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    base = "/api/v1/accounts/{acct}"
    assert {
        f"{base}/offers",
        f"{base}/offers/{{offer_id}}/accept",
        f"{base}/offers/{{offer_id}}/decline",
        f"{base}/plan-options",
        f"{base}/plan-changes/quote",
        f"{base}/plan-changes",
        f"{base}/cancellation-terms",
        f"{base}/cancellations",
        f"{base}/payment-links",
        f"{base}/arrangement-options",
        f"{base}/arrangements",
        f"{base}/billing-preferences",
    } <= paths
