package session

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/recommend"
)

func demoSession(t *testing.T) *Session {
	t.Helper()
	ctx := context.Background()
	st, err := cache.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var recs []market.Record
	for _, r := range demo.AllRecords() {
		if r.Time.After(demo.End().Add(-40 * 24 * time.Hour)) {
			recs = append(recs, r)
		}
	}
	if _, err := st.AddRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	// What a fetch of those 40 days would have recorded as asked of AWS.
	for _, p := range market.KnownProducts[:4] {
		if err := st.AddCoverage(ctx, demo.Region, p, "*", market.Interval{Start: demo.End().Add(-40 * 24 * time.Hour), End: demo.End()}); err != nil {
			t.Fatal(err)
		}
	}
	st.PutZones(ctx, demo.Region, demo.Zones(), demo.End())
	st.PutInstanceTypes(ctx, demo.Region, demo.Catalog(), demo.End())
	return &Session{Store: st, Advice: advisor.Embedded(), AdviceFrom: advisor.EmbeddedProvenance(demo.End()), Now: demo.End}
}

func TestSourcesFromTheCache(t *testing.T) {
	s := demoSession(t)
	ctx := context.Background()
	stats, err := s.PoolStats(ctx, demo.Region, market.LinuxUNIX, 30*24*time.Hour, demo.End())
	if err != nil || len(stats) < 100 {
		t.Fatalf("PoolStats: %d, %v", len(stats), err)
	}
	for _, ps := range stats {
		if ps.AZID == "" || ps.Product != market.LinuxUNIX {
			t.Fatalf("pool stats without AZ ID or of another product: %+v", ps.Pool)
		}
	}
	od, err := s.OnDemand(ctx, demo.Region, market.LinuxUNIX, "m5.large")
	if err != nil || !od.Known || !od.Estimated || od.Price <= 0 {
		t.Fatalf("offline On-Demand for m5.large should be a labelled estimate: %+v, %v", od, err)
	}
	if od, _ := s.OnDemand(ctx, demo.Region, market.Windows, "m5.large"); od.Known {
		t.Errorf("Windows On-Demand must be unknown, not a Linux price: %+v", od)
	}
	if _, err := s.InstanceTypes(ctx, "eu-west-1"); err == nil || !strings.Contains(err.Error(), "spotscope fetch --region eu-west-1") {
		t.Errorf("missing catalog error should say how to fix it: %v", err)
	}
}

type failingPlacement struct{}

func (failingPlacement) PlacementScores(context.Context, string, []string, int) (map[string]int, error) {
	return nil, errors.New("placement scores need the IAM action ec2:GetSpotPlacementScores; continuing without them")
}

func TestRecommendationSurvivesAFailedPlacementCall(t *testing.T) {
	s := demoSession(t).WithPlacement(failingPlacement{})
	p := recommend.Profile{VCPUs: 2, MemoryGiB: 4, Count: 4, Hours: 2, Regions: []string{demo.Region}}.WithDefaults()
	res, err := s.Recommend(context.Background(), p, recommend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"ec2:GetSpotPlacementScores", "embedded copy as of 2025-06-28", "estimates"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if len(res.Pools) == 0 {
		t.Fatal("no pools")
	}
	for _, c := range res.Pools {
		if c.PlacementScore != nil {
			t.Errorf("%s has a placement score although the call failed", c.InstanceType)
		}
	}
}

// TestPlanReplaysTheCachedPath: PricePath gives the record in effect at the
// start and the records after it, and the session's plan replays them.
func TestPlanReplaysTheCachedPath(t *testing.T) {
	s := demoSession(t)
	ctx := context.Background()
	end := demo.End()
	start := end.Add(-30 * 24 * time.Hour)
	pool := market.Pool{Region: demo.Region, AvailabilityZone: "sa-east-1a", InstanceType: "m5.large", Product: market.LinuxUNIX}
	pts, err := s.PricePath(ctx, pool, start, end)
	if err != nil || len(pts) == 0 {
		t.Fatalf("PricePath: %d points, %v", len(pts), err)
	}
	var want []market.Point
	for _, r := range demo.AllRecords() {
		if r.Pool == pool && !r.Time.After(end) {
			want = append(want, market.Point{Time: r.Time, Price: r.Price})
		}
	}
	want = recommend.PathIn(want, start, end)
	if len(pts) != len(want) || !pts[0].Time.Equal(want[0].Time) || pts[0].Price != want[0].Price || pts[0].Time.After(start) {
		t.Errorf("path %d points from %v, want %d from %v (the one in effect at %v)", len(pts), pts[0].Time, len(want), want[0].Time, start)
	}
	p := recommend.Profile{VCPUs: 2, MemoryGiB: 4, Count: 4, Hours: 24, Checkpoint: time.Hour, Regions: []string{demo.Region}}
	res, err := s.Recommend(ctx, p, recommend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pl := res.Plan; !strings.HasPrefix(pl.ReplayBasis, "cached price history") || pl.Runs != recommend.DefaultRuns || pl.OnDemandCost == nil || !pl.OnDemandEstimated || pl.CostP95 < pl.CostP50 {
		t.Errorf("plan %+v", pl)
	}
}

// The recommender's statistics follow the coverage rule: time the cache
// never asked about (here the last 10 days) is neither priced nor counted.
func TestPoolStatsIntegrateOverCoverageOnly(t *testing.T) {
	ctx := context.Background()
	st, err := cache.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pool := market.Pool{Region: "us-east-1", AvailabilityZone: "us-east-1a", InstanceType: "m5.large", Product: market.LinuxUNIX}
	recs := []market.Record{{Pool: pool, Time: t0, Price: 0.05}, {Pool: pool, Time: t0.Add(20 * 24 * time.Hour), Price: 0.07}}
	if _, err := st.AddRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := st.AddCoverage(ctx, "us-east-1", market.LinuxUNIX, "*", market.Interval{Start: t0, End: t0.Add(20 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	s := &Session{Store: st, Advice: advisor.Embedded(), Now: func() time.Time { return t0.Add(30 * 24 * time.Hour) }}
	got, err := s.PoolStats(ctx, "us-east-1", market.LinuxUNIX, 30*24*time.Hour, t0.Add(30*24*time.Hour))
	if err != nil || len(got) != 1 {
		t.Fatalf("PoolStats: %v, %v", got, err)
	}
	if st := got[0].Stats; st.CoveredHours != 20*24 || st.GapHours != 10*24 || st.TWAP != 0.05 {
		t.Errorf("covered %v h, gap %v h, twap %v; want 480 h, 240 h and 0.05 (the 0.07 record starts where coverage ends)",
			st.CoveredHours, st.GapHours, st.TWAP)
	}
}
