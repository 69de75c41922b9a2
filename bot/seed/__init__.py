"""Deterministic demo and generated data (`bot seed`): it fills every capability's tables.

* `catalog` - plans, add-ons and fees.
* `spec` - what a customer has: contracts, add-ons, usage, fees, how they pay.
* `demo` - the four documented demo customers; `generated` - the random-but-seeded rest.
* `onboarding` - a customer's rows before any bill; `lines` - one month's invoice lines;
  `invoicing` - every month's invoice and its payments.
* `runner` - generates the rows in batches of customers and writes each batch (COPY on
  PostgreSQL, see `writer`).
"""
