package awsapi

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

var synthEnd = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var synthZones = []market.Zone{
	{Region: "us-east-1", Name: "us-east-1a", ID: "use1-az4", Type: "availability-zone", State: "available"},
	{Region: "us-east-1", Name: "us-east-1b", ID: "use1-az6", Type: "availability-zone", State: "available"},
	{Region: "us-east-1", Name: "us-east-1c", ID: "use1-az1", Type: "availability-zone", State: "available"},
	{Region: "eu-west-1", Name: "eu-west-1a", ID: "euw1-az1", Type: "availability-zone", State: "available"},
}

// synthData is 100 days of irregular price changes in two regions, enough
// pools and records to paginate at small page sizes.
func synthData() []market.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	var out []market.Record
	for _, z := range synthZones {
		for _, typ := range []string{"m5.large", "m7g.large", "m7i.xlarge", "c5.xlarge"} {
			for _, prod := range []string{market.LinuxUNIX, market.Windows} {
				t := synthEnd.Add(-100 * 24 * time.Hour)
				for t.Before(synthEnd) {
					out = append(out, market.Record{
						Pool:  market.Pool{Region: z.Region, AvailabilityZone: z.Name, InstanceType: typ, Product: prod},
						Time:  t,
						Price: float64(rng.IntN(100000)) / 1e6,
					})
					t = t.Add(time.Duration(1+rng.IntN(12*3600)) * time.Second)
				}
			}
		}
	}
	return out
}

type fixture struct {
	mini  *miniEC2
	url   string
	store *memStore
	data  []market.Record
	f     *Fetcher
}

func newFixture(t *testing.T) *fixture {
	data := synthData()
	mini, srv := newMiniEC2(t, data, synthZones)
	cfg := testConfig(t, srv.URL)
	st := newMemStore()
	return &fixture{mini: mini, url: srv.URL, store: st, data: data, f: &Fetcher{
		Client:   NewClientFactory(cfg),
		Store:    st,
		Now:      func() time.Time { return synthEnd },
		PageSize: 40,
		Rate:     -1,
	}}
}

func product(p string) func(market.Record) bool {
	return func(r market.Record) bool { return r.Product == p }
}

func diffKeys(t *testing.T, got, want []string) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, w := map[string]bool{}, map[string]bool{}
	for _, k := range got {
		g[k] = true
	}
	for _, k := range want {
		w[k] = true
	}
	var extra, missing []string
	for k := range g {
		if !w[k] {
			extra = append(extra, k)
		}
	}
	for k := range w {
		if !g[k] {
			missing = append(missing, k)
		}
	}
	t.Fatalf("store has %d records, want %d; %d unexpected (e.g. %v), %d missing (e.g. %v)",
		len(got), len(want), len(extra), first(extra), len(missing), first(missing))
}

func first(xs []string) []string { return xs[:min(3, len(xs))] }

