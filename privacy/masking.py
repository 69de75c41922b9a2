"""Card numbers, card security codes, full dates and labelled postcodes, replaced by masks.

The one implementation of these rules for the whole product: the channels (card details, before
NLU), the tracker store and the event broker (everything a customer typed), the desk transcript
and the logs.

    mask("card 4628.1948.2199.3511")             -> "card [card number removed]"
    mask("my cvv is: 733")                       -> "my [card security code removed]"
    mask("born 14-Jul-1961, postcode is 7071")   -> "born [date removed], [postcode removed]"
    mask("account 990700, 54.17 for 2026-09")    -> unchanged (the bot needs these)

Rules, each chosen against false positives in ordinary messages:
* a card number is 13-19 digits that pass the Luhn check, written in one piece or in groups
  joined by separators (any space, tab, newline, dash, `.`, `/`, `_`); a grouped number starts
  with a group of four, as cards are printed, and its other groups have 3-6 digits (the last
  1-6), so "990700 14.03.1985" (an account number and a date) is never read as a card;
* a security code (3-4 digits) is recognised only by a label near it ("cvv is: 733",
  "the 3 digits on the back are 736", "736 is my cvc");
* a date is masked only when it is a real calendar day with a year, in any common order and
  separator, with the month as a number or a name (English or Slovenian: "14. marca 1985"); a
  bare 8-digit number only when it is a valid date (14071961, 19610714); "2026-09", "September",
  "1985" and "04/28" stay;
* a postcode is recognised only by a label ("postcode is 7071", "zip: 7071", "7071 is my zip",
  "poštna številka je 1000").

Matching runs on a folded copy of the text with the same length (Unicode digits, spaces, dashes
and full-width forms made ASCII), so offsets carry over and the original is kept around masks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date
from functools import lru_cache
from typing import Final

CARD_MASK: Final = "[card number removed]"
CARD_CODE_MASK: Final = "[card security code removed]"
DATE_MASK: Final = "[date removed]"
POSTCODE_MASK: Final = "[postcode removed]"
VERIFICATION_ANSWER_MASK: Final = "[verification answer removed]"
# While a form asks for one of these slots the customer's whole answer is a secret: the tracker
# store and the handoff transcript keep VERIFICATION_ANSWER_MASK instead (slots of domain.yml).
SECRET_ANSWER_SLOTS: Final = frozenset({"identity_check", "invoice_amount_check", "step_up_code"})
MASKS: Final = (CARD_MASK, CARD_CODE_MASK, DATE_MASK, POSTCODE_MASK, VERIFICATION_ANSWER_MASK)

_ASCII_WHITESPACE = str.maketrans("\t\n\r\x0b\x0c", "     ")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character with the same meaning in ASCII where there is one (always one character)."""
    if char.isspace() or unicodedata.category(char) == "Cf":  # no-break, thin, zero-width
        return " "
    category = unicodedata.category(char)
    if category == "Pd" or char == "\u2212":  # en and em dash, hyphens, minus sign
        return "-"
    if category == "Nd":
        return str(unicodedata.digit(char))
    folded = unicodedata.normalize("NFKC", char)  # full-width letters, digits, colon, slash
    return folded if len(folded) == 1 else char


def fold(text: str) -> str:
    """`text` with every separator, digit and letter in its plain ASCII form; same length."""
    if text.isascii():
        return text.translate(_ASCII_WHITESPACE)
    return "".join(_fold_char(char) for char in text)


