package explore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/demo"
)

// bigRegion builds a cache holding a region the size of a large real one:
// the recorded sa-east-1 history copied under three times as many AZs
// (about 1.2 million records, 5,000 pools), once per benchmark binary.
func bigRegion(b *testing.B) *cache.Store {
	b.Helper()
	dir, err := os.MkdirTemp("", "spotscope-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	ctx := context.Background()
	st, err := cache.Open(ctx, filepath.Join(dir, "c"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	all := demo.AllRecords()
	var zones []market.Zone
	for copyN, suffix := range []string{"", "x", "y"} {
		batch := make([]market.Record, 0, len(all))
		for _, r := range all {
			r.AvailabilityZone += suffix
			batch = append(batch, r)
		}
		if _, err := st.AddRecords(ctx, batch); err != nil {
			b.Fatal(err)
		}
		for _, z := range demo.Zones() {
			z.Name += suffix
			z.ID = fmt.Sprintf("%s-%d", z.ID, copyN)
			zones = append(zones, z)
		}
	}
	for _, p := range market.KnownProducts {
		if err := st.AddCoverage(ctx, demo.Region, p, "*", market.Interval{Start: demo.Start(), End: demo.End()}); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.PutZones(ctx, demo.Region, zones, demo.End()); err != nil {
		b.Fatal(err)
	}
	if err := st.PutInstanceTypes(ctx, demo.Region, demo.Catalog(), demo.End()); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkStatsRegion is `spotscope stats` over a whole large region: every
// pool of every product, 90-day window, from a warm cache.
func BenchmarkStatsRegion(b *testing.B) {
	st := bigRegion(b)
	adv := advisor.Embedded()
	for _, w := range []struct {
		name     string
		window   time.Duration
		products []string
	}{
		{"90d", 90 * 24 * time.Hour, market.KnownProducts[:4]},
		{"all-1.2M-records", AllTime, market.KnownProducts[:4]},
		// The TUI's first query: Linux/UNIX, 7 days.
		{"tui-7d-linux", 7 * 24 * time.Hour, []string{market.LinuxUNIX}},
	} {
		b.Run(w.name, func(b *testing.B) {
			q := Query{Regions: []string{demo.Region}, Products: w.products, Window: w.window, End: demo.End(), SparkLen: 48}
			var n int
			for b.Loop() {
				sums, err := Summaries(context.Background(), st, adv, q)
				if err != nil {
					b.Fatal(err)
				}
				n = len(sums)
			}
			b.ReportMetric(float64(n), "pools")
		})
	}
}

// BenchmarkPreviewRegion is the TUI's first frame's query over a whole large
// region (Linux/UNIX, 7 days): each pool's latest record, no series read.
func BenchmarkPreviewRegion(b *testing.B) {
	st := bigRegion(b)
	q := Query{Regions: []string{demo.Region}, Products: []string{market.LinuxUNIX}, Window: 7 * 24 * time.Hour, End: demo.End()}
	var n int
	for b.Loop() {
		rows, err := Preview(context.Background(), st, nil, q)
		if err != nil {
			b.Fatal(err)
		}
		n = len(rows)
	}
	b.ReportMetric(float64(n), "pools")
}
