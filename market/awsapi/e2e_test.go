package awsapi

// End-to-end tests: the real SDK (adaptive retries, paginator, signing)
// against market/ec2fake serving the real sa-east-1 demo data.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/ec2fake"
)

type e2e struct {
	srv   *ec2fake.Server
	f     *Fetcher
	store *memStore
}

func newE2E(t testing.TB, opts ec2fake.Options) *e2e {
	srv := ec2fake.NewServer(ec2fake.DemoData(), opts)
	t.Cleanup(srv.Close)
	cfg := testConfig(t, srv.URL)
	st := newMemStore()
	return &e2e{srv: srv, store: st, f: &Fetcher{
		Client: NewClientFactory(cfg),
		Store:  st,
		Now:    demo.End,
	}}
}

func (e *e2e) spotRequests() []ec2fake.Request {
	var out []ec2fake.Request
	for _, r := range e.srv.Requests() {
		if r.Action == "DescribeSpotPriceHistory" {
			out = append(out, r)
		}
	}
	return out
}

func demoExpected(match func(market.Record) bool, days int) []string {
	end := demo.End().Truncate(time.Second)
	start := end.Add(-time.Duration(days) * 24 * time.Hour)
	if oldest := OldestFetchable(end); start.Before(oldest) {
		start = oldest
	}
	return expectedKeys(demo.AllRecords(), demo.Region, match, start, end)
}

func inProducts(ps ...string) func(market.Record) bool {
	return func(r market.Record) bool { return contains(ps, r.Product) }
}

// TestE2EFull90DaysUnderFaults: the fetch may be throttled, answered 500
// and have connections dropped, and must still store exactly the window.
// The server's bucket is smaller than ours so that throttling really
// happens, late in the run so the adaptive slowdown stays short.
func TestE2EFull90DaysUnderFaults(t *testing.T) {
	e := newE2E(t, ec2fake.Options{Throttle: ec2fake.Throttle{Burst: 40, Rate: 10}, FailEvery: 13, DropEvery: 17})
	sum, err := e.f.Fetch(context.Background(), Request{Regions: []string{demo.Region}, Days: 90})
	if err != nil {
		t.Fatal(err)
	}
	want := demoExpected(inProducts(market.LinuxUNIX), 90)
	diffKeys(t, e.store.keys(), want)
	c := e.srv.Counts()
	if c.Failed == 0 || c.Dropped == 0 {
		t.Errorf("faults not exercised: %+v", c)
	}
	if c.Throttled == 0 {
		// Throttling depends on the client outpacing the server's refill,
		// which a slow machine (or -race) may not do.
		t.Logf("no request was throttled: the client ran slower than %v req/s", 10)
	}
	// A dropped connection can also break a pooled one, so the client may
	// retry a little more than the server injected.
	if sum.Throttled != c.Throttled || sum.Retries < c.Throttled+c.Failed+c.Dropped {
		t.Errorf("summary %+v does not match the server's counts %+v", sum, c)
	}
	if sum.NewRecords != len(want) {
		t.Errorf("NewRecords %d, want %d", sum.NewRecords, len(want))
	}
	t.Logf("%d records, %d pages, %+v, %v", len(want), sum.Pages, c, sum.Elapsed)
}

// TestE2EAllProducts90DaysThrottled is the benchmark's heavy case as a
// correctness test: every product under a server-side bucket equal to ours.
// The rate is 5x EC2's to keep the test short; BenchmarkFetchRegion90d runs
// it at the real 20 req/s.
func TestE2EAllProducts90DaysThrottled(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of 240 pages")
	}
	e := newE2E(t, ec2fake.Options{Throttle: ec2fake.Throttle{Burst: DefaultBurst, Rate: 5 * DefaultRate}, FailEvery: 29, DropEvery: 31})
	e.f.Rate = 5 * DefaultRate
	sum, err := e.f.Fetch(context.Background(), Request{Regions: []string{demo.Region}, Days: 90, Products: []string{market.LinuxUNIX, market.RHEL, market.SUSE, market.Windows}})
	if err != nil {
		t.Fatal(err)
	}
	diffKeys(t, e.store.keys(), demoExpected(inProducts(market.LinuxUNIX, market.RHEL, market.SUSE, market.Windows), 90))
	t.Logf("%d pages, %+v, %v", sum.Pages, e.srv.Counts(), sum.Elapsed)
}

