"""Products and prices of the demo company. Prices are net of VAT, in cents."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.billing.types import PlanKind

VAT_RATE: Final = Decimal("0.22")
LATE_FEE_CENTS: Final = 500
FIBER_ETF_CENTS: Final = 12_000
MOBILE_ETF_CENTS: Final = 6_000


@dataclass(frozen=True, slots=True)
class PlanItem:
    id: int
    code: str
    name: str
    kind: PlanKind
    price_cents: int
    allowance_gb: int | None  # None: unlimited
    speed_mbps: int | None
    overage_cents: int | None  # per GB beyond the allowance

    @property
    def etf_cents(self) -> int:
        return FIBER_ETF_CENTS if self.kind is PlanKind.FIBER else MOBILE_ETF_CENTS


@dataclass(frozen=True, slots=True)
class AddOnItem:
    id: int
    code: str
    name: str
    price_cents: int


@dataclass(frozen=True, slots=True)
class Fee:
    description: str
    cents: int


FIBER_100 = PlanItem(1, "fiber-100", "Fiber 100", PlanKind.FIBER, 2990, 500, 100, 150)
FIBER_300 = PlanItem(2, "fiber-300", "Fiber 300", PlanKind.FIBER, 3990, 1000, 300, 150)
FIBER_1000 = PlanItem(3, "fiber-1000", "Fiber 1000", PlanKind.FIBER, 5990, None, 1000, None)
MOBILE_5GB = PlanItem(4, "mobile-5gb", "Mobile 5GB", PlanKind.MOBILE, 990, 5, None, 200)
MOBILE_20GB = PlanItem(5, "mobile-20gb", "Mobile 20GB", PlanKind.MOBILE, 1990, 20, None, 150)
MOBILE_UNLIMITED = PlanItem(
    6, "mobile-unlimited", "Mobile Unlimited", PlanKind.MOBILE, 2990, None, None, None
)
PLANS: Final = (FIBER_100, FIBER_300, FIBER_1000, MOBILE_5GB, MOBILE_20GB, MOBILE_UNLIMITED)

ROAMING = AddOnItem(1, "roaming", "Roaming pack", 999)
STATIC_IP = AddOnItem(2, "static-ip", "Static IP", 500)
TV_PACK = AddOnItem(3, "tv-pack", "TV pack", 1200)
ADD_ONS: Final = (ROAMING, STATIC_IP, TV_PACK)

INSTALLATION = Fee("Installation", 4900)
ROUTER = Fee("Wi-Fi router", 7900)
SIM_REPLACEMENT = Fee("SIM card replacement", 1000)
