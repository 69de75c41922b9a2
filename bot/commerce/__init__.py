"""Selling and keeping customers: discounts and retention offers, plans, cancellation, payments.

* `policy` - the discount policy file (offers, authority tiers, holdout, arrangement limits).
* `churn` - the churn-risk score of an account's history; `history` reads that history.
* `decisions` - which offer, if any, a trigger earns (pure); `offers` - deciding, recording,
  accepting and declining; `grants` - discounts granted by a person within their tier.
* `plans` - plan recommendation and proration (pure); `plan_changes` - options, quote, change.
* `cancellation` - cancellation terms and requests.
* `arrangement_rules` - arrangement limits and schedules (pure); `arrangements` - the service;
  `payments` - payment links and billing preferences.
* `types`, `models`, `schemas` - enumerations, tables and API bodies of the above.
"""
