"""Retried deliveries are handled once (addons/messaging/deliveries.py): in one process, and
across processes through the real Redis on 127.0.0.1:6379 when LOCK_STORE_URL names it."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from addons.messaging.deliveries import (
    InMemoryChannelMemory,
    RedisChannelMemory,
    memory_from_env,
)

REDIS_URL = "redis://127.0.0.1:6379/1"


def test_memory_is_redis_only_when_the_lock_store_url_names_redis() -> None:
    assert isinstance(memory_from_env({"LOCK_STORE_URL": REDIS_URL}), RedisChannelMemory)
    assert isinstance(memory_from_env({}), InMemoryChannelMemory)
    assert isinstance(memory_from_env({"LOCK_STORE_URL": " "}), InMemoryChannelMemory)


async def test_in_memory_claims_once_forgets_after_ttl_and_stays_bounded() -> None:
    memory = InMemoryChannelMemory(max_entries=3)
    assert await memory.claim("update:1")
    assert not await memory.claim("update:1")
    assert await memory.claim("short", ttl_s=0)
    await asyncio.sleep(0.01)
    assert await memory.claim("short", ttl_s=0)  # expired
    for n in range(2, 6):
        await memory.claim(f"update:{n}")
    assert await memory.claim("update:1")  # the oldest were forgotten, the memory kept 3
    await memory.put("payload:k", "/choose_option")
    assert await memory.get("payload:k") == "/choose_option"
    assert await memory.get("payload:unknown") is None


async def test_concurrent_claims_of_one_delivery_let_exactly_one_through() -> None:
    memory = InMemoryChannelMemory()
    results = await asyncio.gather(*(memory.claim("update:7") for _ in range(50)))
    assert results.count(True) == 1


async def test_redis_claims_once_across_two_clients_like_two_processes() -> None:
    first, second = RedisChannelMemory(REDIS_URL), RedisChannelMemory(REDIS_URL)
    key = f"test:{uuid.uuid4().hex}"
    results = await asyncio.gather(
        *(memory.claim(key, ttl_s=60) for memory in [first, second] * 10)
    )
    assert results.count(True) == 1
    await first.put(f"{key}:payload", "/affirm", ttl_s=60)
    assert await second.get(f"{key}:payload") == "/affirm"


async def test_redis_down_handles_the_delivery_rather_than_dropping_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    memory = RedisChannelMemory("redis://127.0.0.1:1/1")  # nothing listens on port 1
    assert await memory.claim("update:1")
    assert await memory.get("payload:x") is None
    assert "messaging.memory_unavailable" in caplog.text
