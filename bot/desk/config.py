"""`DeskConfig`: the desk's settings in the shape its services use (parsed, cents, one object).

config = DeskConfig.from_settings(settings)   # routes: `DeskConfigDep` in bot.api.desk_deps
config = DeskConfig()                          # tests: the documented defaults
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from bot.core.errors import ConfigurationError
from bot.core.money import round_to_cents
from bot.desk.hours import parse_opening_hours
from bot.desk.types import AgentRole
from bot.settings import DEFAULT_OPENING_HOURS, DEFAULT_TIMEZONE

if TYPE_CHECKING:
    from bot.desk.hours import OpeningHours
    from bot.settings import Settings

ON_DUTY_SEEN_SECONDS: Final = 120  # an agent counts as on duty if seen in the last 2 minutes
SERVICE_LEVEL_SECONDS: Final = 20  # the supervisor figures' service level target


def _always_open() -> OpeningHours:
    return parse_opening_hours(DEFAULT_OPENING_HOURS, DEFAULT_TIMEZONE)


@dataclass(frozen=True, slots=True)
class DeskConfig:
    opening_hours: OpeningHours = field(default_factory=_always_open)
    default_handle_seconds: int = 300
    callback_above_seconds: int = 300
    abandon_after_minutes: int = 30
    agent_credit_limit_cents: int = 10_000
    supervisor_credit_limit_cents: int = 100_000
    credit_window_days: int = 30  # a role's limit: what it credits one account in these days

    @classmethod
    def from_settings(cls, settings: Settings) -> DeskConfig:
        """The desk's settings; `ConfigurationError` names bad DESK_OPENING_HOURS/DESK_TIMEZONE."""
        try:
            hours = parse_opening_hours(settings.desk_opening_hours, settings.desk_timezone)
        except ValueError as error:
            raise ConfigurationError(f"DESK_OPENING_HOURS/DESK_TIMEZONE: {error}") from None
        return cls(
            opening_hours=hours,
            default_handle_seconds=settings.desk_default_handle_seconds,
            callback_above_seconds=settings.desk_callback_above_seconds,
            abandon_after_minutes=settings.desk_abandon_after_minutes,
            agent_credit_limit_cents=round_to_cents(settings.agent_credit_limit),
            supervisor_credit_limit_cents=round_to_cents(settings.supervisor_credit_limit),
            credit_window_days=settings.credit_limit_window_days,
        )

    def credit_limit_cents(self, role: AgentRole) -> int:
        """The most agents of `role` together may credit one account within the window."""
        if role is AgentRole.SUPERVISOR:
            return self.supervisor_credit_limit_cents
        return self.agent_credit_limit_cents
