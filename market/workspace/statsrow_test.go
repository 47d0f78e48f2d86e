package workspace

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
)

// A row carries the pool's statistics, its coverage and the answer's
// window and as-of time under the names the CLI and MCP write.
func TestStatsRow(t *testing.T) {
	end := time.Date(2020, 6, 23, 0, 4, 24, 0, time.FixedZone("BRT", -3*3600))
	ans := StatsAnswer{WindowStart: end.Add(-7 * 24 * time.Hour), WindowEnd: end, AsOf: end.Add(time.Hour)}
	s := explore.Summary{
		Pool:               market.Pool{Region: "sa-east-1", AvailabilityZone: "sa-east-1a", InstanceType: "c5.large", Product: market.LinuxUNIX},
		AvailabilityZoneID: "sae1-az1",
		Stats:              market.Stats{Last: 0.05, TWAP: 0.04, StdDev: 0.01, CV: 0.25, Min: 0.03, Max: 0.06, P50: 0.04, P95: 0.055, Changes: 3, ChangesPerDay: 0.5, MaxJump: 0.2, CoveredHours: 144, GapHours: 24},
	}
	r := ans.Row(s)
	want := StatsRow{"sa-east-1", "sa-east-1a", "sae1-az1", "c5.large", market.LinuxUNIX, 0.05, 0.04, 0.01, 0.25, 0.03, 0.06, 0.04, 0.055, 3, 0.5, 0.2, 144, 24,
		"2020-06-16T03:04:24Z", "2020-06-23T03:04:24Z", "2020-06-23T04:04:24Z"}
	if r != want {
		t.Errorf("row\n got %+v\nwant %+v", r, want)
	}
	raw, _ := json.Marshal(r)
	for _, k := range []string{`"gap_hours":24`, `"covered_hours":144`, `"window_start":"2020-06-16T03:04:24Z"`, `"as_of":"2020-06-23T04:04:24Z"`, `"availability_zone_id":"sae1-az1"`} {
		if !strings.Contains(string(raw), k) {
			t.Errorf("JSON %s lacks %s", raw, k)
		}
	}
	if RFC3339(time.Time{}) != "" {
		t.Error("the zero time is not empty")
	}
}

// Regions named per question get the CLI's checks: the closest names for a
// typo, and the demo's one region.
func TestCheckRegions(t *testing.T) {
	live := &Workspace{Regions: []string{"us-east-1"}}
	demoWS := &Workspace{Regions: []string{"sa-east-1"}, Demo: true}
	for _, tc := range []struct {
		w       *Workspace
		regions []string
		want    string // "" = accepted
	}{
		{live, nil, ""},
		{live, []string{"us-east-1", "eu-west-1"}, ""},
		{live, []string{"us-est-1"}, "--region us-est-1: no such region; did you mean us-east-1"},
		{live, []string{"mars-1"}, "--region mars-1: no such region (want a region name such as us-east-1)"},
		{demoWS, []string{"sa-east-1"}, ""},
		{demoWS, []string{"us-east-1"}, "--region us-east-1: the demo has recorded data for sa-east-1 only"},
	} {
		err := tc.w.CheckRegions(tc.regions)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: refused: %v", tc.regions, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !IsBadInput(err)):
			t.Errorf("%v: %v; want bad input %q", tc.regions, err, tc.want)
		}
	}
}
