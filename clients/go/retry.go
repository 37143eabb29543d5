package elyzor

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how calls are retried: connection errors, timeouts and 502/503/504, for
// idempotent calls only (GET, PUT, DELETE). A POST that creates something, and PATCH, are never
// retried: the first attempt may have reached the server. Verification is a POST that creates
// nothing but spends limits, so it is retried only when the connection was never made.
type RetryPolicy struct {
	// Max is the attempts after the first (default 2).
	Max int
	// BaseDelay is the first backoff, doubled each attempt, with full jitter (default 200 ms).
	BaseDelay time.Duration
	// MaxDelay caps each wait; a Retry-After beyond it is not waited for (default 10 s).
	MaxDelay time.Duration
}

// DefaultRetryPolicy is the policy of a client made without WithRetries or WithRetryPolicy.
var DefaultRetryPolicy = RetryPolicy{Max: 2, BaseDelay: 200 * time.Millisecond, MaxDelay: 10 * time.Second}

type retryRule int

const (
	retryIdempotent retryRule = iota
	retryNever
	retryBeforeConnection
)

func ruleOf(method string) retryRule {
	switch method {
	case http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodHead:
		return retryIdempotent
	}
	return retryNever
}

// outcome is what an attempt ended with, as far as retrying cares.
type outcome struct {
	kind       string // "answer", "network" or "timeout"
	status     int
	retryAfter string
	connected  bool // for "network": false when nothing was sent
}

// parseRetryAfter reads Retry-After in seconds or as an HTTP date; ok false when absent or unreadable.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if seconds, err := strconv.Atoi(value); err == nil && seconds >= 0 {
		return time.Duration(seconds) * time.Second, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	if wait := at.Sub(now); wait > 0 {
		return wait, true
	}
	return 0, true
}

// retryDelay is the wait before attempt+1 (attempt counts from 0); ok false for no retry.
// random is in [0, 1): the jitter, passed in so the decision is pure.
func retryDelay(rule retryRule, o outcome, attempt int, p RetryPolicy, now time.Time, random float64) (time.Duration, bool) {
	if attempt >= p.Max || rule == retryNever {
		return 0, false
	}
	if rule == retryBeforeConnection && !(o.kind == "network" && !o.connected) {
		return 0, false
	}
	if o.kind == "answer" && o.status != 502 && o.status != 503 && o.status != 504 {
		return 0, false
	}
	backoff := time.Duration(math.Min(float64(p.MaxDelay), float64(p.BaseDelay)*math.Pow(2, float64(attempt))) * random)
	if o.kind != "answer" {
		return backoff, true
	}
	asked, given := parseRetryAfter(o.retryAfter, now)
	if !given {
		return backoff, true
	}
	// The server said when: wait that long, or give up if it is longer than a caller should hang.
	if asked > p.MaxDelay {
		return 0, false
	}
	return asked, true
}
