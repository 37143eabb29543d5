package elyzor_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	elyzor "github.com/elyzor/elyzor/clients/go"
)

// VerifyWebhook against the Standard Webhooks specification's own example, and what it refuses.
const (
	secret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	messageID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	timestamp = 1614265330
	payload   = `{"test": 2432232314}`
	signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func webhookHeader(sig string, at int64) http.Header {
	header := http.Header{}
	header.Set("Webhook-Id", messageID)
	header.Set("Webhook-Timestamp", strconv.FormatInt(at, 10))
	header.Set("Webhook-Signature", sig)
	return header
}

func at(seconds int64) *elyzor.WebhookOptions {
	return &elyzor.WebhookOptions{Now: time.Unix(seconds, 0)}
}

func refused(t *testing.T, err error, reason string) {
	t.Helper()
	if !errors.Is(err, elyzor.ErrWebhookVerification) || !strings.Contains(err.Error(), reason) {
		t.Fatalf("want a refusal for %q, got %v", reason, err)
	}
}

func TestAValidDeliveryIsAccepted(t *testing.T) {
	for _, now := range []int64{timestamp, timestamp + 299, timestamp - 299} {
		if err := elyzor.VerifyWebhook([]byte(payload), webhookHeader(signature, timestamp), secret, at(now)); err != nil {
			t.Fatal(now, err)
		}
	}
	both := "v1,bm90IHRoaXMgb25l " + signature + " v2,other"
	if err := elyzor.VerifyWebhook([]byte(payload), webhookHeader(both, timestamp), secret, at(timestamp)); err != nil {
		t.Fatal(err)
	}
}

func TestATamperedPayloadIsRefused(t *testing.T) {
	refused(t, elyzor.VerifyWebhook([]byte(`{"test": 2432232315}`), webhookHeader(signature, timestamp), secret, at(timestamp)), "no matching signature")
}

func TestAWrongSecretOrSignatureIsRefused(t *testing.T) {
	refused(t, elyzor.VerifyWebhook([]byte(payload), webhookHeader(signature, timestamp), "whsec_"+strings.Repeat("A", 32), at(timestamp)), "no matching signature")
	refused(t, elyzor.VerifyWebhook([]byte(payload), webhookHeader("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=", timestamp), secret, at(timestamp)), "no matching signature")
	refused(t, elyzor.VerifyWebhook([]byte(payload), webhookHeader(strings.Replace(signature, "v1,", "v2,", 1), timestamp), secret, at(timestamp)), "no matching signature")
}

func TestAnOldOrFutureTimestampIsRefused(t *testing.T) {
	refused(t, elyzor.VerifyWebhook([]byte(payload), webhookHeader(signature, timestamp), secret, at(timestamp+301)), "tolerance")
	refused(t, elyzor.VerifyWebhook([]byte(payload), webhookHeader(signature, timestamp), secret, at(timestamp-301)), "tolerance")
	wide := &elyzor.WebhookOptions{Now: time.Unix(timestamp+3000, 0), Tolerance: time.Hour}
	if err := elyzor.VerifyWebhook([]byte(payload), webhookHeader(signature, timestamp), secret, wide); err != nil {
		t.Fatal(err)
	}
}

func TestMissingHeadersAndABadSecretAreRefused(t *testing.T) {
	for _, name := range []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"} {
		header := webhookHeader(signature, timestamp)
		header.Del(name)
		refused(t, elyzor.VerifyWebhook([]byte(payload), header, secret, at(timestamp)), "missing")
	}
	header := webhookHeader(signature, timestamp)
	header.Set("Webhook-Timestamp", "soon")
	refused(t, elyzor.VerifyWebhook([]byte(payload), header, secret, at(timestamp)), "invalid webhook-timestamp")
	refused(t, elyzor.VerifyWebhook([]byte(payload), webhookHeader(signature, timestamp), "whsec_not base64!", at(timestamp)), "not base64")
}

// A delivery that a real Elyzor signed and sent: accepted as sent, refused when altered.
func TestAnElyzorDelivery(t *testing.T) {
	file := os.Getenv("ELYZOR_WEBHOOK_DELIVERY")
	if file == "" {
		t.Skip("set ELYZOR_WEBHOOK_DELIVERY (clients/test/clients.test.ts does)")
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var delivery struct {
		Secret  string            `json:"secret"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	if err := json.Unmarshal(raw, &delivery); err != nil {
		t.Fatal(err)
	}
	header := http.Header{}
	for name, value := range delivery.Headers {
		header.Set(name, value)
	}
	if err := elyzor.VerifyWebhook([]byte(delivery.Body), header, delivery.Secret, nil); err != nil {
		t.Fatal(err)
	}
	var event struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(delivery.Body), &event); err != nil || event.Type != "key.created" {
		t.Fatalf("event %+v, %v", event, err)
	}
	altered := strings.Replace(delivery.Body, "for the webhook", "for another hook", 1)
	refused(t, elyzor.VerifyWebhook([]byte(altered), header, delivery.Secret, nil), "no matching signature")
	header.Set("webhook-id", "msg_other")
	refused(t, elyzor.VerifyWebhook([]byte(delivery.Body), header, delivery.Secret, nil), "no matching signature")
}
