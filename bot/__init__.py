"""Billing back end of the customer-billing support assistant."""

from __future__ import annotations

__version__ = "0.1.0"
