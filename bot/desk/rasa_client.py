"""The one place the back end speaks to Rasa's HTTP API (`rasa run --enable-api --auth-token`).

    rasa = RasaClient.from_settings(settings)
    await rasa.pause(conversation_id)                       # the bot stops answering
    await rasa.send_agent_reply(conversation_id, "Maria", "I have credited the fee.")
    await rasa.send_system_line(conversation_id, "You're back with the billing assistant.")
    await rasa.resume(conversation_id)                      # the bot answers again
    await rasa.ask_survey(conversation_id)                  # "How satisfied are you ...?" 1-5
    turns = await rasa.conversation_turns(conversation_id)  # user and bot events
    await rasa.aclose()

Every failure (timeout, connection refused, wrong token, any non-2xx answer, unreadable JSON)
is one `RasaUnavailable`. The tracker read is retried once; writes never are (a `bot` event
posted twice would reach the customer twice). The token travels as `?token=` (Rasa's token auth).
Logs carry the conversation id and the status code only, never the text or the token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import quote

import httpx

from bot.core.errors import RasaUnavailable
from bot.core.language import Language
from bot.core.texts import Texts

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

_EVENTS_PATH: Final = "/conversations/{id}/tracker/events"
_TRACKER_PATH: Final = "/conversations/{id}/tracker"
_EXECUTE_PATH: Final = "/conversations/{id}/execute"
# The bot's action asking the end-of-conversation survey after a person helped (actions/survey.py)
SURVEY_AFTER_HANDOFF_ACTION: Final = "action_ask_survey_after_handoff"
_SEND_TO_CUSTOMER: Final = {"execute_side_effects": "true", "output_channel": "latest"}


def from_person(agent_name: str, text: str, language: Language = Language.EN) -> str:
    """An agent's reply as the customer sees it: "Maria (billing team): ..." (the one place);
    the label in the ticket's language, the agent's text exactly as written."""
    return Texts(language)("desk.line.agent_reply", agent=agent_name, text=text)


@dataclass(frozen=True, slots=True)
class Turn:
    """One user or bot event of a conversation's tracker."""

    sender: Literal["customer", "bot"]
    text: str
    at: datetime


class RasaClient:
    """A pooled async HTTP client of one Rasa server; create it in the event loop that uses it."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout_seconds: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._token = token
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 2.0)),
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> RasaClient:
        return cls(
            settings.rasa_url,
            settings.rasa_api_token,
            timeout_seconds=settings.rasa_timeout_seconds,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def pause(self, conversation_id: str) -> None:
        """The bot stops acting on the customer's messages (they are still stored)."""
        await self._post_event(conversation_id, {"event": "pause"})

    async def resume(self, conversation_id: str) -> None:
        """The bot acts on the customer's messages again, and listens.

        Rasa stops right after the action that paused the conversation, without the usual
        `action_listen`; without one the next message is read out of its context (the bot would
        not understand it), so it is appended with the resume."""
        await self._post_event(
            conversation_id, [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
        )

    async def send_agent_reply(
        self, conversation_id: str, agent_name: str, text: str, language: Language = Language.EN
    ) -> str:
        """Send an agent's text to the customer, marked as from a person; returns what was sent."""
        shown = from_person(agent_name, text, language)
        await self._post_event(
            conversation_id,
            {"event": "bot", "text": shown, "metadata": {"desk": "agent"}},
            params=_SEND_TO_CUSTOMER,
        )
        return shown

    async def send_system_line(self, conversation_id: str, text: str) -> None:
        """Send a line of the desk itself (queue updates, "You're back with ...")."""
        await self._post_event(
            conversation_id,
            {"event": "bot", "text": text, "metadata": {"desk": "system"}},
            params=_SEND_TO_CUSTOMER,
        )

    async def ask_survey(self, conversation_id: str) -> None:
        """Have the bot ask the survey (its own action, so the question, the buttons and the
        once-per-session rule stay the bot's), then listen.

        Rasa's `/execute` runs one action without predicting what follows, so the `action_listen`
        the policies would have added is appended, as in `resume`: without it the customer's
        answer would be read out of its context."""
        path = _EXECUTE_PATH.format(id=_quoted(conversation_id))
        await self._request(
            "POST",
            path,
            conversation_id,
            json={"name": SURVEY_AFTER_HANDOFF_ACTION},
            params={"output_channel": "latest"},
            retries=0,
        )
        await self._post_event(conversation_id, {"event": "action", "name": "action_listen"})

    async def conversation_turns(self, conversation_id: str) -> list[Turn]:
        """The customer's and the bot's messages in the tracker, oldest first."""
        data = await self._request(
            "GET", _TRACKER_PATH.format(id=_quoted(conversation_id)), conversation_id, retries=1
        )
        events = data.get("events") or []
        if not isinstance(events, list):
            raise RasaUnavailable("Rasa answered a tracker without a list of events")
        return [turn for event in events if (turn := _turn(event)) is not None]

    async def _post_event(
        self,
        conversation_id: str,
        event: dict[str, Any] | list[dict[str, Any]],
        params: dict[str, str] | None = None,
    ) -> None:
        path = _EVENTS_PATH.format(id=_quoted(conversation_id))
        await self._request("POST", path, conversation_id, json=event, params=params, retries=0)

    async def _request(
        self,
        method: str,
        path: str,
        conversation_id: str,
        *,
        retries: int,
        json: dict[str, Any] | list[dict[str, Any]] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        if self._token is None:
            raise RasaUnavailable("RASA_TOKEN is not set, so Rasa's HTTP API cannot be used")
        query = {**(params or {}), "token": self._token}
        for attempt in range(retries + 1):
            try:
                response = await self._http.request(method, path, json=json, params=query)
            except httpx.HTTPError as error:
                logger.warning(
                    "rasa.unreachable",
                    extra={"conversation_id": conversation_id, "error_type": type(error).__name__},
                )
                if attempt < retries:
                    continue
                raise RasaUnavailable("Rasa could not be reached") from error
            return _body(response, conversation_id)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _quoted(conversation_id: str) -> str:
    return quote(conversation_id, safe="")


def _body(response: httpx.Response, conversation_id: str) -> dict[str, Any]:
    if not response.is_success:
        logger.warning(
            "rasa.refused",
            extra={"conversation_id": conversation_id, "status_code": response.status_code},
        )
        raise RasaUnavailable(f"Rasa answered {response.status_code}")
    try:
        data = response.json()
    except ValueError as error:
        raise RasaUnavailable("Rasa answered something that is not JSON") from error
    if not isinstance(data, dict):
        raise RasaUnavailable("Rasa answered JSON that is not an object")
    return data


def _turn(event: Any) -> Turn | None:
    if not isinstance(event, dict) or event.get("event") not in ("user", "bot"):
        return None
    text, timestamp = event.get("text"), event.get("timestamp")
    if not isinstance(text, str) or not isinstance(timestamp, int | float):
        return None
    sender: Literal["customer", "bot"] = "customer" if event["event"] == "user" else "bot"
    return Turn(sender=sender, text=text, at=datetime.fromtimestamp(timestamp, UTC))
