package cache

import (
	"context"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

// TestPruneClipsCoverage: pruned history is no longer covered, so the next
// fetch may ask AWS for it again instead of trusting a span that is gone.
func TestPruneClipsCoverage(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	t0 := time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, iv := range []market.Interval{{Start: t0, End: t0.Add(5 * day)}, {Start: t0.Add(10 * day), End: t0.Add(30 * day)}} {
		if err := s.AddCoverage(ctx, "sa-east-1", market.LinuxUNIX, "*", iv); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Prune(ctx, t0.Add(20*day)); err != nil {
		t.Fatal(err)
	}
	cov, err := s.Coverage(ctx, "sa-east-1", market.LinuxUNIX, "*")
	if err != nil {
		t.Fatal(err)
	}
	if len(cov) != 1 || !cov[0].Start.Equal(t0.Add(20*day)) || !cov[0].End.Equal(t0.Add(30*day)) {
		t.Fatalf("coverage after prune = %v, want [day 20, day 30)", cov)
	}
}

// TestImportKeepsStoredPrices: an import fills gaps but never overwrites a
// price already in the cache, while AddRecords (a re-fetch) corrects it.
func TestImportKeepsStoredPrices(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	pool := market.Pool{Region: "sa-east-1", AvailabilityZone: "sa-east-1a", InstanceType: "c5.large", Product: market.LinuxUNIX}
	t0 := time.Date(2020, 6, 22, 4, 52, 44, 0, time.UTC)
	if _, err := s.AddRecords(ctx, []market.Record{{Pool: pool, Time: t0, Price: 0.0408}}); err != nil {
		t.Fatal(err)
	}
	n, err := s.ImportRecords(ctx, []market.Record{{Pool: pool, Time: t0, Price: 9.9999}, {Pool: pool, Time: t0.Add(time.Hour), Price: 0.05}})
	if err != nil || n != 1 {
		t.Fatalf("import added %d, %v; want 1 (the new hour only)", n, err)
	}
	pts, _ := s.Series(ctx, pool, t0, t0.Add(2*time.Hour))
	if len(pts) != 2 || pts[0].Price != 0.0408 || pts[1].Price != 0.05 {
		t.Fatalf("series after import = %v", pts)
	}
	if _, err := s.AddRecords(ctx, []market.Record{{Pool: pool, Time: t0, Price: 0.0410}}); err != nil {
		t.Fatal(err)
	}
	if pts, _ := s.Series(ctx, pool, t0, t0); pts[0].Price != 0.0410 {
		t.Fatalf("a re-fetch should correct the stored price: %v", pts)
	}
}
