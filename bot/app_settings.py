"""The running app's settings as a FastAPI dependency, for every package that serves pages or
routes (bot.api, bot.website): the app factory (bot/api/app.py) puts them on `app.state`, and this
ground-floor module reads them, so the website needs nothing from the API package."""

from __future__ import annotations

from fastapi import Request

from bot.settings import Settings


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
