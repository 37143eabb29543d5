package elyzor_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"testing"
	"time"

	elyzor "github.com/elyzor/elyzor/clients/go"
)

// Every client method against a real Elyzor, given by the environment
// (clients/test/clients.test.ts sets it; see README.md to run this suite on its own).

func server(t *testing.T) (*elyzor.Client, string) {
	t.Helper()
	url, rootKey, projectID := os.Getenv("ELYZOR_URL"), os.Getenv("ELYZOR_ROOT_KEY"), os.Getenv("ELYZOR_PROJECT_ID")
	if url == "" || rootKey == "" || projectID == "" {
		t.Skip("set ELYZOR_URL, ELYZOR_ROOT_KEY and ELYZOR_PROJECT_ID (see clients/go/README.md)")
	}
	client, err := elyzor.NewClient(url, elyzor.WithRootKey(rootKey))
	if err != nil {
		t.Fatal(err)
	}
	return client, projectID
}

func must[T any](t *testing.T) func(T, error) T {
	return func(value T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return value
	}
}

func apiError(t *testing.T, err error) *elyzor.Error {
	t.Helper()
	var e *elyzor.Error
	if !errors.As(err, &e) {
		t.Fatalf("want an *elyzor.Error, got %v", err)
	}
	return e
}

func unique(prefix string) string { return fmt.Sprintf("%s-%08x", prefix, rand.Uint32()) }

func equal(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
}

func TestVerify(t *testing.T) {
	client, projectID := server(t)
	ctx := context.Background()
	keys := must[*elyzor.Key](t)

	t.Run("valid, with the credential's fields", func(t *testing.T) {
		issued := keys(client.Keys.Create(ctx, projectID, elyzor.KeyParams{Policy: elyzor.Policy{Scopes: []string{"read:invoices"}, OwnerID: "cus_42", Metadata: map[string]any{"plan": "pro"}, Credits: &elyzor.Credits{Remaining: 10}}}))
		result := must[*elyzor.VerifyResult](t)(client.Verify(ctx, issued.Plaintext, &elyzor.VerifyOptions{Scopes: []string{"read:invoices"}, Cost: elyzor.Int(3)}))
		equal(t, []any{result.Valid, result.Status, result.KeyID, result.ProjectID, *result.OwnerID, result.Metadata, result.Scopes, *result.CreditsRemaining, result.Error},
			[]any{true, 200, issued.ID, projectID, "cus_42", map[string]any{"plan": "pro"}, []string{"read:invoices"}, 7, ""})
	})

	t.Run("verification needs no root key", func(t *testing.T) {
		issued := keys(client.Keys.Create(ctx, projectID, elyzor.KeyParams{}))
		anyone := must[*elyzor.Client](t)(elyzor.NewClient(os.Getenv("ELYZOR_URL")))
		equal(t, must[*elyzor.VerifyResult](t)(anyone.Verify(ctx, issued.Plaintext, nil)).Valid, true)
	})

	t.Run("refusals are results, not errors", func(t *testing.T) {
		issued := keys(client.Keys.Create(ctx, projectID, elyzor.KeyParams{Policy: elyzor.Policy{Scopes: []string{"read:invoices"}}}))
		scope := must[*elyzor.VerifyResult](t)(client.Verify(ctx, issued.Plaintext, &elyzor.VerifyOptions{Scopes: []string{"write:invoices"}}))
		equal(t, []any{scope.Valid, scope.Status, scope.Error, scope.MissingScopes}, []any{false, 403, "insufficient_scope", []string{"write:invoices"}})
		unknown := must[*elyzor.VerifyResult](t)(client.Verify(ctx, "sk_live_nothing", nil))
		equal(t, []any{unknown.Valid, unknown.Status, unknown.Error}, []any{false, 401, "invalid_key"})
		if err := client.Keys.Revoke(ctx, projectID, issued.ID, ""); err != nil {
			t.Fatal(err)
		}
		equal(t, must[*elyzor.VerifyResult](t)(client.Verify(ctx, issued.Plaintext, nil)).Error, "key_revoked")
	})

	t.Run("rate limited, with retry after", func(t *testing.T) {
		issued := keys(client.Keys.Create(ctx, projectID, elyzor.KeyParams{Policy: elyzor.Policy{RateLimit: &elyzor.RateLimit{Limit: 1, WindowSeconds: 3600}}}))
		equal(t, must[*elyzor.VerifyResult](t)(client.Verify(ctx, issued.Plaintext, nil)).Valid, true)
		limited := must[*elyzor.VerifyResult](t)(client.Verify(ctx, issued.Plaintext, nil))
		equal(t, []any{limited.Valid, limited.Status, limited.Error}, []any{false, 429, "rate_limit_exceeded"})
		if limited.RetryAfter <= 0 {
			t.Fatalf("RetryAfter %d, want > 0", limited.RetryAfter)
		}
	})

	t.Run("quota exceeded", func(t *testing.T) {
		issued := keys(client.Keys.Create(ctx, projectID, elyzor.KeyParams{Policy: elyzor.Policy{Quota: &elyzor.Quota{Limit: 1, Period: "day"}}}))
		must[*elyzor.VerifyResult](t)(client.Verify(ctx, issued.Plaintext, nil))
		equal(t, must[*elyzor.VerifyResult](t)(client.Verify(ctx, issued.Plaintext, nil)).Error, "quota_exceeded")
	})

	t.Run("a service identity", func(t *testing.T) {
		service := must[*elyzor.Service](t)(client.Services.Create(ctx, projectID, elyzor.ServiceParams{Name: unique("billing"), Policy: elyzor.Policy{Scopes: []string{"invoices:read"}}}))
		result := must[*elyzor.VerifyResult](t)(client.VerifyService(ctx, service.Plaintext, &elyzor.VerifyOptions{Scopes: []string{"invoices:read"}}))
		equal(t, []any{result.Valid, *result.Service}, []any{true, elyzor.ServiceRef{ID: service.ID, Name: service.Name}})
		equal(t, must[*elyzor.VerifyResult](t)(client.Verify(ctx, service.Plaintext, nil)).Error, "invalid_key")
	})

	t.Run("a malformed request is a 400 validation_error", func(t *testing.T) {
		issued := keys(client.Keys.Create(ctx, projectID, elyzor.KeyParams{}))
		_, err := client.Verify(ctx, issued.Plaintext, &elyzor.VerifyOptions{Cost: elyzor.Int(-1)})
		e := apiError(t, err)
		equal(t, []any{e.Status, e.Code}, []any{400, "validation_error"})
	})
}

