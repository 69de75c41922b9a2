"""What the desk keeps running while the app serves: the Rasa client and the queue updater.

`create_app` passes `desk_lifespan` to FastAPI: at start it opens the Rasa HTTP client (in the
server's event loop, `app.state.rasa`) and starts the queue updater unless
DESK_QUEUE_UPDATE_SECONDS=0; at shutdown it stops the updater and closes the client.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from bot.desk.queue_updater import QueueUpdater, running
from bot.desk.rasa_client import RasaClient

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from fastapi import FastAPI

    from bot.settings import Settings


@contextlib.asynccontextmanager
async def desk_lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    rasa = RasaClient.from_settings(settings)
    app.state.rasa = rasa
    updater = QueueUpdater(
        session_factory=app.state.session_factory,
        rasa=rasa,
        events=app.state.desk_events,
        config=app.state.desk_config,
        clock=app.state.clock,
    )
    try:
        async with running(updater, settings.desk_queue_update_seconds):
            yield
    finally:
        app.state.rasa = None
        await rasa.aclose()
