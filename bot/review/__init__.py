"""The fair-treatment review: rules that find unfair charges, findings, credits, evaluation.

* `rules` - one module per rule and the registry (`RULES`, `run_rules`); pure functions of
  `facts.AccountFacts`, loaded by `facts.load_facts` for one or many accounts.
* `service` - `run_review` (store findings, audit), `review_request` (idempotent), listings.
* `credits` - `decide_credit` (pure) and `credit_finding`: exactly the finding's amount, once,
  within BOT_CREDIT_LIMIT, after step-up; above the limit the finding is escalated.
* `evaluation` - recall and false positives against the errors `bot seed` puts in on purpose.
* `models`, `types`, `schemas` - tables, enumerations, API bodies.
"""