func TestKeys(t *testing.T) {
	client, projectID := server(t)
	ctx := context.Background()
	keys := must[*elyzor.Key](t)
	tag := unique("t")
	expires := time.Now().UTC().Truncate(time.Second).Add(30 * 24 * time.Hour)

	issued := keys(client.Keys.Create(ctx, projectID, elyzor.KeyParams{Label: "first", Policy: elyzor.Policy{Scopes: []string{"a"}, Tags: []string{tag}, ExpiresAt: &expires, IPAllowlist: []string{"10.0.0.0/8"}}}))
	if len(issued.Plaintext) < 20 || issued.Plaintext[:8] != "sk_live_" || issued.Plaintext[:len(issued.Prefix)] != issued.Prefix {
		t.Fatalf("plaintext %q, prefix %q", issued.Plaintext, issued.Prefix)
	}
	equal(t, []any{*issued.Label, issued.Scopes, issued.Tags, issued.Status, issued.ExpiresAt.Equal(expires), issued.IPAllowlist}, []any{"first", []string{"a"}, []string{tag}, "active", true, []string{"10.0.0.0/8"}})

	got := keys(client.Keys.Get(ctx, projectID, issued.ID))
	equal(t, []any{got.ID, got.Plaintext, got.Usage != nil, got.Usage.TotalVerifications}, []any{issued.ID, "", true, 0})

	second := keys(client.Keys.Create(ctx, projectID, elyzor.KeyParams{Label: "second", Policy: elyzor.Policy{Tags: []string{tag}}}))
	third := keys(client.Keys.Create(ctx, projectID, elyzor.KeyParams{Label: "third", Policy: elyzor.Policy{Tags: []string{tag}}}))
	first := must[*elyzor.Page[elyzor.Key]](t)(client.Keys.List(ctx, projectID, &elyzor.ListOptions{Tag: tag, Limit: 2}))
	equal(t, []string{first.Items[0].ID, first.Items[1].ID}, []string{third.ID, second.ID})
	if first.NextCursor == "" {
		t.Fatal("want a next cursor")
	}
	rest := must[*elyzor.Page[elyzor.Key]](t)(client.Keys.List(ctx, projectID, &elyzor.ListOptions{Tag: tag, Limit: 2, Cursor: first.NextCursor}))
	equal(t, []any{len(rest.Items), rest.Items[0].ID, rest.NextCursor}, []any{1, issued.ID, ""})
	all := must[[]elyzor.Key](t)(client.Keys.All(ctx, projectID, &elyzor.ListOptions{Tag: tag, Limit: 1}))
	equal(t, []string{*all[0].Label, *all[1].Label, *all[2].Label}, []string{"third", "second", "first"})

	updated := keys(client.Keys.Update(ctx, projectID, issued.ID, elyzor.KeyParams{Label: "renamed", Policy: elyzor.Policy{Scopes: []string{"a", "b"}, Clear: []string{"expiresAt"}}}))
	equal(t, []any{*updated.Label, updated.Scopes, updated.ExpiresAt == nil}, []any{"renamed", []string{"a", "b"}, true})
	equal(t, keys(client.Keys.Update(ctx, projectID, issued.ID, elyzor.KeyParams{Policy: elyzor.Policy{Enabled: elyzor.Bool(false)}})).Status, "disabled")
	keys(client.Keys.Update(ctx, projectID, issued.ID, elyzor.KeyParams{Policy: elyzor.Policy{Enabled: elyzor.Bool(true)}}))

	rotated := keys(client.Keys.Rotate(ctx, projectID, issued.ID, &elyzor.RotateOptions{GracePeriodSeconds: 3600}))
	if rotated.Plaintext == "" || rotated.Plaintext == issued.Plaintext || rotated.PreviousKeyExpiresAt == nil {
		t.Fatalf("rotated: %+v", rotated.Credential)
	}
	// The replacement keeps the policy (here its address list); the old key works during the grace period.
	from := &elyzor.VerifyOptions{IP: "10.1.2.3"}
	equal(t, must[*elyzor.VerifyResult](t)(client.Verify(ctx, rotated.Plaintext, from)).Valid, true)
	equal(t, must[*elyzor.VerifyResult](t)(client.Verify(ctx, issued.Plaintext, from)).Valid, true)
	equal(t, must[*elyzor.VerifyResult](t)(client.Verify(ctx, rotated.Plaintext, &elyzor.VerifyOptions{IP: "192.0.2.1"})).Error, "ip_not_allowed")

	if err := client.Keys.Revoke(ctx, projectID, rotated.ID, "leaked"); err != nil {
		t.Fatal(err)
	}
	revoked := keys(client.Keys.Get(ctx, projectID, rotated.ID))
	equal(t, []any{revoked.Status, revoked.Revoked, *revoked.RevokeReason}, []any{"revoked", true, "leaked"})
	equal(t, apiError(t, client.Keys.Revoke(ctx, projectID, rotated.ID, "")).Code, "already_revoked")

	usage := must[*elyzor.UsageSeries](t)(client.Keys.Usage(ctx, projectID, issued.ID, "7d"))
	equal(t, []any{usage.ID, usage.Range}, []any{issued.ID, "7d"})

	test := keys(client.Keys.Create(ctx, projectID, elyzor.KeyParams{Environment: "test"}))
	equal(t, []any{test.Plaintext[:8], test.Environment}, []any{"sk_test_", "test"})
}

