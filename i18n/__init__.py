"""The product's language layer: catalogues, plural rules, amounts and dates per language.

Standard library and Babel only, so the back end (.venv, through the editable install) and the
Rasa processes (.venv-rasa, started from the repository root like `privacy`) share one
implementation:

* `languages` - the supported languages (`en`, `sl`) and how a code, a locale or an
  Accept-Language header becomes one of them;
* `catalogue` - gettext catalogues (`i18n/locales/<lang>/LC_MESSAGES/<domain>.po`) read with
  Babel: `translator("bot", "sl").text("balance.due", amount="54,17 €")`, plurals by the
  catalogue's Plural-Forms (Slovenian has four), and the check that every key exists in every
  language with the same placeholders;
* `formats` - amounts ("54,17 €" / "54.17 EUR") and dates ("30. 11. 2026", "30. novembra 2026")
  per language with Babel.
"""

from i18n.catalogue import (
    CatalogueProblem,
    MissingMessage,
    Translator,
    check_catalogues,
    translator,
)
from i18n.formats import date_long, date_short, money, month_year
from i18n.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Language,
    from_accept_language,
    normalise_language,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "CatalogueProblem",
    "Language",
    "MissingMessage",
    "Translator",
    "check_catalogues",
    "date_long",
    "date_short",
    "from_accept_language",
    "money",
    "month_year",
    "normalise_language",
    "translator",
]
