"""The desk's pages: HTML templates filled with escaped values, and the static files beside them.

Templates are `string.Template` files (`$name` placeholders) under `templates/`; every value is
HTML-escaped here, so a name or an error can never become markup. Pieces of markup the pages
need (an error box, the supervisor link) are built here from escaped parts. The pages' scripts
build the rest of the DOM with text nodes only. No build step, nothing fetched from elsewhere.
"""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path
from string import Template
from typing import Final

WEB_DIR: Final = Path(__file__).parent
STATIC_DIR: Final = WEB_DIR / "static"
TEMPLATES_DIR: Final = WEB_DIR / "templates"
WRONG_CREDENTIALS: Final = "Wrong username or password."
FORM_EXPIRED: Final = "The sign-in form expired. Please try again."
CHART_BUNDLE_URL: Final = "/desk/vendor/chart.umd.min.js"  # Chart.js, served from our origin


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES_DIR / name).read_text(encoding="utf-8"))


def _render(name: str, markup: dict[str, str], text: dict[str, str]) -> str:
    """Fill `name`: `markup` values are trusted fragments built here, `text` values are escaped."""
    values = {key: escape(value, quote=True) for key, value in text.items()}
    return _template(name).substitute(values | markup)


def login_page(csrf_token: str, error: str | None = None, username: str = "") -> str:
    box = "" if error is None else f'<p class="form-error" role="alert">{escape(error)}</p>'
    return _render("login.html", {"error": box}, {"csrf_token": csrf_token, "username": username})


# The top bar's middle: the desk's duty switch, or the way back and the supervisors' pages.
DUTY_SWITCH: Final = """    <label class="duty" for="duty-toggle">
      <input type="checkbox" id="duty-toggle" data-testid="duty-toggle">
      <span id="duty-label">Off duty</span>
    </label>"""
SUPERVISOR_LINKS: Final = (
    '    <a href="/desk/supervisor" id="supervisor-link">Figures</a>'
    ' <a href="/desk/service" id="service-link">Service</a>'
    ' <a href="/desk/retention" id="retention-link">Retention</a>'
)
FIGURES_NAV: Final = """    <a href="/desk" id="back-to-desk">Back to the desk</a>
    <nav class="figures-nav" aria-label="Figures">
      <a href="/desk/supervisor" id="nav-supervisor">Desk figures</a>
      <a href="/desk/service" id="nav-service">Service</a>
      <a href="/desk/retention" id="nav-retention">Retention</a>
    </nav>"""


def _page(
    title: str,
    topbar: str,
    body: str,
    scripts: tuple[str, ...],
    display_name: str,
    csrf_token: str,
) -> str:
    """A signed-in page: `layout.html` (head, top bar with `topbar` in its middle, notice) around
    the template `body`, loading the desk's own `scripts` (paths on our origin) in order."""
    tags = "\n".join(
        f'  <script src="{escape(src, quote=True)}" defer></script>' for src in scripts
    )
    main = _template(body).template  # static markup, no placeholders
    return _render(
        "layout.html",
        {"scripts": tags, "topbar": topbar, "main": main},
        {"title": title, "display_name": display_name, "csrf_token": csrf_token},
    )


def desk_page(display_name: str, csrf_token: str, is_supervisor: bool) -> str:
    topbar = DUTY_SWITCH + ("\n" + SUPERVISOR_LINKS if is_supervisor else "")
    scripts = ("/desk/static/common.js", "/desk/static/account.js", "/desk/static/desk.js")
    return _page("Billing support desk", topbar, "desk.html", scripts, display_name, csrf_token)


def _figures_page(
    title: str, body: str, scripts: tuple[str, ...], display_name: str, csrf_token: str
) -> str:
    """A supervisors' page: the layout with the way back to the desk and the figures' pages."""
    full_title = f"{title} - Billing support desk"
    return _page(full_title, FIGURES_NAV, body, scripts, display_name, csrf_token)


def supervisor_page(display_name: str, csrf_token: str) -> str:
    scripts = ("/desk/static/common.js", "/desk/static/supervisor.js")
    return _figures_page("Supervisor", "supervisor.html", scripts, display_name, csrf_token)


def service_page(display_name: str, csrf_token: str) -> str:
    scripts = (CHART_BUNDLE_URL, "/desk/static/common.js", "/desk/static/service.js")
    return _figures_page("Service", "service.html", scripts, display_name, csrf_token)


def retention_page(display_name: str, csrf_token: str) -> str:
    scripts = (
        CHART_BUNDLE_URL,
        "/desk/static/common.js",
        "/desk/static/retention-charts.js",
        "/desk/static/retention.js",
    )
    return _figures_page("Retention", "retention.html", scripts, display_name, csrf_token)


def message_page(title: str, text: str, link: str, link_text: str) -> str:
    """A short page saying why something did not happen, with one way on."""
    return _render(
        "message.html",
        {},
        {"title": title, "text": text, "link": link, "link_text": link_text},
    )
