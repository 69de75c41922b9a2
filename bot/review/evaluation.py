"""How well the review finds the seeded billing errors, over the whole seeded population.

A seeded error (`seeded_billing_errors`: rule, offending line) is found when the same rule
reports a finding on that line. Recall = found / seeded. A false positive is a finding that
matches no seeded error; the false-positive rate is the share of clean accounts (no seeded
error) with at least one finding. The rules run on facts loaded in batches; nothing is stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.billing.models import Account
from bot.review.facts import load_facts
from bot.review.models import SeededBillingError
from bot.review.rules import RULES, run_rules

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

BATCH = 500


@dataclass(frozen=True, slots=True)
class RuleScore:
    rule: str
    seeded: int
    found: int
    false_positives: int

    @property
    def recall(self) -> float:
        return self.found / self.seeded if self.seeded else 1.0


@dataclass(frozen=True, slots=True)
class Evaluation:
    accounts: int
    accounts_with_errors: int
    clean_accounts_with_findings: int
    rules: tuple[RuleScore, ...]

    @property
    def seeded(self) -> int:
        return sum(score.seeded for score in self.rules)

    @property
    def found(self) -> int:
        return sum(score.found for score in self.rules)

    @property
    def false_positives(self) -> int:
        return sum(score.false_positives for score in self.rules)

    @property
    def recall(self) -> float:
        return self.found / self.seeded if self.seeded else 1.0

    @property
    def false_positive_rate(self) -> float:
        clean = self.accounts - self.accounts_with_errors
        return self.clean_accounts_with_findings / clean if clean else 0.0


def evaluate(session: Session) -> Evaluation:
    """Run every rule on every account and compare with the seeded ground truth."""
    truth = {
        (str(row.rule), row.line_id): row.account_id
        for row in session.scalars(select(SeededBillingError))
    }
    erroneous = set(truth.values())
    found: set[tuple[str, int]] = set()
    false_positives: Counter[str] = Counter()
    noisy_clean: set[int] = set()
    ids = list(session.scalars(select(Account.id).order_by(Account.id)))
    for start in range(0, len(ids), BATCH):
        for facts in load_facts(session, ids[start : start + BATCH]).values():
            for draft in run_rules(facts):
                key = (str(draft.rule), draft.line_id)
                if key in truth:
                    found.add(key)
                    continue
                false_positives[key[0]] += 1
                if facts.account_id not in erroneous:
                    noisy_clean.add(facts.account_id)
    seeded = Counter(rule for rule, _ in truth)
    hits = Counter(rule for rule, _ in found)
    scores = tuple(
        RuleScore(str(rule), seeded[str(rule)], hits[str(rule)], false_positives[str(rule)])
        for rule in RULES
    )
    return Evaluation(len(ids), len(erroneous), len(noisy_clean), scores)
