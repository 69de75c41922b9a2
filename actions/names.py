"""Names shared with domain.yml: slots, intents and groups of intents."""

from __future__ import annotations

# Slots
ACCOUNT_NUMBER = "account_number"
IDENTITY_CHECK = "identity_check"
VERIFIED = "verified"
VERIFICATION_LOCKED = "verification_locked"
VERIFIED_ACCOUNT_NUMBER = "verified_account_number"
CUSTOMER_FIRST_NAME = "customer_first_name"
REQUESTED_SLOT = "requested_slot"

# Values of the identity_check slot once the back end has answered.
CHECK_PASSED = "passed"
CHECK_LOCKED = "locked"
CHECK_UNAVAILABLE = "unavailable"

# Slots that the verification outcome sets.
VERIFICATION_OUTCOME_SLOTS = (
    VERIFIED,
    VERIFICATION_LOCKED,
    VERIFIED_ACCOUNT_NUMBER,
    CUSTOMER_FIRST_NAME,
)

# Intents
PROVIDE_ACCOUNT_NUMBER = "provide_account_number"
PROVIDE_VERIFICATION_INFO = "provide_verification_info"
BALANCE_INTENTS = frozenset({"ask_balance", "ask_due_date"})
INVOICE_INTENTS = frozenset({"explain_bill", "explain_charge", "bill_higher_than_usual"})
PAYMENT_INTENTS = frozenset({"payment_history"})
ACCOUNT_INTENTS = BALANCE_INTENTS | INVOICE_INTENTS | PAYMENT_INTENTS
