package recommend

import (
	"fmt"
	"math"
	"strings"
)

// analyticPlan is the set's whole workload against On-Demand from the model:
// On-Demand runs without interruptions for the work hours; spot pays the
// expected wall time. The replay fields are filled by Result.Replay.
func analyticPlan(set []Choice, p Profile) Plan {
	pl := Plan{Mode: p.Mode(), Runs: p.Runs, Seed: p.Seed}
	var od float64
	odKnown := true
	var pNone float64 = 1
	for _, c := range set {
		jobs := float64(c.Instances) / float64(max(1, c.nodes)) // coupled: one job of all nodes
		pl.Instances += c.Instances
		pl.WorkHours = math.Max(pl.WorkHours, c.WorkHours)
		pl.OnDemandHours = math.Max(pl.OnDemandHours, c.WorkHours)
		pl.ExpectedCost += jobs * c.ExpectedJobCost
		pl.PessimisticCost += jobs * c.PessimisticJobCost
		pl.ExpectedHours = math.Max(pl.ExpectedHours, c.ExpectedHours)
		pl.InterruptionsExpected += jobs * c.Interruptions
		pNone *= math.Pow(c.PNoInterruption, jobs)
		if c.OnDemand == nil || *c.OnDemand <= 0 {
			odKnown = false
			continue
		}
		od += float64(c.Instances) * *c.OnDemand * c.WorkHours
		pl.OnDemandEstimated = pl.OnDemandEstimated || c.OnDemandEstimated
	}
	if odKnown && len(set) > 0 {
		pl.OnDemandCost = &od
		if od > 0 {
			s := 1 - pl.ExpectedCost/od
			pl.Savings = &s
		}
	}
	if p.Mode() == ModeCoupled {
		pl.PNoInterruption = &pNone
	}
	return pl
}

// modeNotes say which unit of work the answer priced and what it assumed.
func modeNotes(r Result, p Profile) []string {
	var notes []string
	switch r.Mode {
	case ModeJob:
		notes = append(notes, fmt.Sprintf("job mode: each instance runs one %g h job; pools rank by the expected cost per job, so an instance is never credited for vCPUs, GPUs or memory the job does not use (--%s ranks a queue of vCPU- or GPU-hours)", p.Hours, FlagWork))
		notes = append(notes, "instances are assumed independent: one interruption stops one instance's job, not all of them")
	case ModeThroughput:
		notes = append(notes, fmt.Sprintf("throughput mode: %s of work drained by %d instance(s) at the rate of their %s; pools rank by the expected cost per %s of useful work",
			FormatWork(p.Work, p.WorkUnit), p.Count, strings.TrimSuffix(strings.ToLower(Unit(p)), "-hour")+"s", Unit(p)))
	case ModeCoupled:
		pn := 0.0
		if r.Plan.PNoInterruption != nil {
			pn = *r.Plan.PNoInterruption
		}
		notes = append(notes, fmt.Sprintf("coupled mode: one job on %d nodes at once; an interruption of any node stops all of them until it is replaced, so the job's rate is the sum of the nodes' rates; %.1f%% chance it runs through without an interruption",
			p.Nodes, 100*pn))
	}
	restart := "restart " + FormatDuration(p.Restart)
	if p.Restart == DefaultRestart {
		restart += " (the default: a replacement instance, boot and image pull, checkpoint load; --restart changes it)"
	}
	notes = append(notes, "each interruption costs the work since the last checkpoint (its exact expectation under a constant rate) plus the "+restart)
	var flips []string
	for _, c := range append(append([]Choice{}, r.Pools...), r.Alternatives...) {
		if c.RankFlips {
			flips = append(flips, c.InstanceType+" "+c.AvailabilityZone)
		}
	}
	sens := fmt.Sprintf("sensitivity: at %gx the bucket rates the set would cost $%.2f instead of $%.2f", SensitivityMultiple, r.Plan.PessimisticCost, r.Plan.ExpectedCost)
	if len(flips) > 0 {
		sens += "; these pools trade places at that rate (marked): " + strings.Join(flips, ", ")
	} else {
		sens += "; no listed pool changes places, the ranking is robust to it"
	}
	notes = append(notes, sens)
	if p.GPUs > 0 && len(p.GPUModels) == 0 {
		for _, c := range r.Pools {
			if c.GPUManufacturer != "" && !strings.EqualFold(c.GPUManufacturer, "NVIDIA") {
				notes = append(notes, fmt.Sprintf("%s has %s %s GPUs, which do not run CUDA; --%s (e.g. T4, A10G, L4) asks for NVIDIA models",
					c.InstanceType, c.GPUManufacturer, c.GPUName, FlagGPUModel))
				break
			}
		}
	}
	if !p.PreviousGen {
		notes = append(notes, fmt.Sprintf("current-generation types only (--%s allows older ones)", FlagPrevGen))
	}
	if p.Burstable {
		notes = append(notes, "burstable types allowed: a t-family instance under sustained load bills CPU credits beyond its baseline (unlimited mode) or throttles (standard mode)")
	} else {
		notes = append(notes, fmt.Sprintf("burstable (t-family) types excluded: they throttle or bill CPU credits under sustained load (--%s allows them)", FlagBurstable))
	}
	if r.Plan.OnDemandCost != nil {
		notes = append(notes, planLine(r.Plan))
	}
	return notes
}

