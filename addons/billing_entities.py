"""Numbers, amounts, months and dates found by rules, not guessed by a model (a Rasa 3.6 component).

Use in config.yml after the tokenizer:

    - name: addons.billing_entities.BillingEntityExtractor

What a number is follows from how it is written, in this order, each span taken once:
1. a full date ("14.3.1985", "1985-03-14", "14 March 1985", "March 14, 1985") -> `date`, found by
   the masking module's date rule (`privacy.masking.date_spans`), so one rule says what a date is;
2. an amount: decimals or a currency ("9.99", "4,50", "€12", "12 eur", "54,17 €", "54 evrov")
   -> `amount`, value "9.99";
3. an invoice month written "2026-09" -> `month`;
4. six digits on their own -> `account_number`;
5. four digits on their own -> `postcode`;
and a month name or its usual abbreviation -> `month` ("may" only where it is the month: "in May",
"the may bill"), Slovenian too in any case or as the adjective ("novembra", "v oktobru",
"oktobrski račun" -> "October"); relative months ("last month", "prejšnji mesec") are none.
A statistical tagger confused a postcode with an account number ("9999" tagged as an account
number overwrote the slot); rules cannot. Which slot a bare number fills while a form
asks for something is decided by the slot mappings (domain.yml), not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from privacy.masking import date_spans

EXTRACTOR_NAME = "BillingEntityExtractor"

MONTHS = {
    "january": "January", "jan": "January", "february": "February", "feb": "February",
    "febuary": "February", "march": "March", "mar": "March", "april": "April", "apr": "April",
    "may": "May", "june": "June", "jun": "June", "july": "July", "jul": "July",
    "august": "August", "aug": "August", "september": "September", "sep": "September",
    "sept": "September", "setember": "September", "october": "October", "oct": "October",
    "november": "November", "nov": "November", "novemeber": "November",
    "december": "December", "dec": "December", "decemeber": "December",
}  # fmt: skip
# Slovenian month names in the cases a customer writes them ("novembra", "v oktobru", "za
# marec", "z decembrom") and the usual abbreviations, to the English name the actions read.
_SLOVENIAN_MONTHS = {
    "January": "januar januarja januarju januarjem",
    "February": "februar februarja februarju februarjem",
    "March": "marec marca marcu marcem",
    "April": "april aprila aprilu aprilom",
    "May": "maj maja maju majem",
    "June": "junij junija juniju junijem",
    "July": "julij julija juliju julijem",
    "August": "avgust avgusta avgustu avgustom avg",
    "September": "september septembra septembru septembrom",
    "October": "oktober oktobra oktobru oktobrom okt",
    "November": "november novembra novembru novembrom",
    "December": "december decembra decembru decembrom",
}
MONTHS |= {form: english for english, forms in _SLOVENIAN_MONTHS.items() for form in forms.split()}
# The adjective ("oktobrski račun", "za novembrskega", "marčevska položnica") names the month too.
_SLOVENIAN_MONTH_ADJECTIVE = re.compile(
    r"\b(?P<stem>januar|februar|mar[cč]ev|april|maj|junij|julij|avgustov|septembr|oktobr"
    r"|novembr|decembr)sk(?:i|a|o|e|ega|emu|em|im|ih|ima)\b",
    re.IGNORECASE,
)
_ADJECTIVE_MONTHS = {
    "januar": "January", "februar": "February", "marcev": "March", "marčev": "March",
    "april": "April", "maj": "May", "junij": "June", "julij": "July", "avgustov": "August",
    "septembr": "September", "oktobr": "October", "novembr": "November", "decembr": "December",
}  # fmt: skip

_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
# An invoice month as the bill shows it: 2026-09.
_YEAR_MONTH = re.compile(r"(?<![\d.,/-])20\d{2}-(?:0[1-9]|1[0-2])(?![\d-])")
# Slovenian declines the euro: 1 evro, 2 evra, 3 evri, 5 evrov (also written eur, eura, eurov).
_CURRENCY = r"(?:€|eur(?:os?|a|i|ov|ih)?\b|evr(?:o|a|i|ov|ih)\b|\$|usd\b|dollars?\b|£|gbp\b)"
_AMOUNT = re.compile(
    rf"(?:{_CURRENCY}\s*(?P<a>\d{{1,6}}(?:[.,]\d{{1,2}})?)(?![\d.,]*\d)"
    rf"|(?<![\d.,])(?P<b>\d{{1,6}}[.,]\d{{2}})(?![\d])(?!\s*[-./]\s*\d)"
    rf"|(?<![\d.,])(?P<c>\d{{1,6}})\s*{_CURRENCY})",
    re.IGNORECASE,
)
_ACCOUNT_NUMBER = re.compile(r"(?<![\d.,])\d{6}(?![\d]|[.,]\d)")
_POSTCODE = re.compile(r"(?<![\d.,])\d{4}(?![\d]|[.,]\d)")
_MONTH = re.compile(rf"\b(?:{_MONTH_WORD})\b\.?", re.IGNORECASE)
# "may" is a month only where a month fits: after a preposition or determiner, or before a year or
# a bill word; otherwise it is the verb ("may I pay later?").
_MAY_AS_MONTH = re.compile(
    r"(?:\b(?:in|for|of|from|since|until|till|to|the|my|last|this|next|early|late|mid)\s+may\b"
    r"|\bmay\b(?=\s*(?:\d{4}|'\d{2}|bill|invoice|statement|charge|payment|period|one)))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    """One entity: its type, the normalised value and the character span in the text."""

    entity: str
    value: str
    start: int
    end: int


def find_entities(text: str) -> list[Found]:
    """Every date, amount, account number, postcode and month in `text`, in text order."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(entity: str, value: str, start: int, end: int) -> None:
        found.append(Found(entity, value, start, end))
        taken.append((start, end))

    for start, end in date_spans(text):
        add("date", text[start:end], start, end)
    for match in _YEAR_MONTH.finditer(text):
        if free(match.start(), match.end()):
            add("month", match.group(0), match.start(), match.end())
    for match in _AMOUNT.finditer(text):
        if free(match.start(), match.end()):
            number = match.group("a") or match.group("b") or match.group("c")
            add("amount", _normalise_amount(number), match.start(), match.end())
    for entity, pattern in (("account_number", _ACCOUNT_NUMBER), ("postcode", _POSTCODE)):
        for match in pattern.finditer(text):
            if free(match.start(), match.end()):
                add(entity, match.group(0), match.start(), match.end())
    may_spans = [m.span() for m in _MAY_AS_MONTH.finditer(text)]
    for match in _MONTH.finditer(text):
        word = match.group(0).rstrip(".").lower()
        start, end = match.start(), match.start() + len(word)
        if word == "may" and not any(s <= start and end <= e for s, e in may_spans):
            continue
        if free(start, end):
            add("month", MONTHS[word], start, end)
    for match in _SLOVENIAN_MONTH_ADJECTIVE.finditer(text):
        if free(match.start(), match.end()):
            month = _ADJECTIVE_MONTHS[match.group("stem").lower()]
            add("month", month, match.start(), match.end())
    return sorted(found, key=lambda f: f.start)


def _normalise_amount(number: str) -> str:
    try:
        return str(Decimal(number.replace(",", ".")).quantize(Decimal("0.01")))
    except InvalidOperation:
        return number


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class BillingEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds the entities `find_entities` finds to each message."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BillingEntityExtractor:
        """The extractor has no state."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep their annotated entities."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the entities found in each message's text to those it already has."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            entities = [
                {
                    "entity": f.entity,
                    "value": f.value,
                    "start": f.start,
                    "end": f.end,
                    "confidence_entity": 1.0,
                    "extractor": EXTRACTOR_NAME,
                }
                for f in find_entities(text)
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
