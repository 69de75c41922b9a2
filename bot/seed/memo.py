"""Calendar helpers of `bot.core.dates`, memoised for the seed: it calls them a few times per
invoice (millions of calls at 100,000 customers) for a few thousand distinct arguments."""

from __future__ import annotations

from functools import cache

from bot.core import dates

add_months = cache(dates.add_months)
month_end = cache(dates.month_end)
format_month = cache(dates.format_month)
