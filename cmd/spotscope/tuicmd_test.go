package main

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/explore"
	"github.com/spotscope/spotscope/tui"
)

// TestTUIBackendFirstQuery: the first query, which scans while the advisor
// data is still loading, answers exactly what explore.Summaries does with
// the advisor; the header's Info is pending until WaitInfo has it all.
func TestTUIBackendFirstQuery(t *testing.T) {
	e := newEnv(t, true)
	e.ok("fetch", "--days", "7")
	a := e.openApp(t, "sa-east-1", true)
	ctx := context.Background()
	q := explore.Query{Regions: []string{"sa-east-1"}, Window: 7 * 24 * time.Hour, End: demo.End(), SparkLen: 8}

	// a backend whose advisor is not loaded yet: the query must wait for it
	b := &cacheBackend{a: a, kick: make(chan struct{}), advReady: make(chan struct{}), infoReady: make(chan struct{})}
	done := make(chan []explore.Summary)
	go func() {
		rows, err := b.Summaries(ctx, q)
		if err != nil {
			t.Error(err)
		}
		done <- rows
	}()
	a.PreloadCachedAdvisor(ctx)
	close(b.advReady)
	got := <-done

	adv, _ := a.Advisor(ctx)
	want, err := explore.Summaries(ctx, a.Store, adv, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("first query: %d rows, want %d equal to explore.Summaries with the advisor", len(got), len(want))
	}
	known := 0
	for _, s := range got {
		if s.Advisor.Known {
			known++
		}
	}
	if known == 0 {
		t.Fatal("no advisor entry attached")
	}

	nb := newCacheBackend(ctx, a)
	info := nb.WaitInfo(ctx)
	if info.Pending || info.DataTo.IsZero() || len(info.Cached) == 0 {
		t.Fatalf("WaitInfo: %+v", info)
	}
}

// TestTUIBackendPreviewFirst: nothing loads in the background until the
// first frame's preview is in; the preview is explore.Preview's answer; a
// TUI that ends before its first preview leaves no load running.
func TestTUIBackendPreviewFirst(t *testing.T) {
	e := newEnv(t, true)
	e.ok("fetch", "--days", "7")
	a := e.openApp(t, "sa-east-1", true)
	ctx := context.Background()
	q := explore.Query{Regions: []string{"sa-east-1"}, Window: 7 * 24 * time.Hour, End: demo.End(), SparkLen: 8}

	b := newCacheBackend(ctx, a)
	if got := b.Info().CoveredTo["sa-east-1"]; !got.Equal(demo.End()) {
		t.Fatalf("CoveredTo %v before the first frame, want the fetch's end %v", got, demo.End())
	}
	select {
	case <-b.advReady:
		t.Fatal("the advisor loaded before the preview")
	default:
	}
	got, err := b.Preview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want, err := explore.Preview(ctx, a.Store, nil, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || !reflect.DeepEqual(got, want) || !got[0].Partial {
		t.Fatalf("preview: %d rows, want %d equal to explore.Preview", len(got), len(want))
	}
	<-b.advReady // started by the preview
	<-b.infoReady
	b.stop()

	quit := newCacheBackend(ctx, a)
	quit.stop()
	<-quit.infoReady
	if info := quit.Info(); !info.Pending {
		t.Fatalf("a stopped backend read its Info: %+v", info)
	}
}

// TestTUIBackendRefreshRegions: the TUI's refresh fetches the regions it is
// given (the ones the views show), not the ones configured at start.
func TestTUIBackendRefreshRegions(t *testing.T) {
	e := newEnv(t, true)
	ctx := context.Background()
	a := e.openApp(t, "us-east-1", false)
	// A Windows history held only in the shown region keeps being
	// refreshed there.
	win := market.Record{Pool: market.Pool{Region: demo.Region, AvailabilityZone: demo.Region + "a", InstanceType: "m5.large", Product: market.Windows},
		Time: demo.End().Add(-time.Hour), Price: 0.2}
	if _, err := a.Store.AddRecords(ctx, []market.Record{win}); err != nil {
		t.Fatal(err)
	}
	b := newCacheBackend(ctx, a)
	b.WaitInfo(ctx)
	seen := map[string]bool{}
	if err := b.Refresh(ctx, []string{demo.Region}, func(p tui.RefreshProgress) { seen[p.Region] = true }); err != nil {
		t.Fatal(err)
	}
	windows := false
	for _, r := range e.ec2.Requests() {
		if r.Action == "DescribeSpotPriceHistory" && r.Region != demo.Region {
			t.Fatalf("refresh of %s asked %s for prices", demo.Region, r.Region)
		}
		for k, v := range r.Form {
			if strings.HasPrefix(k, "ProductDescription") && slices.Contains(v, market.Windows) {
				windows = true
			}
		}
	}
	if !windows {
		t.Error("the shown region's Windows history was not refreshed")
	}
	if e.ec2.Counts().ByAction["DescribeSpotPriceHistory"] == 0 || !seen[demo.Region] || len(seen) != 1 {
		t.Fatalf("refresh reported %v and made %d price requests", seen, e.ec2.Counts().ByAction["DescribeSpotPriceHistory"])
	}
	in, err := a.Store.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Regions) != 1 || in.Regions[0].Region != demo.Region || in.Regions[0].Records == 0 {
		t.Fatalf("after the refresh the cache holds %+v, want %s's prices only", in.Regions, demo.Region)
	}
}

// openApp opens the workspace a command in e would, at the demo's clock,
// for one region; it is closed when the test ends.
func (e *env) openApp(t *testing.T, region string, offline bool) *app {
	t.Helper()
	g := &globals{io: stdio{out: &bytes.Buffer{}, err: &bytes.Buffer{}, now: demo.End, getenv: func(k string) string { return e.getenv[k] }},
		regions: []string{region}, maxAge: "1h", offline: offline}
	a, err := g.open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}
