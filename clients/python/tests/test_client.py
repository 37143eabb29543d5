"""Every client method against a real Elyzor."""

from __future__ import annotations

import unittest
import uuid
from datetime import datetime, timedelta, timezone

import elyzor
from elyzor import Credits, Quota, RateLimit

from ._env import ACCESS_TOKEN, PROJECT_ID, ROOT_KEY, URL, WORKSPACE_ID, needs_server, raised


@needs_server
class VerifyTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = elyzor.Client(URL, root_key=ROOT_KEY)

    def test_valid_with_the_credential_fields(self) -> None:
        issued = self.client.keys.create(PROJECT_ID, scopes=["read:invoices"], owner_id="cus_42", metadata={"plan": "pro"}, credits=Credits(remaining=10))
        result = self.client.verify(issued.key, scopes=["read:invoices"], cost=3)
        self.assertTrue(result.valid)
        self.assertEqual((result.status, result.key_id, result.project_id), (200, issued.id, PROJECT_ID))
        self.assertEqual((result.owner_id, result.metadata, result.scopes, result.credits_remaining), ("cus_42", {"plan": "pro"}, ["read:invoices"], 7))
        self.assertIsNone(result.error)

    def test_verification_needs_no_root_key(self) -> None:
        issued = self.client.keys.create(PROJECT_ID)
        self.assertTrue(elyzor.Client(URL).verify(issued.key).valid)

    def test_refusals_are_results_not_exceptions(self) -> None:
        issued = self.client.keys.create(PROJECT_ID, scopes=["read:invoices"])
        scope = self.client.verify(issued.key, scopes=["write:invoices"])
        self.assertEqual((scope.valid, scope.status, scope.error, scope.missing_scopes), (False, 403, "insufficient_scope", ["write:invoices"]))
        unknown = self.client.verify("sk_live_" + "x" * 40)
        self.assertEqual((unknown.valid, unknown.status, unknown.error), (False, 401, "invalid_key"))
        self.client.keys.revoke(PROJECT_ID, issued.id)
        self.assertEqual(self.client.verify(issued.key).error, "key_revoked")

    def test_rate_limited_with_retry_after(self) -> None:
        issued = self.client.keys.create(PROJECT_ID, rate_limit=RateLimit(limit=1, window_seconds=3600))
        self.assertTrue(self.client.verify(issued.key).valid)
        limited = self.client.verify(issued.key)
        self.assertEqual((limited.valid, limited.status, limited.error), (False, 429, "rate_limit_exceeded"))
        self.assertIsInstance(limited.retry_after, int)
        self.assertGreater(limited.retry_after, 0)

    def test_quota_exceeded(self) -> None:
        issued = self.client.keys.create(PROJECT_ID, quota=Quota(limit=1, period="day"))
        self.assertTrue(self.client.verify(issued.key).valid)
        self.assertEqual(self.client.verify(issued.key).error, "quota_exceeded")

    def test_a_service_identity(self) -> None:
        service = self.client.services.create(PROJECT_ID, name=f"billing-{uuid.uuid4().hex[:8]}", scopes=["invoices:read"])
        assert service.key is not None
        self.assertTrue(service.key.startswith("svc_live_"))
        result = self.client.verify_service(service.key, scopes=["invoices:read"])
        self.assertTrue(result.valid)
        assert result.service is not None
        self.assertEqual((result.service.id, result.service.name), (service.id, service.name))
        # A key is not a service identity.
        self.assertEqual(self.client.verify(service.key).error, "invalid_key")

    def test_a_malformed_request_raises_validation_error(self) -> None:
        issued = self.client.keys.create(PROJECT_ID)
        error = raised(lambda: self.client.verify(issued.key, cost=-1))
        self.assertEqual((error.status, error.code), (400, "validation_error"))