func TestFetchStoresExactlyTheWindow(t *testing.T) {
	fx := newFixture(t)
	sum, err := fx.f.Fetch(context.Background(), Request{Regions: []string{"us-east-1"}, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	start := synthEnd.Add(-30 * 24 * time.Hour)
	want := expectedKeys(fx.data, "us-east-1", product(market.LinuxUNIX), start, synthEnd)
	diffKeys(t, fx.store.keys(), want)
	if sum.NewRecords != len(want) || sum.Regions != 1 || sum.Pages == 0 || sum.Records < sum.NewRecords {
		t.Errorf("summary %+v, want NewRecords %d", sum, len(want))
	}
	cov, _ := fx.store.Coverage(context.Background(), "us-east-1", market.LinuxUNIX, ScopeAll)
	if wantCov := []market.Interval{{Start: start, End: synthEnd}}; !reflect.DeepEqual(cov, wantCov) {
		t.Errorf("coverage %v, want %v", cov, wantCov)
	}
	if got := fx.store.lastFetch["us-east-1"]; !got.Equal(synthEnd) {
		t.Errorf("last fetch %v", got)
	}
	if len(fx.store.zones["us-east-1"]) != 3 {
		t.Errorf("zones stored: %v", fx.store.zones)
	}
	// One piece per AZ for the whole window first; the rest of each is
	// re-planned from its first page. Every query is split by AZ and
	// bounded.
	firstRound := map[string]bool{}
	for _, q := range fx.mini.reqs() {
		if q.Get("Action") != "DescribeSpotPriceHistory" {
			continue
		}
		if q.Get("AvailabilityZone") == "" || q.Get("ProductDescription.1") != market.LinuxUNIX || q.Get("MaxResults") != "40" {
			t.Fatalf("unexpected query %v", q)
		}
		if q.Get("EndTime") == synthEnd.Format(time.RFC3339) && q.Get("StartTime") == start.Format(time.RFC3339) && q.Get("NextToken") == "" {
			firstRound[q.Get("AvailabilityZone")] = true
		}
	}
	if len(firstRound) != 3 {
		t.Errorf("first round %v, want one whole-window piece per AZ", firstRound)
	}
}

func TestFetchIncremental(t *testing.T) {
	fx := newFixture(t)
	now := synthEnd.Add(-5 * 24 * time.Hour)
	fx.f.Now = func() time.Time { return now }
	req := Request{Regions: []string{"us-east-1"}, Days: 20}
	if _, err := fx.f.Fetch(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	before := len(fx.mini.reqs())

	// Nothing new: no call at all, not even for zones.
	if _, err := fx.f.Fetch(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if n := len(fx.mini.reqs()); n != before {
		t.Fatalf("a covered window made %d calls", n-before)
	}

	now = synthEnd
	sum, err := fx.f.Fetch(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	old := now.Add(-5 * 24 * time.Hour)
	for _, q := range fx.mini.reqs()[before:] {
		if q.Get("Action") != "DescribeSpotPriceHistory" {
			continue
		}
		if q.Get("StartTime") != old.Format(time.RFC3339) || q.Get("EndTime") != synthEnd.Format(time.RFC3339) {
			t.Errorf("second fetch asked %s..%s, want only %s..%s", q.Get("StartTime"), q.Get("EndTime"), old.Format(time.RFC3339), synthEnd.Format(time.RFC3339))
		}
	}
	if sum.NewRecords == 0 {
		t.Error("second fetch stored nothing new")
	}
	// The store now holds the union of both windows, exactly.
	want := expectedKeys(fx.data, "us-east-1", product(market.LinuxUNIX), synthEnd.Add(-25*24*time.Hour), synthEnd)
	diffKeys(t, fx.store.keys(), want)
}

func TestFetchGlobsAndProducts(t *testing.T) {
	fx := newFixture(t)
	req := Request{Regions: []string{"us-east-1"}, Days: 10, Types: []string{"m7*", "*.xlarge"}, Products: []string{market.LinuxUNIX, market.Windows}}
	if _, err := fx.f.Fetch(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	m, _ := market.NewTypeMatcher(req.Types)
	want := expectedKeys(fx.data, "us-east-1", func(r market.Record) bool { return m.Match(r.InstanceType) }, synthEnd.Add(-10*24*time.Hour), synthEnd)
	diffKeys(t, fx.store.keys(), want)
	for _, q := range fx.mini.reqs() {
		if q.Get("Action") == "DescribeSpotPriceHistory" &&
			(q.Get("Filter.1.Name") != "instance-type" || q.Get("Filter.1.Value.1") != "m7*" || q.Get("Filter.1.Value.2") != "*.xlarge") {
			t.Fatalf("query without the type filter: %v", q)
		}
	}
	for _, p := range req.Products {
		if cov, _ := fx.store.Coverage(context.Background(), "us-east-1", p, "*.xlarge,m7*"); len(cov) != 1 {
			t.Errorf("%s: coverage under the glob scope: %v", p, cov)
		}
		if cov, _ := fx.store.Coverage(context.Background(), "us-east-1", p, ScopeAll); len(cov) != 0 {
			t.Errorf("%s: a glob fetch must not claim all types: %v", p, cov)
		}
	}

	// A later all-types fetch covers the glob request too.
	n := len(fx.mini.reqs())
	if _, err := fx.f.Fetch(context.Background(), Request{Regions: []string{"us-east-1"}, Days: 10, Products: req.Products}); err != nil {
		t.Fatal(err)
	}
	m2 := len(fx.mini.reqs())
	if m2 == n {
		t.Fatal("all-types fetch made no call")
	}
	if _, err := fx.f.Fetch(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if len(fx.mini.reqs()) != m2 {
		t.Error(`the "*" coverage did not cover the glob request`)
	}
}

func TestFetchRetriesAndCountsThem(t *testing.T) {
	fx := newFixture(t)
	// Faults are keyed by the call, not the request count: a call fails at
	// most once, so the retries always win whatever order the concurrent
	// workers run in (counting requests let one call meet three dropped
	// connections on a loaded machine, past MaxConnectionRetries).
	var mu sync.Mutex
	seen := map[string]bool{}
	fx.mini.fault = func(_ int, w http.ResponseWriter, form url.Values) bool {
		mu.Lock()
		key := form.Encode()
		first := !seen[key]
		seen[key] = true
		calls := len(seen)
		mu.Unlock()
		switch {
		case !first:
			return false
		case calls%7 == 0:
			writeEC2Error(w, 500, "InternalError", "boom")
			return true
		case calls%11 == 0:
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close()
			return true
		}
		return false
	}
	var events atomic.Int64
	var last Progress
	fx.f.Progress = func(p Progress) { events.Add(1); last = p }
	sum, err := fx.f.Fetch(context.Background(), Request{Regions: []string{"us-east-1"}, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	want := expectedKeys(fx.data, "us-east-1", product(market.LinuxUNIX), synthEnd.Add(-30*24*time.Hour), synthEnd)
	diffKeys(t, fx.store.keys(), want)
	// Throttles are left to the e2e test: each one makes the SDK's
	// adaptive mode slow the client down for seconds, which is its job.
	if sum.Retries == 0 || sum.Throttled != 0 {
		t.Errorf("summary %+v: want retries counted, no throttles", sum)
	}
	if !last.Done || last.Err != nil || last.PiecesDone != last.PiecesTotal || last.Retries != sum.Retries {
		t.Errorf("last event %+v", last)
	}
}

// TestFetchFailedPieceLeavesExactlyItsHole: a piece that fails for good
// (an answer no retry changes) leaves its own slice uncovered, in its zone
// and so in the region, while every other piece and region completes.
func TestFetchFailedPieceLeavesExactlyItsHole(t *testing.T) {
	fx := newFixture(t)
	fx.f.SliceSize = 15 * 24 * time.Hour
	older := synthEnd.Add(-30 * 24 * time.Hour)
	mid := synthEnd.Add(-15 * 24 * time.Hour)
	fx.mini.fault = func(n int, w http.ResponseWriter, form url.Values) bool {
		if form.Get("AvailabilityZone") == "us-east-1b" && form.Get("StartTime") == older.Format(time.RFC3339) {
			writeEC2Error(w, 400, "InvalidParameterValue", "rejected by the test")
			return true
		}
		return false
	}
	sum, err := fx.f.Fetch(context.Background(), Request{Regions: []string{"us-east-1", "eu-west-1"}, Days: 30})
	if err == nil || !strings.Contains(err.Error(), "us-east-1: ") || !strings.Contains(err.Error(), "InvalidParameterValue") || strings.Contains(err.Error(), "eu-west-1") {
		t.Fatalf("err = %v", err)
	}
	if sum.Regions != 2 || sum.Failed != 1 {
		t.Errorf("summary %+v", sum)
	}
	ctx := context.Background()
	cov, _ := fx.store.Coverage(ctx, "us-east-1", market.LinuxUNIX, ScopeAll)
	if want := []market.Interval{{Start: mid, End: synthEnd}}; !reflect.DeepEqual(cov, want) {
		t.Errorf("us-east-1 coverage %v, want all but the failed slice: %v", cov, want)
	}
	zcov, _ := fx.store.Coverage(ctx, "us-east-1", market.LinuxUNIX, ZoneScope(ScopeAll, "us-east-1a"))
	if want := []market.Interval{{Start: older, End: synthEnd}}; !reflect.DeepEqual(zcov, want) {
		t.Errorf("us-east-1a coverage %v, want the whole window %v", zcov, want)
	}
	if cov, _ := fx.store.Coverage(ctx, "eu-west-1", market.LinuxUNIX, ScopeAll); !reflect.DeepEqual(cov, []market.Interval{{Start: older, End: synthEnd}}) {
		t.Errorf("eu-west-1 coverage %v", cov)
	}
	if _, ok := fx.store.lastFetch["us-east-1"]; ok {
		t.Error("failed region marked as fetched")
	}
	// Everything outside the hole is stored.
	want := expectedKeys(fx.data, "us-east-1", func(r market.Record) bool {
		return r.Product == market.LinuxUNIX && r.AvailabilityZone != "us-east-1b"
	}, older, synthEnd)
	got := map[string]bool{}
	for _, k := range fx.store.keys() {
		got[k] = true
	}
	for _, k := range want {
		if !got[k] {
			t.Fatalf("missing %s", k)
		}
	}
}

// TestFetchFatalErrorStops: refused credentials fail every call alike, so
// the region stops at the first instead of failing each piece.
func TestFetchFatalErrorStops(t *testing.T) {
	fx := newFixture(t)
	fx.f.SliceSize = 5 * 24 * time.Hour
	fx.f.Workers = 1
	fx.mini.fault = func(n int, w http.ResponseWriter, form url.Values) bool {
		if form.Get("Action") == "DescribeSpotPriceHistory" {
			writeEC2Error(w, 401, "AuthFailure", "AWS was not able to validate the provided access credentials")
			return true
		}
		return false
	}
	_, err := fx.f.Fetch(context.Background(), Request{Regions: []string{"us-east-1"}, Days: 30})
	if err == nil || !strings.Contains(err.Error(), "AuthFailure") {
		t.Fatalf("err = %v", err)
	}
	calls := 0
	for _, q := range fx.mini.reqs() {
		if q.Get("Action") == "DescribeSpotPriceHistory" {
			calls++
		}
	}
	if calls != 1 {
		t.Errorf("%d calls after the first AuthFailure, want it to stop at 1", calls)
	}
}

func TestFetchCancelThenResume(t *testing.T) {
	ctx := context.Background()
	ref := newFixture(t)
	req := Request{Regions: []string{"us-east-1"}, Days: 60, Products: []string{market.LinuxUNIX, market.Windows}}
	if _, err := ref.f.Fetch(ctx, req); err != nil {
		t.Fatal(err)
	}
	full := len(ref.mini.reqs())

	fx := newFixture(t)
	fx.f.Workers = 2
	cctx, cancel := context.WithCancel(ctx)
	fx.f.Progress = func(p Progress) {
		// Cancel as soon as one slice is committed, mid-way through others.
		if cov, _ := fx.store.Coverage(ctx, "us-east-1", market.LinuxUNIX, ScopeAll); len(cov) > 0 {
			cancel()
		}
	}
	_, err := fx.f.Fetch(cctx, req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	first := len(fx.mini.reqs())
	if len(fx.store.keys()) == 0 {
		t.Fatal("nothing kept from the interrupted fetch")
	}
	fx.f.Progress = nil
	if _, err := fx.f.Fetch(ctx, req); err != nil {
		t.Fatal(err)
	}
	diffKeys(t, fx.store.keys(), ref.store.keys())
	if total := len(fx.mini.reqs()); total-first >= full {
		t.Errorf("resume made %d calls, a full fetch %d: it should skip the finished slices", total-first, full)
	}
}

func TestProgressIsSerialized(t *testing.T) {
	fx := newFixture(t)
	var inside atomic.Int32
	var overlaps, done atomic.Int32
	lastPages := map[string]int{}
	fx.f.Progress = func(p Progress) {
		if inside.Add(1) > 1 {
			overlaps.Add(1)
		}
		if p.Pages < lastPages[p.Region] {
			t.Errorf("%s: pages went back from %d to %d", p.Region, lastPages[p.Region], p.Pages)
		}
		lastPages[p.Region] = p.Pages
		time.Sleep(50 * time.Microsecond)
		if p.Done {
			done.Add(1)
		}
		inside.Add(-1)
	}
	if _, err := fx.f.Fetch(context.Background(), Request{Regions: []string{"us-east-1", "eu-west-1"}, Days: 30}); err != nil {
		t.Fatal(err)
	}
	if overlaps.Load() != 0 {
		t.Errorf("callback ran concurrently %d times", overlaps.Load())
	}
	if done.Load() != 2 {
		t.Errorf("%d Done events, want one per region", done.Load())
	}
}

func TestFetchRateLimit(t *testing.T) {
	fx := newFixture(t)
	fx.f.Rate, fx.f.Burst = 40, 1
	began := time.Now()
	if _, err := fx.f.Fetch(context.Background(), Request{Regions: []string{"us-east-1"}, Days: 30}); err != nil {
		t.Fatal(err)
	}
	n := len(fx.mini.reqs())
	if min := time.Duration(n-1) * time.Second / 40; time.Since(began) < min {
		t.Errorf("%d calls in %v: faster than 40/s", n, time.Since(began))
	}
}

func TestFetchValidation(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct {
		req  Request
		want string
	}{
		{Request{Regions: []string{"us-east-1"}, Days: 0}, "--days 0"},
		{Request{Regions: []string{"us-east-9"}, Days: 1}, `unknown region "us-east-9"`},
		{Request{Days: 1}, "no region"},
		{Request{Regions: []string{"us-east-1"}, Days: 1, Types: []string{"m5["}}, "invalid instance type pattern"},
	} {
		_, err := fx.f.Fetch(context.Background(), tc.req)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.req, err, tc.want)
		}
	}
	if len(fx.mini.reqs()) != 0 {
		t.Error("invalid requests reached AWS")
	}
}

// TestFetchWithoutZones: when the zones cannot be listed, each slice is one
// unsplit query and the result is the same.
func TestFetchWithoutZones(t *testing.T) {
	fx := newFixture(t)
	fx.mini.fault = func(n int, w http.ResponseWriter, form url.Values) bool {
		if form.Get("Action") == "DescribeAvailabilityZones" {
			writeEC2Error(w, 403, "UnauthorizedOperation", "no")
			return true
		}
		return false
	}
	if _, err := fx.f.Fetch(context.Background(), Request{Regions: []string{"us-east-1"}, Days: 20}); err != nil {
		t.Fatal(err)
	}
	want := expectedKeys(fx.data, "us-east-1", product(market.LinuxUNIX), synthEnd.Add(-20*24*time.Hour), synthEnd)
	diffKeys(t, fx.store.keys(), want)
	for _, q := range fx.mini.reqs() {
		if q.Get("AvailabilityZone") != "" {
			t.Fatalf("AZ split without zones: %v", q)
		}
	}
}

func TestStoreErrorFailsRegion(t *testing.T) {
	fx := newFixture(t)
	fx.store.failAdd = func(n int) error {
		if n == 4 {
			return errors.New("disk full")
		}
		return nil
	}
	_, err := fx.f.Fetch(context.Background(), Request{Regions: []string{"us-east-1"}, Days: 30})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
}

func TestPlanHelpers(t *testing.T) {
	d := func(day int) time.Time { return synthEnd.Add(time.Duration(day) * 24 * time.Hour) }
	iv := func(a, b int) market.Interval { return market.Interval{Start: d(a), End: d(b)} }
	if got := gaps(iv(0, 10), []market.Interval{iv(2, 3), iv(3, 4), iv(6, 12), iv(-5, 1)}); !reflect.DeepEqual(got, []market.Interval{iv(1, 2), iv(4, 6)}) {
		t.Errorf("gaps = %v", got)
	}
	if got := gaps(iv(0, 10), nil); !reflect.DeepEqual(got, []market.Interval{iv(0, 10)}) {
		t.Errorf("gaps = %v", got)
	}
	if got := gaps(iv(0, 10), []market.Interval{iv(-1, 11)}); len(got) != 0 {
		t.Errorf("gaps = %v", got)
	}
	s := splitInterval(iv(0, 31), 15*24*time.Hour)
	if len(s) != 3 || !s[0].Start.Equal(d(0)) || !s[2].End.Equal(d(31)) {
		t.Fatalf("split = %v", s)
	}
	for i := range s {
		if i > 0 && !s[i].Start.Equal(s[i-1].End) {
			t.Errorf("split not contiguous: %v", s)
		}
		if s[i].Start.Nanosecond() != 0 || s[i].End.Sub(s[i].Start) > 15*24*time.Hour {
			t.Errorf("bad slice %v", s[i])
		}
	}
	for in, want := range map[string]string{"": "*", "m7*": "m7*", "*.xlarge,m7*,m7*": "*.xlarge,m7*", "m5.large,*": "*"} {
		var ps []string
		if in != "" {
			ps = strings.Split(in, ",")
		}
		if got := Scope(ps); got != want {
			t.Errorf("Scope(%q) = %q, want %q", in, got, want)
		}
	}
}
