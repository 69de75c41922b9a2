"""The API bodies every capability shares: the strict `Schema` base, row ids, the error body."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict

# Every row id a client sends (path or body): ids are INTEGER columns, and PostgreSQL's
# integer stops at 2**31 - 1 (SQLite's at 2**63 - 1); beyond, the query fails with a 500.
MAX_ID: Final = 2**31 - 1
Id = Annotated[int, Ge(1), Le(MAX_ID)]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HealthOut(Schema):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorResponse(Schema):
    error: ErrorDetail
