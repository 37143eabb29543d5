package elyzor

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

type params interface {
	KeyParams | ServiceParams
	cleared() []string
}

// Credentials is /v1/projects/{projectID}/keys or …/services: the same operations on either
// kind. Client.Keys is a Credentials[Key, KeyParams], Client.Services a Credentials[Service, ServiceParams].
type Credentials[V any, P params] struct {
	t          *transport
	collection string
}

func (c *Credentials[V, P]) path(projectID, id, tail string) string {
	path := "/v1/projects/" + url.PathEscape(projectID) + "/" + c.collection
	if id != "" {
		path += "/" + url.PathEscape(id)
	}
	return path + tail
}

// Create issues one; its Plaintext is in this answer only.
func (c *Credentials[V, P]) Create(ctx context.Context, projectID string, body P) (*V, error) {
	fields, err := withNulls(body, body.cleared())
	if err != nil {
		return nil, err
	}
	var out V
	_, err = c.t.request(ctx, call{method: http.MethodPost, path: c.path(projectID, "", ""), body: fields}, &out)
	return &out, err
}

// List returns one page, newest first, with the filters (opts may be nil).
func (c *Credentials[V, P]) List(ctx context.Context, projectID string, opts *ListOptions) (*Page[V], error) {
	query := url.Values{}
	if opts != nil {
		for name, value := range map[string]string{"cursor": opts.Cursor, "tag": opts.Tag, "ownerId": opts.OwnerID, "environment": opts.Environment, "status": opts.Status} {
			if value != "" {
				query.Set(name, value)
			}
		}
		if opts.Limit > 0 {
			query.Set("limit", strconv.Itoa(opts.Limit))
		}
	}
	var items []V
	header, err := c.t.request(ctx, call{method: http.MethodGet, path: c.path(projectID, "", ""), query: query}, &items)
	if err != nil {
		return nil, err
	}
	return &Page[V]{Items: items, NextCursor: nextCursorOf(header.Get("Link"))}, nil
}

// All follows every page of the list (opts.Cursor is where it starts; opts may be nil).
func (c *Credentials[V, P]) All(ctx context.Context, projectID string, opts *ListOptions) ([]V, error) {
	next := ListOptions{}
	if opts != nil {
		next = *opts
	}
	return collect(next.Cursor, func(cursor string) (*Page[V], error) {
		next.Cursor = cursor
		return c.List(ctx, projectID, &next)
	})
}

// Get returns one, with its Usage.
func (c *Credentials[V, P]) Get(ctx context.Context, projectID, id string) (*V, error) {
	var out V
	_, err := c.t.request(ctx, call{method: http.MethodGet, path: c.path(projectID, id, "")}, &out)
	return &out, err
}

// Update changes only the fields set in changes (and those in its Clear, to null).
func (c *Credentials[V, P]) Update(ctx context.Context, projectID, id string, changes P) (*V, error) {
	fields, err := withNulls(changes, changes.cleared())
	if err != nil {
		return nil, err
	}
	var out V
	_, err = c.t.request(ctx, call{method: http.MethodPatch, path: c.path(projectID, id, ""), body: fields}, &out)
	return &out, err
}

// Revoke revokes it (softly: it stays listed, refused from now on); reason may be "".
func (c *Credentials[V, P]) Revoke(ctx context.Context, projectID, id, reason string) error {
	body := map[string]string{}
	if reason != "" {
		body["reason"] = reason
	}
	_, err := c.t.request(ctx, call{method: http.MethodDelete, path: c.path(projectID, id, ""), body: body}, nil)
	return err
}

// RotateOptions: GracePeriodSeconds keeps the old credential working that long (0 revokes it at once).
type RotateOptions struct {
	GracePeriodSeconds int
}

// Rotate issues the replacement; its Plaintext is in this answer only (opts may be nil).
func (c *Credentials[V, P]) Rotate(ctx context.Context, projectID, id string, opts *RotateOptions) (*V, error) {
	body := map[string]int{}
	if opts != nil && opts.GracePeriodSeconds > 0 {
		body["gracePeriodSeconds"] = opts.GracePeriodSeconds
	}
	var out V
	_, err := c.t.request(ctx, call{method: http.MethodPost, path: c.path(projectID, id, "/rotate"), body: body}, &out)
	return &out, err
}

// Usage returns verifications per UTC day over rangeName ("1d", "7d", "30d", "90d"; "" for the default 7d).
func (c *Credentials[V, P]) Usage(ctx context.Context, projectID, id, rangeName string) (*UsageSeries, error) {
	query := url.Values{}
	if rangeName != "" {
		query.Set("range", rangeName)
	}
	var out UsageSeries
	_, err := c.t.request(ctx, call{method: http.MethodGet, path: c.path(projectID, id, "/usage"), query: query}, &out)
	return &out, err
}
