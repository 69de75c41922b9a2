"""Every table of the back end on one `MetaData`: Alembic, `bot seed --reset` and the tests use it.

Each capability declares its models on `bot.core.base.Base`; importing this module imports all
of those modules, so `metadata` is complete. A new capability adds its models module here.
"""

from __future__ import annotations

import bot.analytics.models
import bot.billing.models
import bot.commerce.models
import bot.desk.models
import bot.disputes.models
import bot.review.models
import bot.safety.models
import bot.service.models
from bot.core.base import Base

MODEL_MODULES = (
    bot.billing.models,
    bot.safety.models,
    bot.review.models,
    bot.disputes.models,
    bot.commerce.models,
    bot.desk.models,
    bot.analytics.models,
    bot.service.models,
)
metadata = Base.metadata
