"""Bill changes, the fair-treatment review with a credit, offers before cancelling: over REST."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from datetime import datetime

import httpx

from tests.e2e.conftest import ROOT, SERVICE_TOKEN, Stack, wait_until
from tests.e2e.test_conversations import latest_invoice_total, verify, verify_with_postcode


def latest_code(stack: Stack) -> str:
    """Read the one-time code the way a person trying the bot does: `bot outbox`."""
    result = subprocess.run(  # noqa: S603 - our own command
        [str(ROOT / ".venv/bin/bot"), "outbox", "--limit", "1"],
        cwd=ROOT, env=stack.env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    codes = re.findall(r"(?<!\d)(\d{6})(?!\d)", result.stdout)
    assert codes, result.stdout
    return codes[-1]


def step_up(stack: Stack, sender: str, reply_to_yes: list[dict]) -> list[str]:
    """Pick the first contact offered, type the code from the outbox; the bot's last replies."""
    buttons = reply_to_yes[-1]["buttons"]
    assert all("***" in button["title"] for button in buttons)  # contacts are masked
    assert "6-digit code" in " ".join(stack.chat(sender, buttons[0]["payload"]))
    return stack.chat(sender, latest_code(stack))


def chat_raw(stack: Stack, sender: str, text: str) -> list[dict]:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    response.raise_for_status()
    return list(response.json())


def test_ana_verifies_with_postcode_and_amount_and_hears_why_her_bill_went_up(
    stack: Stack, sender: str
) -> None:
    amount = latest_invoice_total(stack, "100001", "1985-03-14")
    replies = verify_with_postcode(stack, sender, "how much do I owe?", "100001", "1000", amount)
    assert replies[0] == "Thanks Ana, you're verified."
    assert replies[1].startswith("Your balance is ")
    replies = stack.chat(sender, "why is my bill higher than last month?")
    # Invoice dates follow the day the seed ran, so the months are read, not fixed.
    change = re.match(
        r"Your (\w+ \d{4}) bill is 54\.17 EUR, 17\.69 EUR more than (\w+ \d{4})'s 36\.48 EUR",
        replies[0],
    )
    assert change, replies[0]
    latest, previous = (datetime.strptime(month, "%B %Y").date() for month in change.groups())
    assert (latest - previous).days in range(28, 32)
    causes = replies[1]
    assert "+10.00 EUR" in causes
    assert "+4.50 EUR" in causes
    assert "+3.19 EUR" in causes


def test_marko_duplicate_is_credited_once_after_a_code_and_a_yes(stack: Stack, sender: str) -> None:
    verify(stack, sender, "balance please", "100002", "2 November 1979")
    proposal = chat_raw(stack, sender, "you charged me the roaming pack twice!")
    texts = " ".join(message.get("text", "") for message in proposal)
    assert "9.99" in texts
    assert "Shall I?" in texts
    channels = chat_raw(stack, sender, "yes please")
    done = step_up(stack, sender, channels)
    assert done[0].startswith("Done: I've credited")

    # A retry of the same write (same idempotency key) is answered, not executed again.
    finding_body = _findings(stack, sender, "100002")
    credited = [f for f in finding_body if f["status"] == "credited"]
    assert len(credited) == 1
    key = hashlib.sha256(f"{sender}|credit|{credited[0]['id']}|".encode()).hexdigest()[:40]
    replay = _post(
        stack, sender, f"/api/v1/accounts/100002/findings/{credited[0]['id']}/credit", key
    )
    assert replay.status_code == 201
    assert replay.headers.get("Idempotent-Replayed") == "true"
    again = stack.chat(sender, "I was charged twice for roaming, fix it")
    assert "Shall I?" not in " ".join(again)


def test_eva_is_offered_a_loyalty_discount_before_cancelling(stack: Stack, sender: str) -> None:
    verify(stack, sender, "what do i owe", "100003", "21.7.1992")
    offer = " ".join(stack.chat(sender, "I want to cancel my contract"))
    assert "Loyalty discount" in offer
    assert "Would you like it?" in offer
    terms = " ".join(stack.chat(sender, "no thanks"))
    assert "If you cancel now, your service ends on" in terms
    assert "record your cancellation request" in terms


def _headers(sender: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-Conversation-Id": sender}


def _findings(stack: Stack, sender: str, account: str) -> list[dict]:
    url = f"{stack.backend_url}/api/v1/accounts/{account}/findings"
    response = httpx.get(url, headers=_headers(sender), timeout=10)
    response.raise_for_status()
    return list(response.json()["findings"])


def _post(stack: Stack, sender: str, path: str, key: str) -> httpx.Response:
    headers = {**_headers(sender), "Idempotency-Key": key, "Content-Type": "application/json"}
    return httpx.post(f"{stack.backend_url}{path}", content=json.dumps({}), headers=headers)


def test_editing_the_policy_file_changes_the_offer(stack: Stack, sender: str) -> None:
    policy = (ROOT / "config" / "discount_policy.yml").read_text()
    assert "    percent: 15\n" in policy
    edited = stack.workdir / "policy.yml"
    loyalty = "    name: Loyalty discount\n    percent: "
    edited.write_text(policy.replace(f"{loyalty}15\n", f"{loyalty}12\n", 1))
    backend = stack.processes["backend"]
    backend.stop()
    original_env = stack.env
    stack.env = {**original_env, "DISCOUNT_POLICY_PATH": str(edited)}
    try:
        backend.start(stack.env)
        wait_until(f"{stack.backend_url}/health", backend)
        verify(stack, sender, "what's my balance", "100003", "1992-07-21")
        offer = " ".join(stack.chat(sender, "can I get a discount?"))
        assert "Loyalty discount, 12% off your plan" in offer
    finally:
        backend.stop()
        stack.env = original_env
        backend.start(stack.env)
        wait_until(f"{stack.backend_url}/health", backend)
