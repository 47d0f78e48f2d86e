package awsapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/spotscope/spotscope/market/demo"
)

// closedPort returns a loopback URL nothing listens on.
func closedPort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}

// refusingServer accepts connections and closes each without an answer,
// counting them.
func refusingServer(t testing.TB) (string, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// realConfig is the configuration a user gets, with the SDK's own backoff
// (not the tests' 1 ms one), aimed at url.
func realConfig(t testing.TB, url string) aws.Config {
	t.Helper()
	isolateAWSEnv(t)
	cfg, err := LoadConfig(context.Background(), Options{
		Region:      "us-east-1",
		EndpointURL: url,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestUnreachableEndpointFailsFast(t *testing.T) {
	refusing, conns := refusingServer(t)
	for _, tc := range []struct {
		name, url    string
		attempts     int64 // connections the endpoint sees per region
		cause        string
		countAttempt func() int64 // nil: nothing to count
	}{
		{"closed port", closedPort(t), 0, "connection refused", nil},
		{"drops every connection", refusing, 1 + MaxConnectionRetries, "closed the connection", conns.Load},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &Fetcher{Client: NewClientFactory(realConfig(t, tc.url)), Store: newMemStore(), Now: demo.End}
			began := time.Now()
			_, err := f.Fetch(context.Background(), Request{Regions: []string{"us-east-1", "eu-west-1"}, Days: 7})
			// Logged, not asserted: a loaded machine may be slow, the
			// attempt count below is what makes it fast.
			t.Logf("failed after %v: %v", time.Since(began), err)
			var ee *EndpointError
			if !errors.As(err, &ee) || ee.Endpoint != tc.url {
				t.Fatalf("err = %v, want an EndpointError naming %s", err, tc.url)
			}
			msg := ee.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tc.cause) || !strings.Contains(msg, "AWS_ENDPOINT_URL") {
				t.Errorf("message %q: want one line with the cause and the fix", msg)
			}
			if strings.Contains(err.Error(), "operation error") || strings.Contains(err.Error(), "exceeded maximum") {
				t.Errorf("the SDK's stack of errors leaked: %v", err)
			}
			if tc.countAttempt != nil {
				// Each region: the zones call, retried MaxConnectionRetries
				// times, and nothing after it.
				if got := tc.countAttempt(); got != 2*tc.attempts {
					t.Errorf("%d connections, want %d per region", got, tc.attempts)
				}
			}
		})
	}
}

// A refused connection is not retried at all; AWS's own answers keep the
// full budget (TestLoadConfigRetriesAndEnv).
func TestFailFastRetryer(t *testing.T) {
	cfg := realConfig(t, closedPort(t))
	r := cfg.Retryer()
	_, err := Zones(context.Background(), NewClientFactory(cfg)("us-east-1"), "us-east-1")
	if r.IsErrorRetryable(err) {
		t.Errorf("a refused connection is retryable: %v", err)
	}
	if !isFatal(classify(err)) {
		t.Errorf("a refused connection is not fatal: %v", classify(err))
	}
}

// BenchmarkTimeToFail measures how long a fetch takes to give up on an
// endpoint that refuses connections and on one that drops them, with the
// SDK's real backoff.
func BenchmarkTimeToFail(b *testing.B) {
	refusing, _ := refusingServer(b)
	for _, bc := range []struct{ name, url string }{{"closed-port", closedPort(b)}, {"drops-connections", refusing}} {
		b.Run(bc.name, func(b *testing.B) {
			f := &Fetcher{Client: NewClientFactory(realConfig(b, bc.url)), Store: newMemStore(), Now: demo.End}
			for b.Loop() {
				if _, err := f.Fetch(context.Background(), Request{Regions: []string{"us-east-1"}, Days: 7}); err == nil {
					b.Fatal("no error")
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/op")
		})
	}
}
