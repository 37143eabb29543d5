package elyzor_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	elyzor "github.com/elyzor/elyzor/clients/go"
)

// Retries, timeouts and connection errors against a local server that fails first (no Elyzor needed).

var fast = elyzor.WithRetryPolicy(elyzor.RetryPolicy{Max: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Second})

// failingFirst answers the first `failures` requests with status (and Retry-After), the rest 200 `[]`.
func failingFirst(t *testing.T, failures int32, status int, retryAfter string) (*httptest.Server, *int32) {
	var seen int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if atomic.AddInt32(&seen, 1) <= failures {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":"service_unavailable","message":"down for a moment","requestId":"req-fail"}`))
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	t.Cleanup(server.Close)
	return server, &seen
}

func newClient(t *testing.T, url string, opts ...elyzor.Option) *elyzor.Client {
	client, err := elyzor.NewClient(url, append([]elyzor.Option{elyzor.WithRootKey("rk")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestAGetIsRetriedAfter503sAndSucceeds(t *testing.T) {
	server, seen := failingFirst(t, 2, 503, "0")
	page, err := newClient(t, server.URL, fast).Projects.List(context.Background(), nil)
	if err != nil || len(page.Items) != 0 || atomic.LoadInt32(seen) != 3 {
		t.Fatalf("page %v, err %v, seen %d", page, err, *seen)
	}
}

func TestA502And504AreRetriedToo(t *testing.T) {
	for _, status := range []int{502, 504} {
		server, seen := failingFirst(t, 1, status, "")
		if _, err := newClient(t, server.URL, fast).Keys.List(context.Background(), "p", nil); err != nil || atomic.LoadInt32(seen) != 2 {
			t.Fatalf("%d: err %v, seen %d", status, err, *seen)
		}
	}
}

func TestAfterTheRetriesTheLastAnswerIsReturned(t *testing.T) {
	server, seen := failingFirst(t, 10, 503, "0")
	_, err := newClient(t, server.URL, fast).Projects.List(context.Background(), nil)
	e := apiError(t, err)
	equal(t, []any{e.Status, e.Code, e.RequestID, e.Message, atomic.LoadInt32(seen)}, []any{503, "service_unavailable", "req-fail", "down for a moment", int32(3)})
}

func TestAPostThatCreatesIsNeverRetried(t *testing.T) {
	server, seen := failingFirst(t, 1, 503, "0")
	_, err := newClient(t, server.URL, fast).Keys.Create(context.Background(), "p", elyzor.KeyParams{})
	equal(t, []any{apiError(t, err).Status, atomic.LoadInt32(seen)}, []any{503, int32(1)})
}

func TestAPatchIsNeverRetried(t *testing.T) {
	server, seen := failingFirst(t, 1, 503, "0")
	_, err := newClient(t, server.URL, fast).Keys.Update(context.Background(), "p", "k", elyzor.KeyParams{Label: "x"})
	equal(t, []any{apiError(t, err).Status, atomic.LoadInt32(seen)}, []any{503, int32(1)})
}

func TestAVerificationThatReachedTheServerIsNotSentTwice(t *testing.T) {
	server, seen := failingFirst(t, 1, 503, "0")
	_, err := newClient(t, server.URL, fast).Verify(context.Background(), "sk_live_x", nil)
	equal(t, []any{apiError(t, err).Status, atomic.LoadInt32(seen)}, []any{503, int32(1)})
}

func TestARetryAfterLongerThanMaxDelayIsNotWaitedFor(t *testing.T) {
	server, seen := failingFirst(t, 1, 503, "3600")
	_, err := newClient(t, server.URL, fast).Projects.List(context.Background(), nil)
	equal(t, []any{apiError(t, err).RetryAfter, atomic.LoadInt32(seen)}, []any{3600, int32(1)})
}

func TestRetriesZeroMakesOneAttempt(t *testing.T) {
	server, seen := failingFirst(t, 1, 503, "0")
	_, err := newClient(t, server.URL, elyzor.WithRetries(0)).Projects.List(context.Background(), nil)
	equal(t, []any{apiError(t, err).Status, atomic.LoadInt32(seen)}, []any{503, int32(1)})
}

func TestAConnectionClosedBeforeAnyAnswerIsRetriedForIdempotentCallsOnly(t *testing.T) {
	// Accepts each connection and closes it at once: the request may have arrived.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listener.Close() })
	var accepted int32
	go func() {
		for {
			connection, err := listener.Accept()
			if err != nil {
				return
			}
			atomic.AddInt32(&accepted, 1)
			connection.Close()
		}
	}()
	url := "http://" + listener.Addr().String()
	_, err = newClient(t, url, fast).Projects.List(context.Background(), nil)
	e := apiError(t, err)
	equal(t, []any{e.Status, e.Code, atomic.LoadInt32(&accepted)}, []any{0, elyzor.CodeConnectionError, int32(3)})
	_, err = newClient(t, url, fast).Verify(context.Background(), "sk_live_x", nil)
	equal(t, []any{apiError(t, err).Code, atomic.LoadInt32(&accepted)}, []any{elyzor.CodeConnectionError, int32(4)})
}

func TestARefusedConnectionIsConnectionError(t *testing.T) {
	// A port that was listened on and closed: connections are refused, nothing is sent.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + listener.Addr().String()
	listener.Close()
	_, err = newClient(t, url, fast).Verify(context.Background(), "sk_live_x", nil)
	e := apiError(t, err)
	equal(t, []any{e.Status, e.Code}, []any{0, elyzor.CodeConnectionError})
}

func TestNoAnswerWithinTheTimeoutIsTimeout(t *testing.T) {
	release := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(server.Close)
	t.Cleanup(func() { close(release) })
	_, err := newClient(t, server.URL, elyzor.WithTimeout(100*time.Millisecond), elyzor.WithRetries(0)).Projects.List(context.Background(), nil)
	e := apiError(t, err)
	equal(t, []any{e.Status, e.Code}, []any{0, elyzor.CodeTimeout})
}

func TestTheCallersContextEndsTheRetries(t *testing.T) {
	server, _ := failingFirst(t, 10, 503, "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(t, server.URL, fast).Projects.List(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func TestAnAnswerThatIsNotElyzorsJSONIsInvalidResponse(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(500)
		_, _ = w.Write([]byte("no"))
	}))
	t.Cleanup(server.Close)
	_, err := newClient(t, server.URL, elyzor.WithRetries(0)).Projects.List(context.Background(), nil)
	e := apiError(t, err)
	equal(t, []any{e.Status, e.Code}, []any{500, elyzor.CodeInvalidResponse})
}
