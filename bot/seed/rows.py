"""Rows to insert, per table, with ids handed out in order (so the data is reproducible).

A `Rows` holds one batch: `seed` fills it with a few customers, writes it and starts the next
batch with `next_batch()`, which keeps the id counters, so memory stays bounded by the batch.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from sqlalchemy import Table

    from bot.core.base import Base


_TABLES: dict[type[Base], Table] = {}


def table_of(model: type[Base]) -> Table:
    table = _TABLES.get(model)
    if table is None:
        table = _TABLES[model] = cast("Table", model.__table__)
    return table


class Rows:
    """Plain dicts per table, ready for one executemany `insert()` (or one COPY) each."""

    def __init__(self) -> None:
        self.by_table: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self._next_id: dict[Table, int] = defaultdict(lambda: 1)

    def add(self, model: type[Base], **values: Any) -> int:
        """Append a row for `model`'s table; returns its id (given, or the next free one)."""
        table = _TABLES.get(model)  # called millions of times: kept lean
        if table is None:
            table = table_of(model)
        next_id = self._next_id
        given = values.pop("id", None)
        row_id = int(given) if given else next_id[table]
        if row_id >= next_id[table]:
            next_id[table] = row_id + 1
        values["id"] = row_id
        self.by_table[table].append(values)
        return row_id

    def count(self, model: type[Base]) -> int:
        return len(self.by_table.get(table_of(model), []))

    def last_id(self, table: Table) -> int:
        """The highest id handed out for `table` so far, in this batch or an earlier one."""
        return self._next_id[table] - 1

    def extend(self, other: Rows) -> None:
        """Append `other`'s rows (made with the same id counters, see `next_batch`)."""
        for table, batch in other.by_table.items():
            self.by_table[table].extend(batch)

    def next_batch(self) -> Rows:
        """An empty batch that goes on handing out ids where this one stopped."""
        following = Rows()
        following._next_id = self._next_id
        return following
