"""The Python examples of docs/clients.md, run as written against a real Elyzor."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import time
import unittest
from pathlib import Path
from typing import Any

import elyzor

from ._env import PROJECT_ID, ROOT_KEY, URL, needs_server

PAGE = (Path(__file__).resolve().parents[3] / "docs" / "clients.md").read_text(encoding="utf-8")
EXAMPLES = dict(re.findall(r"<!-- example: (python-[\w-]+) -->\n```python\n(.*?)```", PAGE, re.S))


def run(name: str, namespace: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """Runs one example (its http://localhost:3000 pointed at the test's Elyzor); returns what it printed and its names."""
    scope: dict[str, Any] = {"__name__": f"docs_{name}", **(namespace or {})}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(EXAMPLES[name].replace("http://localhost:3000", URL), f"docs/clients.md:{name}", "exec"), scope)
    return output.getvalue(), scope


class DocsTest(unittest.TestCase):
    def test_every_python_example_on_the_page_is_run_here(self) -> None:
        self.assertEqual(sorted(EXAMPLES), ["python-errors", "python-quickstart", "python-verify", "python-webhook"])

    @needs_server
    def test_verify_in_two_lines(self) -> None:
        issued = elyzor.Client(URL, root_key=ROOT_KEY).keys.create(PROJECT_ID, scopes=["read:invoices"], ip_allowlist=["203.0.113.0/24"])
        _, scope = run("python-verify", {"os": os, "elyzor": elyzor, "key": issued.key, "caller_address": "203.0.113.7"})
        self.assertTrue(scope["result"].valid)
        _, scope = run("python-verify", {"os": os, "elyzor": elyzor, "key": issued.key, "caller_address": "192.0.2.1"})
        self.assertEqual(scope["result"].error, "ip_not_allowed")

    @needs_server
    def test_quickstart(self) -> None:
        output, _ = run("python-quickstart")
        self.assertEqual(output, "True\ncus_42 99\n")

    @needs_server
    def test_errors(self) -> None:
        output, _ = run("python-errors")
        self.assertEqual(output, "404 not_found True\n")

    def test_webhook(self) -> None:
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        body = json.dumps({"type": "key.created", "data": {"id": "k"}}).encode()
        timestamp = str(int(time.time()))
        signature = base64.b64encode(hmac.new(base64.b64decode(secret[6:]), f"msg_1.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
        headers = {"webhook-id": "msg_1", "webhook-timestamp": timestamp, "webhook-signature": f"v1,{signature}"}
        os.environ["ELYZOR_WEBHOOK_SECRET"] = secret
        self.addCleanup(os.environ.pop, "ELYZOR_WEBHOOK_SECRET")
        _, scope = run("python-webhook")
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            self.assertEqual(scope["handle_webhook"](body, headers), 204)
            self.assertEqual(scope["handle_webhook"](body.replace(b"created", b"revoked"), headers), 400)
        self.assertEqual(output.getvalue(), "key.created\n")


if __name__ == "__main__":
    unittest.main()
