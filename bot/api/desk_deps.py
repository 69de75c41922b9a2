"""Dependencies of the desk and handoff routes: the desk configuration and the event hub."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.api.deps import SettingsDep
from bot.desk.config import DeskConfig
from bot.desk.events import DeskEvents


def get_desk_config(settings: SettingsDep) -> DeskConfig:
    """DESK_* and *_CREDIT_LIMIT settings as the desk services take them (validated at start)."""
    return DeskConfig.from_settings(settings)


def get_desk_events(request: Request) -> DeskEvents:
    """The app's in-process event hub (`app.state.desk_events`, made by create_app)."""
    events: DeskEvents = request.app.state.desk_events
    return events


DeskConfigDep = Annotated[DeskConfig, Depends(get_desk_config)]
DeskEventsDep = Annotated[DeskEvents, Depends(get_desk_events)]
