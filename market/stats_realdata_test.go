package market_test

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
)

// TestStatsOnRecordedData runs the statistics over every Linux pool of the
// recorded sa-east-1 capture and checks what must hold for any series, plus a
// minute-sampled reference on the busiest pool.
func TestStatsOnRecordedData(t *testing.T) {
	series := map[market.Pool][]market.Point{}
	err := dataset.ReadFile("demo/data/sa-east-1_2020-03-31_to_2020-06-23.csv.gz", dataset.Options{}, func(r market.Record) error {
		if r.Product == market.LinuxUNIX {
			series[r.Pool] = append(series[r.Pool], market.Point{Time: r.Time, Price: r.Price})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2020, 6, 23, 0, 0, 0, 0, time.UTC)
	start := end.Add(-30 * 24 * time.Hour)
	var busiest market.Pool
	for pool, ps := range series {
		sort.Slice(ps, func(i, j int) bool { return ps[i].Time.Before(ps[j].Time) })
		s, ok := market.ComputeStats(ps, start, end)
		if !ok {
			continue
		}
		if s.Min > s.P50 || s.P50 > s.P95 || s.P95 > s.Max || s.TWAP < s.Min-1e-12 || s.TWAP > s.Max+1e-12 {
			t.Fatalf("%v: order violated: %+v", pool, s)
		}
		if s.CV < 0 || math.IsNaN(s.CV) || math.IsInf(s.CV, 0) || s.CoveredHours > 720+1e-9 || s.Changes >= len(ps) {
			t.Fatalf("%v: implausible %+v", pool, s)
		}
		if len(ps) > len(series[busiest]) {
			busiest = pool
		}
	}
	ps := series[busiest]
	s, _ := market.ComputeStats(ps, start, end)
	var sum float64
	n := 0
	j := -1
	for tm := s.Start; tm.Before(end); tm = tm.Add(time.Minute) {
		for j+1 < len(ps) && !ps[j+1].Time.After(tm) {
			j++
		}
		sum += ps[j].Price
		n++
	}
	if ref := sum / float64(n); math.Abs(ref-s.TWAP)/s.TWAP > 1e-3 {
		t.Errorf("%v: twap %v, minute-sampled reference %v", busiest, s.TWAP, ref)
	}
	t.Logf("busiest pool %v: %d records, %+v", busiest, len(ps), s)
}
