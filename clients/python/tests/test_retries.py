"""Retries, timeouts and connection errors against a local server that fails first (no Elyzor needed)."""

from __future__ import annotations

import json
import socket
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import elyzor
from elyzor import RetryOptions

from ._env import raised

FAST = RetryOptions(max=2, base_delay=0.001, max_delay=5.0)


class FailingFirst:
    """Answers the first ``failures`` requests with ``status`` (and ``Retry-After``), the rest with ``ok``."""

    def __init__(self, failures: int, status: int = 503, retry_after: str | None = "0", ok: object = None) -> None:
        self.seen: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.seen.append(f"{self.command} {self.path}")
                if len(outer.seen) <= failures:
                    self.send_response(status)
                    if retry_after is not None:
                        self.send_header("retry-after", retry_after)
                    payload = {"error": "service_unavailable", "message": "down for a moment", "requestId": "req-fail"}
                else:
                    self.send_response(200)
                    payload = ok if ok is not None else []
                body = json.dumps(payload).encode()
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RetriesTest(unittest.TestCase):
    def serve(self, *args: object, **kwargs: object) -> FailingFirst:
        server = FailingFirst(*args, **kwargs)  # type: ignore[arg-type]
        self.addCleanup(server.close)
        return server

    def test_a_get_is_retried_after_503s_and_succeeds(self) -> None:
        server = self.serve(2)
        page = elyzor.Client(server.url, root_key="rk", retries=FAST).projects.list()
        self.assertEqual((page.items, len(server.seen)), ([], 3))

    def test_502_and_504_are_retried_too(self) -> None:
        for status in (502, 504):
            server = self.serve(1, status=status)
            elyzor.Client(server.url, root_key="rk", retries=FAST).keys.list("p")
            self.assertEqual(len(server.seen), 2, status)

    def test_after_the_retries_the_last_answer_is_raised(self) -> None:
        server = self.serve(10)
        error = raised(lambda: elyzor.Client(server.url, root_key="rk", retries=FAST).projects.list())
        self.assertEqual((error.status, error.code, error.request_id, error.retry_after), (503, "service_unavailable", "req-fail", 0))
        self.assertEqual(len(server.seen), 3)

    def test_a_post_that_creates_is_never_retried(self) -> None:
        server = self.serve(1)
        error = raised(lambda: elyzor.Client(server.url, root_key="rk", retries=FAST).keys.create("p"))
        self.assertEqual((error.status, len(server.seen)), (503, 1))

    def test_a_patch_is_never_retried(self) -> None:
        server = self.serve(1)
        raised(lambda: elyzor.Client(server.url, root_key="rk", retries=FAST).keys.update("p", "k", label="x"))
        self.assertEqual(len(server.seen), 1)

    def test_a_verification_that_reached_the_server_is_not_sent_twice(self) -> None:
        server = self.serve(1)
        error = raised(lambda: elyzor.Client(server.url, retries=FAST).verify("sk_live_x"))
        self.assertEqual((error.status, len(server.seen)), (503, 1))

    def test_a_retry_after_longer_than_max_delay_is_not_waited_for(self) -> None:
        server = self.serve(1, retry_after="3600")
        error = raised(lambda: elyzor.Client(server.url, root_key="rk", retries=FAST).projects.list())
        self.assertEqual((error.retry_after, len(server.seen)), (3600, 1))

    def test_retries_zero_makes_one_attempt(self) -> None:
        server = self.serve(1)
        raised(lambda: elyzor.Client(server.url, root_key="rk", retries=0).projects.list())
        self.assertEqual(len(server.seen), 1)

    def test_a_connection_closed_before_any_answer_is_retried_for_idempotent_calls_only(self) -> None:
        # Accepts each connection and closes it at once: the request may have arrived.
        accepted: list[int] = []
        listener = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(listener.close)

        def hang_up() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                accepted.append(1)
                connection.close()

        threading.Thread(target=hang_up, daemon=True).start()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        error = raised(lambda: elyzor.Client(url, root_key="rk", retries=FAST).projects.list())
        self.assertEqual((error.status, error.code, len(accepted)), (0, "connection_error", 3))
        error = raised(lambda: elyzor.Client(url, retries=FAST).verify("sk_live_x"))
        self.assertEqual((error.code, len(accepted)), ("connection_error", 4))

    def test_a_refused_connection_is_connection_error_for_verify_too(self) -> None:
        # A port bound and never listened on: every connection is refused, nothing is sent.
        with socket.socket() as holder:
            holder.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{holder.getsockname()[1]}"
            error = raised(lambda: elyzor.Client(url, retries=FAST).verify("sk_live_x"))
        self.assertEqual((error.status, error.code), (0, "connection_error"))

    def test_no_answer_within_the_timeout_is_timeout(self) -> None:
        # Accepts the connection and never answers.
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(8)
            url = f"http://127.0.0.1:{listener.getsockname()[1]}"
            error = raised(lambda: elyzor.Client(url, root_key="rk", timeout=0.2, retries=0).projects.list())
        self.assertEqual((error.status, error.code), (0, "timeout"))

    def test_an_answer_that_is_not_elyzors_json_is_invalid_response(self) -> None:
        server = self.serve(0, ok="plain")
        server.server.RequestHandlerClass.do_GET = lambda h: (h.send_response(500), h.send_header("content-length", "2"), h.end_headers(), h.wfile.write(b"no"))  # type: ignore[attr-defined, method-assign]
        error = raised(lambda: elyzor.Client(server.url, root_key="rk", retries=0).projects.list())
        self.assertEqual((error.status, error.code), (500, "invalid_response"))



if __name__ == "__main__":
    unittest.main()


class RetryDecisionTest(unittest.TestCase):
    """The pure decision (elyzor._retry), for the cases a local server cannot show without waiting."""

    def test_retry_after_as_seconds_or_an_http_date(self) -> None:
        from elyzor._retry import parse_retry_after

        now = 1_700_000_000.0
        self.assertEqual(parse_retry_after("7", now), 7.0)
        self.assertEqual(parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now), 30.0)
        self.assertEqual(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now), 0.0)  # already past
        self.assertIsNone(parse_retry_after("soon", now))
        self.assertIsNone(parse_retry_after(None, now))

    def test_backoff_doubles_with_jitter_and_is_capped(self) -> None:
        from elyzor._retry import Outcome, retry_delay

        policy = RetryOptions(max=10, base_delay=0.2, max_delay=1.0)
        network = Outcome("network", connected=True)
        self.assertEqual([retry_delay("idempotent", network, attempt, policy, 0, 0.5) for attempt in (0, 1, 2, 3)], [0.1, 0.2, 0.4, 0.5])
        self.assertEqual(retry_delay("idempotent", Outcome("answer", 503, "0.5"), 0, policy, 0, 0.5), 0.1)  # unreadable: backoff
        self.assertIsNone(retry_delay("idempotent", Outcome("answer", 500), 0, policy, 0, 0.5))
        self.assertIsNone(retry_delay("before_connection", Outcome("timeout"), 0, policy, 0, 0.5))
        self.assertEqual(retry_delay("before_connection", Outcome("network", connected=False), 0, policy, 0, 0.5), 0.1)
        self.assertIsNone(retry_delay("idempotent", network, 10, policy, 0, 0.5))
