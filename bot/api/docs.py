"""The API description (`/openapi.json`) and its pages (`/docs`, `/redoc`): token in production.

In development they stay open, for convenience. In production the description tells an attacker
every route and field, so all three need `Authorization: Bearer $BACKEND_SERVICE_TOKEN`, like the
API itself; the two pages then work only for a client that sends the token on every request.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from bot.api.deps import require_service_token

OPENAPI_URL = "/openapi.json"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"


def docs_are_open(app_env: str) -> bool:
    """Whether FastAPI's own unauthenticated docs routes are served."""
    return app_env != "production"


def add_protected_docs(app: FastAPI) -> None:
    """The three docs routes, each requiring the service token (for `openapi_url=None` apps)."""
    guard = [Depends(require_service_token)]

    @app.get(OPENAPI_URL, include_in_schema=False, dependencies=guard)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get(DOCS_URL, include_in_schema=False, dependencies=guard)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=OPENAPI_URL, title=f"{app.title} - Swagger UI")

    @app.get(REDOC_URL, include_in_schema=False, dependencies=guard)
    def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=OPENAPI_URL, title=f"{app.title} - ReDoc")
