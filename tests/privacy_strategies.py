"""Hypothesis strategies for the secrets `privacy.masking` must catch, and for the ordinary
numbers it must leave alone; used by the tests of both runtimes (standard library + hypothesis).

Every secret comes inside a sentence of digit-free words, so "no digit left after masking" is
the proof that none of it survived.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

# Every separator people (or their keyboards) put between card digits.
CARD_SEPARATORS = [" ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u202f", "-", " - ", "\u2013"]
CARD_SEPARATORS += ["\u2014", ".", "/", "_", ". "]
WORDS = ["my", "card", "is", "please", "pay", "the", "bill", "with", "thanks", "here", "and"]
WORDS += ["number", "it", "was", "charged", "twice", "hello", "why", "so", "high", "ok"]
JOINERS = [" ", ", ", ": ", " (", ") ", ". ", "\n", " - "]
CODE_PHRASES = [
    "cvv {code}",
    "my cvv is: {code}",
    "cvv code {code}",
    "CVV2 {code}",
    "cvc {code}",
    "CVC: {code}",
    "cvc2 {code}",
    "csc {code}",
    "cv2 = {code}",
    "security code {code}",
    "the security code is {code}",
    "card security code: {code}",
    "card verification value {code}",
    "the 3 digits on the back are {code}",
    "three digits on the back of my card: {code}",
    "the code on the back is {code}",
    "the back of the card says {code}",
    "{code} is my cvv",
    "{code} is the security code",
    "{code} (cvc)",
]
POSTCODE_PHRASES = [
    "postcode is {code}",
    "my postcode is {code}",
    "post code {code}",
    "post-code: {code}",
    "postal code {code}",
    "zip {code}",
    "zip code is {code}",
    "ZIP: {code}",
    "{code} is my postcode",
]
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def luhn_check_digit(body: str) -> str:
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char)
        if position % 2 == 0:  # doubled: the check digit will be appended after
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str((10 - total % 10) % 10)


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    """A Luhn-valid number of 13-19 digits (digits only)."""
    length = draw(st.integers(13, 19))
    body = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1))
    return body + luhn_check_digit(body)


@st.composite
def typed_card_numbers(draw: st.DrawFn) -> str:
    """A card number as a person types it: in one piece, or in groups (the first of four, as on
    the card) joined by any separators; sometimes in full-width digits."""
    digits = draw(card_numbers())
    if draw(st.booleans()):
        groups = [digits]
    else:
        groups, rest = [digits[:4]], digits[4:]
        while len(rest) > 6:
            size = draw(st.integers(3, min(6, len(rest) - 1)))
            groups.append(rest[:size])
            rest = rest[size:]
        groups.append(rest)
    text = groups[0]
    for group in groups[1:]:
        text += draw(st.sampled_from(CARD_SEPARATORS)) + group
    if draw(st.integers(0, 9)) == 0:
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return text


def security_codes() -> st.SearchStrategy[str]:
    """A 3-4 digit code in one of the ways customers label it, in any letter case."""
    return st.builds(
        lambda phrase, code, upper: (
            (phrase.upper() if upper else phrase).replace("{CODE}", "{code}").format(code=code)
        ),
        st.sampled_from(CODE_PHRASES),
        st.from_regex(r"[0-9]{3,4}", fullmatch=True),
        st.booleans(),
    )


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def format_date(value: date, style: int) -> str:
    d, m, y = value.day, value.month, value.year
    month, mon = _MONTH_NAMES[m - 1], _MONTH_NAMES[m - 1][:3]
    styles = [
        f"{y}/{m:02}/{d:02}",
        f"{y}.{m:02}.{d:02}",
        f"{y}-{m:02}-{d:02}",
        f"{y}-{m}-{d}",
        f"{d:02}{m:02}{y}",
        f"{y}{m:02}{d:02}",
        f"{d}-{mon}-{y}",
        f"{d:02} {m:02} {y}",
        f"{d}. {m}. {y}",
        f"{d}.{m}.{y}",
        f"{d:02}/{m:02}/{y}",
        f"{m}/{d}/{y}",
        f"{d}/{m}/{y % 100:02}",
        f"{d:02}.{m:02}.{y % 100:02}",
        f"{d} {month} {y}",
        f"{_ordinal(d)} {month} {y}",
        f"the {_ordinal(d)} of {month} {y}",
        f"{month} {_ordinal(d)}, {y}",
        f"{month} {d}, {y}",
        f"{mon} {d} {y}",
        f"{month} {_ordinal(d)} {y % 100:02}",
        f"{d} {mon.lower()} {y}",
        f"{y}-{mon}-{d:02}",
    ]
    return styles[style % len(styles)]


DATE_STYLES = 23


def dates_of_birth() -> st.SearchStrategy[str]:
    """A real date between 1920 and 2010, in one of the formats customers use."""
    return st.builds(
        format_date,
        st.dates(min_value=date(1920, 1, 1), max_value=date(2010, 12, 31)),
        st.integers(0, DATE_STYLES - 1),
    )


def postcodes() -> st.SearchStrategy[str]:
    return st.builds(
        lambda phrase, code: phrase.format(code=code),
        st.sampled_from(POSTCODE_PHRASES),
        st.integers(1000, 9999).map(str),
    )


def secrets() -> st.SearchStrategy[str]:
    return st.one_of(typed_card_numbers(), security_codes(), dates_of_birth(), postcodes())


@st.composite
def sentences_with(draw: st.DrawFn, secret: st.SearchStrategy[str]) -> tuple[str, str]:
    """(a sentence of digit-free words around the secret, the secret)."""
    value = draw(secret)
    before = draw(st.lists(st.sampled_from(WORDS), max_size=5))
    after = draw(st.lists(st.sampled_from(WORDS), max_size=5))
    text = " ".join(before)
    text += draw(st.sampled_from(JOINERS)) if before else ""
    text += value
    text += draw(st.sampled_from(JOINERS)) + " ".join(after) if after else ""
    return text, value


@st.composite
def ordinary_messages(draw: st.DrawFn) -> str:
    """What the bot needs and must see unmasked: account numbers, amounts, invoice months,
    years, expiry dates, one-time codes, among words."""
    items = st.one_of(
        st.integers(100000, 999999).map(str),
        st.builds(lambda e, c: f"{e}.{c:02}", st.integers(0, 999), st.integers(0, 99)),
        st.builds(lambda e, c: f"{e},{c:02}", st.integers(0, 999), st.integers(0, 99)),
        st.builds(lambda y, m: f"{y}-{m:02}", st.integers(2020, 2030), st.integers(1, 12)),
        st.builds(lambda m, y: f"{m} {y}", st.sampled_from(_MONTH_NAMES), st.integers(2020, 2030)),
        st.builds(lambda m, y: f"{m:02}/{y:02}", st.integers(1, 12), st.integers(24, 35)),
        st.integers(1900, 2030).map(str),
        st.sampled_from(_MONTH_NAMES),
    )
    parts = draw(st.lists(items, min_size=1, max_size=4))
    words = draw(st.lists(st.sampled_from(WORDS), min_size=len(parts), max_size=len(parts)))
    return " ".join(f"{word} {part}" for word, part in zip(words, parts, strict=True))
