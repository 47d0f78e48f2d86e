package workspace

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/demo"
)

func openDemo(t *testing.T) *Workspace {
	t.Helper()
	w, err := Open(context.Background(), Options{Dir: t.TempDir(), Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestDemoAnswers(t *testing.T) {
	ctx := context.Background()
	w := openDemo(t)
	if !w.Demo || !w.Offline || len(w.Regions) != 1 || w.Regions[0] != demo.Region {
		t.Fatalf("demo workspace: demo=%v offline=%v regions=%v", w.Demo, w.Offline, w.Regions)
	}
	sel, err := Select([]string{"c5.large"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	prices, err := w.Prices(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	if len(prices) == 0 {
		t.Fatal("no demo prices for c5.large")
	}
	for i, p := range prices {
		if p.InstanceType != "c5.large" || p.Product != market.LinuxUNIX {
			t.Errorf("row %d is %v, want c5.large Linux/UNIX", i, p.Pool)
		}
		if i > 0 && p.Price < prices[i-1].Price {
			t.Errorf("prices not cheapest first at row %d", i)
		}
	}

	ans, err := w.Stats(ctx, StatsQuery{Selection: sel, Window: 7 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.WindowEnd.Equal(demo.End()) || !ans.WindowStart.Equal(demo.End().Add(-7*24*time.Hour)) {
		t.Errorf("window [%v, %v], want the 7 days before the demo's end %v", ans.WindowStart, ans.WindowEnd, demo.End())
	}
	if len(ans.Pools) != len(prices) {
		t.Errorf("stats for %d pools, prices for %d", len(ans.Pools), len(prices))
	}

	hist, err := w.History(ctx, HistoryQuery{Type: "c5.large", Start: demo.End().Add(-48 * time.Hour), End: demo.End()})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != len(prices) {
		t.Fatalf("history of %d pools, want %d", len(hist), len(prices))
	}
	for _, s := range hist {
		if len(s.Points) == 0 {
			t.Errorf("%v: no points", s.Pool)
		}
	}
}

func TestBadInput(t *testing.T) {
	w := openDemo(t)
	ctx := context.Background()
	cases := map[string]func() error{
		"unknown product": func() error { _, err := Select(nil, []string{"BeOS"}); return err },
		"bad glob":        func() error { _, err := Select([]string{"m5.[large"}, nil); return err },
		"zero window": func() error {
			_, err := w.Stats(ctx, StatsQuery{Selection: Selection{Products: []string{market.LinuxUNIX}}})
			return err
		},
		"empty history window": func() error {
			_, err := w.History(ctx, HistoryQuery{Type: "c5.large", Start: demo.End(), End: demo.End()})
			return err
		},
	}
	for name, f := range cases {
		err := f()
		if err == nil || !IsBadInput(err) {
			t.Errorf("%s: got %v, want a BadInput", name, err)
		}
	}
	if IsBadInput(errors.New("disk full")) {
		t.Error("a plain error counts as bad input")
	}
}

func TestCovered(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Options{Dir: t.TempDir(), Regions: []string{"us-east-1"}, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	for _, iv := range []market.Interval{{Start: h(0), End: h(10)}, {Start: h(12), End: h(20)}} {
		if err := w.Store.AddCoverage(ctx, "us-east-1", market.LinuxUNIX, "*", iv); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		from, to int
		want     bool
	}{{0, 10, true}, {2, 8, true}, {0, 11, false}, {12, 20, true}, {9, 13, false}, {20, 21, false}} {
		got, err := w.Covered(ctx, "us-east-1", market.LinuxUNIX, "*", h(c.from), h(c.to))
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("covered [%d, %d] = %v, want %v", c.from, c.to, got, c.want)
		}
	}
}

// A read over AWS's whole retention is covered by a fetch of it: the check
// starts where the fetcher clamps (awsapi.OldestFetchable), so it never sees
// a gap at the start that no fetch could fill, and never calls AWS for it.
func TestRefreshCoveredToTheRetention(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", dir+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/none")
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	w, err := Open(ctx, Options{Dir: dir, Regions: []string{"us-east-1"}, MaxAge: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Store.AddCoverage(ctx, "us-east-1", market.LinuxUNIX, "*", market.Interval{Start: awsapi.OldestFetchable(now), End: now}); err != nil {
		t.Fatal(err)
	}
	if err := w.Refresh(ctx, nil, []string{market.LinuxUNIX}, awsapi.MaxDays); err != nil {
		t.Fatalf("a read of the whole retention tried to fetch: %v", err)
	}
	// A product never fetched does need AWS.
	if err := w.Refresh(ctx, nil, []string{market.LinuxUNIX, market.Windows}, 1); err == nil {
		t.Fatal("an uncovered product was taken as covered")
	}
}

// The recommender's sources come from the workspace for every front end;
// offline, a request for placement scores is a note, never an AWS call.
func TestRecommendSourcesOffline(t *testing.T) {
	var notes strings.Builder
	w, err := Open(context.Background(), Options{Dir: t.TempDir(), Demo: true, Notes: &notes})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	s := w.RecommendSources(context.Background(), demo.Region)
	if s.Store != w.Store || s.Advice == nil || s.Prices != nil {
		t.Fatalf("sources: store shared %v, advice %v, prices %v (offline: estimates only)", s.Store == w.Store, s.Advice != nil, s.Prices)
	}
	if !strings.Contains(notes.String(), "--placement-scores needs AWS") {
		t.Fatalf("no note for placement scores offline: %q", notes.String())
	}
}
