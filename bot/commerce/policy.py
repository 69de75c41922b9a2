"""The discount policy: a YAML file (configuration, not code) validated on load.

The file (`DISCOUNT_POLICY_PATH`, default `config/discount_policy.yml`) holds:

* `tiers` - for `bot`, `agent` and `supervisor`: the largest percent, monthly amount and number of
  months each may grant. Limits may not shrink from one tier to the next.
* `offers` - what can be offered, each with its percent, months, the triggers it answers and its
  eligibility criteria (tenure, on-time payment ratio, complaints, discounts already given in the
  last 12 months, churn risk, contract end).
* `holdout` - the share of eligible cases that get no proactive offer (an experiment), and the
  accounts kept out of it.
* `offer_valid_days` - how long an offer can be accepted; `arrangements` - payment arrangement
  limits.
* `uplift` - optional, off by default: offers to skip for a customer segment because the uplift
  model (`bot analytics uplift --policy`) found they do not help it; applied after the holdout.

Amounts are written like the API's (`"25.00"`) and held as integer cents. `load_policy` raises
`PolicyFileError` naming the file and every problem, so a bad file stops the back end at start.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal, Self

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from bot.commerce.types import Tier, Trigger
from bot.core.errors import PolicyFileError
from bot.core.money import parse_amount

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _cents(value: object) -> int:
    """An amount written as "25.00" (or a plain number) as cents; refuses negatives."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError('expected an amount like "25.00"')
    cents = parse_amount(str(value))
    if cents < 0:
        raise ValueError("amounts may not be negative")
    return cents


Cents = Annotated[int, BeforeValidator(_cents)]
Ratio = Annotated[float, Field(ge=0, le=1)]


class PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierLimits(PolicyModel):
    max_percent: int = Field(ge=0, le=100)
    max_monthly_amount: Cents
    max_months: int = Field(ge=0, le=60)

    def allows(self, percent: int, monthly_cents: int, months: int) -> bool:
        """Whether a discount of `percent` (`monthly_cents` a month) for `months` is within."""
        return (
            percent <= self.max_percent
            and monthly_cents <= self.max_monthly_amount
            and months <= self.max_months
        )


class Eligibility(PolicyModel):
    """Every criterion must hold; an absent one always holds."""

    min_tenure_months: int = Field(default=0, ge=0)
    min_on_time_ratio: Ratio = 0.0
    max_complaints_12m: int | None = Field(default=None, ge=0)
    max_discounts_12m: int = Field(default=0, ge=0)
    min_churn_risk: Ratio = 0.0
    max_churn_risk: Ratio = 1.0
    contract_ends_within_days: int | None = Field(default=None, ge=0)


class OfferRule(PolicyModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=64)
    percent: int = Field(ge=1, le=100)
    months: int = Field(ge=1, le=60)
    triggers: list[Trigger] = Field(min_length=1)
    eligibility: Eligibility = Eligibility()

    @model_validator(mode="after")
    def _customer_triggers_only(self) -> Self:
        if Trigger.AGENT_GRANT in self.triggers:
            raise ValueError("agent_grant is not a customer trigger")
        return self


class HoldoutPolicy(PolicyModel):
    share: Ratio = 0.10
    period: Literal["month"] = "month"
    exempt_accounts: list[str] = Field(default_factory=list)


class UpliftSkip(PolicyModel):
    offer: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    segment: str = Field(min_length=1, max_length=32)


class UpliftRule(PolicyModel):
    """Opt-in: skip `skip`'s offers for customers of its segments (the segment of their latest
    recorded outcome); the randomized holdout is drawn before, so the experiment goes on."""

    enabled: bool = False
    skip: list[UpliftSkip] = Field(default_factory=list)

    def skips(self, offer_code: str, segment: str | None) -> bool:
        return (
            self.enabled
            and segment is not None
            and any(item.offer == offer_code and item.segment == segment for item in self.skip)
        )


class ArrangementPolicy(PolicyModel):
    max_extension_days: int = Field(default=14, ge=1, le=90)
    instalment_counts: list[int] = Field(default_factory=lambda: [2, 3], min_length=1)
    min_balance: Cents = 1

    @model_validator(mode="after")
    def _sensible_counts(self) -> Self:
        if any(count < 2 or count > 12 for count in self.instalment_counts):
            raise ValueError("instalment_counts must be between 2 and 12")
        return self


class DiscountPolicy(PolicyModel):
    version: Literal[1]
    offer_valid_days: int = Field(default=7, ge=1, le=90)
    tiers: dict[Tier, TierLimits]
    offers: list[OfferRule]
    holdout: HoldoutPolicy = HoldoutPolicy()
    arrangements: ArrangementPolicy = ArrangementPolicy()
    uplift: UpliftRule = UpliftRule()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        missing = [tier.value for tier in Tier if tier not in self.tiers]
        if missing:
            raise ValueError(f"tiers: missing {', '.join(missing)}")
        ordered = [self.tiers[tier] for tier in Tier]
        for lower, higher in pairwise(ordered):
            if not higher.allows(lower.max_percent, lower.max_monthly_amount, lower.max_months):
                raise ValueError("tiers: a higher tier may not have smaller limits than a lower")
        codes = [offer.code for offer in self.offers]
        if len(set(codes)) != len(codes):
            raise ValueError("offers: codes must be unique")
        top = self.tiers[Tier.SUPERVISOR]
        for offer in self.offers:
            if offer.percent > top.max_percent or offer.months > top.max_months:
                raise ValueError(f"offers: {offer.code} is beyond even the supervisor tier")
        return self

    def limits(self, tier: Tier) -> TierLimits:
        return self.tiers[tier]

    def offers_for(self, trigger: Trigger) -> list[OfferRule]:
        """The offers answering `trigger`, in file order."""
        return [offer for offer in self.offers if trigger in offer.triggers]


def resolve_path(path: str | Path) -> Path:
    """A relative path is taken from the project root (so the working directory does not matter)."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        parts.append(f"{location}: {item['msg']}" if location else str(item["msg"]))
    return "; ".join(parts)


def parse_policy(data: object, source: str = "discount policy") -> DiscountPolicy:
    """Validate an already parsed YAML document."""
    try:
        return DiscountPolicy.model_validate(data)
    except ValidationError as error:
        raise PolicyFileError(f"{source}: {_describe(error)}") from None


def load_policy(path: str | Path) -> DiscountPolicy:
    """Read and validate the policy file; `PolicyFileError` says what is wrong and where."""
    resolved = resolve_path(path)
    source = f"discount policy {resolved}"
    try:
        text = resolved.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyFileError(f"{source}: cannot read it ({error.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PolicyFileError(f"{source}: not valid YAML ({error})") from None
    return parse_policy(data, source)
