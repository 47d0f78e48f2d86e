package cache

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
)

// naiveSeries is the contract written the obvious way: dedup on time with
// the later record winning, then the record in effect at start and the
// records in (start, end].
func naiveSeries(recs []market.Record, start, end time.Time) []market.Point {
	byTime := map[int64]float64{}
	for _, r := range recs {
		byTime[r.Time.UnixMilli()] = r.Price
	}
	var times []int64
	for k := range byTime {
		times = append(times, k)
	}
	slices.Sort(times)
	var out []market.Point
	s, e := start.UnixMilli(), end.UnixMilli()
	for _, k := range times {
		p := market.Point{Time: time.UnixMilli(k).UTC(), Price: byTime[k]}
		switch {
		case k <= s:
			out = append(out[:0], p)
		case k <= e:
			out = append(out, p)
		}
	}
	return out
}

// TestRealData stores the demo history (two captures with overlapping
// records, zero prices) in two unsorted batches and checks every read
// against naiveSeries.
func TestRealData(t *testing.T) {
	ctx := context.Background()
	all := demo.AllRecords()
	s := openTemp(t)
	// Second capture first, so the first capture's records land in chunks
	// that already exist.
	half := len(all) / 2
	n1, err := s.AddRecords(ctx, all[half:])
	if err != nil {
		t.Fatal(err)
	}
	n2, err := s.AddRecords(ctx, all[:half])
	if err != nil {
		t.Fatal(err)
	}
	byPool := map[market.Pool][]market.Record{}
	for _, r := range all {
		byPool[r.Pool] = append(byPool[r.Pool], r)
	}
	distinct := 0
	for _, rs := range byPool {
		distinct += len(naiveSeries(rs, time.Time{}, demo.End()))
	}
	if n1+n2 != distinct {
		t.Errorf("added %d+%d, want %d distinct records", n1, n2, distinct)
	}
	if n, err := s.AddRecords(ctx, all[:1000]); n != 0 || err != nil {
		t.Errorf("re-adding: %d new, %v", n, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Records != int64(distinct) || info.Pools != len(byPool) || !info.Oldest.Equal(demo.Start()) || !info.Newest.Equal(demo.End()) {
		t.Errorf("Info = %+v (want %d records, %d pools)", info, distinct, len(byPool))
	}

	windows := [][2]time.Time{
		{demo.End().Add(-90 * 24 * time.Hour), demo.End()},
		{demo.End().Add(-7 * 24 * time.Hour), demo.End()},
		{time.Date(2020, 2, 5, 0, 0, 0, 0, time.UTC), time.Date(2020, 2, 6, 0, 0, 0, 0, time.UTC)},
		{time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC)},
	}
	pools := make([]market.Pool, 0, len(byPool))
	for p := range byPool {
		pools = append(pools, p)
	}
	sort.Slice(pools, func(i, j int) bool { return pools[i].String() < pools[j].String() })
	for _, w := range windows {
		for i, p := range pools {
			if i%25 != 0 {
				continue
			}
			got, err := s.Series(ctx, p, w[0], w[1])
			if err != nil {
				t.Fatal(err)
			}
			if want := naiveSeries(byPool[p], w[0], w[1]); !slices.Equal(got, want) {
				t.Fatalf("%v %v: Series = %v, want %v", p, w, got, want)
			}
		}
		seen := 0
		err := s.ScanSeries(ctx, Filter{Regions: []string{demo.Region}}, w[0], w[1], func(p market.Pool, got []market.Point) error {
			seen++
			if want := naiveSeries(byPool[p], w[0], w[1]); !slices.Equal(got, want) {
				t.Fatalf("%v %v: ScanSeries = %v, want %v", p, w, got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, p := range pools {
			if len(naiveSeries(byPool[p], w[0], w[1])) > 0 {
				want++
			}
		}
		if seen != want {
			t.Errorf("%v: ScanSeries saw %d pools, want %d", w, seen, want)
		}
	}

	// The zero prices of the first capture survive.
	zero := market.Pool{Region: demo.Region, AvailabilityZone: "sa-east-1c", InstanceType: "r5ad.24xlarge", Product: market.SUSE}
	day := time.Date(2020, 2, 5, 0, 0, 0, 0, time.UTC)
	got, _ := s.Series(ctx, zero, day, day.Add(24*time.Hour))
	if !slices.ContainsFunc(got, func(p market.Point) bool { return p.Price == 0 && p.Time.After(day) }) {
		t.Errorf("zero price lost: %v", got)
	}

	// Prune at a boundary keeps every statistic from that boundary on.
	cut := demo.End().Add(-30 * 24 * time.Hour)
	before := map[market.Pool][]market.Point{}
	s.ScanSeries(ctx, Filter{}, cut, demo.End(), func(p market.Pool, ps []market.Point) error {
		before[p] = ps
		return nil
	})
	removed, err := s.Prune(ctx, cut)
	if err != nil || removed == 0 {
		t.Fatalf("Prune = %d, %v", removed, err)
	}
	after, _ := s.Info(ctx)
	if after.Records != info.Records-removed {
		t.Errorf("records %d after removing %d of %d", after.Records, removed, info.Records)
	}
	count := 0
	s.ScanSeries(ctx, Filter{}, time.Time{}, demo.End(), func(p market.Pool, ps []market.Point) error {
		count++
		if !slices.Equal(ps, before[p]) {
			t.Fatalf("%v after prune: %v, want %v", p, ps, before[p])
		}
		return nil
	})
	if count != len(before) {
		t.Errorf("%d pools after prune, want %d", count, len(before))
	}
}
