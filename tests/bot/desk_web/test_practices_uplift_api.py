"""The desk's practices and uplift JSON (supervisors only) on the seeded database: 30 generated
customers, all in the seed's too-small `pilot` segment, so every answer is "not enough data"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.analytics.practices import CAVEAT
from tests.bot.desk_web.helpers import log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def test_practices_for_a_supervisor(desk_client: TestClient) -> None:
    log_in(desk_client, "sara")
    answer = desk_client.get("/desk/api/analytics/practices?horizon=90")
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["horizon_days"] == 90
    assert data["caveat"] == CAVEAT
    practices = {p["practice"]: p for p in data["practices"]}
    assert set(practices) == {
        "long_wait",
        "first_contact_resolution",
        "review_credit",
        "arrangement",
    }
    for practice in practices.values():
        assert practice["verdict"] == "not_enough_data"
        assert "association, not proven cause" in practice["verdict_text"]
        assert practice["exposed_n"] + practice["unexposed_n"] <= 30
    assert desk_client.get("/desk/api/analytics/practices?horizon=0").status_code == 422


def test_uplift_for_a_supervisor(desk_client: TestClient) -> None:
    log_in(desk_client, "sara")
    answer = desk_client.get("/desk/api/analytics/uplift")
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["horizon_days"] == 90
    assert data["n"] == 30
    assert [(r["offer_code"], r["segment"], r["decision"]) for r in data["recommendations"]] == [
        ("loyalty", "pilot", "not_enough_data")
    ]
    curve = data["qini_curve"]
    assert curve[0] == {"share_targeted": 0.0, "incremental_retained": 0.0}
    assert curve[-1]["share_targeted"] == 1.0
    assert len(data["random_line"]) == len(curve)