@needs_server
class KeysTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = elyzor.Client(URL, root_key=ROOT_KEY)

    def test_create_get_list_update_rotate_revoke(self) -> None:
        tag = f"t-{uuid.uuid4().hex[:8]}"
        expires = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
        issued = self.client.keys.create(PROJECT_ID, label="first", scopes=["a"], tags=[tag], expires_at=expires, ip_allowlist=["10.0.0.0/8"])
        assert issued.key is not None
        self.assertTrue(issued.key.startswith("sk_live_"))
        self.assertTrue(issued.key.startswith(issued.prefix))
        self.assertEqual((issued.label, issued.scopes, issued.tags, issued.status, issued.expires_at), ("first", ["a"], [tag], "active", expires))
        self.assertEqual(issued.ip_allowlist, ["10.0.0.0/8"])

        got = self.client.keys.get(PROJECT_ID, issued.id)
        self.assertIsInstance(got, elyzor.Key)
        self.assertIsNone(got.key)
        assert got.usage is not None
        self.assertEqual(got.usage.total_verifications, 0)

        second = self.client.keys.create(PROJECT_ID, label="second", tags=[tag])
        third = self.client.keys.create(PROJECT_ID, label="third", tags=[tag])
        first_page = self.client.keys.list(PROJECT_ID, tag=tag, limit=2)
        self.assertEqual([k.id for k in first_page.items], [third.id, second.id])
        self.assertIsNotNone(first_page.next_cursor)
        rest = self.client.keys.list(PROJECT_ID, tag=tag, limit=2, cursor=first_page.next_cursor)
        self.assertEqual(([k.id for k in rest.items], rest.next_cursor), ([issued.id], None))
        self.assertEqual([k.label for k in self.client.keys.iterate(PROJECT_ID, tag=tag, limit=1)], ["third", "second", "first"])

        updated = self.client.keys.update(PROJECT_ID, issued.id, label="renamed", scopes=["a", "b"], clear=("expires_at",))
        self.assertEqual((updated.label, updated.scopes, updated.expires_at), ("renamed", ["a", "b"], None))
        disabled = self.client.keys.update(PROJECT_ID, issued.id, enabled=False)
        self.assertEqual(disabled.status, "disabled")
        self.client.keys.update(PROJECT_ID, issued.id, enabled=True)

        rotated = self.client.keys.rotate(PROJECT_ID, issued.id, grace_period_seconds=3600)
        assert rotated.key is not None
        self.assertNotEqual(rotated.key, issued.key)
        self.assertIsNotNone(rotated.previous_key_expires_at)
        # The replacement keeps the policy (here its address list); the old key works during the grace period.
        self.assertEqual(rotated.ip_allowlist, ["10.0.0.0/8"])
        self.assertTrue(self.client.verify(rotated.key, ip="10.1.2.3").valid)
        self.assertTrue(self.client.verify(issued.key, ip="10.1.2.3").valid)
        self.assertEqual(self.client.verify(rotated.key, ip="192.0.2.1").error, "ip_not_allowed")

        self.client.keys.revoke(PROJECT_ID, rotated.id, reason="leaked")
        revoked = self.client.keys.get(PROJECT_ID, rotated.id)
        self.assertEqual((revoked.status, revoked.revoked, revoked.revoke_reason), ("revoked", True, "leaked"))
        self.assertEqual(raised(lambda: self.client.keys.revoke(PROJECT_ID, rotated.id)).code, "already_revoked")

    def test_usage(self) -> None:
        issued = self.client.keys.create(PROJECT_ID)
        usage = self.client.keys.usage(PROJECT_ID, issued.id, range="7d")
        self.assertEqual((usage["id"], usage["range"], usage["days"]), (issued.id, "7d", []))

    def test_test_environment_keys(self) -> None:
        issued = self.client.keys.create(PROJECT_ID, environment="test")
        assert issued.key is not None
        self.assertTrue(issued.key.startswith("sk_test_"))
        self.assertEqual(issued.environment, "test")


@needs_server
class ServicesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = elyzor.Client(URL, root_key=ROOT_KEY)

    def test_create_get_list_update_rotate_revoke(self) -> None:
        tag = f"t-{uuid.uuid4().hex[:8]}"
        name = f"worker-{uuid.uuid4().hex[:8]}"
        issued = self.client.services.create(PROJECT_ID, name=name, tags=[tag], scopes=["jobs:run"])
        self.assertIsInstance(issued, elyzor.Service)
        self.assertEqual((issued.name, issued.scopes), (name, ["jobs:run"]))
        got = self.client.services.get(PROJECT_ID, issued.id)
        self.assertEqual((got.name, got.key), (name, None))
        assert got.usage is not None
        page = self.client.services.list(PROJECT_ID, tag=tag)
        self.assertEqual(([s.id for s in page.items], page.next_cursor), ([issued.id], None))
        self.assertEqual([s.id for s in self.client.services.iterate(PROJECT_ID, tag=tag)], [issued.id])
        updated = self.client.services.update(PROJECT_ID, issued.id, name=f"{name}-2", metadata={"team": "ops"})
        self.assertEqual((updated.name, updated.metadata), (f"{name}-2", {"team": "ops"}))
        rotated = self.client.services.rotate(PROJECT_ID, issued.id)
        assert rotated.key is not None and issued.key is not None
        self.assertTrue(self.client.verify_service(rotated.key).valid)
        self.assertFalse(self.client.verify_service(issued.key).valid)  # no grace period: the old one is gone
        self.client.services.revoke(PROJECT_ID, rotated.id)
        self.assertEqual(self.client.verify_service(rotated.key).error, "service_revoked")
        self.assertEqual(self.client.services.get(PROJECT_ID, rotated.id).status, "revoked")


