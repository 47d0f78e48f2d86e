package cache

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

func pts(hp ...float64) []market.Point {
	var out []market.Point
	for i := 0; i < len(hp); i += 2 {
		out = append(out, market.Point{Time: at(int(hp[i])), Price: hp[i+1]})
	}
	return out
}

func TestAddRecordsDedup(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	n, err := s.AddRecords(ctx, []market.Record{
		rec(poolA, 5, 0.5), rec(poolA, 1, 0.1), rec(poolA, 5, 0.5), rec(poolB, 1, 0),
	})
	if err != nil || n != 3 {
		t.Fatalf("added %d, %v; want 3", n, err)
	}
	// Same again plus one new: only the new one counts. A changed price at
	// a stored time replaces it (the newer write wins) but is not new.
	n, err = s.AddRecords(ctx, []market.Record{
		rec(poolA, 1, 0.1), rec(poolA, 5, 0.55), rec(poolA, 9, 0.9), rec(poolA, 9, 0.95),
	})
	if err != nil || n != 1 {
		t.Fatalf("added %d, %v; want 1", n, err)
	}
	got, err := s.Series(ctx, poolA, at(0), at(100))
	if err != nil {
		t.Fatal(err)
	}
	if want := pts(1, 0.1, 5, 0.55, 9, 0.95); !slices.Equal(got, want) {
		t.Errorf("Series = %v, want %v", got, want)
	}
	got, _ = s.Series(ctx, poolB, at(0), at(100))
	if want := pts(1, 0); !slices.Equal(got, want) {
		t.Errorf("zero price: Series = %v, want %v", got, want)
	}
	latest, err := s.Latest(ctx, Filter{})
	if err != nil || len(latest) != 2 {
		t.Fatalf("Latest = %v, %v", latest, err)
	}
	if l := latest[0]; l.Pool != poolA || l.Price != 0.95 || !l.Time.Equal(at(9)) {
		t.Errorf("Latest[0] = %+v", l)
	}
	// An older record does not move the latest price back.
	s.AddRecords(ctx, []market.Record{rec(poolA, 2, 7)})
	latest, _ = s.Latest(ctx, Filter{})
	if latest[0].Price != 0.95 {
		t.Errorf("latest after old record: %+v", latest[0])
	}
	if n, err := s.AddRecords(ctx, nil); n != 0 || err != nil {
		t.Errorf("empty AddRecords = %d, %v", n, err)
	}
}

