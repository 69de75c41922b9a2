"""Erlang C: how long callers wait in a queue served by `agents` people, as pure functions.

`traffic` A is the offered load in Erlangs (arrivals per hour x hours of handling each);
`agents` N the people answering; `handle_seconds` the average handle time. For A < N:

    P_w = N * B / (N - A * (1 - B))            probability that a caller waits,
                                               with B = Erlang B(A, N)
    SL  = 1 - P_w * exp(-(N - A) * t / AHT)    share answered within t seconds
    ASA = P_w * AHT / (N - A)                  average speed of answer (seconds)

Erlang B comes from the recursion B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)), which stays
within [0, 1] and never forms A^N or N! (no overflow for hundreds of agents). With A >= N the
queue is unstable: everyone waits (P_w = 1), nobody is answered within a bound (SL = 0) and the
average wait grows without limit (ASA = inf).
"""

from __future__ import annotations

import math


def _check(traffic: float, agents: int) -> None:
    if agents < 0 or traffic < 0 or math.isnan(traffic):
        raise ValueError("traffic and agents must not be negative")


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of A Erlangs offered to N servers without a queue."""
    _check(traffic, agents)
    blocking = 1.0
    for servers in range(1, agents + 1):
        blocking = traffic * blocking / (servers + traffic * blocking)
    return blocking


def probability_of_waiting(traffic: float, agents: int) -> float:
    """Erlang C: the probability that a caller has to wait (1.0 when A >= N)."""
    _check(traffic, agents)
    if traffic >= agents:
        return 1.0
    if traffic == 0:
        return 0.0
    blocking = erlang_b(traffic, agents)
    waiting = agents * blocking / (agents - traffic * (1 - blocking))
    return min(1.0, max(0.0, waiting))


def service_level(
    traffic: float, agents: int, handle_seconds: float, target_seconds: float
) -> float:
    """Share of callers answered within `target_seconds` (0.0 when A >= N)."""
    if handle_seconds <= 0 or target_seconds < 0:
        raise ValueError("handle time must be positive and the target not negative")
    if traffic >= agents:
        return 0.0
    waiting = probability_of_waiting(traffic, agents)
    return 1.0 - waiting * math.exp(-(agents - traffic) * target_seconds / handle_seconds)


def average_speed_of_answer(traffic: float, agents: int, handle_seconds: float) -> float:
    """Average wait in seconds before an agent answers (inf when A >= N)."""
    if handle_seconds <= 0:
        raise ValueError("handle time must be positive")
    if traffic >= agents:
        return math.inf
    return probability_of_waiting(traffic, agents) * handle_seconds / (agents - traffic)