def _replace(text: str, spans: Iterator[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, mask) span replaced; spans in order, not overlapping."""
    parts: list[str] = []
    position = 0
    for start, end, replacement in spans:
        parts.append(text[position:start])
        parts.append(replacement)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _mask_spans(
    text: str, finder: Callable[[str], Iterator[tuple[int, int]]], replacement: str
) -> str:
    """`text` with what `finder` finds in its folded copy replaced by `replacement`."""
    return _replace(text, ((start, end, replacement) for start, end in finder(fold(text))))


# --- card numbers -----------------------------------------------------------------------------

_SEPARATOR = r"[ ./_-]{1,3}"
_DIGIT_RUN = re.compile(rf"(?<!\d)\d+(?:{_SEPARATOR}\d+)*(?!\d)")
_GROUP = re.compile(r"\d+")


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check that card numbers carry."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_shaped(groups: list[str]) -> bool:
    if len(groups) == 1:
        return True
    *inner, last = groups[1:]
    return len(groups[0]) == 4 and all(3 <= len(g) <= 6 for g in inner) and 1 <= len(last) <= 6


def _card_spans(folded: str) -> Iterator[tuple[int, int]]:
    for run in _DIGIT_RUN.finditer(folded):
        groups = list(_GROUP.finditer(folded, run.start(), run.end()))
        first = 0
        while first < len(groups):
            end = _card_end(groups, first)
            if end is None:
                first += 1
                continue
            yield groups[first].start(), groups[end - 1].end()
            first = end


def _card_end(groups: list[re.Match[str]], first: int) -> int | None:
    """The end of the longest card number that starts at group `first`, if one does."""
    for end in range(len(groups), first, -1):
        texts = [group.group() for group in groups[first:end]]
        digits = "".join(texts)
        if len(digits) > 19:
            continue
        if len(digits) < 13:
            return None
        if _card_shaped(texts) and luhn_valid(digits):
            return end
    return None


def mask_card_numbers(text: str) -> str:
    """Card numbers (Luhn-valid, 13-19 digits, grouped as in the module docstring) masked."""
    return _mask_spans(text, _card_spans, CARD_MASK)


# --- card security codes ----------------------------------------------------------------------

_ACRONYM = r"cvv2?|cvc2?|cv2|cvn|csc|cid"
_CODE_LABEL = (
    rf"(?:card\s+)?(?:{_ACRONYM})\b"
    r"|(?:card\s+)?security\s+code|card\s+verification\s+(?:code|value|number)"
    r"|(?:the\s+)?(?:(?:3|4|three|four)[\s-]*)?(?:digits?|code|number)"
    r"(?:\s+(?:code|number))?\s+(?:on|at|from)\s+(?:the\s+)?back(?:\s+of\s+(?:my|the)\s+card)?"
    r"|(?:the\s+)?back\s+of\s+(?:my|the)\s+card"
)
_FILLER = r"(?:[\s:=#'\"(),.-]+|(?:is|are|was|were|says|reads|code|number|no|num)\b){0,6}"
_LABELLED_CODE = re.compile(rf"(?<![a-z])(?:{_CODE_LABEL}){_FILLER}(?<!\d)\d{{3,4}}(?!\d)", re.I)
_CODE_THEN_LABEL = re.compile(
    rf"(?<![\d.,])\d{{3,4}}\s*(?:\(\s*(?:{_ACRONYM})\s*\)|(?:is\s+)?(?:(?:my|the)\s+)?"
    rf"(?:card'?s?\s+)?(?:{_ACRONYM}|security\s+code)\b)",
    re.I,
)


def _code_spans(folded: str) -> Iterator[tuple[int, int]]:
    found = [m.span() for m in _LABELLED_CODE.finditer(folded)]
    found += [m.span() for m in _CODE_THEN_LABEL.finditer(folded)]
    yield from _merged(found)


def _merged(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Overlapping spans merged into one, in order."""
    current: tuple[int, int] | None = None
    for start, end in sorted(spans):
        if current is not None and start < current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            yield current
        current = (start, end)
    if current is not None:
        yield current


def mask_security_codes(text: str) -> str:
    """Labelled card security codes masked, label included ("cvv is: 733")."""
    return _mask_spans(text, _code_spans, CARD_CODE_MASK)


def mask_card_details(text: str) -> str:
    """Card numbers and security codes masked: what the channels do before NLU sees a message."""
    return mask_security_codes(mask_card_numbers(text))


# --- dates ------------------------------------------------------------------------------------

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
} | {
    # Slovenian, as dates are written ("14. marec 1985", "14. marca 1985"): the nominative, the
    # genitive of a date, and the usual abbreviations that differ from the English ones.
    name: number
    for number, names in enumerate(
        [
            ("januar", "januarja"),
            ("februar", "februarja"),
            ("marec", "marca"),
            ("aprila",),
            ("maj", "maja"),
            ("junij", "junija"),
            ("julij", "julija"),
            ("avgust", "avgusta", "avg"),
            ("septembra",),
            ("oktober", "oktobra", "okt"),
            ("novembra",),
            ("decembra",),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_SEP = r"(?:\s*[./-]\s*|\s+)"
_TEXT_SEP = r"(?:\s*[,./-]\s*|\s+)"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?"
_YEAR_END = r"(?!\d|[.,]\d)"
_DATE_PATTERNS: Final = tuple(
    re.compile(pattern, re.I)
    for pattern in (
        # 1961-07-14, 1961/07/14, 1961.07.14, 1961 07 14
        rf"(?<![\d.,])(?P<year>\d{{4}})(?P<s1>{_SEP})(?P<month>\d{{1,2}})(?P<s2>{_SEP})"
        rf"(?P<day>\d{{1,2}}){_YEAR_END}",
        # 14.7.1961, 14/07/61, 14 07 1961, 14. 3. 1985, 3/14/1985 (month first when day > 12)
        rf"(?<![\d.,])(?P<day>\d{{1,2}})(?P<s1>{_SEP})(?P<month>\d{{1,2}})(?P<s2>{_SEP})"
        rf"(?P<year>\d{{4}}|\d{{2}}){_YEAR_END}",
        # 14071961, 19610714
        rf"(?<![\d.,])(?P<compact>\d{{8}}){_YEAR_END}",
        # 14-Jul-1961, 14 March 1985, the 2nd of November 1979, 14. March '85
        rf"(?<![\d.,])(?:the\s+)?{_DAY}{_TEXT_SEP}(?:of\s+)?{_MONTH}{_TEXT_SEP}"
        rf"(?P<year>\d{{4}}|'?\d{{2}}){_YEAR_END}",
        # March 14th, 1985; July 4 1980; Jul-14-1961; March the 14th 85
        rf"\b{_MONTH}{_TEXT_SEP}(?:the\s+)?{_DAY}{_TEXT_SEP}(?P<year>\d{{4}}|'?\d{{2}}){_YEAR_END}",
        # 1961-Jul-14, 1961 July 14th
        rf"(?<![\d.,])(?P<year>\d{{4}}){_TEXT_SEP}{_MONTH}{_TEXT_SEP}{_DAY}(?!\d)",
    )
)


def _calendar_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _year(text: str) -> int | None:
    digits = text.lstrip("'")
    if len(digits) == 2:
        return 1900 + int(digits)  # any century: only the day and month are checked with it
    value = int(digits)
    return value if 1900 <= value <= 2099 else None


def _compact_date(digits: str) -> bool:
    """DDMMYYYY, YYYYMMDD or MMDDYYYY that is a real day in 1900-2099."""
    readings = (
        (digits[4:], digits[2:4], digits[:2]),
        (digits[:4], digits[4:6], digits[6:]),
        (digits[4:], digits[:2], digits[2:4]),
    )
    return any(
        1900 <= int(year) <= 2099 and _calendar_day(int(year), int(month), int(day))
        for year, month, day in readings
    )


def _is_date(match: re.Match[str]) -> bool:
    parts = match.groupdict()
    if parts.get("compact"):
        return _compact_date(parts["compact"])
    year = _year(parts["year"])
    if year is None:
        return False
    if parts.get("s1") is not None:
        numeric_year = parts["year"]
        separators = {parts["s1"].strip(), parts["s2"].strip()}
        # A two-digit year needs one real separator twice (14.03.85), not "20 3.40" (amounts).
        if len(numeric_year) == 2 and (len(separators) != 1 or "" in separators):
            return False
    elif len(parts["year"]) == 2 and match.string[match.start("year") - 1] in ".,/":
        return False  # "January 2.50": an amount after a month name, not a two-digit year
    month_text = parts["month"]
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower()]
    day = int(parts["day"])
    if _calendar_day(year, month, day):
        return True
    return month_text.isdigit() and _calendar_day(year, day, month)  # 3/14/1985


def _date_spans(folded: str) -> Iterator[tuple[int, int]]:
    spans = [
        match.span()
        for pattern in _DATE_PATTERNS
        for match in pattern.finditer(folded)
        if _is_date(match)
    ]
    yield from _merged(spans)


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where the full calendar dates in `text` are, as (start, end): what `mask_dates` masks."""
    return list(_date_spans(fold(text)))


def mask_dates(text: str) -> str:
    """Full calendar dates in any common format masked; months, years and "04/28" kept."""
    return _mask_spans(text, _date_spans, DATE_MASK)


# --- postcodes --------------------------------------------------------------------------------

# English and Slovenian ("poštna številka 1000", "postna st. 2000", "pošta: 4000").
_POSTCODE_LABEL = (
    r"post(?:al)?[\s-]*code|zip(?:[\s-]*code)?|post(?:al)?\s+number"
    r"|po[sš]tn[aeio]\s+(?:[sš]tevilk[aeio]|[sš]t\b)|po[sš]t[ae]"
)
_POSTCODE_FILLER = r"(?:[\s:=#'\"(),.-]+|(?:is|was|it's|its|my|the|number|no|je|moja|pa)\b){0,6}"
_POSTCODE = r"(?:[a-z]{1,2}-)?(?<![\d])\d{3,10}(?!\d)"
_LABELLED_POSTCODE = re.compile(rf"\b(?:{_POSTCODE_LABEL})s?\b{_POSTCODE_FILLER}{_POSTCODE}", re.I)
_POSTCODE_THEN_LABEL = re.compile(
    rf"(?<![\d.,])\d{{3,10}}\s+(?:is|je|=)\s+(?:(?:my|the|moja)\s+)?(?:{_POSTCODE_LABEL})\b", re.I
)


def _postcode_spans(folded: str) -> Iterator[tuple[int, int]]:
    found = [m.span() for m in _LABELLED_POSTCODE.finditer(folded)]
    found += [m.span() for m in _POSTCODE_THEN_LABEL.finditer(folded)]
    yield from _merged(found)


def mask_postcodes(text: str) -> str:
    """Postcodes stated with a label masked, label included ("postcode is 7071")."""
    return _mask_spans(text, _postcode_spans, POSTCODE_MASK)


# --- everything -------------------------------------------------------------------------------


def mask(text: str) -> str:
    """Every secret this module knows masked: for anything a customer typed that is stored or
    logged. Idempotent: masking masked text changes nothing."""
    return mask_postcodes(mask_dates(mask_card_details(text)))