func TestAddRecordsRejectsInvalid(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	for _, r := range []market.Record{
		rec(poolA, 0, math.NaN()), rec(poolA, 0, -1), rec(poolA, 0, math.Inf(1)),
		{Pool: poolA, Price: 1}, rec(market.Pool{Region: "r"}, 0, 1),
	} {
		if _, err := s.AddRecords(ctx, []market.Record{rec(poolB, 0, 1), r}); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
	if info, _ := s.Info(ctx); info.Records != 0 {
		t.Errorf("%d records stored from refused batches", info.Records)
	}
}

func TestSeriesBoundaries(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	// Hours chosen to straddle 30-day chunks: 0, 10, then 40 and 41 days
	// later, then a record 200 days later after a long quiet spell.
	const day = 24
	data := pts(0, 1, 10, 2, 40*day, 3, 41*day, 4, 200*day, 5)
	var recs []market.Record
	for i := len(data) - 1; i >= 0; i-- { // unsorted on purpose
		recs = append(recs, market.Record{Pool: poolA, Time: data[i].Time, Price: data[i].Price})
	}
	if _, err := s.AddRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		start, end int
		want       []market.Point
	}{
		{"record exactly at start", 10, 20, pts(10, 2)},
		{"in effect at start", 5, 20, pts(0, 1, 10, 2)},
		{"start before any data", -100, 5, pts(0, 1)},
		{"end before first record", -100, -1, nil},
		{"end at first record", -100, 0, pts(0, 1)},
		{"across chunks", 5, 41 * day, pts(0, 1, 10, 2, 40*day, 3, 41*day, 4)},
		{"quiet spell: in effect from an old chunk", 150 * day, 160 * day, pts(41*day, 4)},
		{"after the last record", 300 * day, 301 * day, pts(200*day, 5)},
		{"everything", -1, 1000 * day, data},
		{"end before start", 20, 10, nil},
		{"instant", 10, 10, pts(10, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Series(ctx, poolA, at(tc.start), at(tc.end))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Series = %v, want %v", got, tc.want)
			}
			var scanned []market.Point
			err = s.ScanSeries(ctx, Filter{Zones: []string{poolA.AvailabilityZone}}, at(tc.start), at(tc.end),
				func(p market.Pool, ps []market.Point) error {
					if p != poolA {
						t.Errorf("pool %v", p)
					}
					scanned = ps
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(scanned, tc.want) {
				t.Errorf("ScanSeries = %v, want %v", scanned, tc.want)
			}
		})
	}
	got, err := s.Series(ctx, poolB, at(0), at(10))
	if err != nil || got != nil {
		t.Errorf("unknown pool: %v, %v", got, err)
	}
}

func TestFilter(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	win := market.Pool{Region: "us-east-1", AvailabilityZone: "us-east-1a", InstanceType: "m5.xlarge", Product: market.Windows}
	s.AddRecords(ctx, []market.Record{rec(poolA, 0, 1), rec(poolB, 0, 2), rec(win, 0, 3)})
	s.PutZones(ctx, "sa-east-1", []market.Zone{{Region: "sa-east-1", Name: "sa-east-1a", ID: "sae1-az1"}}, t0)
	m5, _ := market.NewTypeMatcher([]string{"m5*"})
	for _, tc := range []struct {
		name string
		f    Filter
		want []market.Pool
	}{
		{"all", Filter{}, []market.Pool{poolA, poolB, win}},
		{"region", Filter{Regions: []string{"sa-east-1"}}, []market.Pool{poolA, poolB}},
		{"product", Filter{Products: []string{market.Windows}}, []market.Pool{win}},
		{"types", Filter{Types: m5}, []market.Pool{poolA, win}},
		{"zones", Filter{Zones: []string{"sa-east-1b"}}, []market.Pool{poolB}},
		{"none", Filter{Regions: []string{"eu-west-1"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []market.Pool
			s.ScanSeries(ctx, tc.f, at(0), at(1), func(p market.Pool, _ []market.Point) error {
				got = append(got, p)
				return nil
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("ScanSeries pools = %v, want %v", got, tc.want)
			}
			latest, err := s.Latest(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			got = nil
			for _, l := range latest {
				got = append(got, l.Pool)
				wantID := ""
				if l.Pool == poolA {
					wantID = "sae1-az1"
				}
				if l.AvailabilityZoneID != wantID {
					t.Errorf("%v: AZ ID %q, want %q", l.Pool, l.AvailabilityZoneID, wantID)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Latest pools = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	const day = 24
	for _, tc := range []struct {
		name    string
		before  int
		removed int64
	}{
		{"before everything", -1, 0},
		{"at the first record", 0, 0},
		{"between", 5, 0},
		{"exactly at a record", 10, 1},
		{"next chunk", 40*day + 1, 2},
		{"far later", 1000 * day, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			all := pts(0, 1, 10, 2, 40*day, 3, 41*day, 4, 200*day, 5)
			var recs []market.Record
			for _, p := range all {
				recs = append(recs, market.Record{Pool: poolA, Time: p.Time, Price: p.Price})
			}
			s.AddRecords(ctx, recs)
			// A quiet pool with only old records keeps its last one.
			s.AddRecords(ctx, []market.Record{rec(poolB, 0, 7), rec(poolB, 1, 8)})
			wantA, _ := s.Series(ctx, poolA, at(tc.before), at(2000*day))
			wantB, _ := s.Series(ctx, poolB, at(tc.before), at(2000*day))
			removed, err := s.Prune(ctx, at(tc.before))
			if err != nil {
				t.Fatal(err)
			}
			wantRemoved := tc.removed
			if tc.before >= 1 {
				wantRemoved++ // poolB's first record
			}
			if removed != wantRemoved {
				t.Errorf("removed %d, want %d", removed, wantRemoved)
			}
			for _, c := range []struct {
				p    market.Pool
				want []market.Point
			}{{poolA, wantA}, {poolB, wantB}} {
				got, _ := s.Series(ctx, c.p, at(tc.before), at(2000*day))
				if !slices.Equal(got, c.want) {
					t.Errorf("%v after prune: %v, want %v", c.p, got, c.want)
				}
				everything, _ := s.Series(ctx, c.p, at(-1000), at(2000*day))
				if !slices.Equal(everything, c.want) {
					t.Errorf("%v: older records left: %v", c.p, everything)
				}
			}
			info, _ := s.Info(ctx)
			if info.Records != int64(len(all))+2-wantRemoved {
				t.Errorf("Info.Records %d", info.Records)
			}
		})
	}
}

func TestCancelledAddRecordsKeepsState(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if _, err := s.AddRecords(ctx, []market.Record{rec(poolA, 0, 1), rec(poolB, 0, 2)}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Info(ctx)
	cctx, cancel := context.WithCancel(ctx)
	calls := 0
	testHookChunkWritten = func() {
		calls++
		if calls == 2 {
			cancel()
		}
	}
	defer func() { testHookChunkWritten = nil }()
	var recs []market.Record
	newPool := market.Pool{Region: "eu-west-1", AvailabilityZone: "eu-west-1a", InstanceType: "x", Product: "p"}
	for h := 1; h < 2000; h += 7 {
		recs = append(recs, rec(poolA, h, 3), rec(poolB, h, 4), rec(newPool, h, 5))
	}
	if _, err := s.AddRecords(cctx, recs); err == nil {
		t.Fatal("cancelled AddRecords succeeded")
	}
	testHookChunkWritten = nil
	after, _ := s.Info(ctx)
	if after.Records != before.Records || after.Pools != before.Pools {
		t.Errorf("state changed: %+v -> %+v", before, after)
	}
	// The pool created by the rolled back transaction must not be cached
	// as existing.
	if n, err := s.AddRecords(ctx, recs); err != nil || n != len(recs) {
		t.Errorf("retry: %d, %v; want %d", n, err, len(recs))
	}
}

func TestCoverage(t *testing.T) {
	ctx := context.Background()
	iv := func(a, b int) market.Interval { return market.Interval{Start: at(a), End: at(b)} }
	for _, tc := range []struct {
		name string
		add  []market.Interval
		want []market.Interval
	}{
		{"disjoint", []market.Interval{iv(5, 6), iv(1, 2)}, []market.Interval{iv(1, 2), iv(5, 6)}},
		{"overlap", []market.Interval{iv(1, 4), iv(3, 6)}, []market.Interval{iv(1, 6)}},
		{"adjacent", []market.Interval{iv(1, 2), iv(2, 3)}, []market.Interval{iv(1, 3)}},
		{"bridge", []market.Interval{iv(1, 2), iv(5, 6), iv(8, 9), iv(2, 5)}, []market.Interval{iv(1, 6), iv(8, 9)}},
		{"contained", []market.Interval{iv(1, 10), iv(3, 4)}, []market.Interval{iv(1, 10)}},
		{"covering", []market.Interval{iv(3, 4), iv(6, 7), iv(1, 10)}, []market.Interval{iv(1, 10)}},
		{"empty", []market.Interval{iv(3, 3)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			for _, i := range tc.add {
				if err := s.AddCoverage(ctx, "r", "p", "*", i); err != nil {
					t.Fatal(err)
				}
			}
			s.AddCoverage(ctx, "r", "p", "m5*", iv(0, 100)) // another scope
			got, err := s.Coverage(ctx, "r", "p", "*")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, tc.want, func(a, b market.Interval) bool {
				return a.Start.Equal(b.Start) && a.End.Equal(b.End)
			}) {
				t.Errorf("Coverage = %v, want %v", got, tc.want)
			}
		})
	}
	s := openTemp(t)
	if err := s.AddCoverage(ctx, "r", "p", "*", iv(2, 1)); err == nil {
		t.Error("reversed interval accepted")
	}
}

func TestCatalogZonesDocsInfo(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	types := []market.InstanceType{{Name: "m5.large", VCPUs: 2, MemoryMiB: 8192, Architectures: []string{"x86_64"}, SpotSupported: true}}
	if got, at, err := s.InstanceTypes(ctx, "sa-east-1"); got != nil || !at.IsZero() || err != nil {
		t.Errorf("empty catalog: %v %v %v", got, at, err)
	}
	s.PutInstanceTypes(ctx, "sa-east-1", types, t0)
	got, fetched, err := s.InstanceTypes(ctx, "sa-east-1")
	if err != nil || len(got) != 1 || got[0].Name != "m5.large" || got[0].Architectures[0] != "x86_64" || !fetched.Equal(t0) {
		t.Errorf("InstanceTypes = %+v %v %v", got, fetched, err)
	}

	zones := []market.Zone{{Region: "sa-east-1", Name: "sa-east-1b", ID: "sae1-az2", Type: "availability-zone", State: "available"},
		{Region: "sa-east-1", Name: "sa-east-1a", ID: "sae1-az1"}}
	s.PutZones(ctx, "sa-east-1", zones, t0)
	s.PutZones(ctx, "sa-east-1", zones, t0) // replaces
	z, err := s.Zones(ctx, "sa-east-1")
	if err != nil || len(z) != 2 || z[0] != zones[1] || z[1] != zones[0] {
		t.Errorf("Zones = %+v %v", z, err)
	}

	if _, _, ok, err := s.Doc(ctx, "k"); ok || err != nil {
		t.Errorf("missing doc: %v %v", ok, err)
	}
	s.PutDoc(ctx, "k", []byte("v1"), t0)
	s.PutDoc(ctx, "k", []byte("v2"), at(1))
	data, dat, ok, err := s.Doc(ctx, "k")
	if string(data) != "v2" || !dat.Equal(at(1)) || !ok || err != nil {
		t.Errorf("Doc = %q %v %v %v", data, dat, ok, err)
	}
	s.PutDoc(ctx, "empty", nil, t0)
	if data, _, ok, _ := s.Doc(ctx, "empty"); !ok || data == nil || len(data) != 0 {
		t.Errorf("empty doc = %q %v", data, ok)
	}

	s.AddRecords(ctx, []market.Record{rec(poolA, 1, 1), rec(poolA, 2, 1), rec(poolB, 3, 1)})
	s.SetLastFetch(ctx, "sa-east-1", at(4))
	s.SetLastFetch(ctx, "eu-west-1", at(5))
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Path != s.Path() || info.SizeBytes == 0 || info.SchemaVersion != len(migrations) ||
		info.Pools != 2 || info.Records != 3 || !info.Oldest.Equal(at(1)) || !info.Newest.Equal(at(3)) || len(info.Regions) != 2 {
		t.Fatalf("Info = %+v", info)
	}
	eu, sa := info.Regions[0], info.Regions[1]
	if eu.Region != "eu-west-1" || eu.Pools != 0 || !eu.LastFetch.Equal(at(5)) ||
		sa.Region != "sa-east-1" || sa.Pools != 2 || sa.Records != 3 || !sa.LastFetch.Equal(at(4)) {
		t.Errorf("regions = %+v", info.Regions)
	}
}

// TestTimesAreUTC guards the contract that every time leaving the cache is
// UTC, whatever zone the caller used.
func TestTimesAreUTC(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	loc := time.FixedZone("x", 3600)
	s.AddRecords(ctx, []market.Record{{Pool: poolA, Time: t0.In(loc), Price: 1}})
	got, _ := s.Series(ctx, poolA, t0, t0)
	if len(got) != 1 || got[0].Time.Location() != time.UTC || !got[0].Time.Equal(t0) {
		t.Errorf("Series = %v", got)
	}
}

func TestCoverageEnds(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	iv := func(a, b int) market.Interval { return market.Interval{Start: at(a), End: at(b)} }
	for _, c := range []struct {
		region, product, scope string
		iv                     market.Interval
	}{
		{"r1", "p", "*", iv(1, 5)},
		{"r1", "q", "m5*", iv(2, 9)},
		{"r1", "p", "*@r1a", iv(6, 7)},
		{"r2", "p", "*", iv(1, 3)},
	} {
		if err := s.AddCoverage(ctx, c.region, c.product, c.scope, c.iv); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.CoverageEnds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got["r1"].Equal(at(9)) || !got["r2"].Equal(at(3)) {
		t.Fatalf("CoverageEnds = %v", got)
	}
}
