"""The back end's import boundaries, read from the source with `ast` (Rasa's test_shared.py).

bot/ never reaches into the Rasa runtime; `bot.core` imports no capability (as `rasa.shared`
imports neither `rasa.core` nor `rasa.nlu`); the ground floor (settings, db, logging) imports no
capability either; capabilities import nothing above them (the API, the CLI, the seed, which
fills every capability's tables); no modules of bot/ import each other in a loop; privacy/ is
standard library only, so both runtimes load the same file.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

from tests.imports import ROOT, import_cycles, imports_of, is_within, python_files, violations

if TYPE_CHECKING:
    from pathlib import Path

CAPABILITIES = frozenset(
    f"bot.{name}" for name in ("billing", "safety", "review", "disputes", "commerce", "desk")
)
ABOVE_CAPABILITIES = frozenset({"bot.api", "bot.website", "bot.cli", "bot.tables", "bot.seed"})
GROUND = ("bot/settings.py", "bot/db.py", "bot/logging.py", "bot/app_settings.py")


def test_the_back_end_never_imports_the_rasa_runtime() -> None:
    assert violations(python_files("bot"), {"actions", "addons", "rasa", "rasa_sdk"}) == []


def test_the_core_imports_no_capability() -> None:
    # Everything of bot/ but the core itself: not even the settings (a core module takes values).
    forbidden = {"bot.billing", "bot.settings", "bot.db", "bot.logging", "bot.migrations"}
    assert violations(python_files("bot/core"), CAPABILITIES | ABOVE_CAPABILITIES | forbidden) == []


def test_the_ground_floor_imports_no_capability() -> None:
    files = [ROOT / path for path in GROUND]
    assert violations(files, CAPABILITIES | ABOVE_CAPABILITIES) == []


def test_capabilities_import_nothing_above_them() -> None:
    files = [path for package in CAPABILITIES for path in python_files(package.replace(".", "/"))]
    assert violations(files, ABOVE_CAPABILITIES) == []


def test_the_website_does_not_import_the_api() -> None:
    # Both serve HTTP side by side; what they share (the settings dependency) is below them.
    assert violations(python_files("bot/website"), {"bot.api"}) == []


def test_no_import_loops_in_the_back_end() -> None:
    assert import_cycles(python_files("bot")) == []


def test_privacy_uses_the_standard_library_only() -> None:
    outside = [
        str(item)
        for path in python_files("privacy")
        for item in imports_of(path)
        if item.module.split(".")[0] not in sys.stdlib_module_names | {"__future__", "privacy"}
    ]
    assert outside == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from bot.desk.hours import parse_opening_hours\n", "bot.desk.hours"),
        ("def f():\n    import bot.review.models\n", "bot.review.models"),
        ("from .. import desk\n", "bot.desk"),
        ("import importlib\nimportlib.import_module('bot.commerce.plans')\n", "bot.commerce.plans"),
    ],
)
def test_the_reader_sees_every_form_of_import(tmp_path: Path, source: str, found: str) -> None:
    # The checks above could pass by reading nothing: this proves each form of import is read.
    probe = tmp_path / "bot" / "core" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(source, encoding="utf-8")
    modules = {item.module for item in imports_of(probe, tmp_path)}
    assert found in modules
    assert any(is_within(module, CAPABILITIES) for module in modules)


def test_a_loop_is_found(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    first, second = tmp_path / "bot" / "first.py", tmp_path / "bot" / "second.py"
    first.write_text("from bot.second import x\n", encoding="utf-8")
    second.write_text("if False:\n    from bot import first\n", encoding="utf-8")
    assert import_cycles([first, second], tmp_path) == [["bot.first", "bot.second", "bot.first"]]
