package recommend_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/recommend"
)

var updateExample = flag.Bool("update-example", false, "rewrite testdata/worked-example.txt from the demo data")

// demoSources turns the embedded demo data (sa-east-1, Apr-Jun 2020) and the
// embedded advisor snapshot into a recommend.Memory, the way the CLI does
// over the cache. On-Demand prices are left unknown: the advisor's savings
// are from 2025 and would mis-estimate a 2020 On-Demand price.
func demoSources(window time.Duration) (*recommend.Memory, time.Time) {
	end := demo.End()
	start := end.Add(-window)
	series := map[market.Pool][]market.Point{}
	for _, r := range demo.AllRecords() {
		series[r.Pool] = append(series[r.Pool], market.Point{Time: r.Time, Price: r.Price})
	}
	ids := map[string]string{}
	for _, z := range demo.Zones() {
		ids[z.Name] = z.ID
	}
	m := &recommend.Memory{
		Catalog: map[string][]market.InstanceType{demo.Region: demo.Catalog()},
		Stats:   map[string][]recommend.PoolStats{},
		Adv:     map[string]advisor.Entry{},
		OD:      map[string]recommend.OnDemand{},
	}
	adv := advisor.Embedded()
	for pool, pts := range series {
		sort.Slice(pts, func(i, j int) bool { return pts[i].Time.Before(pts[j].Time) })
		st, ok := market.ComputeStats(pts, start, end)
		if !ok {
			continue
		}
		m.Stats[pool.Region] = append(m.Stats[pool.Region], recommend.PoolStats{Pool: pool, AZID: ids[pool.AvailabilityZone], Stats: st})
		if e := adv.Lookup(pool.Region, advisor.OSOf(pool.Product), pool.InstanceType); e.Known {
			m.Adv[recommend.Key(pool.Region, pool.Product, pool.InstanceType)] = e
		}
	}
	return m, end
}

func workedExample(t *testing.T) string {
	src, end := demoSources(recommend.DefaultWindow)
	var b strings.Builder
	for _, p := range []recommend.Profile{
		{Name: "batch-8h", VCPUs: 4, MemoryGiB: 16, Arch: "x86_64", Count: 10, Hours: 8, Checkpoint: 30 * time.Minute, Restart: 5 * time.Minute, Regions: []string{demo.Region}},
		{Name: "batch-8h-no-checkpoint", VCPUs: 4, MemoryGiB: 16, Arch: "x86_64", Count: 10, Hours: 8, Restart: 5 * time.Minute, Regions: []string{demo.Region}},
	} {
		cs, err := recommend.Build(t.Context(), src, p, end)
		if err != nil {
			t.Fatal(err)
		}
		res, err := recommend.Recommend(cs, p, recommend.Options{Alternatives: 5})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "## profile %s (window ends %s, %d candidate pools)\n\n", p.Name, end.Format(time.RFC3339), res.Candidates)
		fmt.Fprintf(&b, "expected total cost for %d instance-jobs: $%.4f\n\n", res.Profile.Count, res.ExpectedTotalCost)
		for _, set := range []struct {
			title string
			cs    []recommend.Choice
		}{{"set", res.Pools}, {"alternatives", res.Alternatives}} {
			fmt.Fprintf(&b, "### %s\n\n", set.title)
			for _, c := range set.cs {
				fmt.Fprintf(&b, "%s %s (%s) x%d share %.2f: last $%.6f twap $%.6f cv %.4f p95 $%.6f, %s -> lambda %.6f/h, E %.4f h, $%.6f/vCPU-h, job $%.4f, score %.6f\n",
					c.InstanceType, c.AvailabilityZone, c.AvailabilityZoneID, c.Instances, c.Share, c.Last, c.TWAP, c.CV, c.P95,
					c.Interruption.Bucket, c.Interruption.HourlyRate, c.ExpectedHours, c.ExpectedCostPerVCPUHour, c.ExpectedJobCost, c.Score)
				if set.title == "set" {
					for _, r := range c.Reasons {
						fmt.Fprintf(&b, "  - %s: %s => %s (weight %.4f)\n", r.Factor, r.Value, r.Effect, r.Weight)
					}
				}
			}
			b.WriteString("\n")
		}
		b.WriteString("### notes\n\n")
		for _, n := range res.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestWorkedExample keeps docs/recommendations.md's worked example real: the
// numbers there are copied from testdata/worked-example.txt, which this test
// regenerates from the demo data with -update-example.
func TestWorkedExample(t *testing.T) {
	got := workedExample(t)
	path := filepath.Join("testdata", "worked-example.txt")
	if *updateExample {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal([]byte(got), want) {
		t.Errorf("worked example changed; rerun with -update-example and update docs/recommendations.md:\n%s", got)
	}
}
