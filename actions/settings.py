"""Action-server configuration, read from the environment when first needed."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEVELOPMENT_SERVICE_TOKEN = "dev-service-token"  # noqa: S105 - development mode only


@dataclass(frozen=True)
class ClientSettings:
    backend_url: str = "http://127.0.0.1:8000"
    service_token: str = DEVELOPMENT_SERVICE_TOKEN
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 5.0
    max_connections: int = 20

    @classmethod
    def from_env(cls) -> ClientSettings:
        env = os.environ
        app_env = env.get("APP_ENV", "development")
        token = env.get("BACKEND_SERVICE_TOKEN")
        if not token:
            if app_env != "development":
                raise RuntimeError("BACKEND_SERVICE_TOKEN must be set outside development mode")
            token = DEVELOPMENT_SERVICE_TOKEN
        return cls(
            backend_url=env.get("BACKEND_URL", cls.backend_url).rstrip("/"),
            service_token=token,
            connect_timeout_s=float(env.get("BACKEND_CONNECT_TIMEOUT", cls.connect_timeout_s)),
            read_timeout_s=float(env.get("BACKEND_READ_TIMEOUT", cls.read_timeout_s)),
        )
