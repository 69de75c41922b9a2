"""Fixtures of the commerce tests: a verified (and stepped-up) conversation through the API,
an app on a modified policy file, and contract rows restored after tests that change plans."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.api.app import create_app
from bot.billing.models import Account, Contract, Customer
from tests.bot.commerce.factories import policy_document
from tests.bot.conftest import TOKEN
from tests.bot.safety_helpers import latest_outbox_code

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

    from bot.settings import Settings
    from tests.bot.conftest import FakeClock


class Conversation:
    """One conversation of the bot with the back end about one account."""

    def __init__(self, client: TestClient, engine: Engine, account: str, conversation: str) -> None:
        self.client, self.engine = client, engine
        self.account, self.id = account, conversation
        self.base = f"/api/v1/accounts/{account}"
        self._keys = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Conversation-Id": self.id}

    def verify(self) -> Conversation:
        with Session(self.engine) as session:
            born = session.scalars(
                select(Customer.date_of_birth)
                .join(Account, Account.customer_id == Customer.id)
                .where(Account.account_number == self.account)
            ).one()
        body = {
            "conversation_id": self.id,
            "account_number": self.account,
            "date_of_birth": born.isoformat(),
        }
        answer = self.client.post("/api/v1/verifications", json=body)
        assert answer.json()["status"] == "verified", answer.text
        return self

    def step_up(self) -> Conversation:
        channels = self.get("/step-up/channels").json()["channels"]
        sent = self.write("POST", "/step-up/codes", {"channel_id": channels[0]["id"]})
        assert sent.status_code == 201, sent.text
        with Session(self.engine) as session:
            code = latest_outbox_code(session)
        checked = self.client.post(
            f"{self.base}/step-up/verify", json={"code": code}, headers=self.headers
        )
        assert checked.json()["status"] == "verified", checked.text
        return self

    def get(self, path: str) -> Any:
        return self.client.get(f"{self.base}{path}", headers=self.headers)

    def key(self) -> str:
        self._keys += 1
        return f"{self.id}:write:{self._keys}"

    def write(
        self, method: str, path: str, body: dict[str, Any] | None = None, key: str | None = None
    ) -> Any:
        headers = {**self.headers, "Idempotency-Key": key or self.key()}
        return self.client.request(method, f"{self.base}{path}", json=body, headers=headers)


OpenConversation = Callable[..., Conversation]


@pytest.fixture
def conversation(client: TestClient, seeded_db: Engine) -> OpenConversation:
    """`conversation("100003")`: a verified conversation about that account."""

    def open_one(account: str, conversation_id: str | None = None) -> Conversation:
        chat = Conversation(client, seeded_db, account, conversation_id or f"conv-{account}")
        return chat.verify()

    return open_one


@pytest.fixture
def policy_client(
    api_settings: Settings, clock: FakeClock, seeded_db: Engine, tmp_path: Path
) -> Iterator[Callable[[dict[str, Any]], TestClient]]:
    """`policy_client(changes)`: a client of an app whose policy file has `changes` applied."""
    apps = []

    def make(changes: dict[str, Any]) -> TestClient:
        document = policy_document()
        document.update(changes)
        path = tmp_path / f"policy-{len(apps)}.yml"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        settings = api_settings.model_copy(update={"discount_policy_path": str(path)})
        app = create_app(settings, clock=clock)
        test_client = TestClient(app, raise_server_exceptions=False)
        test_client.headers["Authorization"] = f"Bearer {TOKEN}"
        apps.append(app)
        return test_client

    yield make
    for app in apps:
        app.state.engine.dispose()


@pytest.fixture
def restore_contracts(seeded_db: Engine) -> Iterator[None]:
    """Put the seeded contracts back as they were (plan changes update them in place)."""
    with seeded_db.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(select(Contract.__table__))]
    yield
    with seeded_db.begin() as connection:
        for row in rows:
            connection.execute(
                update(Contract.__table__).where(Contract.__table__.c.id == row["id"]).values(**row)
            )
