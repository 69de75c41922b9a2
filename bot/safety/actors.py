"""Who writes: the bot (`bot`) or a human agent (`agent:<id>`), as the audit log names them."""

from __future__ import annotations

import re
from typing import Final

BOT_ACTOR: Final = "bot"
_ACTOR = re.compile(r"bot|agent:[A-Za-z0-9_.-]{1,50}")


def agent_actor(agent_id: int | str) -> str:
    """The actor name of a human agent: `agent:<id>`."""
    actor = f"agent:{agent_id}"
    if not is_actor(actor):
        raise ValueError(f"not a valid agent id: {agent_id!r}")
    return actor


def is_actor(name: str) -> bool:
    """True for `bot` and for `agent:<id>`."""
    return _ACTOR.fullmatch(name) is not None
