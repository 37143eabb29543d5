"""The Elyzor these suites run against, from the environment (clients/test/clients.test.ts sets it)."""

from __future__ import annotations

import os
import unittest
from typing import Any, Callable

from elyzor import ElyzorError

URL = os.environ.get("ELYZOR_URL", "")
ROOT_KEY = os.environ.get("ELYZOR_ROOT_KEY", "")
ACCESS_TOKEN = os.environ.get("ELYZOR_ACCESS_TOKEN", "")
PROJECT_ID = os.environ.get("ELYZOR_PROJECT_ID", "")
WORKSPACE_ID = os.environ.get("ELYZOR_WORKSPACE_ID", "")

needs_server = unittest.skipUnless(URL and ROOT_KEY and PROJECT_ID, "set ELYZOR_URL, ELYZOR_ROOT_KEY and ELYZOR_PROJECT_ID (see clients/python/README.md)")


def raised(call: Callable[[], Any]) -> ElyzorError:
    """The ElyzorError that ``call`` raises; fails the test when it raises none."""
    try:
        call()
    except ElyzorError as error:
        return error
    raise AssertionError("expected an ElyzorError")
