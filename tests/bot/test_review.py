"""The review service and crediting findings, on the seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.billing.accounts import account_position
from bot.billing.models import Adjustment
from bot.core.errors import AlreadyCredited, BeyondAuthority, NotFound, StepUpRequired
from bot.core.language import Language
from bot.core.texts import Texts
from bot.review import credits, service
from bot.review.credits import CreditAction, decide_credit
from bot.review.models import Finding
from bot.review.types import FindingStatus
from bot.safety.models import AuditEntry
from tests.bot.safety_helpers import context, step_up_now

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.bot.conftest import FakeClock

LIMIT = 3000


def _marko_finding(session: Session, clock: FakeClock) -> int:
    ctx = context(session, "100002", clock())
    result = service.run_review(
        session, ctx.account, clock(), limit_cents=LIMIT, conversation_id="c"
    )
    (finding,) = result.findings
    return finding.id


@given(
    st.sampled_from(list(FindingStatus)),
    st.integers(min_value=-1000, max_value=100_000),
    st.integers(min_value=0, max_value=100_000),
)
def test_a_credit_never_exceeds_its_finding_nor_the_limit(
    status: FindingStatus, amount: int, limit: int
) -> None:
    decision = decide_credit(status, amount, limit)
    if decision.action is CreditAction.CREDIT:
        assert decision.amount_cents == amount
        assert 0 < decision.amount_cents <= limit
        assert status is FindingStatus.OPEN
    else:
        assert decision.amount_cents == 0
    if status is FindingStatus.OPEN and amount > limit:
        assert decision.action is CreditAction.ESCALATE


def test_marko_duplicate_roaming_is_found_once(seeded_session: Session, clock: FakeClock) -> None:
    ctx = context(seeded_session, "100002", clock())
    first = service.run_review(seeded_session, ctx.account, clock(), limit_cents=LIMIT)
    assert (first.invoices_checked, first.new_findings) == (18, 1)
    (finding,) = first.findings
    assert finding.model_dump(exclude={"id", "line_ids", "evidence", "created_at"}) == {
        "rule": "duplicate_charge",
        "status": "open",
        "invoice_number": "INV-100002-202611",
        "amount": "12.18",
        "net_amount": "9.99",
        "vat": "2.19",
        "currency": "EUR",
        "summary": "Roaming pack, October 2026 (9.99 EUR) is charged twice for 1–31 October "
        "2026: INV-100002-202611 repeats a charge already on the same invoice.",
        "bot_can_credit": True,
    }
    assert finding.evidence["duplicate"]["line_id"] == finding.line_ids[0]
    assert finding.evidence["original"]["line_id"] == finding.line_ids[1]
    again = service.run_review(seeded_session, ctx.account, clock(), limit_cents=LIMIT)
    assert again.new_findings == 0
    assert [f.id for f in again.findings] == [finding.id]
    assert seeded_session.scalar(select(func.count()).select_from(Finding)) == 1
    audits = seeded_session.scalars(select(AuditEntry.action)).all()
    assert audits == ["review.run", "review.run"]


def test_clean_accounts_and_one_invoice(seeded_session: Session, clock: FakeClock) -> None:
    for number in ("100001", "100003", "100004"):
        account = context(seeded_session, number, clock()).account
        assert (
            service.run_review(seeded_session, account, clock(), limit_cents=LIMIT).findings == []
        )
    marko = context(seeded_session, "100002", clock()).account
    older = service.run_review(
        seeded_session, marko, clock(), limit_cents=LIMIT, invoice_number="INV-100002-202610"
    )
    assert (older.invoices_checked, older.findings) == (1, [])
    with pytest.raises(NotFound):
        service.run_review(
            seeded_session, marko, clock(), limit_cents=LIMIT, invoice_number="INV-100001-202611"
        )


def test_credit_needs_step_up_then_credits_exactly_once(
    seeded_session: Session, clock: FakeClock
) -> None:
    finding_id = _marko_finding(seeded_session, clock)
    ctx = context(seeded_session, "100002", clock(), key="conv-m:credit:1")
    before = account_position(seeded_session, ctx.account, clock().date()).balance_cents
    with pytest.raises(StepUpRequired):
        credits.credit_finding(seeded_session, ctx, finding_id, LIMIT)
    step_up_now(seeded_session, ctx)
    result = credits.credit_finding(seeded_session, ctx, finding_id, LIMIT)
    assert (result.status_code, result.replayed) == (201, False)
    assert result.body["credit"]["amount"] == "12.18"
    assert result.body["balance"] == f"{(before - 1218) / 100:.2f}"
    replayed = credits.credit_finding(seeded_session, ctx, finding_id, LIMIT)
    assert (replayed.replayed, replayed.body) == (True, result.body)
    other_key = context(seeded_session, "100002", clock(), key="conv-m:credit:2")
    with pytest.raises(AlreadyCredited):
        credits.credit_finding(seeded_session, other_key, finding_id, LIMIT)
    finding = seeded_session.get(Finding, finding_id)
    assert finding is not None
    seeded_session.refresh(finding)
    assert finding.status is FindingStatus.CREDITED
    credited = seeded_session.scalars(
        select(Adjustment).where(Adjustment.id == finding.adjustment_id)
    ).one()
    assert (credited.amount_cents, credited.invoice_id) == (1218, finding.invoice_id)
    actions = seeded_session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-1] == "finding.credited"


def test_beyond_authority_escalates_without_step_up(
    seeded_session: Session, clock: FakeClock
) -> None:
    finding_id = _marko_finding(seeded_session, clock)
    ctx = context(seeded_session, "100002", clock(), key="conv-m:credit:1")
    for _ in range(2):
        with pytest.raises(BeyondAuthority, match="colleague"):
            credits.credit_finding(seeded_session, ctx, finding_id, limit_cents=1000)
    finding = seeded_session.get(Finding, finding_id)
    assert finding is not None
    seeded_session.refresh(finding)
    assert finding.status is FindingStatus.ESCALATED
    assert [
        f.id for f in service.findings_with_status(seeded_session, FindingStatus.ESCALATED)
    ] == [finding_id]
    actions = seeded_session.scalars(select(AuditEntry.action)).all()
    assert actions.count("finding.escalated") == 1
    assert (
        seeded_session.scalar(
            select(func.count()).select_from(Adjustment).where(Adjustment.created_at == clock())
        )
        == 0
    )
    listed = service.list_findings(seeded_session, ctx.account, LIMIT).findings
    assert [(f.status, f.bot_can_credit) for f in listed] == [("escalated", False)]


def test_unknown_or_foreign_finding_is_not_found(seeded_session: Session, clock: FakeClock) -> None:
    finding_id = _marko_finding(seeded_session, clock)
    ana = context(seeded_session, "100001", clock(), key="conv-a:credit:1")
    for wanted in (finding_id, finding_id + 1000):
        with pytest.raises(NotFound):
            credits.credit_finding(seeded_session, ana, wanted, LIMIT)


def test_a_dismissed_finding_cannot_be_credited(seeded_session: Session, clock: FakeClock) -> None:
    from bot.core.errors import FindingClosed

    finding_id = _marko_finding(seeded_session, clock)
    credits.dismiss_finding(
        seeded_session, finding_id, actor="agent:7", reason="checked", now=clock()
    )
    ctx = context(seeded_session, "100002", clock(), key="conv-m:credit:1")
    with pytest.raises(FindingClosed):
        credits.credit_finding(seeded_session, ctx, finding_id, LIMIT)


SL = Texts(Language.SL)
DUPLICATE_SL = (
    "Postavka »Paket za gostovanje, oktober 2026« (9,99 €) je za obdobje 1.–31. oktobra 2026 "
    "zaračunana dvakrat: račun INV-100002-202611 isti znesek vsebuje že drugič."
)


def test_a_finding_names_its_line_in_the_readers_language(
    seeded_session: Session, clock: FakeClock
) -> None:
    """The stored summary and phrase keep the line's English text; read in Slovenian, the line is
    named from the line itself, when the review stores it and when it is listed later."""
    ctx = context(seeded_session, "100002", clock(), key="c:review:sl")
    review = service.review_request(seeded_session, ctx, None, LIMIT, SL)
    (new,) = review.body["findings"]
    assert new["summary"] == DUPLICATE_SL
    stored = seeded_session.get(Finding, new["id"])
    assert stored is not None
    assert stored.summary.startswith("Roaming pack, October 2026 (9.99 EUR)")
    assert stored.evidence["phrase"]["values"]["description"] == "Roaming pack, October 2026"
    (listed,) = service.list_findings(seeded_session, ctx.account, LIMIT, texts=SL).findings
    assert listed.summary == DUPLICATE_SL
    (english,) = service.list_findings(seeded_session, ctx.account, LIMIT, texts=Texts()).findings
    assert english.summary == stored.summary
    again = service.run_review(seeded_session, ctx.account, clock(), limit_cents=LIMIT)
    (untranslated,) = again.findings  # no language: the stored English summary
    assert untranslated.summary == stored.summary


def test_a_phrase_naming_another_text_than_its_line_keeps_it(
    seeded_session: Session, clock: FakeClock
) -> None:
    finding_id = _marko_finding(seeded_session, clock)
    finding = seeded_session.get(Finding, finding_id)
    assert finding is not None
    phrase = finding.evidence["phrase"]
    typed = {**phrase, "values": {**phrase["values"], "description": "Typed by hand"}}
    finding.evidence = {**finding.evidence, "phrase": typed}
    seeded_session.commit()
    ctx = context(seeded_session, "100002", clock())
    (listed,) = service.list_findings(seeded_session, ctx.account, LIMIT, texts=SL).findings
    assert listed.summary.startswith("Postavka »Typed by hand« (9,99 €)")
