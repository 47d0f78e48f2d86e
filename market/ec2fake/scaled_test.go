package ec2fake

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
)

func TestScaledData(t *testing.T) {
	const days = 30
	d := ScaledData("us-east-1", 6, 2.27, days)
	if len(d.Zones) != 6 || d.Zones[5].Name != "us-east-1f" || d.Zones[5].ID != "use1-az6" {
		t.Fatalf("zones %v", d.Zones)
	}
	start := demo.End().Add(-days * 24 * time.Hour)
	series := map[market.Pool][]market.Record{}
	inWindow := 0
	for _, r := range d.Records {
		if r.Region != "us-east-1" || r.Time.After(demo.End()) {
			t.Fatalf("record outside the region or after the end: %+v", r)
		}
		series[r.Pool] = append(series[r.Pool], r)
		if r.Time.After(start) {
			inWindow++
		}
	}
	// Scaled like us-east-1: the month there is 319 pages.
	if inWindow < 300_000 || inWindow > 330_000 {
		t.Errorf("%d records in the window, want about 319,000", inWindow)
	}
	fingerprint := map[market.Pool]string{}
	for p, rs := range series {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Time.Before(rs[j].Time) })
		if len(rs) > 1 && !rs[1].Time.After(start) {
			t.Fatalf("%v: more than the in-effect record before the window", p)
		}
		var steps []string
		for _, r := range rs {
			steps = append(steps, fmt.Sprint(r.Time.Sub(start), r.Price))
		}
		fingerprint[p] = fmt.Sprint(steps)
	}
	// us-east-1a and us-east-1d both come from sa-east-1a, 20 days apart:
	// the same pool there is another stretch of the real series. (Real
	// zones do share series: AWS often publishes one price for all the
	// zones of a region at once.)
	busy, differ := 0, 0
	for p, fp := range fingerprint {
		if p.AvailabilityZone != "us-east-1a" || len(series[p]) < 20 {
			continue
		}
		busy++
		q := p
		q.AvailabilityZone = "us-east-1d"
		if fingerprint[q] != fp {
			differ++
		}
	}
	if busy < 200 || differ < busy*9/10 {
		t.Errorf("%d of %d busy pools of us-east-1a differ from us-east-1d", differ, busy)
	}
	t.Logf("%d records (%d in the window), %d pools", len(d.Records), inWindow, len(series))
}
