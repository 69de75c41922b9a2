"""The account intents: what a customer may ask only about a verified account, listed once.

Each names the action that answers it (the rule for a verified customer in data/rules, and
action_answer_pending_request right after the identity check) and the words an agent reads in the
handoff summary. domain.yml and data/rules repeat the names, since YAML cannot import them;
tests/actions/test_intents.py holds both to this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from actions import names


@dataclass(frozen=True, slots=True)
class AccountIntent:
    name: str
    action: str  # answers it for a verified customer
    phrase: str  # the handoff summary's "Asked about ..."


ACCOUNT_INTENTS: tuple[AccountIntent, ...] = (
    AccountIntent("ask_balance", "action_tell_balance", "the balance"),
    AccountIntent("ask_due_date", "action_tell_balance", "the due date"),
    AccountIntent("explain_bill", "action_explain_invoice", "an explanation of the bill"),
    AccountIntent("explain_charge", "action_explain_charge", "a charge on the bill"),
    AccountIntent("bill_higher_than_usual", "action_explain_bill_change", "why the bill went up"),
    AccountIntent("payment_history", "action_list_payments", "past payments"),
    AccountIntent(names.DISPUTE_CHARGE, "action_review_account", "disputing a charge"),
    AccountIntent("request_discount", "action_make_offer", "a discount"),
    AccountIntent("cancel_service", "action_make_offer", "cancelling"),
    AccountIntent("change_plan", "action_recommend_plan", "a cheaper plan"),
    AccountIntent(names.PAY_BILL, "action_send_payment_link", "paying the bill"),
    AccountIntent(
        names.ASK_PAYMENT_ARRANGEMENT, names.ACTION_OFFER_PAYMENT_ARRANGEMENT, "paying later"
    ),
    AccountIntent(
        names.SET_BILLING_PREFERENCES,
        names.ACTION_CHANGE_BILLING_PREFERENCES,
        "billing preferences",
    ),
    AccountIntent(
        names.ASK_DISPUTE_STATUS, names.ACTION_TELL_DISPUTE_STATUS, "where a dispute stands"
    ),
)
ACCOUNT_INTENT_NAMES = frozenset(intent.name for intent in ACCOUNT_INTENTS)
