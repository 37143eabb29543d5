package elyzor

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// VerifyOptions is what a verification asks besides the credential (all optional; nil for none).
type VerifyOptions struct {
	Scopes   []string `json:"scopes,omitempty"`
	Resource string   `json:"resource,omitempty"`
	// Cost is what the call spends of the credential's credits (default 1); use elyzor.Int.
	Cost *int `json:"cost,omitempty"`
	// IP is the address of your caller, for the credential's IP rules.
	IP string `json:"ip,omitempty"`
}

// ServiceRef names the service identity of a service verification.
type ServiceRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// VerifyResult is a verification's answer exactly as the API gives it. Valid: the credential's
// fields are set. Not valid: Error is one of invalid_key, key_revoked, service_revoked,
// key_expired, key_disabled, ip_not_allowed, insufficient_scope, rate_limit_exceeded,
// quota_exceeded; RetryAfter (seconds) comes with the limits, MissingScopes with the scopes.
type VerifyResult struct {
	Valid         bool     `json:"valid"`
	Error         string   `json:"error,omitempty"`
	RetryAfter    int      `json:"retryAfter,omitempty"`
	MissingScopes []string `json:"missingScopes,omitempty"`

	KeyID       string         `json:"keyId,omitempty"`
	ProjectID   string         `json:"projectId,omitempty"`
	Environment string         `json:"environment,omitempty"`
	Scopes      []string       `json:"scopes,omitempty"`
	Metadata    map[string]any `json:"metadata,omitempty"`
	OwnerID     *string        `json:"ownerId,omitempty"`
	ExpiresAt   *time.Time     `json:"expiresAt,omitempty"`
	// RateLimitRemaining is nil when the credential has no rate limit.
	RateLimitRemaining *int `json:"rateLimitRemaining,omitempty"`
	QuotaRemaining     *int `json:"quotaRemaining,omitempty"`
	CreditsRemaining   *int `json:"creditsRemaining,omitempty"`
	// Service is set by VerifyService.
	Service *ServiceRef `json:"service,omitempty"`

	// Status is the HTTP status: 200, or 401 / 403 / 429 for a refusal.
	Status int `json:"-"`
}

// Verify asks POST /v1/verify whether this API key (sk_…) is valid and may do this now. A
// refusal is a result (Valid false, Error, RetryAfter), not an error; a malformed request (400)
// and an Elyzor that does not answer return an *Error. opts may be nil.
func (c *Client) Verify(ctx context.Context, key string, opts *VerifyOptions) (*VerifyResult, error) {
	return c.verify(ctx, "/v1/verify", key, opts)
}

// VerifyService is Verify for a service identity (svc_…), POST /v1/verify/service; the result names its Service.
func (c *Client) VerifyService(ctx context.Context, credential string, opts *VerifyOptions) (*VerifyResult, error) {
	return c.verify(ctx, "/v1/verify/service", credential, opts)
}

func (c *Client) verify(ctx context.Context, path, credential string, opts *VerifyOptions) (*VerifyResult, error) {
	if opts == nil {
		opts = &VerifyOptions{}
	}
	// Retried only when the connection was never made: a verification that may have reached the
	// server has spent limits and is not sent twice.
	rule := retryBeforeConnection
	got, err := c.t.send(ctx, call{method: http.MethodPost, path: path, body: opts, bearer: credential, rule: &rule})
	if err != nil {
		return nil, err
	}
	var result VerifyResult
	var shape struct {
		Valid *bool `json:"valid"`
	}
	refused := got.status == 401 || got.status == 403 || got.status == 429
	if json.Unmarshal(got.body, &shape) != nil || shape.Valid == nil || !(got.status == 200 || refused) || (got.status != 200) == *shape.Valid ||
		json.Unmarshal(got.body, &result) != nil {
		return nil, errorOf(got)
	}
	result.Status = got.status
	return &result, nil
}
