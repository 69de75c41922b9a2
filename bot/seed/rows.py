"""Rows to insert, per table, with ids handed out in order (so the data is reproducible)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from sqlalchemy import Table

    from bot.core.base import Base


def table_of(model: type[Base]) -> Table:
    return cast("Table", model.__table__)


class Rows:
    """Plain dicts per table, ready for one executemany `insert()` each."""

    def __init__(self) -> None:
        self.by_table: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self._next_id: dict[Table, int] = defaultdict(lambda: 1)

    def add(self, model: type[Base], **values: Any) -> int:
        """Append a row for `model`'s table; returns its id (given, or the next free one)."""
        table = table_of(model)
        row_id = int(values.pop("id", None) or self._next_id[table])
        self._next_id[table] = max(self._next_id[table], row_id + 1)
        self.by_table[table].append({"id": row_id, **values})
        return row_id

    def count(self, model: type[Base]) -> int:
        return len(self.by_table.get(table_of(model), []))
