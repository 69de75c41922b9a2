"""Configuration from environment variables, read through a cached `get_settings()`.

Every variable has a working default for development; secrets have one only when
`APP_ENV=development`, and `APP_ENV=production` refuses to start on a secret that is missing,
shorter than 32 characters or a development value. `.env.example` at the repository root
documents them.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Final, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SERVICE_TOKEN = "dev-service-token"  # noqa: S105 - the documented development-only token
DEV_STEP_UP_SECRET = "dev-step-up-secret"  # noqa: S105 - development-only HMAC key for codes
DEV_RASA_TOKEN = "dev-rasa-token"  # noqa: S105 - development-only token of Rasa's HTTP API
# The Rasa side's development values (addons/secure_start.py) are refused here too.
KNOWN_DEVELOPMENT_SECRETS = frozenset(
    {DEV_SERVICE_TOKEN, DEV_STEP_UP_SECRET, DEV_RASA_TOKEN, "dev-action-token"}
)
MIN_PRODUCTION_SECRET_LENGTH = 32
# The desk's hours (parsed by bot.desk.hours when the app is created): always open by default.
DEFAULT_OPENING_HOURS: Final = "Mon-Sun 00:00-24:00"
DEFAULT_TIMEZONE: Final = "Europe/Ljubljana"
# Every secret the back end reads: production checks each of them.
SECRET_FIELDS = ("backend_service_token", "step_up_secret", "rasa_token")


def secret_problem(value: str | None) -> str | None:
    """Why a secret is unfit for production (None when it is fit); never mentions the value."""
    if not value:
        return "is missing or empty"
    if value in KNOWN_DEVELOPMENT_SECRETS:
        return "is a known development value"
    if len(value) < MIN_PRODUCTION_SECRET_LENGTH:
        return f"is shorter than {MIN_PRODUCTION_SECRET_LENGTH} characters"
    return None


class Settings(BaseSettings):
    """The back end's configuration. Field names map to upper-case environment variables."""

    # An empty variable counts as unset (`STEP_UP_SECRET=` in a copied .env.example); a
    # validation error never prints the value it was given (it may be a secret).
    model_config = SettingsConfigDict(
        env_file=".env",
        extra="ignore",
        frozen=True,
        env_ignore_empty=True,
        hide_input_in_errors=True,
    )

    app_env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./var/billing.db"
    # PostgreSQL connections each back-end process keeps open (and how many more it may open for a
    # moment): enough for the requests it serves at once, so a busy back end does not open and
    # close a connection (a new server process) for every few requests.
    database_pool_size: int = Field(default=20, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    backend_service_token: str | None = Field(default=None, min_length=1)
    verification_max_attempts: int = Field(default=3, ge=1)
    verification_lock_minutes: int = Field(default=15, ge=1)
    verified_session_minutes: int = Field(default=60, ge=1)
    # Failed identity checks are also limited per conversation and per client address (across
    # accounts) within VERIFICATION_THROTTLE_MINUTES; a burst across many accounts is alerted.
    verification_max_failures_per_conversation: int = Field(default=5, ge=1)
    verification_max_failures_per_client: int = Field(default=10, ge=1)
    verification_throttle_minutes: int = Field(default=15, ge=1)
    verification_burst_failures: int = Field(default=20, ge=1)
    verification_burst_accounts: int = Field(default=10, ge=1)
    verification_burst_minutes: int = Field(default=5, ge=1)
    step_up_secret: str | None = Field(default=None, min_length=16)
    step_up_code_minutes: int = Field(default=5, ge=1)
    step_up_max_attempts: int = Field(default=3, ge=1)
    step_up_minutes: int = Field(default=15, ge=1)
    step_up_max_codes_per_hour: int = Field(default=5, ge=1)
    bot_credit_limit: Decimal = Field(default=Decimal("30.00"), ge=0, decimal_places=2)
    discount_policy_path: str = "config/discount_policy.yml"  # relative: to the project root
    payment_link_base_url: str = "https://pay.example.com/p/"
    payment_link_hours: int = Field(default=48, ge=1)
    cancellation_notice_days: int = Field(default=30, ge=0)
    # The website chat page (/): where browsers reach Rasa's socket.io, and the vendored widget.
    rasa_public_url: str = "http://localhost:5005"
    webchat_bundle_path: str = "vendor/rasa-webchat-1.0.1/webchat.js"  # relative: project root
    chart_bundle_path: str = "vendor/chart.js-4.6.2/chart.umd.min.js"  # the desk's charts
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str | None = Field(default=None, min_length=1)
    rasa_timeout_seconds: float = Field(default=5.0, gt=0)
    desk_session_minutes: int = Field(default=480, ge=1)
    desk_cookie_secure: bool | None = None  # None: secure cookies only when APP_ENV=production
    desk_queue_update_seconds: int = Field(default=30, ge=0)  # 0 switches the updater off
    desk_opening_hours: str = DEFAULT_OPENING_HOURS  # e.g. "Mon-Fri 08:00-18:00; Sat 09:00-13:00"
    desk_timezone: str = DEFAULT_TIMEZONE
    desk_default_handle_seconds: int = Field(default=300, ge=1)  # handle time without history
    desk_callback_above_seconds: int = Field(default=300, ge=0)  # offer a callback above this wait
    desk_abandon_after_minutes: int = Field(default=30, ge=1)
    agent_credit_limit: Decimal = Field(default=Decimal("100.00"), ge=0, decimal_places=2)
    supervisor_credit_limit: Decimal = Field(default=Decimal("1000.00"), ge=0, decimal_places=2)
    # Each *_CREDIT_LIMIT is the most that role credits one account in total within these days.
    credit_limit_window_days: int = Field(default=30, ge=1, le=366)
    # Desk login throttling, shared by every back-end process through the database.
    desk_login_max_failures_per_user: int = Field(default=5, ge=1)
    desk_login_max_failures_per_address: int = Field(default=20, ge=1)
    desk_login_window_minutes: int = Field(default=15, ge=1)
    # Proxies (addresses or networks, comma or space separated) whose X-Forwarded-For names the
    # client, e.g. "127.0.0.1 10.0.0.0/8"; none by default: the peer address is the client.
    trusted_proxies: str = ""
    # Scale-out (make run-cluster): Redis shares the desk's live events between back-end processes
    # and takes turns for the queue updater; RabbitMQ carries Rasa's events to the desk (Rasa's
    # `pika` broker, queue RABBITMQ_QUEUE). Unset: one process, events posted over HTTP.
    desk_redis_url: str | None = None  # e.g. redis://127.0.0.1:6379/2
    rabbitmq_url: str | None = None  # e.g. amqp://guest:guest@127.0.0.1:5672/
    rabbitmq_queue: str = Field(default="billing_desk_events", min_length=1, max_length=255)
    rabbitmq_exchange: str = Field(default="rasa-exchange", min_length=1, max_length=255)
    # How long the desk's retention figures (/desk/retention, /desk/api/analytics/*) are served
    # from one computation before the next request computes them again; 0 keeps none
    # (bot/analytics/cache.py). Per back-end process.
    analytics_cache_seconds: int = Field(default=300, ge=0)
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @model_validator(mode="after")
    def _production_secrets_are_strong(self) -> Self:
        # First, so that every weak secret is named at once.
        if self.app_env != "production":
            return self
        problems = [
            f"{name.upper()} {problem}"
            for name in SECRET_FIELDS
            if (problem := secret_problem(getattr(self, name))) is not None
        ]
        if problems:
            raise PydanticCustomError(
                "insecure_secret",
                "APP_ENV=production refuses to start: {problems} "
                "(set each to a random value of at least {length} characters)",
                {"problems": "; ".join(problems), "length": MIN_PRODUCTION_SECRET_LENGTH},
            )
        return self

    @model_validator(mode="after")
    def _token_required_outside_development(self) -> Self:
        if self.backend_service_token is None and self.app_env != "development":
            raise ValueError(
                f"BACKEND_SERVICE_TOKEN must be set when APP_ENV={self.app_env} "
                "(only development has a default token)"
            )
        return self

    @model_validator(mode="after")
    def _step_up_secret_required_outside_development(self) -> Self:
        if self.step_up_secret is None and self.app_env != "development":
            raise ValueError(
                f"STEP_UP_SECRET (at least 16 characters) must be set when APP_ENV={self.app_env} "
                "(only development has a default)"
            )
        return self

    @model_validator(mode="after")
    def _trusted_proxies_parse(self) -> Self:
        try:
            self.trusted_proxy_networks  # noqa: B018 - parsed for its error
        except ValueError as error:
            raise ValueError(f"TRUSTED_PROXIES: {error}") from None
        return self

    @property
    def rasa_api_token(self) -> str | None:
        """Rasa's `--auth-token`; the development default only when APP_ENV=development.

        Production requires it; unset in test, every desk call to Rasa fails as RasaUnavailable.
        """
        if self.rasa_token is None and self.app_env == "development":
            return DEV_RASA_TOKEN
        return self.rasa_token

    @property
    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """TRUSTED_PROXIES parsed (ValueError names a bad entry)."""
        items = self.trusted_proxies.replace(",", " ").split()
        return tuple(ip_network(item, strict=False) for item in items)

    @property
    def desk_secure_cookie(self) -> bool:
        """Whether desk cookies carry `Secure` (by default only in production, behind HTTPS)."""
        if self.desk_cookie_secure is None:
            return self.app_env == "production"
        return self.desk_cookie_secure

    @property
    def service_token(self) -> str:
        """The bearer token clients must present (the development default when unset)."""
        return self.backend_service_token or DEV_SERVICE_TOKEN

    @property
    def code_secret(self) -> bytes:
        """The HMAC key for one-time codes and channel ids (the development default when unset)."""
        return (self.step_up_secret or DEV_STEP_UP_SECRET).encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment; `get_settings.cache_clear()` re-reads them."""
    return Settings()
