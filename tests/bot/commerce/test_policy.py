"""The discount policy file: the shipped one loads, bad ones are refused with a clear message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import yaml

from bot.commerce.decisions import decide
from bot.commerce.policy import PROJECT_ROOT, load_policy, parse_policy, resolve_path
from bot.commerce.types import Decision, Tier, Trigger
from bot.core.errors import PolicyFileError
from tests.bot.commerce.factories import (
    EVA,
    POLICY_PATH,
    TODAY,
    policy_document,
    shipped_policy,
)

if TYPE_CHECKING:
    from pathlib import Path


def _write(folder: Path, document: Any) -> Path:
    path = folder / "policy.yml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_the_shipped_policy_loads() -> None:
    policy = shipped_policy()
    assert [offer.code for offer in policy.offers] == [
        "loyalty",
        "price_match",
        "retention",
        "retention_second",
    ]
    assert policy.limits(Tier.BOT).max_percent == 20
    assert policy.limits(Tier.AGENT).max_monthly_amount == 2000
    assert policy.holdout.share == 0.10
    assert "100003" in policy.holdout.exempt_accounts
    assert policy.arrangements.max_extension_days == 14
    assert policy.arrangements.instalment_counts == [2, 3]
    assert policy.arrangements.min_balance == 1


def test_relative_paths_start_at_the_project_root() -> None:
    assert resolve_path("config/discount_policy.yml") == POLICY_PATH
    assert resolve_path(POLICY_PATH) == POLICY_PATH
    assert POLICY_PATH.parents[1] == PROJECT_ROOT


def test_editing_the_file_changes_the_offer(tmp_path: Path) -> None:
    assert decide(shipped_policy(), EVA, "100003", Trigger.CANCELLATION, TODAY).offer is not None
    document = policy_document()
    loyalty = document["offers"][0]
    loyalty.update(percent=18, months=10, name="Loyalty thank-you")
    edited = load_policy(_write(tmp_path, document))
    result = decide(edited, EVA, "100003", Trigger.CANCELLATION, TODAY)
    assert result.offer is not None
    assert (result.offer.name, result.offer.percent, result.offer.months) == (
        "Loyalty thank-you",
        18,
        10,
    )
    assert result.offer.monthly_amount_cents == 1078  # 18 % of 59.90

    document["offers"] = [o for o in document["offers"] if o["code"] == "price_match"]
    only_price_match = load_policy(_write(tmp_path, document))
    refused = decide(only_price_match, EVA, "100003", Trigger.CANCELLATION, TODAY)
    assert refused.decision is Decision.NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "version: Input should be 1"),
        (
            {
                "offers": [
                    {
                        "code": "x",
                        "name": "X",
                        "percent": 150,
                        "months": 1,
                        "triggers": ["cancellation"],
                    }
                ]
            },
            "offers.0.percent",
        ),
        (
            {
                "offers": [
                    {
                        "code": "x",
                        "name": "X",
                        "percent": 10,
                        "months": 1,
                        "triggers": ["complaining_loudly"],
                    }
                ]
            },
            "offers.0.triggers.0",
        ),
        (
            {
                "offers": [
                    {
                        "code": "x",
                        "name": "X",
                        "percent": 10,
                        "months": 1,
                        "triggers": ["agent_grant"],
                    }
                ]
            },
            "agent_grant is not a customer trigger",
        ),
        (
            {
                "tiers": {
                    "bot": {"max_percent": 20, "max_monthly_amount": "12.00", "max_months": 12}
                }
            },
            "tiers: missing agent, supervisor",
        ),
        (
            {
                "tiers": {
                    "bot": {"max_percent": 40, "max_monthly_amount": "12.00", "max_months": 12},
                    "agent": {"max_percent": 30, "max_monthly_amount": "20.00", "max_months": 12},
                    "supervisor": {
                        "max_percent": 50,
                        "max_monthly_amount": "40.00",
                        "max_months": 24,
                    },
                }
            },
            "higher tier may not have smaller limits",
        ),
        ({"holdout": {"share": 1.5}}, "holdout.share"),
        ({"offer_valid_days": 0}, "offer_valid_days"),
        ({"arrangements": {"instalment_counts": [1]}}, "between 2 and 12"),
        ({"arrangements": {"min_balance": "-1.00"}}, "may not be negative"),
        ({"arrangements": {"min_balance": "ten"}}, "not an amount"),
        ({"surprise": True}, "surprise: Extra inputs are not permitted"),
    ],
)
def test_a_bad_policy_is_refused_with_its_reason(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    document = policy_document()
    document.update(change)
    path = _write(tmp_path, document)
    with pytest.raises(PolicyFileError, match=r"discount policy .*policy\.yml: ") as caught:
        load_policy(path)
    assert message in caught.value.message


def test_duplicate_codes_and_offers_beyond_every_tier_are_refused() -> None:
    document = policy_document()
    document["offers"].append(dict(document["offers"][0]))
    with pytest.raises(PolicyFileError, match="codes must be unique"):
        parse_policy(document)
    document = policy_document()
    document["offers"][0]["percent"] = 60
    with pytest.raises(PolicyFileError, match="loyalty is beyond even the supervisor tier"):
        parse_policy(document)


def test_missing_file_and_broken_yaml(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="cannot read it"):
        load_policy(tmp_path / "nowhere.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("tiers: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyFileError, match="not valid YAML"):
        load_policy(broken)
    empty = tmp_path / "empty.yml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(PolicyFileError, match="Input should be a valid dictionary"):
        load_policy(empty)
