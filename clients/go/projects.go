package elyzor

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// Projects is /v1/projects.
type Projects struct{ t *transport }

// PageOptions pages a list: Limit 1–100 (0 for the server's default), Cursor from the previous page.
type PageOptions struct {
	Limit  int
	Cursor string
}

// CreateProject is the body of Projects.Create; WorkspaceID "" means the caller's own (a root key's workspace).
type CreateProject struct {
	Name        string `json:"name"`
	WorkspaceID string `json:"workspaceId,omitempty"`
}

// List returns one page of the projects the caller can see, newest first (opts may be nil).
func (p *Projects) List(ctx context.Context, opts *PageOptions) (*Page[Project], error) {
	query := url.Values{}
	if opts != nil && opts.Limit > 0 {
		query.Set("limit", strconv.Itoa(opts.Limit))
	}
	if opts != nil && opts.Cursor != "" {
		query.Set("cursor", opts.Cursor)
	}
	var items []Project
	header, err := p.t.request(ctx, call{method: http.MethodGet, path: "/v1/projects", query: query}, &items)
	if err != nil {
		return nil, err
	}
	return &Page[Project]{Items: items, NextCursor: nextCursorOf(header.Get("Link"))}, nil
}

// All follows every page (limit is the page size, 0 for the default).
func (p *Projects) All(ctx context.Context, limit int) ([]Project, error) {
	return collect("", func(cursor string) (*Page[Project], error) {
		return p.List(ctx, &PageOptions{Limit: limit, Cursor: cursor})
	})
}

// Create makes a project.
func (p *Projects) Create(ctx context.Context, body CreateProject) (*Project, error) {
	var out Project
	_, err := p.t.request(ctx, call{method: http.MethodPost, path: "/v1/projects", body: body}, &out)
	return &out, err
}

// Delete deletes a project with its keys, services and usage.
func (p *Projects) Delete(ctx context.Context, projectID string) error {
	_, err := p.t.request(ctx, call{method: http.MethodDelete, path: "/v1/projects/" + url.PathEscape(projectID)}, nil)
	return err
}
