"""The public website chat page and the vendored widget it loads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.settings import Settings


def website(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, api_settings: Settings) -> Settings:
    bundle = tmp_path / "webchat.js"
    bundle.write_text("window.WebChat = {default: function () {}};")
    return api_settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path / 'site.db'}",
            "rasa_public_url": "http://chat.example.test:5005",
            "webchat_bundle_path": str(bundle),
        }
    )


def widget_options(html: str) -> dict[str, object]:
    match = re.search(r'<script id="chat-options" type="application/json">(.*?)</script>', html)
    assert match, "the page configures the widget"
    return dict(json.loads(match.group(1)))


def test_the_page_loads_the_vendored_widget_pointed_at_rasa(settings: Settings) -> None:
    for client in website(settings):
        page = client.get("/")
        assert page.status_code == 200
        assert '<script src="/chat/webchat.js"></script>' in page.text
        assert '<script src="/chat/start.js"></script>' in page.text
        options = widget_options(page.text)
        assert options["socketUrl"] == "http://chat.example.test:5005"
        assert options["initPayload"] == "/greet"  # a string: null crashes the widget
        assert options["params"] == {"storage": "local"}  # survives a reload
        start = client.get("/chat/start.js")
        assert start.headers["content-type"].startswith("text/javascript")
        assert "customMessageDelay" in start.text  # the typing delay is turned down
        assert "cdn" not in page.text.lower()  # nothing is fetched from elsewhere
        bundle = client.get("/chat/webchat.js")
        assert bundle.status_code == 200
        assert bundle.headers["content-type"].startswith("text/javascript")
        assert "WebChat" in bundle.text


def test_no_token_is_needed_for_the_public_page(settings: Settings) -> None:
    for client in website(settings):
        assert "Authorization" not in client.headers
        assert client.get("/").status_code == 200


def test_a_missing_bundle_is_a_clear_503(settings: Settings, tmp_path: Path) -> None:
    missing = settings.model_copy(update={"webchat_bundle_path": str(tmp_path / "nope.js")})
    for client in website(missing):
        response = client.get("/chat/webchat.js")
        assert response.status_code == 503
        assert "make setup" in response.text


def test_the_real_vendored_bundle_is_the_standalone_widget(api_settings: Settings) -> None:
    """`make setup` vendors rasa-webchat 1.0.1's UMD bundle, which defines window.WebChat."""
    bundle = (
        Path(__file__).resolve().parents[2]
        / Settings.model_fields["webchat_bundle_path"].get_default()
    )
    if not bundle.is_file():
        pytest.fail("the widget is not vendored: run `make setup`")
    head = bundle.read_text(encoding="utf-8", errors="replace")[:400]
    assert "WebChat" in head


def test_the_page_has_no_inline_script_or_style(settings: Settings) -> None:
    for client in website(settings):
        html = client.get("/").text
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        assert len(scripts) == 3
        for attributes, body in scripts:
            assert ' src="/chat/' in attributes or (
                'type="application/json"' in attributes and json.loads(body)
            )
        assert "<style" not in html
        assert " style=" not in html
        assert re.findall(r'(?:src|href)="([^"]+)"', html) == [
            "data:,",  # the empty icon: no request for /favicon.ico
            "/chat/page.css",
            "/sl/",  # the language switch
            "/chat/webchat.js",
            "/chat/start.js",
        ]
        css = client.get("/chat/page.css")
        assert css.headers["content-type"].startswith("text/css")
        assert "system-ui" in css.text
        assert "http" not in css.text
        assert client.get("/chat/nothing.js").status_code == 404


def test_nothing_in_the_options_can_close_the_data_block(settings: Settings) -> None:
    odd = settings.model_copy(update={"rasa_public_url": "http://x.test:5005/</script><b>"})
    for client in website(odd):
        html = client.get("/").text
        assert "</script><b>" not in html
        assert widget_options(html)["socketUrl"] == "http://x.test:5005/</script><b>"


def test_the_widget_is_served_without_its_third_party_font(
    settings: Settings, tmp_path: Path
) -> None:
    bundle = tmp_path / "font.js"
    bundle.write_text(
        'x.push([e.i,"@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700'
        '&display=swap);",""]),x.push([e.i,".rw-header{color:red}",""]);window.WebChat={};'
    )
    for client in website(settings.model_copy(update={"webchat_bundle_path": str(bundle)})):
        served = client.get("/chat/webchat.js").text
        assert (
            served
            == 'x.push([e.i,"",""]),x.push([e.i,".rw-header{color:red}",""]);window.WebChat={};'
        )


def test_the_real_bundle_imports_nothing_from_elsewhere(api_settings: Settings) -> None:
    for client in website(api_settings):
        served = client.get("/chat/webchat.js")
        assert served.status_code == 200, "the widget is not vendored: run `make setup`"
        assert "fonts.googleapis.com" not in served.text
        assert "@import" not in served.text
