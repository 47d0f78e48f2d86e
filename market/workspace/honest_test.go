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

// staleCache is a workspace whose cache was filled two months before its
// clock: the last 20 days of the demo's c5.large records, covered.
func staleCache(t *testing.T) (*Workspace, time.Time) {
	t.Helper()
	ctx := context.Background()
	covEnd := demo.End()
	w, err := Open(ctx, Options{Dir: t.TempDir(), Offline: true, Regions: []string{demo.Region},
		Now: func() time.Time { return covEnd.Add(60 * 24 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	var recs []market.Record
	for _, r := range demo.AllRecords() {
		if r.InstanceType == "c5.large" && r.Product == market.LinuxUNIX && r.Time.After(covEnd.Add(-20*24*time.Hour)) {
			recs = append(recs, r)
		}
	}
	if _, err := w.Store.AddRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Store.AddCoverage(ctx, demo.Region, market.LinuxUNIX, "c5.large", market.Interval{Start: covEnd.Add(-20 * 24 * time.Hour), End: covEnd}); err != nil {
		t.Fatal(err)
	}
	if err := w.Store.PutZones(ctx, demo.Region, demo.Zones(), covEnd); err != nil {
		t.Fatal(err)
	}
	return w, covEnd
}

func TestStatsWindowEndsAtNewestCoverage(t *testing.T) {
	ctx := context.Background()
	w, covEnd := staleCache(t)
	sel, err := Select([]string{"c5.large"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	week := 7 * 24 * time.Hour
	tests := []struct {
		name    string
		at      time.Time
		wantEnd time.Time
		pools   int
		unknown int
	}{
		{"no --at: the newest covered time, not the clock", time.Time{}, covEnd, 3, 0},
		{"--at inside coverage", covEnd.Add(-3 * 24 * time.Hour), covEnd.Add(-3 * 24 * time.Hour), 3, 0},
		{"--at past coverage: nothing is known there", covEnd.Add(30 * 24 * time.Hour), covEnd.Add(30 * 24 * time.Hour), 0, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans, err := w.Stats(ctx, StatsQuery{Selection: sel, Window: week, At: tc.at})
			if err != nil {
				t.Fatal(err)
			}
			if !ans.WindowEnd.Equal(tc.wantEnd) || !ans.WindowStart.Equal(tc.wantEnd.Add(-week)) {
				t.Errorf("window [%v, %v], want it to end at %v", ans.WindowStart, ans.WindowEnd, tc.wantEnd)
			}
			if !ans.AsOf.Equal(w.Now()) {
				t.Errorf("as of %v, want the clock %v", ans.AsOf, w.Now())
			}
			if len(ans.Pools) != tc.pools || ans.Unknown != tc.unknown {
				t.Errorf("%d pools, %d unknown; want %d and %d", len(ans.Pools), ans.Unknown, tc.pools, tc.unknown)
			}
			for _, s := range ans.Pools {
				if s.Stats.GapHours != 0 || s.Stats.CoveredHours != week.Hours() {
					t.Errorf("%v: covered %v, gap %v; want the whole week covered", s.Pool, s.Stats.CoveredHours, s.Stats.GapHours)
				}
			}
		})
	}
}

func TestBadInputNamesTheClosest(t *testing.T) {
	ctx := context.Background()
	w := openDemo(t)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"type", w.CheckTypes(ctx, []string{"m5.lareg"}), "--type m5.lareg: no such instance type in sa-east-1 (the demo's region); did you mean m5.large?"},
		{"glob", w.CheckTypes(ctx, []string{"c5.*", "x9*"}), "--type x9*: matches no instance type"},
		{"zone", w.CheckZone(ctx, "sa-east-1x"), "--az sa-east-1x: no such availability zone in sa-east-1 (the demo's region); did you mean sa-east-1a, sa-east-1b or sa-east-1c?"},
		{"known type", w.CheckTypes(ctx, []string{"c5.large", "m5.*"}), ""},
		{"known zone", w.CheckZone(ctx, "sa-east-1b"), ""},
	}
	for _, tc := range tests {
		got := ""
		if tc.err != nil {
			got = tc.err.Error()
			if !IsBadInput(tc.err) {
				t.Errorf("%s: %v is not BadInput", tc.name, tc.err)
			}
		}
		if !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// An empty cache knows no names: it cannot judge, so it lets the
	// question through (the answer will say it is empty).
	empty, err := Open(ctx, Options{Dir: t.TempDir(), Offline: true, Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if err := empty.CheckTypes(ctx, []string{"m5.lareg"}); err != nil {
		t.Errorf("empty cache judged a type: %v", err)
	}

	if _, err := Open(ctx, Options{Dir: t.TempDir(), Demo: true, Regions: []string{"us-east-1"}}); err == nil ||
		!IsBadInput(err) || !strings.Contains(err.Error(), "the demo has recorded data for sa-east-1 only") {
		t.Errorf("demo with us-east-1: %v", err)
	}
	ps, err := Products([]string{"windows", "red hat enterprise linux"})
	if err != nil || ps[0] != market.Windows || ps[1] != market.RHEL {
		t.Errorf("Products ignoring case = %v, %v", ps, err)
	}
}

func TestEmptySaysWhetherAFetchRan(t *testing.T) {
	tests := []struct {
		name    string
		w       *Workspace
		want    string
		notWant string
	}{
		{"fetch came back empty", &Workspace{Regions: []string{"us-east-1"}, lastFetch: &FetchRun{Summary: awsapi.Summary{Pages: 3}}},
			"a fetch just ran and AWS returned no price records", "fetch first"},
		{"fetch failed", &Workspace{Regions: []string{"us-east-1"}, lastFetch: &FetchRun{Err: errors.New("no credentials")}},
			"the fetch from AWS failed (no credentials)", "fetch first"},
		{"fetched but none match", &Workspace{Regions: []string{"us-east-1"}, lastFetch: &FetchRun{Summary: awsapi.Summary{Records: 12}}},
			"a fetch just ran (12 records) but none match", "fetch first"},
		{"offline", &Workspace{Regions: []string{"us-east-1"}, Offline: true}, "fetch first: spotscope fetch --region us-east-1", ""},
		{"demo", &Workspace{Regions: []string{demo.Region}, Demo: true, Offline: true}, "in the demo data (sa-east-1, 2019-12-31 to 2020-06-23)", "fetch first"},
		{"fresh cache", &Workspace{Regions: []string{"us-east-1"}}, "fetched within --max-age", "fetch first"},
	}
	for _, tc := range tests {
		got := tc.w.Empty("prices")
		if !strings.Contains(got, tc.want) || (tc.notWant != "" && strings.Contains(got, tc.notWant)) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
