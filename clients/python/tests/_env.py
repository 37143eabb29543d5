"""The Elyzor these suites run against, from the environment (clients/test/clients.test.ts sets it)."""

from __future__ import annotations

import os
import unittest

URL = os.environ.get("ELYZOR_URL", "")
ROOT_KEY = os.environ.get("ELYZOR_ROOT_KEY", "")
PROJECT_ID = os.environ.get("ELYZOR_PROJECT_ID", "")

needs_server = unittest.skipUnless(URL and ROOT_KEY and PROJECT_ID, "set ELYZOR_URL, ELYZOR_ROOT_KEY and ELYZOR_PROJECT_ID (see clients/python/README.md)")
