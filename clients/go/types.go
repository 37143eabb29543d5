package elyzor

import (
	"encoding/json"
	"time"
)

// Page is one page of a list: its items and the cursor of the next page ("" on the last one).
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// collect fetches every page from cursor on, each with the previous page's cursor.
func collect[T any](cursor string, fetch func(cursor string) (*Page[T], error)) ([]T, error) {
	var all []T
	for {
		page, err := fetch(cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

// Project is a project of a workspace.
type Project struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	WorkspaceID string    `json:"workspaceId"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Usage is a credential's verification counts, from Get.
type Usage struct {
	TotalVerifications int     `json:"totalVerifications"`
	Last24h            int     `json:"last24h"`
	ErrorRate          float64 `json:"errorRate"`
}

// Credential is what API keys and service identities share.
type Credential struct {
	ID           string              `json:"id"`
	Prefix       string              `json:"prefix"`
	Environment  string              `json:"environment"`
	Status       string              `json:"status"`
	Revoked      bool                `json:"revoked"`
	RevokedAt    *time.Time          `json:"revokedAt"`
	RevokeReason *string             `json:"revokeReason"`
	ReplacedBy   *string             `json:"replacedBy"`
	CreatedAt    time.Time           `json:"createdAt"`
	UpdatedAt    time.Time           `json:"updatedAt"`
	LastUsedAt   *time.Time          `json:"lastUsedAt"`
	Scopes       []string            `json:"scopes"`
	Resources    map[string][]string `json:"resources"`
	ExpiresAt    *time.Time          `json:"expiresAt"`
	Enabled      bool                `json:"enabled"`
	Metadata     map[string]any      `json:"metadata"`
	Tags         []string            `json:"tags"`
	OwnerID      *string             `json:"ownerId"`
	IPAllowlist  []string            `json:"ipAllowlist"`
	IPDenylist   []string            `json:"ipDenylist"`
	RateLimit    map[string]any      `json:"rateLimit"`
	Quota        map[string]any      `json:"quota"`
	Credits      map[string]any      `json:"credits"`
	// Usage is set by Get only.
	Usage *Usage `json:"usage,omitempty"`
	// Plaintext is the credential itself, set only in the answer of Create and Rotate: show it
	// once, never store or log it.
	Plaintext string `json:"key,omitempty"`
	// PreviousKeyExpiresAt is set by a Rotate with a grace period: when the old one stops working.
	PreviousKeyExpiresAt *time.Time `json:"previousKeyExpiresAt,omitempty"`
}

// Key is an API key (sk_live_…).
type Key struct {
	Credential
	Label *string `json:"label"`
}

// Service is a service identity (svc_live_…).
type Service struct {
	Credential
	Name string `json:"name"`
}

// RateLimit is a per-credential limit: Limit verifications per WindowSeconds; Algorithm "none" means unlimited.
type RateLimit struct {
	Algorithm     string `json:"algorithm,omitempty"`
	Limit         int    `json:"limit,omitempty"`
	WindowSeconds int    `json:"windowSeconds,omitempty"`
	Burst         int    `json:"burst,omitempty"`
}

// Quota is uses per UTC "day" or "month".
type Quota struct {
	Limit  int64  `json:"limit"`
	Period string `json:"period"`
}

// Refill tops credits up to Amount every Interval ("day" or "month").
type Refill struct {
	Amount   int64  `json:"amount"`
	Interval string `json:"interval"`
}

// Credits is a balance each verification spends (its cost).
type Credits struct {
	Remaining int64   `json:"remaining"`
	Refill    *Refill `json:"refill,omitempty"`
}

// Policy holds the fields settable at creation and by Update; the zero value of each leaves it
// out. Clear names fields (as the API spells them: "expiresAt", "ownerId", "rateLimit", …) to
// send as null, which resets them.
type Policy struct {
	Scopes      []string            `json:"scopes,omitempty"`
	Resources   map[string][]string `json:"resources,omitempty"`
	ExpiresAt   *time.Time          `json:"expiresAt,omitempty"`
	Enabled     *bool               `json:"enabled,omitempty"`
	Metadata    map[string]any      `json:"metadata,omitempty"`
	Tags        []string            `json:"tags,omitempty"`
	OwnerID     string              `json:"ownerId,omitempty"`
	IPAllowlist []string            `json:"ipAllowlist,omitempty"`
	IPDenylist  []string            `json:"ipDenylist,omitempty"`
	RateLimit   *RateLimit          `json:"rateLimit,omitempty"`
	Quota       *Quota              `json:"quota,omitempty"`
	Credits     *Credits            `json:"credits,omitempty"`
	Clear       []string            `json:"-"`
}

func (p Policy) cleared() []string { return p.Clear }

// KeyParams is the body of Keys.Create and Keys.Update.
type KeyParams struct {
	Label string `json:"label,omitempty"`
	// Environment is "live" (default) or "test" (sk_test_…); at creation only.
	Environment string `json:"environment,omitempty"`
	Policy
}

// ServiceParams is the body of Services.Create (Name required: lowercase letters, digits, dashes) and Services.Update.
type ServiceParams struct {
	Name        string `json:"name,omitempty"`
	Environment string `json:"environment,omitempty"`
	Policy
}

// ListOptions pages and filters a list of keys or services.
type ListOptions struct {
	Limit       int
	Cursor      string
	Tag         string
	OwnerID     string
	Environment string
	Status      string
}

// UsageSeries is a credential's verifications per UTC day.
type UsageSeries struct {
	ID    string `json:"id"`
	Range string `json:"range"`
	Days  []struct {
		Date   string `json:"date"`
		Count  int    `json:"count"`
		Errors int    `json:"errors"`
	} `json:"days"`
}

// withNulls encodes body, then adds each of the cleared names as null.
func withNulls(body any, cleared []string) (map[string]any, error) {
	encoded, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	fields := map[string]any{}
	if err := json.Unmarshal(encoded, &fields); err != nil {
		return nil, err
	}
	for _, name := range cleared {
		fields[name] = nil
	}
	return fields, nil
}

// String returns a pointer to s, for optional fields.
func String(s string) *string { return &s }

// Bool returns a pointer to b, for optional fields such as Policy.Enabled.
func Bool(b bool) *bool { return &b }

// Int returns a pointer to n, for optional fields such as VerifyOptions.Cost.
func Int(n int) *int { return &n }
