"""One batch of generated customers: their billing rows, then their retention histories.

The serial seed (`runner.generate`) and the parallel one (`parallel`) both fill a batch here, so
whatever a generated customer gets is the same on both paths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.dates import add_months, month_start
from bot.seed.generated import generated_spec
from bot.seed.invoicing import bill_customer
from bot.seed.outcomes import add_outcomes
from bot.seed.practices import add_practices

if TYPE_CHECKING:
    from datetime import date

    from bot.seed.rows import Rows

FIRST_GENERATED_ACCOUNT = 100_005


def latest_period(as_of: date) -> date:
    """The period of the latest invoice: the month before `as_of`'s month."""
    return add_months(month_start(as_of), -1)


def add_generated(
    rows: Rows, first_index: int, count: int, as_of: date, holdout_share: float
) -> None:
    """Add generated customers `first_index` .. `first_index + count - 1` and their histories.

    A customer's rows are made on their own (sharing the batch's id counters) and then added to
    the batch, so the order of rows, and so the ids, in a table that more than one step writes
    (adjustments, outcomes) is the same whatever the batch size."""
    latest = latest_period(as_of)
    for index in range(first_index, first_index + count):
        customer = rows.next_batch()
        spec = generated_spec(index, str(FIRST_GENERATED_ACCOUNT + index), latest)
        bill_customer(spec, latest, as_of, customer)
        add_outcomes(customer, as_of, holdout_share, FIRST_GENERATED_ACCOUNT)
        add_practices(customer, as_of)
        rows.extend(customer)
