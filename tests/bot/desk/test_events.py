"""DeskEvents: publish never blocks, reaches subscribers from any thread, drops for slow ones."""

from __future__ import annotations

import asyncio
import threading

from bot.desk.events import DeskEvent, DeskEvents


def test_publish_and_receive_in_the_loop() -> None:
    async def scenario() -> list[DeskEvent]:
        events = DeskEvents()
        first, second = events.subscribe(), events.subscribe()
        events.publish("queue")
        events.publish("ticket", {"ticket_id": 3, "status": "claimed"})
        events.unsubscribe(second)
        events.publish("queue")
        assert events.subscribers == 1
        assert second.qsize() == 2
        return [first.get_nowait() for _ in range(first.qsize())]

    received = asyncio.run(scenario())
    assert received == [
        DeskEvent("queue", {}),
        DeskEvent("ticket", {"ticket_id": 3, "status": "claimed"}),
        DeskEvent("queue", {}),
    ]


def test_publish_from_another_thread() -> None:
    """Sync routes run in a thread pool; the event still arrives in the subscriber's loop."""

    async def scenario() -> DeskEvent:
        events = DeskEvents()
        queue = events.subscribe()
        worker = threading.Thread(target=events.publish, args=("message", {"ticket_id": 1}))
        worker.start()
        worker.join()
        return await asyncio.wait_for(queue.get(), timeout=2)

    assert asyncio.run(scenario()) == DeskEvent("message", {"ticket_id": 1})


def test_a_slow_subscriber_loses_events_and_nobody_waits() -> None:
    async def scenario() -> tuple[int, int, int]:
        events = DeskEvents(queue_size=2)
        slow, fast = events.subscribe(), events.subscribe()
        for index in range(5):
            events.publish("queue", {"n": index})
            fast.get_nowait()
        return slow.qsize(), fast.qsize(), events.dropped

    assert asyncio.run(scenario()) == (2, 0, 3)


def test_publishing_without_subscribers_or_after_their_loop_closed() -> None:
    events = DeskEvents()
    events.publish("queue")  # nobody listens: nothing happens

    async def subscribe() -> None:
        events.subscribe()

    asyncio.run(subscribe())  # the loop is closed afterwards; the subscriber never unsubscribed
    events.publish("queue")
    assert events.dropped == 0