func TestE2EIncremental(t *testing.T) {
	e := newE2E(t, ec2fake.Options{})
	earlier := demo.End().Add(-3 * 24 * time.Hour)
	e.f.Now = func() time.Time { return earlier }
	req := Request{Regions: []string{demo.Region}, Days: 10}
	if _, err := e.f.Fetch(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	n := len(e.spotRequests())
	e.f.Now = demo.End
	if _, err := e.f.Fetch(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	later := e.spotRequests()[n:]
	if len(later) == 0 {
		t.Fatal("no new request")
	}
	from := earlier.Truncate(time.Second).Format(time.RFC3339)
	for _, r := range later {
		if got := r.Form.Get("StartTime"); got != from {
			t.Fatalf("second fetch asked from %s, want only the new part from %s", got, from)
		}
	}
	// The union of both windows: 13 days back from the end.
	diffKeys(t, e.store.keys(), demoExpected(inProducts(market.LinuxUNIX), 13))
}

func TestE2ECancelThenResume(t *testing.T) {
	ctx := context.Background()
	req := Request{Regions: []string{demo.Region}, Days: 45, Products: []string{market.LinuxUNIX, market.Windows}}
	e := newE2E(t, ec2fake.Options{Latency: 2 * time.Millisecond})
	e.f.Workers = 3
	cctx, cancel := context.WithCancel(ctx)
	e.f.Progress = func(p Progress) {
		if p.PiecesDone >= p.PiecesTotal/2 && p.PiecesTotal > 0 {
			cancel()
		}
	}
	if _, err := e.f.Fetch(cctx, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	committed := map[string][]market.Interval{}
	for _, p := range req.Products {
		committed[p], _ = e.store.Coverage(ctx, demo.Region, p, ScopeAll)
	}
	if len(committed[market.LinuxUNIX])+len(committed[market.Windows]) == 0 {
		t.Fatal("no slice committed before the cancel")
	}
	first := len(e.spotRequests())
	e.f.Progress = nil
	if _, err := e.f.Fetch(ctx, req); err != nil {
		t.Fatal(err)
	}
	diffKeys(t, e.store.keys(), demoExpected(inProducts(req.Products...), req.Days))
	// The resumed fetch asks only for what was not committed.
	resumed := e.spotRequests()[first:]
	if len(resumed) == 0 {
		t.Fatal("resume made no request")
	}
	for _, r := range resumed {
		start, _ := time.Parse(time.RFC3339, r.Form.Get("StartTime"))
		end, _ := time.Parse(time.RFC3339, r.Form.Get("EndTime"))
		asked := market.Interval{Start: start, End: end}
		if len(gaps(asked, committed[r.Form.Get("ProductDescription.1")])) == 0 {
			t.Fatalf("resume re-asked committed %s %v", r.Form.Get("ProductDescription.1"), asked)
		}
	}
}

func TestE2EGlobsAndProducts(t *testing.T) {
	e := newE2E(t, ec2fake.Options{})
	req := Request{Regions: []string{demo.Region}, Days: 14, Types: []string{"m5*", "*.xlarge"}, Products: []string{market.RHEL, market.Windows}}
	if _, err := e.f.Fetch(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	m, _ := market.NewTypeMatcher(req.Types)
	want := demoExpected(func(r market.Record) bool { return m.Match(r.InstanceType) && contains(req.Products, r.Product) }, 14)
	if len(want) < 1000 {
		t.Fatalf("weak test: only %d records expected", len(want))
	}
	diffKeys(t, e.store.keys(), want)
}

// TestE2EPermanentFailureLeavesExactlyItsHole: one slice of one zone is
// refused for good; the region's coverage is the window less exactly that
// slice, and a later fetch asks only for it.
func TestE2EPermanentFailureLeavesExactlyItsHole(t *testing.T) {
	end := demo.End().Truncate(time.Second)
	start := end.Add(-45 * 24 * time.Hour)
	holeStart := end.Add(-30 * 24 * time.Hour)
	holeEnd := end.Add(-15 * 24 * time.Hour)
	reject := true
	e := newE2E(t, ec2fake.Options{Reject: func(action string, form url.Values) bool {
		return reject && action == "DescribeSpotPriceHistory" && form.Get("AvailabilityZone") == "sa-east-1b" &&
			form.Get("StartTime") == holeStart.Format(time.RFC3339)
	}})
	e.f.SliceSize = 15 * 24 * time.Hour
	req := Request{Regions: []string{demo.Region}, Days: 45}
	sum, err := e.f.Fetch(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "InvalidParameterValue") || !strings.Contains(err.Error(), "sa-east-1b") {
		t.Fatalf("err = %v", err)
	}
	if sum.Failed != 1 || e.srv.Counts().Rejected != 1 {
		t.Errorf("summary %+v, server %+v: want exactly one failed piece, not retried", sum, e.srv.Counts())
	}
	ctx := context.Background()
	cov, _ := e.store.Coverage(ctx, demo.Region, market.LinuxUNIX, ScopeAll)
	want := []market.Interval{{Start: start, End: holeStart}, {Start: holeEnd, End: end}}
	if !reflect.DeepEqual(cov, want) {
		t.Fatalf("coverage %v, want the window less the failed slice: %v", cov, want)
	}
	// The next fetch asks for the hole in sa-east-1b only.
	n := len(e.spotRequests())
	reject = false
	if _, err := e.f.Fetch(ctx, req); err != nil {
		t.Fatal(err)
	}
	for _, r := range e.spotRequests()[n:] {
		if r.Form.Get("AvailabilityZone") != "sa-east-1b" {
			t.Fatalf("second fetch asked %s, which was covered", r.Form.Get("AvailabilityZone"))
		}
		if s, _ := time.Parse(time.RFC3339, r.Form.Get("StartTime")); s.Before(holeStart) {
			t.Fatalf("second fetch asked from %v, before the hole", s)
		}
	}
	diffKeys(t, e.store.keys(), demoExpected(inProducts(market.LinuxUNIX), 45))
	if cov, _ := e.store.Coverage(ctx, demo.Region, market.LinuxUNIX, ScopeAll); !reflect.DeepEqual(cov, []market.Interval{{Start: start, End: end}}) {
		t.Errorf("coverage after the second fetch %v", cov)
	}
}

// TestE2ERetentionIsClamped: a window reaching past AWS's 90 days (which
// the fake refuses, like AWS) is fetched from just inside them.
func TestE2ERetentionIsClamped(t *testing.T) {
	e := newE2E(t, ec2fake.Options{Now: demo.End})
	sum, err := e.f.Fetch(context.Background(), Request{Regions: []string{demo.Region}, Days: 120})
	if err != nil {
		t.Fatal(err)
	}
	oldest := OldestFetchable(demo.End().Truncate(time.Second))
	if !sum.Window.Start.Equal(oldest) {
		t.Errorf("window starts %v, want %v", sum.Window.Start, oldest)
	}
	diffKeys(t, e.store.keys(), demoExpected(inProducts(market.LinuxUNIX), 90))
}

// TestE2EStartsCautiouslyAfterAnotherProcess: another client of the
// account has just spent EC2's burst. The first throttle empties our
// bucket, so the fetch goes on at the refill rate instead of spending its
// own burst on throttles and backoffs.
func TestE2EStartsCautiouslyAfterAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("about two seconds at EC2's rate")
	}
	e := newE2E(t, ec2fake.Options{Throttle: ec2fake.Throttle{Burst: EC2Burst, Rate: EC2Rate, Spent: EC2Burst}})
	sum, err := e.f.Fetch(context.Background(), Request{Regions: []string{demo.Region}, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	diffKeys(t, e.store.keys(), demoExpected(inProducts(market.LinuxUNIX), 30))
	// The zones call goes first and alone; its throttle drains our bucket
	// before any piece starts. Without the drain every request of the
	// first round would be throttled too.
	t.Logf("%+v in %v", e.srv.Counts(), sum.Elapsed)
	if c := e.srv.Counts(); c.Throttled > 2 {
		t.Errorf("%d requests throttled of %d (%d pages): want only the first", c.Throttled, c.Total, sum.Pages)
	}
}

// TestRepeatedNextTokenFailsThePiece: a pagination that hands back a token
// it already gave is an error for that piece; the rest of its slice is not
// covered.
func TestRepeatedNextTokenFailsThePiece(t *testing.T) {
	fx := newFixture(t)
	fx.mini.fault = func(n int, w http.ResponseWriter, form url.Values) bool {
		if form.Get("Action") != "DescribeSpotPriceHistory" || form.Get("AvailabilityZone") != "us-east-1c" {
			return false
		}
		// The same first page for every call of the piece, token included.
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<DescribeSpotPriceHistoryResponse><spotPriceHistorySet><item><availabilityZone>us-east-1c</availabilityZone>`+
			`<instanceType>m5.large</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>0.040000</spotPrice>`+
			`<timestamp>`+synthEnd.Add(-time.Hour).Format(time.RFC3339)+`</timestamp></item></spotPriceHistorySet><nextToken>again</nextToken></DescribeSpotPriceHistoryResponse>`)
		return true
	}
	_, err := fx.f.Fetch(context.Background(), Request{Regions: []string{"us-east-1"}, Days: 10})
	if err == nil || !strings.Contains(err.Error(), "repeated a NextToken") || !strings.Contains(err.Error(), "us-east-1c") {
		t.Fatalf("err = %v", err)
	}
	ctx := context.Background()
	cov, _ := fx.store.Coverage(ctx, "us-east-1", market.LinuxUNIX, ScopeAll)
	zcov, _ := fx.store.Coverage(ctx, "us-east-1", market.LinuxUNIX, ZoneScope(ScopeAll, "us-east-1c"))
	// The one page proves the hour after its record, no more.
	want := []market.Interval{{Start: synthEnd.Add(-time.Hour + time.Millisecond), End: synthEnd}}
	if !reflect.DeepEqual(zcov, want) || !reflect.DeepEqual(cov, want) {
		t.Errorf("coverage %v, zone %v: want only %v", cov, zcov, want)
	}
}
