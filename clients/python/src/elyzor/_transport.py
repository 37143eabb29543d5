"""HTTP over urllib: one attempt, retries by the call's policy, errors as ElyzorError."""

from __future__ import annotations

import errno
import json
import random
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Mapping

from ._retry import Outcome, Policy, RetryOptions, policy_of, retry_delay
from .errors import ElyzorError

# errno values for a connection that was never made: nothing was sent, so nothing was spent.
_NOT_CONNECTED = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH}


@dataclass
class Answer:
    """An answer of any status, its body parsed when it is JSON."""

    status: int
    headers: Message
    body: Any


@dataclass
class Call:
    method: str
    path: str
    query: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None
    # The client's root key / access token (None), or this bearer (a credential to verify).
    bearer: str | None = None
    retry: Policy | None = None


def _never_connected(reason: BaseException) -> bool:
    if isinstance(reason, socket.gaierror):
        return True
    return isinstance(reason, OSError) and reason.errno in _NOT_CONNECTED


def _is_timeout(reason: BaseException) -> bool:
    return isinstance(reason, (TimeoutError, socket.timeout))


def _parse_body(raw: bytes, headers: Message) -> Any:
    if raw == b"":
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" not in (headers.get("content-type") or ""):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def next_cursor_of(link: str | None) -> str | None:
    """The ``cursor`` of ``Link: </v1/...?cursor=...>; rel="next"``, or None on the last page."""
    if not link:
        return None
    for part in link.split(","):
        target, _, params = part.strip().partition(";")
        if not (target.startswith("<") and target.endswith(">")) or not re.search(r'\brel="?next"?', params):
            continue
        cursor = urllib.parse.parse_qs(urllib.parse.urlsplit(target[1:-1]).query).get("cursor", [""])[0]
        if cursor:
            return cursor
    return None


def error_of(answer: Answer) -> ElyzorError:
    request_id = answer.headers.get("x-request-id")
    retry_after_header = (answer.headers.get("retry-after") or "").strip()
    retry_after = int(retry_after_header) if retry_after_header.isdigit() else None
    body = answer.body
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        message = body.get("message")
        body_request_id = body.get("requestId")
        return ElyzorError(
            answer.status,
            body["error"],
            message if isinstance(message, str) else body["error"],
            body_request_id if isinstance(body_request_id, str) else request_id,
            retry_after,
            body,
        )
    return ElyzorError(answer.status, "invalid_response", f"Unexpected answer: HTTP {answer.status}", request_id, retry_after, body)


class Transport:
    def __init__(self, base_url: str, credential: str | None, timeout: float, retry: RetryOptions) -> None:
        self._base_url = base_url.rstrip("/")
        self._credential = credential
        self._timeout = timeout
        self._retry = retry
        # No proxies from the environment and no redirects followed: a credential goes only where it was sent.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())

    def _url(self, call: Call) -> str:
        query = {name: _query_value(value) for name, value in call.query.items() if value is not None}
        return self._base_url + call.path + (f"?{urllib.parse.urlencode(query)}" if query else "")

    def _attempt(self, call: Call) -> Answer | Outcome:
        headers = {"accept": "application/json", "user-agent": "elyzor-python"}
        bearer = call.bearer if call.bearer is not None else self._credential
        if bearer is not None:
            headers["authorization"] = f"Bearer {bearer}"
        data = None
        if call.body is not None:
            headers["content-type"] = "application/json"
            data = json.dumps(call.body).encode("utf-8")
        request = urllib.request.Request(self._url(call), data=data, headers=headers, method=call.method)
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return Answer(response.status, response.headers, _parse_body(response.read(), response.headers))
        except urllib.error.HTTPError as error:
            try:
                raw = error.read()
            except (OSError, TimeoutError) as reason:
                return Outcome("timeout") if _is_timeout(reason) else Outcome("network", connected=True)
            finally:
                error.close()
            return Answer(error.code, error.headers, _parse_body(raw, error.headers))
        except urllib.error.URLError as error:
            reason = error.reason if isinstance(error.reason, BaseException) else error
            if _is_timeout(reason):
                return Outcome("timeout")
            return Outcome("network", connected=not _never_connected(reason))
        except (TimeoutError, socket.timeout):
            return Outcome("timeout")
        except OSError:
            # A reset or closed connection after the request went out (http.client's own errors too).
            return Outcome("network", connected=True)

    def send(self, call: Call) -> Answer:
        """An answer of any status, with retries as the call's policy allows; ElyzorError when no answer came."""
        policy = call.retry or policy_of(call.method)
        attempt = 0
        while True:
            result = self._attempt(call)
            outcome = Outcome("answer", result.status, result.headers.get("retry-after")) if isinstance(result, Answer) else result
            delay = retry_delay(policy, outcome, attempt, self._retry, time.time(), random.random())
            if delay is None:
                if isinstance(result, Answer):
                    return result
                if result.kind == "timeout":
                    raise ElyzorError(0, "timeout", f"No answer from {call.method} {call.path} within {self._timeout} s")
                raise ElyzorError(0, "connection_error", f"Could not reach Elyzor at {self._base_url} ({call.method} {call.path})")
            time.sleep(delay)
            attempt += 1

    def request(self, call: Call) -> Any:
        """The parsed body of a 2xx answer; ElyzorError for anything else."""
        answer = self.send(call)
        if 200 <= answer.status < 300:
            return answer.body
        raise error_of(answer)

    def page(self, call: Call) -> tuple[list[Any], str | None]:
        answer = self.send(call)
        if not 200 <= answer.status < 300:
            raise error_of(answer)
        return answer.body, next_cursor_of(answer.headers.get("link"))


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None
