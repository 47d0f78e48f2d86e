package archive

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
)

var demoCoverage = market.Interval{Start: demo.Start(), End: demo.End()}

// demoStore returns a cache holding the embedded demo records, zones and
// a coverage interval, as a fetch would leave it: a copy of one built once
// per test binary.
func demoStore(t testing.TB) *cache.Store {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "archive-demo-")
		if err != nil {
			demoErr = err
			return
		}
		demoDir = dir
		st, err := cache.Open(context.Background(), dir)
		if err != nil {
			demoErr = err
			return
		}
		demoErr = fillDemo(st)
		if err := st.Close(); demoErr == nil {
			demoErr = err
		}
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	data, err := os.ReadFile(filepath.Join(demoDir, cache.FileName))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, cache.FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := cache.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var (
	demoOnce sync.Once
	demoDir  string
	demoErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range []string{demoDir, bench.dir} {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

func fillDemo(st *cache.Store) error {
	ctx := context.Background()
	all := demo.AllRecords()
	for i := 0; i < len(all); i += 50000 {
		if _, err := st.AddRecords(ctx, all[i:min(i+50000, len(all))]); err != nil {
			return err
		}
	}
	if err := st.PutZones(ctx, demo.Region, demo.Zones(), demo.End()); err != nil {
		return err
	}
	for _, prod := range []string{"Linux/UNIX", "Windows"} {
		if err := st.AddCoverage(ctx, demo.Region, prod, "*", demoCoverage); err != nil {
			return err
		}
	}
	return nil
}

func openStore(t testing.TB) *cache.Store {
	t.Helper()
	st, err := cache.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// snapshot is everything of a cache an archive carries.
type snapshot struct {
	Series   map[market.Pool][]market.Point
	Latest   []market.PoolPrice // with AZ IDs
	Coverage []cache.CoverageSpan
	Zones    []market.Zone
	Records  int64
}

func takeSnapshot(t testing.TB, st *cache.Store) snapshot {
	t.Helper()
	ctx := context.Background()
	s := snapshot{Series: map[market.Pool][]market.Point{}}
	err := st.ScanSeries(ctx, cache.Filter{}, time.UnixMilli(0), time.UnixMilli(math.MaxInt64/4), func(p market.Pool, pts []market.Point) error {
		s.Series[p] = pts
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Latest, err = st.Latest(ctx, cache.Filter{}); err != nil {
		t.Fatal(err)
	}
	if s.Coverage, err = st.AllCoverage(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Records = info.Records
	for _, ri := range info.Regions {
		zs, err := st.Zones(ctx, ri.Region)
		if err != nil {
			t.Fatal(err)
		}
		s.Zones = append(s.Zones, zs...)
	}
	return s
}

func sameSnapshot(t *testing.T, got, want snapshot) {
	t.Helper()
	if got.Records != want.Records {
		t.Errorf("records: got %d, want %d", got.Records, want.Records)
	}
	if len(got.Series) != len(want.Series) {
		t.Errorf("pools: got %d, want %d", len(got.Series), len(want.Series))
	}
	for p, pts := range want.Series {
		if !reflect.DeepEqual(got.Series[p], pts) {
			t.Errorf("series of %v differ: got %d points, want %d", p, len(got.Series[p]), len(pts))
			break
		}
	}
	if !reflect.DeepEqual(got.Latest, want.Latest) {
		t.Errorf("latest prices with AZ IDs differ")
	}
	if !reflect.DeepEqual(got.Coverage, want.Coverage) {
		t.Errorf("coverage: got %v, want %v", got.Coverage, want.Coverage)
	}
	if !reflect.DeepEqual(got.Zones, want.Zones) {
		t.Errorf("zones: got %v, want %v", got.Zones, want.Zones)
	}
}

var fixedNow = func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }
