"""/desk/api/service/figures(.csv): supervisors only; JSON and CSV of the same figures."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.core.language import Language
from bot.service.models import SurveyAnswer
from tests.bot.api_helpers import expect_error
from tests.bot.conftest import NOW
from tests.bot.desk_web.helpers import log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine


def test_service_figures_are_for_supervisors_in_json_and_csv(
    desk_client: TestClient, seeded_db: Engine
) -> None:
    with Session(seeded_db) as session:
        session.add(
            SurveyAnswer(
                conversation_id="w",
                channel="socketio",
                language=Language.EN,
                rating=4,
                answered_at=NOW,
            )
        )
        session.commit()
    expect_error(desk_client.get("/desk/api/service/figures"), 401, "not_logged_in")
    log_in(desk_client, "maria")
    expect_error(desk_client.get("/desk/api/service/figures"), 403, "forbidden")
    expect_error(desk_client.get("/desk/api/service/figures.csv"), 403, "forbidden")

    log_in(desk_client, "sara")
    figures = desk_client.get("/desk/api/service/figures?days=7")
    exported = desk_client.get("/desk/api/service/figures.csv?days=7")

    assert figures.status_code == 200, figures.text
    body = figures.json()
    assert body["satisfaction"]["answers"] == 1
    assert body["satisfaction"]["mean"] == 4.0
    assert len(body["daily"]) == 7
    assert body["daily"][-1]["date"] == NOW.date().isoformat()
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["date"] for row in rows] == [day["date"] for day in body["daily"]]
    assert rows[-1]["satisfaction_mean"] == "4.0"
    for bad in ("0", "367", "x"):
        expect_error(
            desk_client.get(f"/desk/api/service/figures?days={bad}"), 422, "invalid_request"
        )
