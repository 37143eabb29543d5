package elyzor

import (
	"testing"
	"time"
)

// The pure retry decision, for the cases a local server cannot show without waiting.

func TestRetryAfterAsSecondsOrAnHTTPDate(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for value, want := range map[string]time.Duration{"7": 7 * time.Second, "Tue, 14 Nov 2023 22:13:50 GMT": 30 * time.Second, "Tue, 14 Nov 2023 22:00:00 GMT": 0} {
		if got, ok := parseRetryAfter(value, now); !ok || got != want {
			t.Errorf("%q: got %v %v, want %v", value, got, ok, want)
		}
	}
	for _, value := range []string{"", "soon", "-1"} {
		if _, ok := parseRetryAfter(value, now); ok {
			t.Errorf("%q: want unreadable", value)
		}
	}
}

func TestBackoffDoublesWithJitterAndIsCapped(t *testing.T) {
	p := RetryPolicy{Max: 10, BaseDelay: 200 * time.Millisecond, MaxDelay: time.Second}
	network := outcome{kind: "network", connected: true}
	for attempt, want := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 500 * time.Millisecond} {
		if got, ok := retryDelay(retryIdempotent, network, attempt, p, time.Now(), 0.5); !ok || got != want {
			t.Errorf("attempt %d: got %v %v, want %v", attempt, got, ok, want)
		}
	}
	if _, ok := retryDelay(retryIdempotent, outcome{kind: "answer", status: 500}, 0, p, time.Now(), 0.5); ok {
		t.Error("500 must not be retried")
	}
	if _, ok := retryDelay(retryBeforeConnection, outcome{kind: "timeout"}, 0, p, time.Now(), 0.5); ok {
		t.Error("a verification that timed out must not be retried")
	}
	if _, ok := retryDelay(retryBeforeConnection, outcome{kind: "network", connected: false}, 0, p, time.Now(), 0.5); !ok {
		t.Error("a verification never sent is retried")
	}
	if _, ok := retryDelay(retryIdempotent, network, 10, p, time.Now(), 0.5); ok {
		t.Error("no retry after Max")
	}
}
