"""Generated customers in parallel worker processes, as COPY text, in the serial seed's order.

Generating the rows is most of a big seed's CPU time, so `copy_batches` spreads the batches over
worker processes (batch `b` goes to worker `b % workers`) while the calling process only writes
the finished COPY text to PostgreSQL, which works on its own core meanwhile.

A worker fills its batch with ids counted from 1 (`add_generated` on an empty `Rows`), so it
does not wait for the batches before it to be generated. The ids are then moved into place
(`copytext.encode`): the workers form a ring, each receiving from the previous batch's worker
how many ids every table had handed out before its batch (the first worker from the caller),
passing on that count plus its own, and only then encoding. The rows and ids are exactly those
of the serial seed. Each worker keeps at most `QUEUED_BATCHES` encoded batches ahead of the
writer, so memory stays bounded whatever PostgreSQL's pace.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import queue
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.seed.batch import add_generated
from bot.seed.copytext import encode, local_counts
from bot.seed.rows import Rows

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess
    from multiprocessing.queues import Queue

    from bot.seed.copytext import TableText

QUEUED_BATCHES = 2
_POLL_SECONDS = 1.0


class SeedWorkerError(RuntimeError):
    """A worker process failed or died while generating its batches."""


@dataclass(frozen=True, slots=True)
class Batches:
    """The generated customers split into batches of `size`, each for one worker."""

    customers: int
    size: int
    as_of: date
    holdout_share: float

    @property
    def count(self) -> int:
        return math.ceil(self.customers / self.size)

    def first_index(self, batch: int) -> int:
        return batch * self.size

    def length(self, batch: int) -> int:
        return min(self.size, self.customers - batch * self.size)


@dataclass(frozen=True, slots=True)
class _Failure:
    report: str


def worker_count() -> int:
    """One worker per CPU this process may run on."""
    return max(1, len(os.sched_getaffinity(0)))


def copy_batches(
    batches: Batches, ids_before: dict[str, int], workers: int
) -> Iterator[list[TableText]]:
    """Each batch's tables as COPY text, in batch order; `ids_before` holds the highest id per
    table written before the first generated customer (the catalog and demo customers)."""
    if batches.count == 0:
        return
    workers = max(1, min(workers, batches.count))
    context = multiprocessing.get_context("fork")  # workers start at once, with the code loaded
    ring = [context.Pipe(duplex=False) for _ in range(workers)]  # (receive, send) ends
    outboxes: list[Queue[list[TableText] | _Failure]] = [
        context.Queue(maxsize=QUEUED_BATCHES) for _ in range(workers)
    ]
    processes = [
        context.Process(
            target=_work,
            args=(batches, worker, workers, ring[worker][0], ring[(worker + 1) % workers][1]),
            kwargs={"outbox": outboxes[worker]},
            name=f"seed-worker-{worker}",
            daemon=True,
        )
        for worker in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        ring[0][1].send(ids_before)
        for batch in range(batches.count):
            yield _receive(outboxes[batch % workers], processes[batch % workers])
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def _receive(outbox: Queue[list[TableText] | _Failure], process: BaseProcess) -> list[TableText]:
    while True:
        try:
            item = outbox.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if not process.is_alive():
                raise SeedWorkerError(
                    f"{process.name} ended (exit code {process.exitcode}) before its batch"
                ) from None
            continue
        if isinstance(item, _Failure):
            raise SeedWorkerError(f"{process.name} failed:\n{item.report}")
        return item


def _work(
    batches: Batches,
    worker: int,
    workers: int,
    ids_before: Connection,
    ids_after: Connection,
    *,
    outbox: Queue[list[TableText] | _Failure],
) -> None:
    """A worker's batches: generate with local ids, take the ids before the batch from the
    previous worker, pass on the ids after it, encode, hand to the writer.

    The cyclic garbage collector runs once per batch instead of every few hundred allocations
    (a batch allocates millions of objects that are nearly all freed by reference counting;
    the automatic collections took about a third of the CPU time)."""
    gc.freeze()  # what the worker inherited stays out of its collections
    gc.disable()
    try:
        for batch in range(worker, batches.count, workers):
            rows = Rows()
            add_generated(
                rows,
                batches.first_index(batch),
                batches.length(batch),
                batches.as_of,
                batches.holdout_share,
            )
            offsets: dict[str, int] = ids_before.recv()
            counts = local_counts(rows)
            ids_after.send(
                {table: offsets.get(table, 0) + counts.get(table, 0) for table in offsets | counts}
            )
            outbox.put(encode(rows, offsets))
            del rows
            gc.collect()
    except Exception:
        outbox.put(_Failure(traceback.format_exc()))
