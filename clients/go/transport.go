package elyzor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// call is one request to the API, before authentication and retries are applied.
type call struct {
	method string
	path   string
	query  url.Values
	body   any
	// bearer, when set, replaces the client's credential (a credential to verify).
	bearer string
	rule   *retryRule
}

// answer is an answer of any status.
type answer struct {
	status int
	header http.Header
	body   []byte
}

type transport struct {
	baseURL    string
	credential string
	timeout    time.Duration
	retry      RetryPolicy
	http       *http.Client
}

// neverConnected tells a connection that was never made (refused, unknown host, unreachable):
// nothing was sent, so nothing was spent.
func neverConnected(err error) bool {
	var dnsError *net.DNSError
	if errors.As(err, &dnsError) {
		return true
	}
	var opError *net.OpError
	return errors.As(err, &opError) && opError.Op == "dial" && !opError.Timeout()
}

func (t *transport) attempt(ctx context.Context, c call) (*answer, *outcome, error) {
	target := strings.TrimRight(t.baseURL, "/") + c.path
	if len(c.query) > 0 {
		target += "?" + c.query.Encode()
	}
	var body io.Reader
	if c.body != nil {
		encoded, err := json.Marshal(c.body)
		if err != nil {
			return nil, nil, fmt.Errorf("elyzor: encoding the request: %w", err)
		}
		body = bytes.NewReader(encoded)
	}
	attemptCtx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	request, err := http.NewRequestWithContext(attemptCtx, c.method, target, body)
	if err != nil {
		return nil, nil, fmt.Errorf("elyzor: %w", err)
	}
	request.Header.Set("Accept", "application/json")
	request.Header.Set("User-Agent", "elyzor-go")
	if c.body != nil {
		request.Header.Set("Content-Type", "application/json")
	}
	bearer := t.credential
	if c.bearer != "" {
		bearer = c.bearer
	}
	if bearer != "" {
		request.Header.Set("Authorization", "Bearer "+bearer)
	}
	response, err := t.http.Do(request)
	if err == nil {
		defer response.Body.Close()
		var raw []byte
		raw, err = io.ReadAll(response.Body)
		if err == nil {
			return &answer{status: response.StatusCode, header: response.Header, body: raw}, nil, nil
		}
	}
	if ctx.Err() != nil {
		// The caller's own context ended: no retry, and its error as the cause.
		return nil, nil, fmt.Errorf("elyzor: %s %s: %w", c.method, c.path, ctx.Err())
	}
	var netError net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netError) && netError.Timeout()) {
		return nil, &outcome{kind: "timeout"}, nil
	}
	return nil, &outcome{kind: "network", connected: !neverConnected(err)}, nil
}

// send returns an answer of any status, with retries as the call's rule allows; an *Error when no answer came.
func (t *transport) send(ctx context.Context, c call) (*answer, error) {
	rule := ruleOf(c.method)
	if c.rule != nil {
		rule = *c.rule
	}
	for attempt := 0; ; attempt++ {
		got, failed, err := t.attempt(ctx, c)
		if err != nil {
			return nil, err
		}
		o := failed
		if got != nil {
			o = &outcome{kind: "answer", status: got.status, retryAfter: got.header.Get("Retry-After")}
		}
		delay, retry := retryDelay(rule, *o, attempt, t.retry, time.Now(), rand.Float64())
		if !retry {
			if got != nil {
				return got, nil
			}
			if o.kind == "timeout" {
				return nil, &Error{Code: CodeTimeout, Message: fmt.Sprintf("no answer from %s %s within %s", c.method, c.path, t.timeout)}
			}
			return nil, &Error{Code: CodeConnectionError, Message: fmt.Sprintf("could not reach Elyzor at %s (%s %s)", t.baseURL, c.method, c.path)}
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("elyzor: %s %s: %w", c.method, c.path, ctx.Err())
		case <-timer.C:
		}
	}
}

// request decodes a 2xx answer's body into out (when not nil); an *Error for anything else.
func (t *transport) request(ctx context.Context, c call, out any) (http.Header, error) {
	got, err := t.send(ctx, c)
	if err != nil {
		return nil, err
	}
	if got.status < 200 || got.status > 299 {
		return nil, errorOf(got)
	}
	if out != nil {
		if err := json.Unmarshal(got.body, out); err != nil {
			return nil, &Error{Status: got.status, Code: CodeInvalidResponse, Message: "the answer is not the expected JSON: " + err.Error(), RequestID: got.header.Get("X-Request-Id"), Body: got.body}
		}
	}
	return got.header, nil
}

func errorOf(got *answer) *Error {
	e := &Error{Status: got.status, Code: CodeInvalidResponse, Message: fmt.Sprintf("unexpected answer: HTTP %d", got.status), RequestID: got.header.Get("X-Request-Id"), Body: got.body}
	if seconds, err := strconv.Atoi(strings.TrimSpace(got.header.Get("Retry-After"))); err == nil {
		e.RetryAfter = seconds
	}
	var parsed struct {
		Error     *string `json:"error"`
		Message   *string `json:"message"`
		RequestID *string `json:"requestId"`
	}
	if json.Unmarshal(got.body, &parsed) != nil || parsed.Error == nil {
		return e
	}
	e.Code, e.Message = *parsed.Error, *parsed.Error
	if parsed.Message != nil {
		e.Message = *parsed.Message
	}
	if parsed.RequestID != nil {
		e.RequestID = *parsed.RequestID
	}
	return e
}

var linkPart = regexp.MustCompile(`^\s*<([^>]*)>\s*;(.*)$`)
var relNext = regexp.MustCompile(`\brel="?next"?`)

// nextCursorOf reads the cursor of `Link: </v1/…?cursor=…>; rel="next"`; "" on the last page.
func nextCursorOf(link string) string {
	for _, part := range strings.Split(link, ",") {
		match := linkPart.FindStringSubmatch(part)
		if match == nil || !relNext.MatchString(match[2]) {
			continue
		}
		if target, err := url.Parse(match[1]); err == nil && target.Query().Get("cursor") != "" {
			return target.Query().Get("cursor")
		}
	}
	return ""
}
