"""The desk's retention analytics JSON (supervisors only) on the seeded database, whose 30
generated customers all fall in the seed's too-small `pilot` segment."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

from bot.seed.outcomes import SMALL
from tests.bot.desk_web.helpers import CACHE_FIELDS, log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

EFFECT_KEYS = {
    "offer_code", "segment", "horizon_days", "offered", "holdout", "difference", "ci_low",
    "ci_high", "p_value", "number_needed_to_treat", "cost_per_retained_cents", "verdict",
    "verdict_text", "needed_holdout", "needed_offered",
}  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        "/desk/api/analytics/experiments",
        "/desk/api/analytics/survival?offer_code=loyalty",
        "/desk/api/analytics/practices",
        "/desk/api/analytics/uplift",
    ],
)
def test_nobody_and_agents_are_refused(desk_client: TestClient, path: str) -> None:
    assert desk_client.get(path).status_code == 401
    log_in(desk_client, "maria")  # an agent
    answer = desk_client.get(path)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_experiments_for_a_supervisor(desk_client: TestClient) -> None:
    log_in(desk_client, "sara")
    answer = desk_client.get("/desk/api/analytics/experiments?horizon=180")
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["horizon_days"] == 180
    assert data["holdout_share"] == 0.1
    assert {(e["offer_code"], e["segment"]) for e in data["effects"]} == {
        (SMALL.offer_code, "all"),
        (SMALL.offer_code, SMALL.segment),
    }
    for effect in data["effects"]:
        assert set(effect) == EFFECT_KEYS
        assert effect["verdict"] == "not_enough_data"
        assert set(effect["offered"]) == {"n", "retained", "rate"}
        assert effect["offered"]["n"] + effect["holdout"]["n"] == 30
    assert desk_client.get("/desk/api/analytics/experiments?horizon=0").status_code == 422


def test_survival_for_a_supervisor(desk_client: TestClient) -> None:
    log_in(desk_client, "sara")
    answer = desk_client.get(f"/desk/api/analytics/survival?offer_code={SMALL.offer_code}")
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert set(data) == {"offer_code", "segment", "arms", "cox", *CACHE_FIELDS}
    arms = {arm["arm"]: arm for arm in data["arms"]}
    assert sum(arm["n"] for arm in arms.values()) == 30
    offered = arms["offered"]["curve"]
    assert offered[0] == {"day": 0, "survival": 1.0, "ci_low": 1.0, "ci_high": 1.0}
    assert all(a["survival"] >= b["survival"] for a, b in itertools.pairwise(offered))
    unknown = desk_client.get("/desk/api/analytics/survival?offer_code=<script>").json()
    assert {key: unknown[key] for key in ("offer_code", "segment", "arms", "cox")} == {
        "offer_code": "<script>",
        "segment": "all",
        "arms": [],
        "cox": None,
    }
    assert desk_client.get("/desk/api/analytics/survival").status_code == 422
