"""The client side of `make bench`: NLU parses, whole conversations over the REST channel, and
saturated throughput, against one or two Rasa servers. Async httpx, bounded in count and time."""

from __future__ import annotations

import asyncio
import ssl
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from scripts.bench_processes import RasaServer

# Realistic billing messages (none of them from the training data's files), parsed by both bots.
PARSE_MESSAGES = (
    "what's my balance?",
    "why is my bill so high this month",
    "Hi, please help me pay my latest bill",
    "can you explain my latest invoice",
    "when is my payment due",
    "show me my last payments",
    "what is the 4.50 charge on my bill?",
    "is there a cheaper plan for me",
    "can I get a discount, I've been with you for years",
    "I'd like to cancel my contract",
    "can i pay later pls",
    "turn off my direct debit please",
    "any news on my dispute?",
    "i think i was charged twice for roaming last month",
    "my account number is 100001",
    "I want to talk to a person",
    "hi there",
    "thanks, bye",
    "how do I check what payment methods are accepted?",
    "I have a crazy billing issue",
)

# One conversation: (message, text the replies must contain). Ours: verification by account
# number then date of birth (answered with the balance), then the invoice explained.
OURS_CONVERSATION = (
    ("what's my balance?", "account number"),
    ("100001", "date of birth"),
    ("14 March 1985", "Your balance is"),
    ("can you explain my latest bill", "Invoice INV-"),
)
# The stock bot answers its own intents: four turns of its sad path, messages of similar length.
# The sad message is one of its training examples: a freshly trained stock model (DIET, no fixed
# seed) read "I am feeling very sad today" as mood_great on one machine.
STOCK_CONVERSATION = (
    ("hello there, good morning", "How are you?"),
    ("I don't feel very well", "Did that help you?"),
    ("yes, that helped a lot", "Great, carry on!"),
    ("goodbye, have a nice day", "Bye"),
)
TURN_KINDS = ("ask", "account", "date of birth + balance", "invoice")

# One long conversation per bot (issue 11: a turn's cost must not grow with the conversation
# faster than the stock bot's). Ours verifies as above, then asks in turn for its invoice to be
# explained and for its balance; the stock bot goes round its four turns.
LONG_TURNS = 120
LONG_WINDOW = 15  # turns 1-15 against the last 15 (106-120)
OURS_LONG_CYCLE = (
    ("can you explain my latest bill", "Invoice INV-"),
    ("what's my balance?", "Your balance is"),
)


class TurnFailed(Exception):
    """A turn got an HTTP error, no reply, or not the reply its conversation expects."""


@dataclass
class Bot:
    server: RasaServer
    conversation: Sequence[tuple[str, str]]


@dataclass
class Throughput:
    turns: int
    failures: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.turns / self.seconds


@dataclass
class Latencies:
    """Milliseconds per bot, and for ours per kind of turn."""

    by_bot: dict[str, list[float]] = field(default_factory=dict)
    by_turn: dict[str, list[float]] = field(default_factory=dict)


