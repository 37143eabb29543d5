"""Typed answers (read from the API's camelCase JSON) and the policy values a request takes.

Answers keep fields the client does not know yet in ``raw``, so a newer server loses nothing.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar, get_type_hints

T = TypeVar("T")

_CAMEL = re.compile(r"_([a-z])")


def camel(name: str) -> str:
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if hint in (datetime, datetime | None) and isinstance(value, str):
        return datetime.fromisoformat(value)
    nested = next((arg for arg in getattr(hint, "__args__", (hint,)) if dataclasses.is_dataclass(arg)), None)
    if nested is not None and isinstance(value, dict):
        return from_wire(nested, value)
    return value


def from_wire(cls: type[T], data: dict[str, Any]) -> T:
    """An answer's dataclass from its JSON object: each field read from its camelCase name."""
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name == "raw":
            values["raw"] = data
        elif camel(f.name) in data:
            values[f.name] = _convert(hints[f.name], data[camel(f.name)])
    return cls(**values)


def to_wire(value: Any) -> Any:
    """A request value as JSON: dataclasses with camelCase names (unset fields left out); dicts as given."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {camel(f.name): to_wire(getattr(value, f.name)) for f in dataclasses.fields(value) if getattr(value, f.name) is not None}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_wire(item) for item in value]
    return value


# Request values -------------------------------------------------------------------------------


@dataclass
class RateLimit:
    """Per-credential limit: ``limit`` verifications per ``window_seconds``; algorithm ``none`` means unlimited."""

    limit: int | None = None
    window_seconds: int | None = None
    algorithm: Literal["sliding_window", "token_bucket", "none"] | None = None
    burst: int | None = None


@dataclass
class Quota:
    """Uses per UTC ``day`` or ``month``."""

    limit: int
    period: Literal["day", "month"]


@dataclass
class Refill:
    amount: int
    interval: Literal["day", "month"]


@dataclass
class Credits:
    """A balance each verification spends (its cost), refilled every interval when ``refill`` is set."""

    remaining: int
    refill: Refill | None = None


# Answers --------------------------------------------------------------------------------------


@dataclass
class Page(Generic[T]):
    """One page of a list: its items and the cursor of the next page (None on the last one)."""

    items: list[T]
    next_cursor: str | None


@dataclass
class Project:
    id: str
    name: str
    workspace_id: str
    created_at: datetime
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Usage:
    total_verifications: int
    last24h: int
    error_rate: float


@dataclass
class Credential:
    """What API keys and service identities share. ``key`` (the plaintext) is set only in the answer that issues it."""

    id: str
    prefix: str
    environment: str
    status: str
    revoked: bool = False
    revoked_at: datetime | None = None
    revoke_reason: str | None = None
    replaced_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_used_at: datetime | None = None
    scopes: list[str] = field(default_factory=list)
    resources: dict[str, list[str]] = field(default_factory=dict)
    expires_at: datetime | None = None
    enabled: bool = True
    metadata: dict[str, Any] | None = None
    tags: list[str] = field(default_factory=list)
    owner_id: str | None = None
    ip_allowlist: list[str] = field(default_factory=list)
    ip_denylist: list[str] = field(default_factory=list)
    rate_limit: dict[str, Any] | None = None
    quota: dict[str, Any] | None = None
    credits: dict[str, Any] | None = None
    # Only from get():
    usage: Usage | None = None
    # Only from create() and rotate():
    key: str | None = field(default=None, repr=False)
    previous_key_expires_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Key(Credential):
    """An API key (``sk_live_…``)."""

    label: str | None = None


@dataclass
class Service(Credential):
    """A service identity (``svc_live_…``)."""

    name: str = ""


@dataclass
class ServiceRef:
    id: str
    name: str


@dataclass
class VerifyResult:
    """A verification's answer, exactly as the API gives it.

    ``valid`` True: the credential's fields are set. ``valid`` False: ``error`` is one of
    ``invalid_key``, ``key_revoked``, ``service_revoked``, ``key_expired``, ``key_disabled``,
    ``ip_not_allowed``, ``insufficient_scope``, ``rate_limit_exceeded``, ``quota_exceeded``;
    ``retry_after`` (seconds) comes with the limits, ``missing_scopes`` with the scopes.
    """

    valid: bool
    error: str | None = None
    retry_after: int | None = None
    missing_scopes: list[str] | None = None
    key_id: str | None = None
    project_id: str | None = None
    environment: str | None = None
    scopes: list[str] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    owner_id: str | None = None
    expires_at: datetime | None = None
    rate_limit_remaining: int | None = None
    quota_remaining: int | None = None
    credits_remaining: int | None = None
    # Only for a service identity:
    service: ServiceRef | None = None
    # The HTTP status: 200, or 401 / 403 / 429 for a refusal.
    status: int = 200
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
