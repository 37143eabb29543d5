"""Verifying the webhooks Elyzor sends, per the Standard Webhooks specification.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``, signed with HMAC-SHA256 under
the base64-decoded part of the secret after ``whsec_``; ``webhook-signature`` holds one or more
space-separated ``v1,<base64 signature>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Mapping

from .errors import WebhookVerificationError

TOLERANCE_SECONDS = 5 * 60


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    getter = getattr(headers, "get_all", None)  # email.message.Message / http.client headers
    if getter is not None:
        values = getter(name)
        return values[0] if values else None
    for key, value in headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, (list, tuple)) else value
    return None


def verify_webhook(payload: bytes | str, headers: Mapping[str, Any], secret: str, *, tolerance_seconds: int = TOLERANCE_SECONDS, now: float | None = None) -> Any:
    """Checks a delivery's signature and timestamp and returns its parsed JSON payload.

    Raises WebhookVerificationError otherwise. ``payload`` is the raw body exactly as received
    (parse it after verifying, never before); ``headers`` any mapping of the request's headers.
    """
    message_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if message_id is None or timestamp is None or signatures is None:
        raise WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature header")
    if not timestamp.isdigit():
        raise WebhookVerificationError("Invalid webhook-timestamp")
    current = int(time.time() if now is None else now)
    if abs(current - int(timestamp)) > tolerance_seconds:
        raise WebhookVerificationError("Timestamp outside the tolerance")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError) as error:
        raise WebhookVerificationError("The secret is not base64 (whsec_<base64>)") from error
    body = payload if isinstance(payload, bytes) else payload.encode("utf-8")
    signed = f"{message_id}.{timestamp}.".encode("utf-8") + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")
    # Several signatures may be sent (during a secret rotation); any v1 one that matches will do.
    matched = False
    for entry in signatures.split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode("ascii", "replace"), expected.encode("ascii")):
            matched = True
    if not matched:
        raise WebhookVerificationError("No matching signature")
    try:
        return json.loads(body)
    except ValueError as error:
        raise WebhookVerificationError("The payload is not JSON") from error
