package cache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
)

// bigCopies replicates the sa-east-1 history this many times under new AZ
// names: three copies of ~390,000 distinct records and ~1,700 pools give
// the ~1.2M-record, ~5,000-pool region the scan target is set for.
const bigCopies = 3

var big struct {
	once    sync.Once
	dir     string
	store   *Store
	records int64
	pools   int
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if big.store != nil {
		big.store.Close()
	}
	if big.dir != "" {
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

// bigRegion builds the big region once per test binary run, outside any
// benchmark's timer; it is only used by benchmarks, so the default test run
// never pays for it.
func bigRegion(b *testing.B) *Store {
	b.Helper()
	big.once.Do(func() {
		ctx := context.Background()
		if big.dir, big.err = os.MkdirTemp("", "spotscope-bench-"); big.err != nil {
			return
		}
		if big.store, big.err = Open(ctx, big.dir); big.err != nil {
			return
		}
		all := demo.AllRecords()
		start := time.Now()
		for c := 0; c < bigCopies; c++ {
			recs := make([]market.Record, len(all))
			for i, r := range all {
				// AZ letter c*3 + (a, b, c): sa-east-1a..sa-east-1i.
				r.AvailabilityZone = fmt.Sprintf("sa-east-1%c", 'a'+byte(c*3)+(r.AvailabilityZone[len(r.AvailabilityZone)-1]-'a'))
				recs[i] = r
			}
			if _, big.err = big.store.AddRecords(ctx, recs); big.err != nil {
				return
			}
		}
		var info Info
		if info, big.err = big.store.Info(ctx); big.err != nil {
			return
		}
		big.records, big.pools = info.Records, info.Pools
		fmt.Fprintf(os.Stderr, "big region: %d records, %d pools, %.1f MB, built in %v\n",
			info.Records, info.Pools, float64(info.SizeBytes)/1e6, time.Since(start).Round(time.Millisecond))
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.store
}

// BenchmarkAddRecords stores the whole demo history (~400,000 records,
// unsorted across two captures) into a new cache per iteration.
func BenchmarkAddRecords(b *testing.B) {
	ctx := context.Background()
	all := demo.AllRecords()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprint(i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.AddRecords(ctx, all); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(all))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkAddRecordsIncremental is a cron fetch: the last hour of every
// pool of a region that already holds 175 days of history.
func BenchmarkAddRecordsIncremental(b *testing.B) {
	ctx := context.Background()
	all := demo.AllRecords()
	s, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AddRecords(ctx, all); err != nil {
		b.Fatal(err)
	}
	latest, _ := s.Latest(ctx, Filter{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		recs := make([]market.Record, len(latest))
		for j, l := range latest {
			recs[j] = market.Record{Pool: l.Pool, Time: l.Time.Add(time.Duration(i+1) * time.Minute), Price: l.Price}
		}
		if _, err := s.AddRecords(ctx, recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(latest)), "pools/op")
}

// BenchmarkScanRegion reads every record of the big region, pool by pool,
// and reduces each series to a sum, as a region-wide statistics view does.
func BenchmarkScanRegion(b *testing.B) {
	ctx := context.Background()
	s := bigRegion(b)
	start, end := demo.Start().Add(-time.Hour), demo.End()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var n int64
		var sum float64
		pools := 0
		err := s.ScanSeries(ctx, Filter{Regions: []string{demo.Region}}, start, end, func(p market.Pool, ps []market.Point) error {
			pools++
			for _, pt := range ps {
				sum += pt.Price
			}
			n += int64(len(ps))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if n != big.records || pools != big.pools {
			b.Fatalf("scanned %d records in %d pools, want %d in %d", n, pools, big.records, big.pools)
		}
	}
	b.ReportMetric(float64(big.records), "records/op")
}

// BenchmarkSeries reads 90 days of the busiest pool of the big region.
func BenchmarkSeries(b *testing.B) {
	ctx := context.Background()
	s := bigRegion(b)
	end := demo.End()
	start := end.Add(-90 * 24 * time.Hour)
	var busiest market.Pool
	most := 0
	s.ScanSeries(ctx, Filter{}, start, end, func(p market.Pool, ps []market.Point) error {
		if len(ps) > most {
			busiest, most = p, len(ps)
		}
		return nil
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ps, err := s.Series(ctx, busiest, start, end)
		if err != nil || len(ps) != most {
			b.Fatalf("%d points, %v; want %d", len(ps), err, most)
		}
	}
	b.ReportMetric(float64(most), "points/op")
}
