"""Pure retry decisions, apart from the I/O that applies them (_transport.py).

Retried: connection errors, timeouts and 502/503/504, for idempotent calls only (GET, PUT,
DELETE). A POST that creates something, and PATCH, are never retried: the first attempt may
have reached the server. Verification is a POST that creates nothing but spends limits, so it
is retried only when the connection was never made (the request cannot have arrived).
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from typing import Literal

Policy = Literal["idempotent", "never", "before_connection"]

RETRIED_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class RetryOptions:
    """``max`` attempts after the first; backoff ``base_delay * 2**attempt`` with full jitter, at most ``max_delay`` seconds."""

    max: int = 2
    base_delay: float = 0.2
    max_delay: float = 10.0


@dataclass(frozen=True)
class Outcome:
    """What an attempt ended with: an answer's status, or ``network`` / ``timeout``."""

    kind: Literal["answer", "network", "timeout"]
    status: int = 0
    retry_after: str | None = None
    connected: bool = True


def policy_of(method: str) -> Policy:
    return "idempotent" if method in ("GET", "PUT", "DELETE", "HEAD") else "never"


def parse_retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` in seconds or as an HTTP date, as seconds from ``now``; None when absent or unreadable."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        at = email.utils.parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, at - now)


def retry_delay(policy: Policy, outcome: Outcome, attempt: int, options: RetryOptions, now: float, random: float) -> float | None:
    """The wait in seconds before attempt ``attempt + 1`` (counting from 0), or None for no retry."""
    if attempt >= options.max or policy == "never":
        return None
    if policy == "before_connection" and not (outcome.kind == "network" and not outcome.connected):
        return None
    if outcome.kind == "answer" and outcome.status not in RETRIED_STATUSES:
        return None
    backoff = min(options.max_delay, options.base_delay * 2**attempt) * random
    if outcome.kind != "answer":
        return backoff
    asked = parse_retry_after(outcome.retry_after, now)
    if asked is None:
        return backoff
    # The server said when: wait that long, or give up if it is longer than a caller should hang.
    return None if asked > options.max_delay else asked
