"""Names shared with domain.yml: slots, intents and groups of intents."""

from __future__ import annotations

# Slots
ACCOUNT_NUMBER = "account_number"
IDENTITY_CHECK = "identity_check"
INVOICE_AMOUNT_CHECK = "invoice_amount_check"  # asked only after a postcode
VERIFIED = "verified"
VERIFICATION_LOCKED = "verification_locked"
VERIFIED_ACCOUNT_NUMBER = "verified_account_number"
CUSTOMER_FIRST_NAME = "customer_first_name"
REQUESTED_SLOT = "requested_slot"
STEP_UP_CHANNEL = "step_up_channel"
STEP_UP_CODE = "step_up_code"
STEPPED_UP = "stepped_up"
PENDING_OPERATION = "pending_operation"
AWAITING_CONFIRMATION = "awaiting_confirmation"
LANGUAGE = "language"  # the conversation's language: en or sl (actions/language.py)
SURVEY_ASKED = "survey_asked"  # the end-of-conversation survey was asked in this session
SURVEY_ANSWER_ID = "survey_answer_id"  # the back end's id of this session's answer
SURVEY_COMMENT = "survey_comment"  # the optional comment (survey_comment_form)
SERVICE_RATING = "service_rating"  # entity of the rating buttons: 1-5

# Values of the identity_check slot once the back end has answered.
CHECK_PASSED = "passed"
CHECK_LOCKED = "locked"
CHECK_UNAVAILABLE = "unavailable"
CHECK_FAILED = "failed"
CHECK_POSTCODE_HELD = "postcode_held"  # the back end holds the postcode; the amount comes next

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
ASK_PAYMENT_ARRANGEMENT = "ask_payment_arrangement"
SET_BILLING_PREFERENCES = "set_billing_preferences"
ASK_DISPUTE_STATUS = "ask_dispute_status"
DISPUTE_CHARGE = "dispute_charge"
PAY_BILL = "pay_bill"
TALK_TO_HUMAN = "talk_to_human"

# Entities read by actions (no slot keeps them)
OPTION = "option"  # a button's choice, e.g. "split:3"
PREFERENCE = "preference"  # autopay | e_billing | paper_billing
SWITCH = "switch"  # on | off

# Actions of the payment, preference and dispute conversations
ACTION_OFFER_PAYMENT_ARRANGEMENT = "action_offer_payment_arrangement"
ACTION_CHANGE_BILLING_PREFERENCES = "action_change_billing_preferences"
ACTION_TELL_DISPUTE_STATUS = "action_tell_dispute_status"

# Handoff to a person
ACTION_HANDLE_FALLBACK = "action_handle_fallback"  # also RulePolicy's core fallback (config.yml)
HANDOFF_REASON = "handoff_reason"  # "beyond_authority|17": set by an action that offers a person
HANDOFF_TICKET = "handoff_ticket"  # the open ticket while the customer chooses wait/callback/bot
CALLBACK_WINDOW = "callback_window"  # entity: the start of the callback window chosen
EXPRESS_FRUSTRATION = "express_frustration"
