package elyzor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrWebhookVerification is wrapped by every refusal of VerifyWebhook (errors.Is).
var ErrWebhookVerification = errors.New("elyzor: webhook verification failed")

// WebhookTolerance is how far a delivery's timestamp may be from now, either way, by default.
const WebhookTolerance = 5 * time.Minute

// WebhookOptions: Tolerance (default WebhookTolerance) and Now (default time.Now, for tests).
type WebhookOptions struct {
	Tolerance time.Duration
	Now       time.Time
}

func refuse(reason string) error { return fmt.Errorf("%w: %s", ErrWebhookVerification, reason) }

// VerifyWebhook checks a delivery of Elyzor's webhooks per the Standard Webhooks specification:
// webhook-signature holds one or more "v1,<base64 HMAC-SHA256>" of "<webhook-id>.<webhook-timestamp>.<body>"
// under the secret (whsec_<base64>), and the timestamp is within the tolerance. payload is the
// raw body exactly as received: decode it after verifying, never before. opts may be nil.
//
//	body, _ := io.ReadAll(r.Body)
//	if err := elyzor.VerifyWebhook(body, r.Header, os.Getenv("ELYZOR_WEBHOOK_SECRET"), nil); err != nil { … 400 … }
func VerifyWebhook(payload []byte, header http.Header, secret string, opts *WebhookOptions) error {
	id, timestamp, signatures := header.Get("webhook-id"), header.Get("webhook-timestamp"), header.Get("webhook-signature")
	if id == "" || timestamp == "" || signatures == "" {
		return refuse("missing webhook-id, webhook-timestamp or webhook-signature header")
	}
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || strings.HasPrefix(timestamp, "-") || strings.HasPrefix(timestamp, "+") {
		return refuse("invalid webhook-timestamp")
	}
	now, tolerance := time.Now(), WebhookTolerance
	if opts != nil && !opts.Now.IsZero() {
		now = opts.Now
	}
	if opts != nil && opts.Tolerance > 0 {
		tolerance = opts.Tolerance
	}
	if offset := now.Unix() - seconds; offset > int64(tolerance/time.Second) || -offset > int64(tolerance/time.Second) {
		return refuse("timestamp outside the tolerance")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return refuse("the secret is not base64 (whsec_<base64>)")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(payload)
	expected := []byte(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	// Several signatures may be sent (during a secret rotation); any v1 one that matches will do.
	matched := false
	for _, entry := range strings.Split(signatures, " ") {
		version, signature, found := strings.Cut(entry, ",")
		if found && version == "v1" && hmac.Equal([]byte(signature), expected) {
			matched = true
		}
	}
	if !matched {
		return refuse("no matching signature")
	}
	if !json.Valid(payload) {
		return refuse("the payload is not JSON")
	}
	return nil
}
