"""The chat page in Slovenian at /sl/ and in English at /: page text, widget and language switch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.core.language import Language
from bot.core.texts import Texts
from bot.settings import Settings
from tests.bot.test_website import widget_options

SWITCH = r'<a href="([^"]+)"[^>]*data-testid="language-switch">([^<]+)</a>'


@pytest.fixture
def site(tmp_path: Path, api_settings: Settings) -> Iterator[TestClient]:
    bundle = tmp_path / "webchat.js"
    bundle.write_text("window.WebChat = {default: function () {}};")
    settings = api_settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path / 'site.db'}",
            "rasa_public_url": "http://chat.example.test:5005",
            "webchat_bundle_path": str(bundle),
        }
    )
    app = create_app(settings)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_the_slovenian_page_is_in_slovenian(site: TestClient) -> None:
    page = site.get("/sl/")
    assert page.status_code == 200
    assert '<html lang="sl">' in page.text
    assert "<title>Pomoč pri računih</title>" in page.text
    assert "Imate vprašanje o računu?" in page.text
    assert "Številke kartice nikoli ne vpisujte v klepet" in page.text
    assert "Questions about your bill" not in page.text
    options = widget_options(page.text)
    assert options["title"] == "Pomoč pri računih"
    assert options["inputTextFieldHint"] == "Vpišite svoje vprašanje …"
    assert options["customData"] == {"page": "sl", "language": "sl"}
    assert options["socketUrl"] == "http://chat.example.test:5005"
    assert options["initPayload"] == "/greet"
    switch = re.search(SWITCH, page.text)
    assert switch is not None
    assert switch.groups() == ("/", "English")


def test_the_english_page_leaves_the_language_to_detection(site: TestClient) -> None:
    page = site.get("/")
    assert '<html lang="en">' in page.text
    assert "Questions about your bill?" in page.text
    options = widget_options(page.text)
    # The page everyone lands on names no language: the bot detects it from the first message.
    assert options["customData"] == {"page": "en"}
    assert options["title"] == "Billing support"
    assert options["inputTextFieldHint"] == "Type your question…"
    switch = re.search(SWITCH, page.text)
    assert switch is not None
    assert switch.groups() == ("/sl/", "Slovenščina")


def test_both_pages_keep_the_security_headers(site: TestClient) -> None:
    english, slovenian = site.get("/"), site.get("/sl/")
    for name in ("content-security-policy", "x-content-type-options", "referrer-policy"):
        assert slovenian.headers.get(name), name
        assert slovenian.headers[name] == english.headers[name]
    assert "script-src 'self'" in slovenian.headers["content-security-policy"]


def test_without_the_slash_the_slovenian_page_redirects(site: TestClient) -> None:
    answer = site.get("/sl", follow_redirects=False)
    assert answer.status_code == 308
    assert answer.headers["location"] == "/sl/"


def test_page_text_is_escaped(monkeypatch: pytest.MonkeyPatch, site: TestClient) -> None:
    """A catalogue text with markup is shown as text, never as markup or a closed script."""
    original = Texts.__call__

    def hostile(self: Texts, key: str, /, **values: object) -> str:
        if key in ("page.intro", "widget.title"):
            return "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
        return original(self, key, **values)

    monkeypatch.setattr(Texts, "__call__", hostile)
    html = site.get("/sl/").text
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<script") == 3  # the data block, the widget, the start script
    assert widget_options(html)["title"].startswith("<img")  # type: ignore[union-attr]


def test_page_texts_exist_in_both_languages() -> None:
    for language in Language:
        texts = Texts(language)
        for key in ("page.title", "widget.title", "widget.placeholder", "page.language_switch"):
            assert texts.has(key), (language, key)
