"""Builders shared by the commerce tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.commerce.churn import AccountHistory
from bot.commerce.policy import DiscountPolicy, load_policy, parse_policy

ROOT = Path(__file__).resolve().parents[3]
POLICY_PATH = ROOT / "config" / "discount_policy.yml"
TODAY = date(2026, 11, 15)

# Eva on 2026-11-15: 36 months, every bill on time, contract ends this month, Fiber 1000 (59.90).
EVA = AccountHistory(
    tenure_months=36,
    invoices_due=35,
    invoices_paid_on_time=35,
    late_payments_12m=0,
    complaints_12m=0,
    price_increases_12m=0,
    discounts_12m=0,
    contract_end=date(2026, 11, 30),
    monthly_price_cents=5990,
)


def history(**changes: Any) -> AccountHistory:
    """Eva's history with some facts changed."""
    return replace(EVA, **changes)


def policy_document() -> dict[str, Any]:
    """The shipped policy file as a plain document, to modify in a test."""
    document: dict[str, Any] = yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))
    return document


def shipped_policy() -> DiscountPolicy:
    return load_policy(POLICY_PATH)


def policy_with(**changes: Any) -> DiscountPolicy:
    document = policy_document()
    document.update(changes)
    return parse_policy(document)
