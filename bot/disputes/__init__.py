"""Disputes: a customer contests one invoice line; a person resolves it later.

* `service` - open a dispute (idempotent, audited), list an account's, list the open ones
  across accounts (for agents); `models`, `types`, `schemas` - table, statuses, API bodies.
"""
