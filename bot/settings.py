"""Configuration from environment variables, read through a cached `get_settings()`.

Every variable has a working default for development; secrets have one only when
`APP_ENV=development`. `.env.example` at the repository root documents them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SERVICE_TOKEN = "dev-service-token"  # noqa: S105 - the documented development-only token


class Settings(BaseSettings):
    """The back end's configuration. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    app_env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./var/billing.db"
    backend_service_token: str | None = Field(default=None, min_length=1)
    verification_max_attempts: int = Field(default=3, ge=1)
    verification_lock_minutes: int = Field(default=15, ge=1)
    verified_session_minutes: int = Field(default=60, ge=1)
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @model_validator(mode="after")
    def _token_required_outside_development(self) -> Self:
        if self.backend_service_token is None and self.app_env != "development":
            raise ValueError(
                f"BACKEND_SERVICE_TOKEN must be set when APP_ENV={self.app_env} "
                "(only development has a default token)"
            )
        return self

    @property
    def service_token(self) -> str:
        """The bearer token clients must present (the development default when unset)."""
        return self.backend_service_token or DEV_SERVICE_TOKEN


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment; `get_settings.cache_clear()` re-reads them."""
    return Settings()