// planLine is the plan in one line for the notes.
func planLine(pl Plan) string {
	est := ""
	if pl.OnDemandEstimated {
		est = " (estimate)"
	}
	od := "On-Demand unknown"
	if pl.OnDemandCost != nil {
		od = fmt.Sprintf("On-Demand%s $%.2f in %.4g h", est, *pl.OnDemandCost, pl.OnDemandHours)
	}
	line := fmt.Sprintf("plan: %s; spot expected $%.2f in %.4g h (p50 $%.2f / %.4g h, p95 $%.2f / %.4g h over %d replayed runs, seed %d)",
		od, pl.ExpectedCost, pl.ExpectedHours, pl.CostP50, pl.HoursP50, pl.CostP95, pl.HoursP95, pl.Runs, pl.Seed)
	if pl.Savings != nil {
		line += fmt.Sprintf("; savings %.0f%%%s", 100**pl.Savings, est)
	}
	return line
}

// signalNotes states, once per result, the missing signals and the rule used.
func signalNotes(set []Choice, p Profile) []string {
	var notes []string
	var unknownAdv, unknownPlace, unknownOD, estOD, twapBasis []string
	for _, c := range set {
		id := c.InstanceType + " " + c.AvailabilityZone
		if !c.Interruption.Known {
			unknownAdv = append(unknownAdv, id)
		}
		if c.PlacementScore == nil {
			unknownPlace = append(unknownPlace, id)
		}
		if c.OnDemand == nil {
			unknownOD = append(unknownOD, id)
		} else if c.OnDemandEstimated {
			estOD = append(estOD, id)
		}
		if c.PriceBasis == "twap" {
			twapBasis = append(twapBasis, id)
		}
	}
	if len(unknownAdv) > 0 {
		notes = append(notes, "interruption unknown (no advisor data), assumed the worst bucket >20%/month for: "+strings.Join(unknownAdv, ", "))
	}
	if len(unknownPlace) == len(set) {
		notes = append(notes, "placement scores unknown: no placement penalty applied")
	} else if len(unknownPlace) > 0 {
		notes = append(notes, "placement score unknown (no penalty) for: "+strings.Join(unknownPlace, ", "))
	}
	if len(unknownOD) > 0 {
		notes = append(notes, "On-Demand price unknown for: "+strings.Join(unknownOD, ", ")+"; the plan has no On-Demand comparison")
	}
	if len(estOD) > 0 {
		notes = append(notes, "On-Demand prices are estimates for: "+strings.Join(estOD, ", "))
	}
	if len(twapBasis) > 0 {
		notes = append(notes, "last price is 0.000000; priced at the window's twap for: "+strings.Join(twapBasis, ", "))
	}
	if p.Checkpoint == 0 {
		notes = append(notes, fmt.Sprintf("the job never checkpoints: an interruption restarts its %.4g h from zero", p.Hours))
	}
	return notes
}