def client(connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(timeout=60, limits=limits)


# The bench speaks plain HTTP on loopback; one TLS context for every client spares each new
# client loading the certificate store.
_UNUSED_TLS = ssl.create_default_context()


def customer_client() -> httpx.AsyncClient:
    """One customer's connection (see `saturate`)."""
    return httpx.AsyncClient(timeout=60, verify=_UNUSED_TLS, limits=httpx.Limits(max_connections=1))


async def parse_ms(http: httpx.AsyncClient, server: RasaServer, text: str) -> float:
    started = time.perf_counter()
    response = await http.post(
        f"{server.url}/model/parse", params={"token": server.token}, json={"text": text}
    )
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    if "intent" not in response.json():
        raise TurnFailed("parse without an intent")
    return elapsed


async def parses(bots: dict[str, RasaServer], rounds: int) -> dict[str, list[float]]:
    """Every message to each bot in turn (ours, stock, ours, ...), so noise hits both alike."""
    samples: dict[str, list[float]] = {name: [] for name in bots}
    async with client(4) as http:
        for _ in range(rounds):
            for text in PARSE_MESSAGES:
                for name, server in bots.items():
                    samples[name].append(await parse_ms(http, server, text))
    return samples


async def turn(
    http: httpx.AsyncClient, server: RasaServer, sender: str, text: str, expect: str
) -> None:
    response = await http.post(
        f"{server.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    )
    if response.status_code != 200:
        raise TurnFailed(f"HTTP {response.status_code}")
    replies = " ".join(str(message.get("text", "")) for message in response.json())
    if expect not in replies:
        raise TurnFailed(f"expected {expect!r}")  # our text only, never the reply


async def conversation(
    http: httpx.AsyncClient, bot: Bot, samples: list[float] | None = None
) -> list[float]:
    """One whole conversation under a new sender id; milliseconds per turn."""
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    timings = samples if samples is not None else []
    for text, expect in bot.conversation:
        started = time.perf_counter()
        await turn(http, bot.server, sender, text, expect)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def conversations(bots: dict[str, Bot], count: int, ours: str) -> Latencies:
    """`count` conversations per bot, one at a time, alternating between the bots."""
    result = Latencies({name: [] for name in bots}, {kind: [] for kind in TURN_KINDS})
    async with client(2) as http:
        for _ in range(count):
            for name, bot in bots.items():
                timings = await conversation(http, bot)
                result.by_bot[name].extend(timings)
                if name == ours:
                    for kind, elapsed in zip(TURN_KINDS, timings, strict=True):
                        result.by_turn[kind].append(elapsed)
    return result


def long_script(
    opening: Sequence[tuple[str, str]], cycle: Sequence[tuple[str, str]], turns: int
) -> list[tuple[str, str]]:
    """`opening`, then `cycle` over and over, `turns` turns in all."""
    script = list(opening)[:turns]
    while len(script) < turns:
        script.append(cycle[(len(script) - len(opening)) % len(cycle)])
    return script


async def long_conversations(
    bots: dict[str, Bot], scripts: dict[str, list[tuple[str, str]]]
) -> dict[str, list[float]]:
    """One conversation per bot, turn by turn alternating between the bots (so noise hits
    both alike); milliseconds of each turn, in order."""
    senders = {name: f"bench-long-{uuid.uuid4().hex[:12]}" for name in bots}
    timings: dict[str, list[float]] = {name: [] for name in bots}
    turns = min(len(script) for script in scripts.values())
    async with client(2) as http:
        for index in range(turns):
            for name, bot in bots.items():
                text, expect = scripts[name][index]
                started = time.perf_counter()
                try:
                    await turn(http, bot.server, senders[name], text, expect)
                except TurnFailed as error:
                    raise TurnFailed(
                        f"{name}, long conversation turn {index + 1}: {error}"
                    ) from error
                timings[name].append((time.perf_counter() - started) * 1000)
    return timings


async def saturate(bot: Bot, clients: int, seconds: float, max_turns: int) -> Throughput:
    """`clients` conversations at once, each starting a new one when done, for `seconds`.

    Each conversation is a customer with a connection of its own, kept alive for its turns (as
    a browser does), not one of a few connections shared by every conversation: with Sanic
    workers sharing a listening socket, whichever worker is free accepts a new connection, while
    sixteen long-lived connections stay wherever they were accepted (often all on one worker)."""
    deadline = time.monotonic() + seconds
    done = failures = 0

    async def one_client() -> None:
        nonlocal done, failures
        while time.monotonic() < deadline and done < max_turns:
            sender = f"bench-load-{uuid.uuid4().hex[:12]}"
            async with customer_client() as http:
                for text, expect in bot.conversation:
                    if time.monotonic() >= deadline:
                        return
                    try:
                        await turn(http, bot.server, sender, text, expect)
                        done += 1
                    except (TurnFailed, httpx.HTTPError, ValueError):
                        failures += 1
                        break  # this conversation is off script: start a new one

    started = time.monotonic()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return Throughput(done, failures, time.monotonic() - started)


async def warm_up(bots: dict[str, Bot]) -> None:
    """First calls build caches and connections: two conversations and parses per bot."""
    async with client(2) as http:
        for bot in bots.values():
            for _ in range(2):
                await conversation(http, bot)
            for text in PARSE_MESSAGES[:5]:
                await parse_ms(http, bot.server, text)
