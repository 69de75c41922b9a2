"""Every key in every language with the same placeholders; plurals by the catalogue's rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from i18n import catalogue
from i18n.catalogue import check_catalogues, translator

DOMAINS_PRESENT = [
    domain
    for domain in catalogue.DOMAINS
    if catalogue.catalogue_path(domain, "en").exists()
    or catalogue.catalogue_path(domain, "sl").exists()
]


@pytest.mark.parametrize("domain", DOMAINS_PRESENT)
def test_every_key_in_every_language_with_the_same_placeholders(domain: str) -> None:
    problems = check_catalogues(domain)
    assert not problems, "\n".join(str(problem) for problem in problems)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 dan"),
        (2, "2 dneva"),
        (3, "3 dni"),
        (4, "4 dni"),
        (5, "5 dni"),
        (101, "101 dan"),
        (102, "102 dneva"),
        (0, "0 dni"),
    ],
)
def test_slovenian_plural_forms_come_from_the_catalogue(count: int, expected: str) -> None:
    assert translator("bot", "sl").plural("unit.days", count) == expected


def test_english_plural_forms() -> None:
    assert translator("bot", "en").plural("unit.days", 1) == "1 day"
    assert translator("bot", "en").plural("unit.days", 5) == "5 days"


def test_an_unknown_language_reads_english() -> None:
    assert translator("bot", "de").language == "en"
    assert translator("bot", None).language == "en"


def test_a_key_in_no_catalogue_is_a_typed_error() -> None:
    with pytest.raises(catalogue.MissingMessage):
        translator("bot", "sl").text("no.such.key")


@pytest.fixture
def broken_locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(catalogue.LOCALES_DIR, tmp_path / "locales")
    monkeypatch.setattr(catalogue, "LOCALES_DIR", tmp_path / "locales")
    return tmp_path / "locales"


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_check_finds_a_key_missing_in_slovenian(broken_locales: Path) -> None:
    _append(broken_locales / "en/LC_MESSAGES/bot.po", '\nmsgid "only.english"\nmsgstr "Hi"\n')
    problems = [str(p) for p in check_catalogues("bot")]
    assert problems == ["bot/sl: only.english: missing or untranslated"]


def test_the_check_finds_a_placeholder_that_differs(broken_locales: Path) -> None:
    _append(broken_locales / "en/LC_MESSAGES/bot.po", '\nmsgid "x.due"\nmsgstr "{amount} due"\n')
    _append(
        broken_locales / "sl/LC_MESSAGES/bot.po", '\nmsgid "x.due"\nmsgstr "{znesek} dolgujete"\n'
    )
    problems = [str(p) for p in check_catalogues("bot")]
    assert problems == ["bot/sl: x.due: placeholders ['znesek'] != ['amount']"]


def test_the_check_finds_a_wrong_number_of_plural_forms(broken_locales: Path) -> None:
    _append(
        broken_locales / "sl/LC_MESSAGES/bot.po",
        '\nmsgid "x.n"\nmsgid_plural "x.n"\nmsgstr[0] "{count} a"\nmsgstr[1] "{count} b"\n',
    )
    _append(
        broken_locales / "en/LC_MESSAGES/bot.po",
        '\nmsgid "x.n"\nmsgid_plural "x.n"\nmsgstr[0] "{count} a"\nmsgstr[1] "{count} b"\n',
    )
    # Babel pads the two missing Slovenian forms with empty texts: the key is untranslated.
    assert [str(p) for p in check_catalogues("bot")] == ["bot/sl: x.n: missing or untranslated"]
