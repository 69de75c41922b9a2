"""The lock store endpoints.yml names: in-memory by default, Redis by LOCK_STORE_URL (the real
Redis on 127.0.0.1:6379), and never several workers on the in-memory one."""

from __future__ import annotations

import uuid

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.utils import AvailableEndpoints

from addons.lock_store import EnvLockStore, LockStoreConfigurationError, store_from_env

REDIS_URL = "redis://127.0.0.1:6379/1"


def test_in_memory_without_a_url() -> None:
    assert isinstance(store_from_env({}), InMemoryLockStore)
    assert isinstance(
        store_from_env({"LOCK_STORE_URL": " ", "SANIC_WORKERS": "1"}), InMemoryLockStore
    )


def test_several_workers_refuse_the_in_memory_store() -> None:
    with pytest.raises(LockStoreConfigurationError, match="SANIC_WORKERS"):
        store_from_env({"SANIC_WORKERS": "2"})


@pytest.mark.parametrize(
    "url", ["http://:pw1@127.0.0.1:6379", "redis://:pw2@/1", "redis://:pw3@h:1/x"]
)
def test_unusable_urls_are_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(LockStoreConfigurationError) as error:
        store_from_env({"LOCK_STORE_URL": url})
    assert url not in str(error.value)


def test_redis_url_parts() -> None:
    store = store_from_env({"LOCK_STORE_URL": "redis://:s%40cret@10.0.0.5:6380/3"})
    assert isinstance(store, RedisLockStore)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == (
        "10.0.0.5",
        6380,
        3,
        "s@cret",
    )


async def test_endpoints_yml_builds_it_and_it_locks_through_redis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOCK_STORE_URL", REDIS_URL)
    for name in ("ACTION_ENDPOINT_URL", "TRACKER_DB_URL", "BACKEND_URL"):
        monkeypatch.setenv(name, "http://127.0.0.1:1")
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", "t")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "t")
    config = AvailableEndpoints.read_endpoints("endpoints.yml").lock_store
    store = LockStore.create(config)
    assert isinstance(store, EnvLockStore)
    assert isinstance(store.store, RedisLockStore)

    conversation = f"lock-test-{uuid.uuid4().hex}"
    other_process = RedisLockStore(host="127.0.0.1", port=6379, db=1)
    try:
        async with store.lock(conversation):
            # Another process sees the ticket while this one holds the conversation.
            lock = other_process.get_lock(conversation)
            assert lock is not None
            assert lock.last_issued == 0
            assert lock.is_locked(lock.last_issued + 1)
        assert other_process.get_lock(conversation) is None
    finally:
        other_process.delete_lock(conversation)
