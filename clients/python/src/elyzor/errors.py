"""The one error the client raises, and the webhook check's own."""

from __future__ import annotations

from typing import Any


class ElyzorError(Exception):
    """A call that did not succeed.

    ``code`` is the server's error catalogue code (``not_found``, ``validation_error``,
    ``unauthorized``, ``already_revoked``, ...), or one of the client's own when no answer came:
    ``connection_error``, ``timeout``, or ``invalid_response`` for an answer that is not
    Elyzor's JSON. ``status`` is 0 when there was no answer. A refused verification is not an
    error: ``Client.verify`` returns it.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        request_id: str | None = None,
        retry_after: int | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = body

    def __repr__(self) -> str:
        return f"ElyzorError(status={self.status}, code={self.code!r}, message={self.message!r}, request_id={self.request_id!r})"


class WebhookVerificationError(Exception):
    """A webhook delivery whose headers, timestamp or signature do not hold."""
