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
// workload and its unit, the plan against On-Demand, the set with each pool's
// share, why each pool is there, the alternatives and every fallback the
// numbers rest on.
func writeRecommendationTable(w io.Writer, r recommend.Result) error {
	p := r.Profile
	fmt.Fprintf(w, "Workload: %s, %s in %s (%s)\n", workloadWords(p), p.Product, r.Region, r.Architecture)
	fmt.Fprintf(w, "Mode: %s, ranked by expected cost per %s; %s candidate pools\n", r.Mode, r.Unit, strconv.Itoa(r.Candidates))
	writePlan(w, r)
	if len(r.Regions) > 1 {
		fmt.Fprintln(w, "\nRegions:")
		for _, l := range r.Regions {
			switch {
			case l.Note != "":
				fmt.Fprintf(w, "  %-15s %s\n", l.Region, l.Note)
			case l.Region == r.Region:
				fmt.Fprintf(w, "  %-15s $%.2f  best: %s (chosen)\n", l.Region, l.ExpectedCost, l.BestPool)
			default:
				fmt.Fprintf(w, "  %-15s $%.2f  best: %s, +%.1f%%\n", l.Region, l.ExpectedCost, l.BestPool, 100*l.VsBest)
			}
		}
	}
	fmt.Fprintln(w)
	gpu := p.GPUs > 0 || p.WorkUnit == recommend.WorkGPUHours
	head := "SHARE\tINSTANCE TYPE\tAZ\tAZ ID\tLAST\tINTERRUPT\tPL\tON-DEMAND\t$/VCPU-H"
	if gpu {
		head += "\tGPU\t$/GPU-H"
	}
	head += "\t$/JOB\t$/JOB@" + strconv.FormatFloat(r.SensitivityMultiple, 'g', -1, 64) + "x\tFLIP\tSCORE"
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, head)
	row := func(c recommend.Choice, share string) {
		flip := ""
		if c.RankFlips {
			flip = "*"
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%.4f\t%s\t%s\t%s\t%.5f", share, c.InstanceType, c.AvailabilityZone,
			dash(c.AvailabilityZoneID), c.Last, c.Interruption.Bucket, placementText(c.PlacementScore), onDemandText(c), c.ExpectedCostPerVCPUHour)
		if gpu {
			line += fmt.Sprintf("\t%dx %s %gG\t%.4f", c.GPUs, dash(c.GPUName), c.GPUMemoryGiB, c.ExpectedCostPerGPUHour)
		}
		line += fmt.Sprintf("\t%.3f\t%.3f\t%s\t%.5g", c.ExpectedJobCost, c.PessimisticJobCost, flip, c.Score)
		fmt.Fprintln(tw, line)
	}
	for _, c := range r.Pools {
		row(c, fmt.Sprintf("%d (%.0f%%)", c.Instances, c.Share*100))
	}
	tw.Flush()
	switch {
	case r.Mode == recommend.ModeCoupled:
		fmt.Fprintln(w, "Caps: none: a coupled job runs all its nodes in one pool")
	case !r.Caps.AZShareApplied:
		fmt.Fprintf(w, "Caps: at most %s per pool; no AZ cap (one instance or one AZ); +%.1f%% over the cheapest pool alone\n",
			plural(r.Caps.MaxPoolInstances, "instance"), 100*r.Caps.CostOverCheapest)
	default:
		fmt.Fprintf(w, "Caps: at most %.0f%% of the capacity per AZ, %s per pool; +%.1f%% over the cheapest pool alone\n",
			r.Caps.MaxAZShare*100, plural(r.Caps.MaxPoolInstances, "instance"), 100*r.Caps.CostOverCheapest)
	}

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
		fmt.Fprintln(tw, head)
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

// workloadWords is the profile in one phrase.
func workloadWords(p recommend.Profile) string {
	need := fmt.Sprintf(">= %d vCPU, >= %g GiB", p.VCPUs, p.MemoryGiB)
	if p.GPUs > 0 {
		need += fmt.Sprintf(", >= %d GPU", p.GPUs)
		if len(p.GPUModels) > 0 {
			need += " " + strings.Join(p.GPUModels, "/")
		}
		if p.GPUMemoryGiB > 0 {
			need += fmt.Sprintf(" with >= %g GiB", p.GPUMemoryGiB)
		}
	}
	ck := "never checkpoints"
	if p.Checkpoint > 0 {
		ck = "checkpoints every " + recommend.FormatDuration(p.Checkpoint)
	}
	restart := "restart " + recommend.FormatDuration(p.Restart)
	switch p.Mode() {
	case recommend.ModeThroughput:
		return fmt.Sprintf("%s of work on %d x (%s), %s, %s", recommend.FormatWork(p.Work, p.WorkUnit), p.Count, need, ck, restart)
	case recommend.ModeCoupled:
		return fmt.Sprintf("one %g h job on %d coupled nodes (%s), %s, %s", p.Hours, p.Nodes, need, ck, restart)
	}
	return fmt.Sprintf("%d x (%s), %g h jobs, %s, %s", p.Count, need, p.Hours, ck, restart)
}

// writePlan prints the plan against On-Demand: the answer to "what will it
// cost on spot, and how much later will it finish?".
func writePlan(w io.Writer, r recommend.Result) {
	pl := r.Plan
	fmt.Fprintln(w, "\nPlan (the whole workload):")
	if pl.OnDemandCost != nil {
		est := ""
		if pl.OnDemandEstimated {
			est = " (estimate)"
		}
		fmt.Fprintf(w, "  On-Demand%s:  $%.2f, done in %.4g h\n", est, *pl.OnDemandCost, pl.OnDemandHours)
	} else {
		fmt.Fprintf(w, "  On-Demand:  unknown (no On-Demand price for the set), done in %.4g h\n", pl.OnDemandHours)
	}
	fmt.Fprintf(w, "  Spot:       $%.2f expected, done in %.4g h expected; %.3g interruptions expected\n", pl.ExpectedCost, pl.ExpectedHours, pl.InterruptionsExpected)
	fmt.Fprintf(w, "  Replay:     cost p50 $%.2f, p95 $%.2f; done p50 %.4g h, p95 %.4g h (%d runs, seed %d)\n", pl.CostP50, pl.CostP95, pl.HoursP50, pl.HoursP95, pl.Runs, pl.Seed)
	fmt.Fprintf(w, "  At %gx the interruption rates: $%.2f\n", r.SensitivityMultiple, pl.PessimisticCost)
	if pl.PNoInterruption != nil {
		fmt.Fprintf(w, "  Chance of no interruption: %.1f%%\n", 100**pl.PNoInterruption)
	}
	if pl.Savings != nil {
		est := ""
		if pl.OnDemandEstimated {
			est = " against the estimate"
		}
		fmt.Fprintf(w, "  Savings:    %.0f%%%s\n", 100**pl.Savings, est)
	}
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
		return fmt.Sprintf("~%.4f est", *c.OnDemand)
	}
	return fmt.Sprintf("%.4f", *c.OnDemand)
}
