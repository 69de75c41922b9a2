"""Helpers shared by the HTTP API tests."""

from __future__ import annotations

from typing import Any


def expect_error(response: Any, status: int, code: str) -> str:
    """Assert the answer is the JSON error `code` with `status`; return its message."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    return str(error["message"])
