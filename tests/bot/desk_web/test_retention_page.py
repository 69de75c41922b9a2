"""The Retention page and its exports (supervisors only) on the seeded database, whose 30
generated customers all fall in the seed's too-small `pilot` segment of the `loyalty` offer."""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

import pytest

from bot.seed.outcomes import SMALL
from tests.bot.desk_web.helpers import CACHE_FIELDS, figures, log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

FIGURES_PAGES = ("/desk/supervisor", "/desk/service", "/desk/retention")
EXPORTS = ("/desk/api/analytics/report", "/desk/api/analytics/experiments.csv")
SECTIONS = {
    "generated_at", "horizon_days", "holdout_share", "decisions",
    "experiments", "survival", "practices", "uplift",
}  # fmt: skip


def test_the_page_is_for_supervisors_only(desk_client: TestClient) -> None:
    answer = desk_client.get("/desk/retention", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/desk/login"
    for path in EXPORTS:
        assert desk_client.get(path).status_code == 401

    log_in(desk_client, "maria")  # an agent
    assert desk_client.get("/desk/retention").status_code == 403
    assert 'id="retention-link"' not in desk_client.get("/desk").text
    for path in EXPORTS:
        answer = desk_client.get(path)
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "forbidden"


def test_a_supervisor_gets_the_page_with_its_charts_and_exports(desk_client: TestClient) -> None:
    log_in(desk_client, "sara")
    assert 'href="/desk/retention" id="retention-link"' in desk_client.get("/desk").text

    page = desk_client.get("/desk/retention")

    assert page.status_code == 200
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts == [
        "/desk/vendor/chart.umd.min.js",
        "/desk/static/common.js",
        "/desk/static/retention-charts.js",
        "/desk/static/retention.js",
    ]
    for canvas in ("retention-effects", "retention-survival", "retention-qini"):
        assert f'<canvas id="{canvas}"' in page.text
    assert "Association, not cause" in page.text
    assert 'href="/desk/api/analytics/report?horizon=90"' in page.text
    assert 'href="/desk/api/analytics/experiments.csv?horizon=90"' in page.text
    assert '<button type="button" id="retention-refresh"' in page.text
    for option in ("30", "90", "180"):
        assert f'<option value="{option}"' in page.text
    for script in scripts[1:]:
        assert desk_client.get(script).status_code == 200


def test_the_desk_and_the_figures_pages_share_one_layout(desk_client: TestClient) -> None:
    log_in(desk_client, "sara")
    for path in ("/desk", *FIGURES_PAGES):
        page = desk_client.get(path).text
        assert page.count("<header") == 1
        assert page.count('<link rel="stylesheet" href="/desk/static/desk.css">') == 1
        assert page.count('id="notice"') == 1
        assert page.count('id="logout"') == 1
        assert '<span class="who" id="agent-name">Sara Horvat</span>' in page
        assert "$" not in page  # every placeholder filled
    desk = desk_client.get("/desk").text
    assert 'id="duty-toggle"' in desk
    assert '<div class="layout">' in desk
    assert "<title>Billing support desk</title>" in desk
    for path in FIGURES_PAGES:
        page = desk_client.get(path).text
        assert page.count('<main class="supervisor') == 1
        for link in ("/desk/supervisor", "/desk/service", "/desk/retention"):
            assert f'<a href="{link}"' in page, (path, link)
        assert re.search(r"<title>\w+ - Billing support desk</title>", page)


@pytest.mark.parametrize("horizon", [30, 90, 180])
def test_the_json_export_is_the_apis_figures(desk_client: TestClient, horizon: int) -> None:
    log_in(desk_client, "sara")

    report = desk_client.get(f"/desk/api/analytics/report?horizon={horizon}").json()

    assert set(report) == SECTIONS | CACHE_FIELDS
    assert report["horizon_days"] == horizon
    assert report["decisions"] == 30
    experiments = desk_client.get(f"/desk/api/analytics/experiments?horizon={horizon}").json()
    assert report["experiments"] == experiments["effects"]
    assert report["holdout_share"] == experiments["holdout_share"]
    pairs = [(curve["offer_code"], curve["segment"]) for curve in report["survival"]]
    assert pairs == [(SMALL.offer_code, "all"), (SMALL.offer_code, SMALL.segment)]
    for curve in report["survival"]:
        query = f"offer_code={curve['offer_code']}&segment={curve['segment']}"
        assert curve == figures(desk_client.get(f"/desk/api/analytics/survival?{query}").json())
    practices = desk_client.get(f"/desk/api/analytics/practices?horizon={horizon}").json()
    assert report["practices"] == figures(practices)
    assert "association, not proven cause" in report["practices"]["caveat"]
    assert report["uplift"] == figures(
        desk_client.get(f"/desk/api/analytics/uplift?horizon={horizon}").json()
    )


def test_the_csv_export_has_a_row_per_offer_and_segment(desk_client: TestClient) -> None:
    log_in(desk_client, "sara")

    answer = desk_client.get("/desk/api/analytics/experiments.csv?horizon=180")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "retention-180-days.csv" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    effects = desk_client.get("/desk/api/analytics/experiments?horizon=180").json()["effects"]
    assert [(row["offer_code"], row["segment"]) for row in rows] == [
        (effect["offer_code"], effect["segment"]) for effect in effects
    ]
    for row, effect in zip(rows, effects, strict=True):
        assert int(row["offered_n"]) == effect["offered"]["n"]
        assert int(row["holdout_retained"]) == effect["holdout"]["retained"]
        assert row["verdict"] == effect["verdict"] == "not_enough_data"
        assert row["verdict_text"] == effect["verdict_text"]
        difference = effect["difference"]
        assert row["difference"] == ("" if difference is None else str(difference))
    assert desk_client.get("/desk/api/analytics/experiments.csv?horizon=0").status_code == 422
