package workspace

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/ec2fake"
)

// failingSlice fronts the fake EC2 endpoint and answers 500 to every
// DescribeSpotPriceHistory whose StartTime lies in [from, to) while on:
// a slice that fails for good, whatever the retries.
type failingSlice struct {
	next     http.Handler
	from, to time.Time
	on       atomic.Bool
	failed   atomic.Int64
}

func (f *failingSlice) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	if f.on.Load() && form.Get("Action") == "DescribeSpotPriceHistory" {
		if st, err := time.Parse(time.RFC3339, form.Get("StartTime")); err == nil && !st.Before(f.from) && st.Before(f.to) {
			f.failed.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InternalError</Code>`+
				`<Message>injected</Message></Error></Errors><RequestID>x</RequestID></Response>`)
			return
		}
	}
	f.next.ServeHTTP(w, r)
}

// TestFailedSliceIsAGapEndToEnd fetches through the real SDK and the fake
// EC2 endpoint: [E-30d, E-20d] and [E-10d, E] succeed, then a 30-day fetch
// fails for good on the slice in between. The stats must report that hole
// as gap_hours and average over the covered part only, which a brute-force
// reference computes from the true records minute by minute.
func TestFailedSliceIsAGapEndToEnd(t *testing.T) {
	ctx := context.Background()
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL_EC2", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")

	fake := ec2fake.NewServer(ec2fake.DemoData(), ec2fake.Options{})
	defer fake.Close()
	target, _ := url.Parse(fake.URL)
	end := demo.End()
	day := 24 * time.Hour
	hole := &failingSlice{next: httputil.NewSingleHostReverseProxy(target), from: end.Add(-20 * day), to: end.Add(-10 * day)}
	proxy := httptest.NewServer(hole)
	defer proxy.Close()

	cfg, err := awsapi.LoadConfig(ctx, awsapi.Options{
		Region: demo.Region, EndpointURL: proxy.URL, MaxAttempts: 2,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		Backoff:     retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil }),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Offline: the reads below answer from what the fetches stored.
	w, err := Open(ctx, Options{Dir: t.TempDir(), Offline: true, Regions: []string{demo.Region}, Now: func() time.Time { return end }})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	types := []string{"c5.large", "m5.xlarge"}
	fetch := func(now time.Time, days int) error {
		f := &awsapi.Fetcher{Client: awsapi.NewClientFactory(cfg), Store: w.Store, Now: func() time.Time { return now }}
		_, err := f.Fetch(ctx, awsapi.Request{Regions: []string{demo.Region}, Types: types, Days: days})
		return err
	}
	if err := fetch(end.Add(-20*day), 10); err != nil {
		t.Fatal(err)
	}
	if err := fetch(end, 10); err != nil {
		t.Fatal(err)
	}
	hole.on.Store(true)
	if err := fetch(end, 30); err == nil || hole.failed.Load() == 0 {
		t.Fatalf("the fetch across the failing slice: err %v after %d failed requests; want an error", err, hole.failed.Load())
	}

	sel, err := Select(types, nil)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := w.Stats(ctx, StatsQuery{Selection: sel, Window: 30 * day})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.WindowEnd.Equal(end) || len(ans.Pools) != 6 {
		t.Fatalf("window end %v (want %v), %d pools (want 6)", ans.WindowEnd, end, len(ans.Pools))
	}
	byScope, err := w.Store.CoverageScopes(ctx, demo.Region, market.LinuxUNIX)
	if err != nil {
		t.Fatal(err)
	}
	cov := byScope[awsapi.Scope(types)]
	for _, s := range ans.Pools {
		var truth []market.Point
		for _, r := range demo.AllRecords() {
			if r.Pool == s.Pool {
				truth = append(truth, market.Point{Time: r.Time, Price: r.Price})
			}
		}
		wantGap, wantTWAP := bruteForce(truth, cov, ans.WindowStart, ans.WindowEnd)
		if s.Stats.GapHours < 8*24 || math.Abs(s.Stats.GapHours-wantGap) > 0.05 {
			t.Errorf("%v: gap_hours %.3f, brute force %.3f (the failed slice is 10 days)", s.Pool, s.Stats.GapHours, wantGap)
		}
		if math.Abs(s.Stats.TWAP-wantTWAP) > 1e-4*wantTWAP {
			t.Errorf("%v: twap %.6f, brute force over the covered part %.6f", s.Pool, s.Stats.TWAP, wantTWAP)
		}
	}
}

// bruteForce samples [start, end) minute by minute: a minute is known when a
// covered interval holds it, or precedes one with no true record between
// them (the interval's first answer is the record then in effect). It
// returns the unknown hours and the mean known price.
func bruteForce(truth []market.Point, cov []market.Interval, start, end time.Time) (gapHours, twap float64) {
	priceAt := func(t time.Time) (float64, bool) {
		v, ok := 0.0, false
		for _, p := range truth {
			if p.Time.After(t) {
				break
			}
			v, ok = p.Price, true
		}
		return v, ok
	}
	known := func(t time.Time) bool {
		for _, iv := range cov {
			if !t.Before(iv.Start) && t.Before(iv.End) {
				return true
			}
			if t.Before(iv.Start) {
				between := false
				for _, p := range truth {
					if p.Time.After(t) && !p.Time.After(iv.Start) {
						between = true
						break
					}
				}
				if !between {
					return true
				}
			}
		}
		return false
	}
	var sum float64
	var n, gaps int
	for t := start; t.Before(end); t = t.Add(time.Minute) {
		p, ok := priceAt(t)
		if !ok {
			continue
		}
		if !known(t) {
			gaps++
			continue
		}
		sum += p
		n++
	}
	return float64(gaps) / 60, sum / float64(n)
}
