// Package elyzor is Elyzor's Go client: verification of API keys and service identities, the
// projects, keys and services of the API, and the signature check of Elyzor's webhooks.
//
//	client, err := elyzor.NewClient("http://localhost:3000", elyzor.WithRootKey(os.Getenv("ELYZOR_ROOT_KEY")))
//	result, err := client.Verify(ctx, key, &elyzor.VerifyOptions{Scopes: []string{"read:invoices"}})
//	if !result.Valid { log.Println(result.Error) } // "insufficient_scope", "rate_limit_exceeded", …
package elyzor

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// Client calls one Elyzor. It is safe for concurrent use.
type Client struct {
	Projects *Projects
	Keys     *Credentials[Key, KeyParams]
	Services *Credentials[Service, ServiceParams]
	t        *transport
}

// Option configures NewClient.
type Option func(*settings)

type settings struct {
	rootKey, accessToken string
	timeout              time.Duration
	retry                RetryPolicy
	http                 *http.Client
}

// WithRootKey authenticates the management calls with a root key (rk_live_…); it wins over an access token.
func WithRootKey(rootKey string) Option {
	return func(s *settings) { s.rootKey = rootKey }
}

// WithAccessToken authenticates the management calls as a user (an access token from a login).
func WithAccessToken(token string) Option {
	return func(s *settings) { s.accessToken = token }
}

// WithTimeout bounds each attempt (default 10 s).
func WithTimeout(d time.Duration) Option {
	return func(s *settings) { s.timeout = d }
}

// WithRetries sets the attempts after the first (default 2), keeping the default delays.
func WithRetries(max int) Option {
	return func(s *settings) { s.retry.Max = max }
}

// WithRetryPolicy sets the whole retry policy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) { s.retry = p }
}

// WithHTTPClient sends through another *http.Client (a proxy, custom TLS); the default one
// follows no redirects, so a credential goes only where it was sent.
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) { s.http = c }
}

// NewClient returns a client of the Elyzor at baseURL (http or https).
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	if !strings.HasPrefix(baseURL, "http://") && !strings.HasPrefix(baseURL, "https://") {
		return nil, errors.New("elyzor: baseURL must be an http(s) URL")
	}
	s := settings{
		timeout: 10 * time.Second,
		retry:   DefaultRetryPolicy,
		http:    &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	for _, opt := range opts {
		opt(&s)
	}
	if s.timeout <= 0 || s.retry.Max < 0 || s.http == nil {
		return nil, errors.New("elyzor: the timeout must be positive, the retries not negative, the HTTP client not nil")
	}
	t := &transport{baseURL: baseURL, credential: s.accessToken, timeout: s.timeout, retry: s.retry, http: s.http}
	if s.rootKey != "" {
		t.credential = s.rootKey
	}
	return &Client{
		Projects: &Projects{t: t},
		Keys:     &Credentials[Key, KeyParams]{t: t, collection: "keys"},
		Services: &Credentials[Service, ServiceParams]{t: t, collection: "services"},
		t:        t,
	}, nil
}
