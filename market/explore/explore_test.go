package explore

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/demo"
)

var t0 = time.Date(2020, 4, 1, 0, 0, 0, 0, time.UTC)

func h(x float64) time.Time { return t0.Add(time.Duration(x * float64(time.Hour))) }

func TestSpark(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		pts  []market.Point
		n    int
		want []float64
	}{
		{"constant before the window", []market.Point{{Time: h(-1), Price: 2}}, 4, []float64{2, 2, 2, 2}},
		{"step in the middle of a bucket", []market.Point{{Time: h(-1), Price: 1}, {Time: h(3), Price: 3}}, 2, []float64{1.5, 3}},
		{"nothing in effect yet", []market.Point{{Time: h(5), Price: 1}}, 4, []float64{nan, nan, 1, 1}},
		{"no points", nil, 2, []float64{nan, nan}},
	}
	for _, tc := range tests {
		got := Spark(tc.pts, h(0), h(8), tc.n)
		for i := range tc.want {
			if !(got[i] == tc.want[i] || math.IsNaN(got[i]) && math.IsNaN(tc.want[i])) {
				t.Errorf("%s: Spark = %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}

func TestSparkKnownLeavesGapsEmpty(t *testing.T) {
	nan := math.NaN()
	pts := []market.Point{{Time: h(-1), Price: 1}, {Time: h(5), Price: 3}}
	// Known: [0, 2) and [5, 8): buckets of 2 hours.
	known := []market.Interval{{Start: h(-1), End: h(2)}, {Start: h(5), End: h(8)}}
	got := SparkKnown(pts, known, h(0), h(8), 4)
	want := []float64{1, nan, 3, 3}
	for i := range want {
		if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Fatalf("SparkKnown = %v, want %v", got, want)
		}
	}
}

// TestSummariesMatchDirectStats stores the recorded Linux history in a real
// cache and checks that every summary equals statistics computed straight
// from the records, with AZ IDs, specs and advisor entries joined.
func TestSummariesMatchDirectStats(t *testing.T) {
	ctx := context.Background()
	st, err := cache.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var recs []market.Record
	series := map[market.Pool][]market.Point{}
	for _, r := range demo.AllRecords() {
		if r.Product == market.LinuxUNIX && r.Time.After(demo.End().Add(-20*24*time.Hour)) {
			recs = append(recs, r)
			series[r.Pool] = append(series[r.Pool], market.Point{Time: r.Time, Price: r.Price})
		}
	}
	if _, err := st.AddRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := st.AddCoverage(ctx, demo.Region, market.LinuxUNIX, "*", market.Interval{Start: demo.End().Add(-20 * 24 * time.Hour), End: demo.End()}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutZones(ctx, demo.Region, demo.Zones(), demo.End()); err != nil {
		t.Fatal(err)
	}
	if err := st.PutInstanceTypes(ctx, demo.Region, demo.Catalog(), demo.End()); err != nil {
		t.Fatal(err)
	}
	q := Query{Regions: []string{demo.Region}, Window: 7 * 24 * time.Hour, End: demo.End(), SparkLen: 10}
	got, err := Summaries(ctx, st, advisor.Embedded(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 100 {
		t.Fatalf("only %d summaries", len(got))
	}
	withAdvisor := 0
	for _, s := range got {
		pts := series[s.Pool]
		sort.Slice(pts, func(i, j int) bool { return pts[i].Time.Before(pts[j].Time) })
		want, ok := market.ComputeStats(pts, q.WindowStart(), q.End)
		if !ok || want != s.Stats {
			t.Fatalf("%v: summary stats %+v, direct %+v", s.Pool, s.Stats, want)
		}
		if s.AvailabilityZoneID == "" || !s.HasSpec || len(s.Spark) != 10 {
			t.Fatalf("%v: joins missing: az id %q, spec %v, spark %d", s.Pool, s.AvailabilityZoneID, s.HasSpec, len(s.Spark))
		}
		if s.Advisor.Known {
			withAdvisor++
		}
	}
	if withAdvisor == 0 {
		t.Error("no summary has advisor data")
	}
	m5, _ := market.NewTypeMatcher([]string{"m5.*"})
	q.Types = m5
	got, err = Summaries(ctx, st, nil, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		if market.Family(s.InstanceType) != "m5" || s.Advisor.Known {
			t.Fatalf("filter or nil advisor broken: %+v", s.Pool)
		}
	}
	if len(got) == 0 {
		t.Error("no m5 pools")
	}
}

// TestSparkTerminatesOnAwkwardWidths guards the bucket walk against float
// rounding at bucket edges: odd spans and counts must never stall it.
func TestSparkTerminatesOnAwkwardWidths(t *testing.T) {
	start := time.Date(2020, 3, 31, 0, 4, 27, 0, time.UTC)
	for n := 1; n < 120; n++ {
		for _, span := range []time.Duration{7*24*time.Hour + 13*time.Second, 90*24*time.Hour + 777*time.Millisecond, time.Second} {
			var pts []market.Point
			for k := 0; k < 50; k++ {
				pts = append(pts, market.Point{Time: start.Add(time.Duration(k) * span / 50), Price: float64(k % 3)})
			}
			got := Spark(pts, start, start.Add(span), n)
			if len(got) != n {
				t.Fatalf("n=%d: %d buckets", n, len(got))
			}
		}
	}
}

// TestSummariesIntegrateOverCoverage: a hole in the coverage of one scope is
// a gap in the pools of that scope only; pools with records but no covered
// time in the window are counted, not summarised.
func TestSummariesIntegrateOverCoverage(t *testing.T) {
	ctx := context.Background()
	st, err := cache.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pool := func(typ string) market.Pool {
		return market.Pool{Region: "us-east-1", AvailabilityZone: "us-east-1a", InstanceType: typ, Product: market.LinuxUNIX}
	}
	var recs []market.Record
	for _, typ := range []string{"m5.large", "c5.large", "r5.large"} {
		// 1.0 from -1h, 3.0 from 5h: the change inside the hole [4h, 6h)
		// is known from the next slice's first record.
		recs = append(recs, market.Record{Pool: pool(typ), Time: h(-1), Price: 1}, market.Record{Pool: pool(typ), Time: h(5), Price: 3})
	}
	if _, err := st.AddRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		scope string
		iv    market.Interval
	}{
		{"*", market.Interval{Start: h(-1), End: h(4)}},
		{"*", market.Interval{Start: h(6), End: h(10)}},
		{"c5.large", market.Interval{Start: h(4), End: h(6)}}, // c5.large alone fetched the hole
	} {
		if err := st.AddCoverage(ctx, "us-east-1", market.LinuxUNIX, c.scope, c.iv); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Summarise(ctx, st, nil, Query{Regions: []string{"us-east-1"}, Window: 10 * time.Hour, End: h(10)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NewestCovered.Equal(h(10)) || res.Unknown != 0 || len(res.Pools) != 3 {
		t.Fatalf("result: newest %v, unknown %d, pools %d", res.NewestCovered, res.Unknown, len(res.Pools))
	}
	for _, s := range res.Pools {
		wantGap, wantTWAP := 1.0, (4*1.0+5*3.0)/9
		if s.InstanceType == "c5.large" {
			wantGap, wantTWAP = 0, (5*1.0+5*3.0)/10
		}
		if math.Abs(s.Stats.GapHours-wantGap) > 1e-9 || math.Abs(s.Stats.TWAP-wantTWAP) > 1e-9 {
			t.Errorf("%s: gap %v twap %v, want gap %v twap %v", s.InstanceType, s.Stats.GapHours, s.Stats.TWAP, wantGap, wantTWAP)
		}
	}
	// A window after the newest coverage knows nothing.
	res, err = Summarise(ctx, st, nil, Query{Regions: []string{"us-east-1"}, Window: 5 * time.Hour, End: h(20)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pools) != 0 || res.Unknown != 3 {
		t.Fatalf("after coverage: %d pools, %d unknown; want 0 and 3", len(res.Pools), res.Unknown)
	}
}

// The cursor over the known spans gives what intersecting every step with
// every span gives, on random series and spans (a step may cross several).
func TestSparkKnownMatchesEveryPairIntersection(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		var pts []market.Point
		for x := -3; x < 40; x += 1 + rng.IntN(6) {
			pts = append(pts, market.Point{Time: h(float64(x)), Price: float64(1 + rng.IntN(9))})
		}
		var known []market.Interval
		for x := -2 + rng.IntN(3); x < 40; {
			end := x + 1 + rng.IntN(5)
			known = append(known, market.Interval{Start: h(float64(x)), End: h(float64(end))})
			x = end + 1 + rng.IntN(4)
		}
		// Reference: each step cut to the known spans, sampled per minute.
		n := []int{1, 2, 3, 4, 5, 6, 8, 9, 10, 12}[rng.IntN(10)] // divisors of 2,160 minutes
		got := SparkKnown(pts, known, h(0), h(36), n)
		width := 36 * 60 / n
		for b := 0; b < n; b++ {
			var sum, cnt float64
			for m := b * width; m < (b+1)*width; m++ {
				at := h(0).Add(time.Duration(m)*time.Minute + 30*time.Second)
				inKnown := false
				for _, k := range known {
					inKnown = inKnown || !at.Before(k.Start) && at.Before(k.End)
				}
				var price float64
				have := false
				for _, p := range pts {
					if !p.Time.After(at) {
						price, have = p.Price, true
					}
				}
				if inKnown && have {
					sum += price
					cnt++
				}
			}
			want := math.NaN()
			if cnt > 0 {
				want = sum / cnt
			}
			if !(math.Abs(got[b]-want) < 1e-9 || math.IsNaN(got[b]) && math.IsNaN(want)) {
				t.Fatalf("round %d bucket %d of %d: got %v, want %v (points %v, known %v)", round, b, n, got[b], want, pts, known)
			}
		}
	}
}

// Preview must name the pools Summarise returns, with the same latest price
// and joins, when the window ends at the newest record; and it must leave out
// a pool whose latest record is after the window (its price at the end needs
// the series) and a window the cache never asked about.
func TestPreviewAgreesWithSummarise(t *testing.T) {
	ctx := context.Background()
	st, err := cache.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	from := demo.End().Add(-20 * 24 * time.Hour)
	var recs []market.Record
	for _, r := range demo.AllRecords() {
		if r.Product == market.LinuxUNIX && r.Time.After(from) {
			recs = append(recs, r)
		}
	}
	if _, err := st.AddRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := st.AddCoverage(ctx, demo.Region, market.LinuxUNIX, "*", market.Interval{Start: from, End: demo.End()}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutZones(ctx, demo.Region, demo.Zones(), demo.End()); err != nil {
		t.Fatal(err)
	}
	if err := st.PutInstanceTypes(ctx, demo.Region, demo.Catalog(), demo.End()); err != nil {
		t.Fatal(err)
	}
	adv := advisor.Embedded()
	q := Query{Regions: []string{demo.Region}, Window: 7 * 24 * time.Hour, End: demo.End(), SparkLen: 10}
	full, err := Summaries(ctx, st, adv, q)
	if err != nil {
		t.Fatal(err)
	}
	pre, err := Preview(ctx, st, adv, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(pre) != len(full) || len(full) < 100 {
		t.Fatalf("preview has %d pools, summaries %d", len(pre), len(full))
	}
	for i, p := range pre {
		f := full[i]
		if p.Pool != f.Pool || !p.Partial || f.Partial || p.Stats.Last != f.Stats.Last ||
			p.AvailabilityZoneID != f.AvailabilityZoneID || !reflect.DeepEqual(p.Spec, f.Spec) || p.HasSpec != f.HasSpec ||
			p.Advisor != f.Advisor || !p.Stats.End.Equal(q.End) || p.Spark != nil {
			t.Fatalf("pool %d: preview %+v\nsummary %+v", i, p, f)
		}
	}

	// A window ending before some pools' latest record leaves those out.
	early := q
	early.End = demo.End().Add(-2 * 24 * time.Hour)
	pre, err = Preview(ctx, st, adv, early)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := st.Latest(ctx, cache.Filter{Regions: []string{demo.Region}})
	if err != nil {
		t.Fatal(err)
	}
	after := 0
	for _, l := range latest {
		if l.Time.After(early.End) {
			after++
		}
	}
	if after == 0 || len(pre) != len(latest)-after {
		t.Fatalf("window ending early: %d previewed of %d pools, %d with a later record", len(pre), len(latest), after)
	}

	// A window the cache never asked about previews nothing.
	late := q
	late.End = demo.End().Add(30 * 24 * time.Hour)
	if pre, err = Preview(ctx, st, adv, late); err != nil || len(pre) != 0 {
		t.Fatalf("uncovered window: %d pools, %v", len(pre), err)
	}
}