@needs_server
class ProjectsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = elyzor.Client(URL, root_key=ROOT_KEY)

    def test_create_list_iterate_delete(self) -> None:
        created = [self.client.projects.create(f"py-{uuid.uuid4().hex[:8]}") for _ in range(3)]
        self.assertTrue(all(isinstance(p.created_at, datetime) for p in created))
        first = self.client.projects.list(limit=2)
        self.assertEqual([p.id for p in first.items], [created[2].id, created[1].id])
        self.assertIsNotNone(first.next_cursor)
        every = [p.id for p in self.client.projects.iterate(limit=2)]
        self.assertEqual(every[:3], [p.id for p in reversed(created)])
        self.assertIn(PROJECT_ID, every)
        for project in created:
            self.client.projects.delete(project.id)
        remaining = {p.id for p in self.client.projects.iterate()}
        self.assertFalse(remaining & {p.id for p in created})

    @unittest.skipUnless(WORKSPACE_ID, "set ELYZOR_WORKSPACE_ID, the root key's workspace, to run this")
    def test_create_in_a_named_workspace(self) -> None:
        project = self.client.projects.create("py-named", workspace_id=WORKSPACE_ID)
        self.assertEqual(project.workspace_id, WORKSPACE_ID)
        self.client.projects.delete(project.id)


@needs_server
class ErrorsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = elyzor.Client(URL, root_key=ROOT_KEY)

    def test_unknown_ids_are_404_not_found_with_the_request_id(self) -> None:
        error = raised(lambda: self.client.keys.get(PROJECT_ID, str(uuid.uuid4())))
        self.assertEqual((error.status, error.code), (404, "not_found"))
        self.assertIsInstance(error.request_id, str)
        self.assertTrue(error.message)
        self.assertEqual(raised(lambda: self.client.projects.delete(str(uuid.uuid4()))).status, 404)

    def test_bad_input_is_400_with_its_code(self) -> None:
        error = raised(lambda: self.client.keys.create(PROJECT_ID, scopes=["not a scope!"]))
        self.assertEqual((error.status, error.code), (400, "validation_error"))
        self.assertIsInstance(error.body, dict)
        self.assertEqual(raised(lambda: self.client.services.create(PROJECT_ID, name="Upper Case")).code, "validation_error")

    @unittest.skipUnless(ACCESS_TOKEN, "set ELYZOR_ACCESS_TOKEN, a user's access token, to run this")
    def test_a_users_access_token_and_the_root_key_winning_over_it(self) -> None:
        as_user = elyzor.Client(URL, access_token=ACCESS_TOKEN)
        self.assertIn(PROJECT_ID, [p.id for p in as_user.projects.iterate()])
        both = elyzor.Client(URL, root_key=ROOT_KEY, access_token="not a token")
        self.assertIn(PROJECT_ID, [p.id for p in both.projects.iterate()])

    def test_a_bad_root_key_is_401_unauthorized(self) -> None:
        error = raised(lambda: elyzor.Client(URL, root_key="rk_live_nope.nope").projects.list())
        self.assertEqual((error.status, error.code), (401, "unauthorized"))

    def test_options_are_checked(self) -> None:
        for bad in ({"base_url": "localhost:3000"}, {"base_url": URL, "timeout": 0}, {"base_url": URL, "retries": -1}):
            with self.assertRaises(ValueError, msg=str(bad)):
                elyzor.Client(**bad)  # type: ignore[arg-type]


if __name__ == "__main__":
    unittest.main()
