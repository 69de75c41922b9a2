"""The English texts the actions' tests expect, rendered from the catalogue (i18n/, domain "bot").

The actions name catalogue keys (`actions.base.BACKEND_DOWN == "error.backend_down"`); the tests
assert what an English-speaking customer reads, so they import the rendered texts from here.
"""

from __future__ import annotations

from actions import arrangements, base, disputes, handoff_text, operations, step_up
from actions.speech import speaking, text

with speaking("en"):
    BACKEND_DOWN = text(base.BACKEND_DOWN)
    SOMETHING_WENT_WRONG = text(base.SOMETHING_WENT_WRONG)
    INVALID_REQUEST = text(base.INVALID_REQUEST)
    TOO_MANY_REQUESTS = text(base.TOO_MANY_REQUESTS)
    BEYOND_AUTHORITY = text(base.BEYOND_AUTHORITY)
    STEP_UP_AGAIN = text(base.STEP_UP_AGAIN)
    REFUSED = text(base.REFUSED)
    REVERIFY = text(base.REVERIFY)
    ARRANGEMENT_REFUSALS = {code: text(key) for code, key in arrangements.REFUSALS.items()}
    CARD_NUMBER_HIDDEN = text(base.CARD_NUMBER_HIDDEN)
    HANDOFF_QUESTION = text(base.HANDOFF_QUESTION, why="").strip()
    OFFER_HUMAN_BUTTONS = base.offer_human_buttons()
    YES_NO_BUTTONS = base.yes_no_buttons()
    BEYOND = {code: text(key) for code, key in operations.BEYOND.items()}
    TOO_MANY_CODES = text(step_up.TOO_MANY_CODES)
    DISAGREE = text(disputes.DISAGREE)
    NO_DISPUTES = text(disputes.NO_DISPUTES)
    OPEN_ONE_BUTTONS = disputes.open_one_buttons()
    PAY_OR_PERSON_BUTTONS = arrangements.pay_or_person_buttons()
    ANYTHING_ELSE = text(handoff_text.ANYTHING_ELSE)
    CARRY_ON = text(handoff_text.CARRY_ON)
    HANDOFF_UNAVAILABLE = text(handoff_text.HANDOFF_UNAVAILABLE)
