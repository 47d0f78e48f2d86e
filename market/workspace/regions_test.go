package workspace

import (
	"context"
	"testing"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/demo"
)

func TestSummaryOfTheDemoCache(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Options{Dir: t.TempDir(), Demo: true, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	s, err := w.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Regions) != 1 || s.Regions[0].Region != demo.Region {
		t.Fatalf("regions %+v, want only %s", s.Regions, demo.Region)
	}
	r := s.Regions[0]
	if r.Pools == 0 || r.Records == 0 || r.Records != s.Records || r.Pools != s.Pools {
		t.Errorf("region %+v against totals pools=%d records=%d", r, s.Pools, s.Records)
	}
	if !r.Newest.Equal(demo.End()) || r.Oldest.After(demo.Start()) {
		t.Errorf("covered %v..%v, want the demo's %v..%v", r.Oldest, r.Newest, demo.Start(), demo.End())
	}
	if !r.PriceListAsOf.IsZero() || !r.LastFetch.IsZero() {
		t.Errorf("the demo has no price list and no fetch, got %+v", r)
	}
	if s.Advisor.Mode != advisor.ModeEmbedded {
		t.Errorf("advisor %q, want the embedded snapshot in the demo", s.Advisor.Mode)
	}
	// The demo cache was opened read-only: nothing may be written.
	if _, err := w.Store.AddRecords(ctx, []market.Record{{Pool: market.Pool{Region: demo.Region, AvailabilityZone: "sa-east-1a", InstanceType: "x9.large", Product: market.LinuxUNIX}, Time: demo.End(), Price: 1}}); err == nil {
		t.Error("wrote to a read-only demo cache")
	}
}

func TestReadOnlyStartsOnAnEmptyDirectory(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Options{Dir: t.TempDir(), Regions: []string{"us-east-1"}, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if !w.Offline {
		t.Error("a read-only workspace must not call AWS")
	}
	s, err := w.Summary(ctx)
	if err != nil || len(s.Regions) != 0 {
		t.Errorf("empty cache summary %+v, %v", s, err)
	}
}

func TestForRegionsLeavesTheParentAlone(t *testing.T) {
	ctx := context.Background()
	w := openDemo(t)
	v := w.ForRegions(ctx, []string{"us-east-1"})
	sel, _ := Select([]string{"c5.large"}, nil)
	got, err := v.Prices(ctx, sel)
	if err != nil || len(got) != 0 {
		t.Errorf("us-east-1 view of the demo: %d rows, %v; want none", len(got), err)
	}
	if w.Regions[0] != demo.Region {
		t.Errorf("parent regions changed to %v", w.Regions)
	}
	if got, err := w.Prices(ctx, sel); err != nil || len(got) == 0 {
		t.Errorf("parent lost its answer: %d rows, %v", len(got), err)
	}
}
