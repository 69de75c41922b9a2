"""Errors of the retention analytics: every one is a `BotError`, so the CLI prints its message
(no traceback, exit 1) and the API maps it, each in its one place."""

from __future__ import annotations

from bot.core.errors import BotError


class AnalyticsError(BotError):
    """Base class: the analysis cannot be done on this input."""


class UnreadableFile(AnalyticsError):
    """The experiment file is missing, not a file, not UTF-8 text or not CSV with a header."""


class MissingColumn(AnalyticsError):
    """A column named on the command line is not in the file's header."""


class EmptyArm(AnalyticsError):
    """The control value (or an arm asked for) has no rows in the file."""


class NonBinaryOutcome(AnalyticsError):
    """The outcome column holds something other than two values (0/1, true/false, yes/no)."""
