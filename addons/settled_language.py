"""Rasa skips the `language` slot's mapping action when that action could not change the slot.

The slot's custom mapping (domain.yml) makes Rasa call `action_choose_language` on the action
server after almost every customer message, and once more when a form starts in that turn (Rasa
3.6 runs action_extract_slots again at form activation). Once the slot holds a language, the
action (actions/language.py, `choose_language`) changes it only when the customer asks for a
language (intent `change_language`) or moved to the website page of the other language (the
`page` metadata of their last two messages differ); otherwise it keeps the slot and returns no
event. In the `make bench` conversation that was three of eleven action server calls, each one a
serialised tracker, an HTTP round trip and a tracker rebuilt on the action server.

`language_settled` is that test, made in the Rasa process: when it holds, the call is skipped
and extraction goes on exactly as after an action that returned nothing. In every other case
(slot empty, a language asked for, a page switch) the action runs as before.
tests/addons/test_settled_language.py checks on generated conversations that whenever this says
settled, the action itself returns no event, so the two cannot drift apart unnoticed.

Rasa 3.6 has no setting for a mapping conditioned on a slot's value (mapping `conditions` know
only forms), hence a replaced method, like the other add-ons `addons/rasa_server.py` installs.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from i18n import normalise_language

CHOOSE_LANGUAGE_ACTION = "action_choose_language"
LANGUAGE_SLOT = "language"
CHANGE_LANGUAGE_INTENT = "change_language"
PAGE_KEY = "page"  # the website widget's customData: the language of the page it is on

_ORIGINAL_EXECUTE = ActionExtractSlots._execute_custom_action


def _page(event: UserUttered) -> str | None:
    metadata = event.metadata
    return normalise_language(metadata.get(PAGE_KEY)) if isinstance(metadata, dict) else None


def page_switched(tracker: DialogueStateTracker) -> bool:
    """Whether the customer's last two messages came from website pages of different
    languages (as actions/language.py's `page_switch` reads them)."""
    messages = [event for event in reversed(tracker.events) if isinstance(event, UserUttered)]
    pages = [_page(event) for event in messages[:2]]
    return len(pages) == 2 and None not in pages and pages[0] != pages[1]


def language_settled(tracker: DialogueStateTracker) -> bool:
    """True when `action_choose_language` would keep the slot as it is."""
    current = tracker.get_slot(LANGUAGE_SLOT)
    if current is None or normalise_language(current) != current:
        return False
    message = tracker.latest_message
    intent = (message.intent or {}).get("name") if message is not None else None
    return intent != CHANGE_LANGUAGE_INTENT and not page_switched(tracker)


async def execute_unless_settled(
    self: ActionExtractSlots,
    mapping: dict[str, Any],
    executed_custom_actions: set[str],
    output_channel: Any,
    nlg: Any,
    tracker: DialogueStateTracker,
    domain: Any,
) -> tuple[list[Any], set[str]]:
    """Rasa's `_execute_custom_action`, without the call when the language is settled."""
    if mapping.get("action") == CHOOSE_LANGUAGE_ACTION and language_settled(tracker):
        return [], executed_custom_actions | {CHOOSE_LANGUAGE_ACTION}
    return await _ORIGINAL_EXECUTE(  # type: ignore[no-any-return]
        self, mapping, executed_custom_actions, output_channel, nlg, tracker, domain
    )


def install() -> None:
    """Every action_extract_slots in this process skips the settled language call."""
    ActionExtractSlots._execute_custom_action = execute_unless_settled  # type: ignore[method-assign]


def uninstall() -> None:
    """Rasa's own method again (tests)."""
    ActionExtractSlots._execute_custom_action = _ORIGINAL_EXECUTE  # type: ignore[method-assign]
