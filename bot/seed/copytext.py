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
from datetime import date
from decimal import Decimal
from enum import Enum
from itertools import repeat
from operator import add, is_, itemgetter, methodcaller
from typing import TYPE_CHECKING, Any, cast

from bot.tables import metadata

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

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
    values = zip(*map(itemgetter(*columns), batch), strict=True) if len(columns) > 1 else None
    texts = []
    for name, column in zip(columns, values or [[row[columns[0]] for row in batch]], strict=True):
        target = _id_target(table, name, counts)
        texts.append(
            _column_text(column) if target is None else _id_text(column, target, counts, offsets)
        )
    lines = "\n".join(map("\t".join, zip(*texts, strict=True)))
    last_id = counts[table.name] + offsets.get(table.name, 0)
    return TableText(table.name, columns, (lines + "\n").encode(), len(batch), last_id)


def _id_text(
    values: Sequence[int | None], target: str, counts: dict[str, int], offsets: dict[str, int]
) -> Sequence[str]:
    nullable = any(map(is_, values, repeat(None)))  # not `in`: no == per value
    present = cast(
        "Sequence[int]", [value for value in values if value is not None] if nullable else values
    )
    if present and not 1 <= min(present) <= max(present) <= counts[target]:
        raise RowsOutsideBatchError(f"an id into {target} that its batch did not hand out")
    offset = offsets.get(target, 0)
    if nullable:
        return [NULL if value is None else str(value + offset) for value in values]
    return list(map(str, map(add, values, repeat(offset)) if offset else values))


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


def _column_text(values: Sequence[Any]) -> Sequence[str]:
    """One column's values as text; text itself (enums included: a `str` subclass's text is
    its value) goes as it is, escaped only when a value holds a special character."""
    sample = next((value for value in values if value is not None), None)
    if sample is None:
        return [NULL] * len(values)
    nullable = any(map(is_, values, repeat(None)))  # not `in`: no == per value
    if isinstance(sample, str):
        texts = [NULL if value is None else value for value in values] if nullable else values
    else:
        convert = _converter(sample)
        if nullable:
            texts = [NULL if value is None else convert(value) for value in values]
        else:
            texts = list(map(convert, values))
    if isinstance(sample, str | list | dict):
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
    if isinstance(sample, int | Decimal):
        return str
    if isinstance(sample, date):  # datetimes too
        return methodcaller("isoformat")
    if isinstance(sample, float):
        return repr
    if isinstance(sample, list | dict):
        return json.dumps
    raise TypeError(f"no COPY text format for {type(sample).__name__}")
