"""A batch of seed rows as PostgreSQL COPY text, with its ids moved by per-table offsets.

The parallel seed (`parallel`) generates each batch in a worker with ids counted from 1 in every
table; once the batches before it are counted, `encode` adds each table's offset to its `id` and
to every foreign key that points into a table of the same batch, so the rows come out with the
ids a serial seed gives them. Foreign keys into tables the batch did not add rows to (the
catalog's plans and add-ons) are absolute and stay as they are.

Values are formatted a column at a time (one converter per column, chosen by its first non-null
value; JSON for lists and dicts) in COPY's text format: tab between columns, `\\N` for NULL,
backslash escapes in text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from bot.tables import metadata

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Table

    from bot.seed.rows import Rows

NULL = "\\N"
_SPECIAL = ("\\", "\t", "\n", "\r")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class RowsOutsideBatchError(ValueError):
    """A foreign key points at an id its own batch never handed out."""


@dataclass(frozen=True, slots=True)
class TableText:
    """One table's rows of a batch: COPY text for `columns`, how many, the highest id among them."""

    table: str
    columns: tuple[str, ...]
    data: bytes
    rows: int
    last_id: int


def local_counts(rows: Rows) -> dict[str, int]:
    """The highest id per table of a batch whose ids were counted from 1 (table name -> id)."""
    return {table.name: rows.last_id(table) for table in rows.by_table}


def encode(rows: Rows, offsets: dict[str, int]) -> list[TableText]:
    """Every table of `rows`, in dependency order, as COPY text with ids moved by `offsets`."""
    counts = local_counts(rows)
    return [
        _encode_table(table, batch, counts, offsets)
        for table in metadata.sorted_tables
        if (batch := rows.by_table.get(table))
    ]


def _encode_table(
    table: Table, batch: list[dict[str, Any]], counts: dict[str, int], offsets: dict[str, int]
) -> TableText:
    columns = tuple(batch[0])
    texts = []
    for name in columns:
        values = [row[name] for row in batch]
        target = _id_target(table, name, counts)
        texts.append(
            _column_text(values) if target is None else _id_text(values, target, counts, offsets)
        )
    lines = "\n".join(map("\t".join, zip(*texts, strict=True)))
    last_id = counts[table.name] + offsets.get(table.name, 0)
    return TableText(table.name, columns, (lines + "\n").encode(), len(batch), last_id)


def _id_text(
    values: list[int | None], target: str, counts: dict[str, int], offsets: dict[str, int]
) -> list[str]:
    present = [value for value in values if value is not None]
    if present and not 1 <= min(present) <= max(present) <= counts[target]:
        raise RowsOutsideBatchError(f"an id into {target} that its batch did not hand out")
    offset = offsets.get(target, 0)
    return [NULL if value is None else str(value + offset) for value in values]


def _id_target(table: Table, column: str, in_batch: dict[str, int]) -> str | None:
    """The table whose offset moves `column`: its own for `id`, the referenced one for a
    foreign key into a table of this batch; None for every other column."""
    if column == "id":
        return table.name
    for key in table.c[column].foreign_keys:
        target = key.column.table.name
        if target in in_batch:
            return str(target)
    return None


def _column_text(values: list[Any]) -> list[str]:
    sample = next((value for value in values if value is not None), None)
    if sample is None:
        return [NULL] * len(values)
    convert = _converter(sample)
    texts = [NULL if value is None else convert(value) for value in values]
    if not isinstance(sample, int | Decimal | float | date):
        written = [text for value, text in zip(values, texts, strict=True) if value is not None]
        if any(mark in "".join(written) for mark in _SPECIAL):
            texts = [
                NULL if value is None else text.translate(_ESCAPES)
                for value, text in zip(values, texts, strict=True)
            ]
    return texts


def _converter(sample: object) -> Callable[[Any], str]:
    if isinstance(sample, Enum):
        return lambda value: str(value.value)
    if isinstance(sample, bool):
        return lambda value: "t" if value else "f"
    if isinstance(sample, int | Decimal | str):
        return str
    if isinstance(sample, datetime | date):
        return _iso
    if isinstance(sample, float):
        return repr
    if isinstance(sample, list | dict):
        return json.dumps
    raise TypeError(f"no COPY text format for {type(sample).__name__}")


def _iso(value: date) -> str:
    return value.isoformat()
