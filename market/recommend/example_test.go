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
	"github.com/spotscope/spotscope/market/ondemand"
	"github.com/spotscope/spotscope/market/recommend"
)

var updateExample = flag.Bool("update-example", false, "rewrite testdata/worked-example.txt from the demo data")

// demoSources turns the embedded demo data (sa-east-1, Apr-Jun 2020) and the
// embedded advisor snapshot into a recommend.Memory, the way the CLI does
// over the cache: On-Demand prices are the same labelled estimates (the
// median spot price over the AZs / (1 - the advisor's savings), at the
// family's median rate per vCPU), and the price paths feed the replay.
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
	m.Paths = map[market.Pool][]market.Point{}
	lastByType := map[string][]float64{}
	for pool, pts := range series {
		sort.Slice(pts, func(i, j int) bool { return pts[i].Time.Before(pts[j].Time) })
		st, ok := market.ComputeStats(pts, start, end)
		if !ok {
			continue
		}
		m.Stats[pool.Region] = append(m.Stats[pool.Region], recommend.PoolStats{Pool: pool, AZID: ids[pool.AvailabilityZone], Stats: st})
		m.Paths[pool] = pts
		if pool.Product == market.LinuxUNIX && st.Last > 0 {
			lastByType[pool.InstanceType] = append(lastByType[pool.InstanceType], st.Last)
		}
		if e := adv.Lookup(pool.Region, advisor.OSOf(pool.Product), pool.InstanceType); e.Known {
			m.Adv[recommend.Key(pool.Region, pool.Product, pool.InstanceType)] = e
		}
	}
	raw := map[string]float64{}
	for typ, prices := range lastByType {
		sort.Float64s(prices)
		med := prices[len(prices)/2]
		if len(prices)%2 == 0 {
			med = (prices[len(prices)/2-1] + prices[len(prices)/2]) / 2
		}
		if sv, ok := adv.Savings(demo.Region, "Linux", typ); ok && sv < 100 {
			raw[typ] = ondemand.EstimateFromSpot(med, sv)
		}
	}
	for typ, usd := range ondemand.MonotoneInSize(raw, demo.Catalog()) {
		m.OD[recommend.Key(demo.Region, market.LinuxUNIX, typ)] = recommend.OnDemand{Price: usd, Estimated: true, Known: true}
	}
	return m, end
}

func workedExample(t *testing.T) string {
	src, end := demoSources(recommend.DefaultWindow)
	var b strings.Builder
	for _, p := range []recommend.Profile{
		{Name: "batch-8h", VCPUs: 4, MemoryGiB: 16, Arch: "x86_64", Count: 10, Hours: 8, Checkpoint: 30 * time.Minute, Restart: 5 * time.Minute, Regions: []string{demo.Region}},
		{Name: "batch-8h-no-checkpoint", VCPUs: 4, MemoryGiB: 16, Arch: "x86_64", Count: 10, Hours: 8, Restart: 5 * time.Minute, Regions: []string{demo.Region}},
		{Name: "gpu-training", GPUs: 1, Nodes: 4, Hours: 48, Checkpoint: 30 * time.Minute, Restart: 15 * time.Minute, Regions: []string{demo.Region}},
	} {
		res, err := recommend.Run(t.Context(), src, p, end, recommend.Options{Alternatives: 5})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "## profile %s (window ends %s, %d candidate pools, mode %s, architecture %s)\n\n", p.Name, end.Format(time.RFC3339), res.Candidates, res.Mode, res.Architecture)
		fmt.Fprintf(&b, "expected total cost: $%.4f\n\n", res.ExpectedTotalCost)
		pl := res.Plan
		fmt.Fprintf(&b, "plan: %d instances, %g h of work; On-Demand (estimate) $%.2f in %g h; spot expected $%.2f in %.3f h; replay p50 $%.2f / %.3f h, p95 $%.2f / %.3f h (%d runs, seed %d); %.4f interruptions expected; at %gx the rate $%.2f",
			pl.Instances, pl.WorkHours, *pl.OnDemandCost, pl.OnDemandHours, pl.ExpectedCost, pl.ExpectedHours, pl.CostP50, pl.HoursP50, pl.CostP95, pl.HoursP95,
			pl.Runs, pl.Seed, pl.InterruptionsExpected, res.SensitivityMultiple, pl.PessimisticCost)
		if pl.PNoInterruption != nil {
			fmt.Fprintf(&b, "; no interruption %.2f%%", 100**pl.PNoInterruption)
		}
		fmt.Fprintf(&b, "; savings %.1f%%\n\n", 100**pl.Savings)
		for _, set := range []struct {
			title string
			cs    []recommend.Choice
		}{{"set", res.Pools}, {"alternatives", res.Alternatives}} {
			fmt.Fprintf(&b, "### %s\n\n", set.title)
			for _, c := range set.cs {
				fmt.Fprintf(&b, "%s %s (%s) x%d share %.2f: last $%.6f twap $%.6f cv %.4f p95 $%.6f, %s -> lambda %.6f/h, E %.4f h, $%.6f/vCPU-h, job $%.4f (at 3x $%.4f), OD est $%.4f, score %.6f, rank %d/%d%s\n",
					c.InstanceType, c.AvailabilityZone, c.AvailabilityZoneID, c.Instances, c.Share, c.Last, c.TWAP, c.CV, c.P95,
					c.Interruption.Bucket, c.Interruption.HourlyRate, c.ExpectedHours, c.ExpectedCostPerVCPUHour, c.ExpectedJobCost, c.PessimisticJobCost,
					*c.OnDemand, c.Score, c.Rank, c.RankPessimistic, map[bool]string{true: " FLIPS", false: ""}[c.RankFlips])
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