func TestServices(t *testing.T) {
	client, projectID := server(t)
	ctx := context.Background()
	services := must[*elyzor.Service](t)
	tag, name := unique("t"), unique("worker")

	issued := services(client.Services.Create(ctx, projectID, elyzor.ServiceParams{Name: name, Policy: elyzor.Policy{Tags: []string{tag}, Scopes: []string{"jobs:run"}}}))
	equal(t, []any{issued.Name, issued.Scopes, issued.Plaintext[:9]}, []any{name, []string{"jobs:run"}, "svc_live_"})
	got := services(client.Services.Get(ctx, projectID, issued.ID))
	equal(t, []any{got.Name, got.Plaintext, got.Usage != nil}, []any{name, "", true})
	page := must[*elyzor.Page[elyzor.Service]](t)(client.Services.List(ctx, projectID, &elyzor.ListOptions{Tag: tag}))
	equal(t, []any{len(page.Items), page.Items[0].ID, page.NextCursor}, []any{1, issued.ID, ""})
	equal(t, len(must[[]elyzor.Service](t)(client.Services.All(ctx, projectID, &elyzor.ListOptions{Tag: tag}))), 1)
	updated := services(client.Services.Update(ctx, projectID, issued.ID, elyzor.ServiceParams{Name: name + "-2", Policy: elyzor.Policy{Metadata: map[string]any{"team": "ops"}}}))
	equal(t, []any{updated.Name, updated.Metadata}, []any{name + "-2", map[string]any{"team": "ops"}})
	rotated := services(client.Services.Rotate(ctx, projectID, issued.ID, nil))
	equal(t, must[*elyzor.VerifyResult](t)(client.VerifyService(ctx, rotated.Plaintext, nil)).Valid, true)
	equal(t, must[*elyzor.VerifyResult](t)(client.VerifyService(ctx, issued.Plaintext, nil)).Valid, false)
	if err := client.Services.Revoke(ctx, projectID, rotated.ID, ""); err != nil {
		t.Fatal(err)
	}
	equal(t, must[*elyzor.VerifyResult](t)(client.VerifyService(ctx, rotated.Plaintext, nil)).Error, "service_revoked")
	equal(t, services(client.Services.Get(ctx, projectID, rotated.ID)).Status, "revoked")
}

