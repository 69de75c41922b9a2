"""Schemathesis against the app's own /openapi.json: no request, however odd, gets a 5xx.

Every operation in the document is called in-process (ASGI, lifespan running) on the seeded
SQLite database with the service token and a logged-in supervisor's session cookie and CSRF
header, with data that fits the schema and data that does not, once with random account
numbers and conversations and once as a conversation verified for Marko's account (so the
routes get past verification). Derandomized and bounded: the same cases on every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.python.asgi import shutdown_lifespans

from bot.api.app import create_app
from bot.desk.sessions import CSRF_HEADER, SESSION_COOKIE
from tests.bot.conftest import TOKEN
from tests.bot.desk_web.fake_rasa import RASA_TOKEN, running_fake_rasa
from tests.bot.desk_web.helpers import log_in as desk_log_in

if TYPE_CHECKING:
    from collections.abc import Iterator

    from schemathesis.schemas import APIOperation, BaseSchema

    from bot.settings import Settings
    from tests.bot.conftest import FakeClock

EXAMPLES = 12  # per operation and generation mode: about a minute on 2 cores
CONVERSATION = "conv-fuzz"
MARKO = {"conversation_id": CONVERSATION, "account_number": "100002", "date_of_birth": "1979-11-02"}
SERVICE = {"Authorization": f"Bearer {TOKEN}"}
# A live stream answers for a minute per connection (its own tests cover it: test_stream.py).
NOT_FUZZED = {"GET /desk/api/stream"}


@pytest.fixture
def fuzz_schema(
    backend: str, request: pytest.FixtureRequest
) -> Iterator[tuple[BaseSchema, dict[str, str]]]:
    """The schema of a running app (pointed at a fake Rasa) and the headers of a caller who is
    both the action server and a logged-in supervisor."""
    api_settings: Settings = request.getfixturevalue("api_settings")
    clock: FakeClock = request.getfixturevalue("clock")
    request.getfixturevalue("seeded_db")  # rows the fuzzing adds are removed afterwards
    with running_fake_rasa() as rasa:
        settings = api_settings.model_copy(
            update={"rasa_url": rasa.url, "rasa_token": RASA_TOKEN, "desk_queue_update_seconds": 0}
        )
        app = create_app(settings, clock=clock)
        client = TestClient(app)  # the way a browser and the action server do it, over HTTP
        csrf = desk_log_in(client, "sara")
        verified = client.post("/api/v1/verifications", json=MARKO, headers=SERVICE)
        assert verified.json()["status"] == "verified", verified.text
        headers = {
            **SERVICE,
            "Cookie": f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}",
            CSRF_HEADER: csrf,
        }
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        yield schema, headers
        shutdown_lifespans()  # schemathesis started the app's lifespan (the Rasa client)
        app.state.engine.dispose()


def _operations(schema: BaseSchema) -> list[APIOperation]:
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if f"{op.method.upper()} {op.path}" not in NOT_FUZZED]


def _strategies(operation: APIOperation) -> st.SearchStrategy[Any]:
    """Random callers, and the verified conversation on its account; valid and invalid data."""
    names = {parameter.name for parameter in operation.path_parameters}
    verified: dict[str, Any] = {"headers": {"X-Conversation-Id": CONVERSATION}}
    if "acct" in names:
        verified["path_parameters"] = {"acct": "100002"}
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    return st.one_of(
        *(operation.as_strategy(mode) for mode in modes),
        *(operation.as_strategy(mode, **verified) for mode in modes),
    )


def _server_errors(operation: APIOperation, headers: dict[str, str]) -> list[str]:
    """The cases of one operation answered with a 5xx, as curl commands."""
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES * 4,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is kept
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategies(operation))
    def run(case: Any) -> None:
        try:
            status = case.call(headers=headers).status_code
        except Exception as error:  # the test client re-raises what the app answered with a 500
            status = f"500 ({type(error).__name__})"
        if str(status).startswith("5"):
            failures.append(f"{status}: {case.as_curl_command(headers=headers)}")

    run()
    return failures


# Fuzzed on SQLite only (the routes are the same; PostgreSQL would double the time): chosen
# here rather than skipped, so the run reports no skipped test.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_request_gets_a_server_error(fuzz_schema: tuple[BaseSchema, dict[str, str]]) -> None:
    schema, headers = fuzz_schema
    operations = _operations(schema)
    assert len(operations) >= 40  # every documented route, not an empty document
    failures: list[str] = []
    for operation in operations:
        failures += _server_errors(operation, headers)
    assert failures == [], "\n".join(failures[:20])
