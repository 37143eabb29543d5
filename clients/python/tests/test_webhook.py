"""verify_webhook against the Standard Webhooks reference vector, and what it refuses."""

from __future__ import annotations

import json
import os
import unittest

from elyzor import WebhookVerificationError, verify_webhook

# The specification's own example (github.com/standard-webhooks/standard-webhooks).
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
PAYLOAD = '{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def headers(signature: str = SIGNATURE, timestamp: int = TIMESTAMP) -> dict[str, str]:
    return {"Webhook-Id": ID, "Webhook-Timestamp": str(timestamp), "Webhook-Signature": signature}


class WebhookTest(unittest.TestCase):
    def test_a_valid_delivery_returns_its_payload(self) -> None:
        self.assertEqual(verify_webhook(PAYLOAD, headers(), SECRET, now=TIMESTAMP), {"test": 2432232314})
        self.assertEqual(verify_webhook(PAYLOAD.encode(), headers(), SECRET, now=TIMESTAMP + 299), {"test": 2432232314})

    def test_any_of_several_signatures_may_match(self) -> None:
        both = f"v1,bm90IHRoaXMgb25l {SIGNATURE} v2,other"
        self.assertEqual(verify_webhook(PAYLOAD, headers(both), SECRET, now=TIMESTAMP), {"test": 2432232314})

    def test_a_tampered_payload_is_refused(self) -> None:
        with self.assertRaisesRegex(WebhookVerificationError, "No matching signature"):
            verify_webhook('{"test": 2432232315}', headers(), SECRET, now=TIMESTAMP)

    def test_a_wrong_secret_or_signature_is_refused(self) -> None:
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(PAYLOAD, headers(), "whsec_" + "A" * 32, now=TIMESTAMP)
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(PAYLOAD, headers("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF="), SECRET, now=TIMESTAMP)
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(PAYLOAD, headers(SIGNATURE.replace("v1,", "v2,")), SECRET, now=TIMESTAMP)

    def test_an_old_or_future_timestamp_is_refused(self) -> None:
        for now in (TIMESTAMP + 301, TIMESTAMP - 301):
            with self.assertRaisesRegex(WebhookVerificationError, "tolerance"):
                verify_webhook(PAYLOAD, headers(), SECRET, now=now)
        self.assertEqual(verify_webhook(PAYLOAD, headers(), SECRET, now=TIMESTAMP + 3000, tolerance_seconds=3600), {"test": 2432232314})

    def test_missing_headers_and_bad_secret_are_refused(self) -> None:
        for name in ("Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"):
            partial = {k: v for k, v in headers().items() if k != name}
            with self.assertRaisesRegex(WebhookVerificationError, "Missing"):
                verify_webhook(PAYLOAD, partial, SECRET, now=TIMESTAMP)
        with self.assertRaisesRegex(WebhookVerificationError, "webhook-timestamp"):
            verify_webhook(PAYLOAD, {**headers(), "Webhook-Timestamp": "soon"}, SECRET, now=TIMESTAMP)
        with self.assertRaisesRegex(WebhookVerificationError, "base64"):
            verify_webhook(PAYLOAD, headers(), "whsec_not base64!", now=TIMESTAMP)


if __name__ == "__main__":
    unittest.main()


DELIVERY = os.environ.get("ELYZOR_WEBHOOK_DELIVERY", "")


@unittest.skipUnless(DELIVERY, "set ELYZOR_WEBHOOK_DELIVERY (clients/test/clients.test.ts does)")
class ElyzorDeliveryTest(unittest.TestCase):
    """A delivery that a real Elyzor signed and sent: accepted as sent, refused when altered."""

    def setUp(self) -> None:
        with open(DELIVERY, encoding="utf-8") as file:
            delivery = json.load(file)
        self.secret, self.headers, self.body = delivery["secret"], delivery["headers"], delivery["body"].encode("utf-8")

    def test_accepted_as_sent(self) -> None:
        event = verify_webhook(self.body, self.headers, self.secret)
        self.assertEqual(event["type"], "key.created")
        self.assertEqual(event["data"]["key"]["label"], "for the webhook")

    def test_refused_when_altered(self) -> None:
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(self.body.replace(b"for the webhook", b"for another hook"), self.headers, self.secret)
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(self.body, {**self.headers, "webhook-id": "msg_other"}, self.secret)