func TestProjects(t *testing.T) {
	client, projectID := server(t)
	ctx := context.Background()
	var created []*elyzor.Project
	for i := 0; i < 3; i++ {
		created = append(created, must[*elyzor.Project](t)(client.Projects.Create(ctx, elyzor.CreateProject{Name: unique("go")})))
	}
	if created[0].CreatedAt.IsZero() || created[0].WorkspaceID == "" {
		t.Fatalf("project %+v", created[0])
	}
	first := must[*elyzor.Page[elyzor.Project]](t)(client.Projects.List(ctx, &elyzor.PageOptions{Limit: 2}))
	equal(t, []string{first.Items[0].ID, first.Items[1].ID}, []string{created[2].ID, created[1].ID})
	if first.NextCursor == "" {
		t.Fatal("want a next cursor")
	}
	all := must[[]elyzor.Project](t)(client.Projects.All(ctx, 2))
	ids := map[string]bool{}
	for _, p := range all {
		ids[p.ID] = true
	}
	equal(t, []bool{ids[created[0].ID], ids[created[1].ID], ids[created[2].ID], ids[projectID]}, []bool{true, true, true, true})
	for _, p := range created {
		if err := client.Projects.Delete(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range must[[]elyzor.Project](t)(client.Projects.All(ctx, 0)) {
		for _, gone := range created {
			if p.ID == gone.ID {
				t.Fatalf("%s still listed after Delete", p.ID)
			}
		}
	}

	t.Run("in a named workspace", func(t *testing.T) {
		workspaceID := os.Getenv("ELYZOR_WORKSPACE_ID")
		if workspaceID == "" {
			t.Skip("set ELYZOR_WORKSPACE_ID, the root key's workspace, to run this")
		}
		named := must[*elyzor.Project](t)(client.Projects.Create(ctx, elyzor.CreateProject{Name: "go-named", WorkspaceID: workspaceID}))
		equal(t, named.WorkspaceID, workspaceID)
		if err := client.Projects.Delete(ctx, named.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestErrors(t *testing.T) {
	client, projectID := server(t)
	ctx := context.Background()

	_, err := client.Keys.Get(ctx, projectID, "00000000-0000-4000-8000-000000000000")
	notFound := apiError(t, err)
	equal(t, []any{notFound.Status, notFound.Code, notFound.RequestID != "", notFound.Message != ""}, []any{404, "not_found", true, true})
	equal(t, apiError(t, client.Projects.Delete(ctx, "00000000-0000-4000-8000-000000000000")).Status, 404)

	_, err = client.Keys.Create(ctx, projectID, elyzor.KeyParams{Policy: elyzor.Policy{Scopes: []string{"not a scope!"}}})
	invalid := apiError(t, err)
	equal(t, []any{invalid.Status, invalid.Code, len(invalid.Body) > 0}, []any{400, "validation_error", true})
	_, err = client.Services.Create(ctx, projectID, elyzor.ServiceParams{Name: "Upper Case"})
	equal(t, apiError(t, err).Code, "validation_error")

	t.Run("a user's access token, and the root key winning over it", func(t *testing.T) {
		token := os.Getenv("ELYZOR_ACCESS_TOKEN")
		if token == "" {
			t.Skip("set ELYZOR_ACCESS_TOKEN, a user's access token, to run this")
		}
		asUser, _ := elyzor.NewClient(os.Getenv("ELYZOR_URL"), elyzor.WithAccessToken(token))
		both, _ := elyzor.NewClient(os.Getenv("ELYZOR_URL"), elyzor.WithAccessToken("not a token"), elyzor.WithRootKey(os.Getenv("ELYZOR_ROOT_KEY")))
		for _, c := range []*elyzor.Client{asUser, both} {
			found := false
			for _, p := range must[[]elyzor.Project](t)(c.Projects.All(ctx, 0)) {
				found = found || p.ID == projectID
			}
			if !found {
				t.Fatal("the project is not listed")
			}
		}
	})

	stranger, _ := elyzor.NewClient(os.Getenv("ELYZOR_URL"), elyzor.WithRootKey("rk_live_nope.nope"))
	_, err = stranger.Projects.List(ctx, nil)
	unauthorized := apiError(t, err)
	equal(t, []any{unauthorized.Status, unauthorized.Code}, []any{401, "unauthorized"})

	for _, bad := range [][]elyzor.Option{nil, {elyzor.WithTimeout(0)}, {elyzor.WithRetries(-1)}, {elyzor.WithHTTPClient(nil)}} {
		url := os.Getenv("ELYZOR_URL")
		if bad == nil {
			url = "localhost:3000"
		}
		if _, err := elyzor.NewClient(url, bad...); err == nil {
			t.Fatalf("NewClient(%q, %d options) must be refused", url, len(bad))
		}
	}
}
