package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spotscope/spotscope/market/recommend"
)

// writeRecommendationTable is the human reading of a recommendation: the
// set with each pool's share, why each pool is there, the alternatives and
// every fallback the numbers rest on.
func writeRecommendationTable(w io.Writer, r recommend.Result) error {
	p := r.Profile
	ck := "never checkpoints"
	if p.Checkpoint > 0 {
		ck = "checkpoints every " + recommend.FormatDuration(p.Checkpoint)
	}
	fmt.Fprintf(w, "Workload: %d x (>= %d vCPU, >= %g GiB", p.Count, p.VCPUs, p.MemoryGiB)
	if p.GPUs > 0 {
		fmt.Fprintf(w, ", >= %d GPU", p.GPUs)
	}
	restart := "no restart time"
	if p.Restart > 0 {
		restart = "restart " + recommend.FormatDuration(p.Restart)
	}
	fmt.Fprintf(w, "), %g h jobs, %s, %s, %s in %s\n", p.Hours, ck, restart, p.Product, r.Region)
	fmt.Fprintf(w, "Expected cost of %s: $%.2f (%s)\n\n", plural(p.Count, "job"), r.ExpectedTotalCost, plural(r.Candidates, "candidate pool"))

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SHARE\tINSTANCE TYPE\tAZ\tAZ ID\tLAST\tTWAP\tCV\tINTERRUPT\tSCORE(PL)\tON-DEMAND\t$/VCPU-H\t$/JOB\tRANK")
	row := func(c recommend.Choice, share string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.4f\t%.4f\t%.3f\t%s\t%s\t%s\t%.5f\t%.3f\t%.5f\n", share, c.InstanceType, c.AvailabilityZone,
			dash(c.AvailabilityZoneID), c.Last, c.TWAP, c.CV, c.Interruption.Bucket, placementText(c.PlacementScore), onDemandText(c),
			c.ExpectedCostPerVCPUHour, c.ExpectedJobCost, c.Score)
	}
	for _, c := range r.Pools {
		row(c, fmt.Sprintf("%d (%.0f%%)", c.Instances, c.Share*100))
	}
	tw.Flush()

	fmt.Fprintln(w, "\nWhy:")
	for _, c := range r.Pools {
		fmt.Fprintf(w, "  %s %s\n", c.InstanceType, c.AvailabilityZone)
		for _, rs := range c.Reasons {
			weight := ""
			if rs.Weight > 0 {
				weight = fmt.Sprintf(" [%.0f%% of score]", rs.Weight*100)
			}
			fmt.Fprintf(w, "    - %-12s %s -> %s%s\n", rs.Factor, rs.Value, rs.Effect, weight)
		}
	}
	if len(r.Alternatives) > 0 {
		fmt.Fprintln(w, "\nAlternatives:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\tINSTANCE TYPE\tAZ\tAZ ID\tLAST\tTWAP\tCV\tINTERRUPT\tSCORE(PL)\tON-DEMAND\t$/VCPU-H\t$/JOB\tRANK")
		for i, c := range r.Alternatives {
			row(c, strconv.Itoa(i+1)+".")
		}
		tw.Flush()
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  - %s\n", strings.TrimSpace(n))
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func placementText(s *int) string {
	if s == nil {
		return "?"
	}
	return strconv.Itoa(*s)
}

func onDemandText(c recommend.Choice) string {
	if c.OnDemand == nil {
		return "?"
	}
	if c.OnDemandEstimated {
		return fmt.Sprintf("~%.4f", *c.OnDemand)
	}
	return fmt.Sprintf("%.4f", *c.OnDemand)
}
