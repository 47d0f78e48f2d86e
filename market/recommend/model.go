package recommend

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
)

// HoursPerMonth converts the advisor's monthly frequency to a rate: AWS bills
// a month as 730 hours.
const HoursPerMonth = 730.0

// bucketFrequency is the monthly interruption frequency the model uses for each
// advisor bucket: the bucket's midpoint. The last bucket (">20%") has no upper
// bound; 30% is the midpoint of 20-40%, a deliberately pessimistic reading.
var bucketFrequency = []float64{0.025, 0.075, 0.125, 0.175, 0.30}

// UnknownBucket is the bucket assumed when the advisor has no row: the worst,
// so a pool nobody measured never looks safer than one known to be risky.
const UnknownBucket = 4

// Penalty weights. They are deliberately small next to the cost itself: price
// volatility is a weak predictor of interruption (anchors §3.9), so it only
// breaks near-ties, while a low placement score (AWS's own capacity signal)
// can move a pool down by up to 45%.
const (
	WeightCV        = 0.5  // per unit of coefficient of variation
	WeightP95       = 0.5  // per unit of p95/twap - 1
	WeightPlacement = 0.05 // per placement-score point below 10
)

// MonthlyFrequency is the fraction of instances interrupted per month that the
// model reads from an advisor entry, and in words how it got there.
func MonthlyFrequency(e advisor.Entry) (f float64, known bool, basis string) {
	if !e.Known || e.Bucket < 0 || e.Bucket >= len(bucketFrequency) {
		return bucketFrequency[UnknownBucket], false, "advisor has no data: assumed the worst bucket (>20%, 30%/month)"
	}
	f = bucketFrequency[e.Bucket]
	return f, true, fmt.Sprintf("advisor bucket %s: midpoint %.1f%%/month", e.Label, f*100)
}

// HourlyRate turns a monthly interruption probability f into the hazard of a
// Poisson process with the same probability of at least one interruption in
// 730 hours: 1 - exp(-lambda*730) = f.
func HourlyRate(f float64) float64 {
	if f <= 0 {
		return 0
	}
	if f >= 1 {
		return math.Inf(1)
	}
	return -math.Log1p(-f) / HoursPerMonth
}

// segmentHours is the expected wall time to finish t hours of work that must
// run uninterrupted, under interruptions at rate lambda, each followed by r
// hours of restart before the segment starts again from zero:
// E = (1/lambda + r) * (exp(lambda*t) - 1). See docs/recommendations.md.
func segmentHours(lambda, t, r float64) float64 {
	if t <= 0 {
		return 0
	}
	if lambda <= 0 {
		return t
	}
	em1 := math.Expm1(lambda * t)
	return em1/lambda + r*em1
}

// ExpectedHours is the expected wall time to finish a job of T hours that
// checkpoints every c hours (c <= 0 or c >= T: never), restarting from the
// last checkpoint after r hours when interrupted at rate lambda. The job is
// floor(T/c) segments of c hours plus a remainder, each an independent
// segmentHours because an interruption only loses the current segment.
func ExpectedHours(lambda, T, c, r float64) float64 {
	if T <= 0 {
		return 0
	}
	if c <= 0 || c >= T {
		return segmentHours(lambda, T, r)
	}
	n := math.Floor(T / c)
	rest := T - n*c
	return n*segmentHours(lambda, c, r) + segmentHours(lambda, rest, r)
}

// segmentInterruptions is the expected number of interruptions before a
// segment of t hours runs through: failed attempts of a geometric trial with
// success probability exp(-lambda*t), so exp(lambda*t) - 1.
func segmentInterruptions(lambda, t float64) float64 {
	if t <= 0 || lambda <= 0 {
		return 0
	}
	return math.Expm1(lambda * t)
}

// ExpectedInterruptions is the expected number of interruptions of a job of
// T hours checkpointing every c hours, at rate lambda (see ExpectedHours).
func ExpectedInterruptions(lambda, T, c float64) float64 {
	if T <= 0 {
		return 0
	}
	if c <= 0 || c >= T {
		return segmentInterruptions(lambda, T)
	}
	n := math.Floor(T / c)
	return n*segmentInterruptions(lambda, c) + segmentInterruptions(lambda, T-n*c)
}

// LostHoursPerInterruption is the exact expected work one interruption
// throws away (the restart excluded), averaged over the job's interruptions.
// Within a segment of t hours an interruption at X < t loses X, and
// E[X | X < t] = 1/lambda - t/(exp(lambda*t) - 1): about t/2 for a rare
// interruption, less when interruptions come early. Since
// E_job = T + N*(lost + r), it is (E_job - T)/N - r.
func LostHoursPerInterruption(lambda, T, c, r float64) float64 {
	n := ExpectedInterruptions(lambda, T, c)
	if n <= 0 {
		// The limit lambda -> 0: the mean segment's half length.
		if c <= 0 || c >= T {
			return T / 2
		}
		k := math.Floor(T / c)
		rest := T - k*c
		// Interruptions fall on segments in proportion to their length.
		return (k*c*c/2 + rest*rest/2) / T
	}
	return math.Max(0, (ExpectedHours(lambda, T, c, r)-T)/n-r)
}

// StabilityPenalty is the fractional score increase for an unstable price:
// WeightCV*cv + WeightP95*max(0, p95/twap - 1). A zero twap gives no p95 term
// rather than a division by zero.
func StabilityPenalty(cv, p95, twap float64) float64 {
	o := WeightCV * math.Max(0, cv)
	if twap > 0 {
		o += WeightP95 * math.Max(0, p95/twap-1)
	}
	return o
}

// PlacementPenalty is the fractional score increase for a placement score
// s in 1..10: WeightPlacement*(10-s). 0 (unknown) is no penalty, because an
// unknown is not evidence of scarcity; it is reported as unknown instead.
func PlacementPenalty(s int) float64 {
	if s < 1 || s > 10 {
		return 0
	}
	return WeightPlacement * float64(10-s)
}

// Options tune the set selection; the zero value is the documented default.
type Options struct {
	MaxPools      int     // pools in the diversified set; 0 = 6 (never more than Count)
	Alternatives  int     // ranked alternatives; 0 = 10, < 0 = none
	MaxScoreRatio float64 // a set pool's score is at most this times the best; 0 = 1.5
	MinAZs        int     // AZs the set must span when candidates allow; 0 = 2
	MinFamilies   int     // families the set must span when candidates allow; 0 = 2
}

func (o Options) withDefaults() Options {
	if o.MaxPools <= 0 {
		o.MaxPools = 6
	}
	if o.Alternatives == 0 {
		o.Alternatives = 10
	}
	if o.MaxScoreRatio <= 0 {
		o.MaxScoreRatio = 1.5
	}
	if o.MinAZs <= 0 {
		o.MinAZs = 2
	}
	if o.MinFamilies <= 0 {
		o.MinFamilies = 2
	}
	return o
}

// Unit is what a profile's score is per.
func Unit(p Profile) string {
	if p.Mode() == ModeThroughput {
		if p.WorkUnit == WorkGPUHours {
			return "GPU-hour"
		}
		return "vCPU-hour"
	}
	return "job"
}

// Recommend runs the model on candidates gathered for p. It returns a
// *NoMatchError naming the constraint when no candidate survives the filters.
// The plan's replay holds each pool at its price; Run replays the cached
// price history instead (Result.Replay).
func Recommend(cands []Candidate, p Profile, opts Options) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	p = p.WithDefaults()
	opts = opts.withDefaults()
	kept, notes, err := Filter(cands, p)
	if err != nil {
		return Result{}, err
	}
	scored := make([]Choice, len(kept))
	for i, c := range kept {
		scored[i] = score(c, p)
		scored[i].src = i
	}
	scored = sortChoices(scored)
	rankPessimistic(scored)

	res := Result{Profile: p, Mode: p.Mode(), Unit: Unit(p), Candidates: len(scored), Notes: notes, SensitivityMultiple: SensitivityMultiple}
	best, lines := chooseGroup(scored, p, opts)
	res.Regions = lines
	res.Region, res.Architecture = best.region, best.arch
	res.Pools, res.Caps = best.set, best.caps
	res.ExpectedTotalCost = best.cost
	res.Notes = append(res.Notes, best.notes...)
	res.Notes = append(res.Notes, groupNotes(best, lines, p)...)

	inSet := map[string]bool{}
	for _, c := range res.Pools {
		inSet[poolKey(c)] = true
	}
	res.Alternatives = []Choice{}
	for _, c := range scored {
		if opts.Alternatives < 0 || len(res.Alternatives) >= opts.Alternatives {
			break
		}
		if inSet[poolKey(c)] || c.Architecture != res.Architecture {
			continue
		}
		res.Alternatives = append(res.Alternatives, c)
	}
	for _, l := range [][]Choice{res.Pools, res.Alternatives} {
		for i := range l {
			explain(&l[i], kept[l[i].src], p)
		}
	}
	markFlips(res.Pools, res.Alternatives)
	res.Plan = analyticPlan(res.Pools, p)
	res.Replay(nil)
	res.Notes = append(res.Notes, modeNotes(res, p)...)
	res.Notes = append(res.Notes, signalNotes(res.Pools, p)...)
	return res, nil
}

// sortChoices orders choices best first. It sorts indices and moves each
// (large) choice once.
func sortChoices(cs []Choice) []Choice {
	idx := make([]int, len(cs))
	for i := range idx {
		idx[i] = i
	}
	// less is a total order (the pool's key breaks ties), so an unstable
	// sort gives the same answer every time.
	sort.Slice(idx, func(a, b int) bool { return less(&cs[idx[a]], &cs[idx[b]]) })
	out := make([]Choice, len(cs))
	for j, i := range idx {
		out[j] = cs[i]
	}
	return out
}

func less(a, b *Choice) bool {
	if a.Score != b.Score {
		return a.Score < b.Score
	}
	if a.Region != b.Region {
		return a.Region < b.Region
	}
	if a.InstanceType != b.InstanceType {
		return a.InstanceType < b.InstanceType
	}
	if a.AvailabilityZone != b.AvailabilityZone {
		return a.AvailabilityZone < b.AvailabilityZone
	}
	return a.Product < b.Product
}

func poolKey(c Choice) string {
	return c.Region + "/" + c.AvailabilityZone + "/" + c.InstanceType + "/" + c.Product
}

// rankPessimistic sets Rank (the order of scored, best first) and
// RankPessimistic, the order at SensitivityMultiple x the bucket rates.
func rankPessimistic(scored []Choice) {
	idx := make([]int, len(scored))
	for i := range scored {
		scored[i].Rank = i + 1
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := &scored[idx[a]], &scored[idx[b]]
		if x.pessimisticScore != y.pessimisticScore {
			return x.pessimisticScore < y.pessimisticScore
		}
		return x.Rank < y.Rank
	})
	for pos, i := range idx {
		scored[i].RankPessimistic = pos + 1
	}
}

// markFlips marks every listed pool that trades places with another listed
// pool when the rates are SensitivityMultiple times the buckets': the choice
// between the two rests on the coarse bucket, not on a robust margin.
func markFlips(lists ...[]Choice) {
	var all []*Choice
	for _, l := range lists {
		for i := range l {
			all = append(all, &l[i])
		}
	}
	for i, a := range all {
		for _, b := range all[i+1:] {
			if (a.Rank < b.Rank) != (a.RankPessimistic < b.RankPessimistic) {
				a.RankFlips, b.RankFlips = true, true
			}
		}
	}
}

// work is how a profile's unit of work maps onto one pool.
type work struct {
	hours  float64 // uninterrupted hours each instance (or coupled job) works
	nodes  int     // instances one job runs on at once
	hazard float64 // the job's interruption rate: nodes x the pool's
	units  float64 // units of useful work one job buys: 1 job, or vCPU-/GPU-hours
}

func workOf(c Candidate, p Profile, lambda float64) work {
	switch p.Mode() {
	case ModeCoupled:
		return work{hours: p.Hours, nodes: p.Nodes, hazard: float64(p.Nodes) * lambda, units: 1}
	case ModeThroughput:
		// Each of Count instances drains Work/Count at its vCPU (GPU) rate.
		rate := float64(c.Spec.VCPUs)
		if p.WorkUnit == WorkGPUHours {
			rate = float64(c.Spec.GPUs)
		}
		share := p.Work / float64(p.Count)
		return work{hours: share / rate, nodes: 1, hazard: lambda, units: share}
	}
	return work{hours: p.Hours, nodes: 1, hazard: lambda, units: 1}
}

// Score prices one candidate for the profile (with defaults applied) and
// explains the result. The candidate must have passed Filter.
func Score(c Candidate, p Profile) Choice {
	ch := score(c, p)
	explain(&ch, c, p)
	return ch
}

// score prices one candidate without the reasons.
func score(c Candidate, p Profile) Choice {
	ch := Choice{
		Region:             c.Region,
		AvailabilityZone:   c.AvailabilityZone,
		AvailabilityZoneID: c.AvailabilityZoneID,
		InstanceType:       c.InstanceType,
		Family:             market.Family(c.InstanceType),
		VCPUs:              c.Spec.VCPUs,
		MemoryGiB:          c.Spec.MemoryGiB(),
		GPUs:               c.Spec.GPUs,
		GPUName:            c.Spec.GPUName,
		GPUManufacturer:    c.Spec.GPUManufacturer,
		GPUMemoryGiB:       c.Spec.GPUMemoryGiBEach(),
		Architecture:       c.Spec.Arch(),
		CurrentGeneration:  c.Spec.CurrentGeneration,
		Burstable:          c.Spec.IsBurstable(),
		EFA:                c.Spec.EFA,
		Product:            c.Product,
		Last:               c.Stats.Last,
		TWAP:               c.Stats.TWAP,
		CV:                 c.Stats.CV,
		P95:                c.Stats.P95,
		OnDemandEstimated:  c.OnDemand.Known && c.OnDemand.Estimated,
		window:             market.Interval{Start: c.Stats.Start, End: c.Stats.End},
	}
	// Last is what a launch pays now, and since 2017 prices move gradually, so
	// it predicts the next hours better than a 30-day mean. A 0.000000 last
	// price is real data but no basis for a forecast: fall back to twap.
	ch.Price, ch.PriceBasis = c.Stats.Last, "last"
	if ch.Price <= 0 {
		ch.Price, ch.PriceBasis = c.Stats.TWAP, "twap"
	}
	if c.Placement >= 1 && c.Placement <= 10 {
		s := c.Placement
		ch.PlacementScore = &s
	}
	if c.OnDemand.Known {
		od := c.OnDemand.Price
		ch.OnDemand = &od
	}

	f, known, basis := MonthlyFrequency(c.Advisor)
	lambda := HourlyRate(f)
	label := "unknown"
	if known {
		label = c.Advisor.Label
	}
	ch.Interruption = Interruption{Known: known, Bucket: label, MonthlyFrequency: f, HourlyRate: lambda, Basis: basis}

	w := workOf(c, p, lambda)
	T, ck, r := w.hours, p.Checkpoint.Hours(), p.Restart.Hours()
	E := ExpectedHours(w.hazard, T, ck, r)
	E3 := ExpectedHours(SensitivityMultiple*w.hazard, T, ck, r)
	ch.WorkHours, ch.ExpectedHours, ch.hazard, ch.nodes = T, E, w.hazard, w.nodes
	ch.Interruptions = ExpectedInterruptions(w.hazard, T, ck)
	ch.LostHoursPerInterrupt = LostHoursPerInterruption(w.hazard, T, ck, r)
	ch.PNoInterruption = math.Exp(-w.hazard * T)
	nodes := float64(w.nodes)
	ch.ExpectedJobCost = nodes * ch.Price * E
	ch.PessimisticJobCost = nodes * ch.Price * E3

	// Useful work is what the job asked for, never the instance's spare
	// vCPUs or GPUs; a throughput queue uses them all.
	ch.WorkVCPUs = c.Spec.VCPUs
	if p.Mode() != ModeThroughput && p.VCPUs > 0 && p.VCPUs < ch.WorkVCPUs {
		ch.WorkVCPUs = p.VCPUs
	}
	workGPUs := c.Spec.GPUs
	if p.Mode() != ModeThroughput && p.GPUs > 0 && p.GPUs < workGPUs {
		workGPUs = p.GPUs
	}
	if T > 0 && ch.WorkVCPUs > 0 {
		ch.ExpectedCostPerVCPUHour = ch.ExpectedJobCost / (T * nodes * float64(ch.WorkVCPUs))
	}
	if T > 0 && workGPUs > 0 {
		ch.ExpectedCostPerGPUHour = ch.ExpectedJobCost / (T * nodes * float64(workGPUs))
	}

	base := nodes * ch.Price * T / w.units // per unit of work, without interruptions
	oInt := E/T - 1
	oStab := StabilityPenalty(c.Stats.CV, c.Stats.P95, c.Stats.TWAP)
	oPlace := PlacementPenalty(c.Placement)
	ch.Score = base * (1 + oInt) * (1 + oStab) * (1 + oPlace)
	ch.pessimisticScore = base * (E3 / T) * (1 + oStab) * (1 + oPlace)

	return ch
}

// explain adds the reasons to a choice score made from c: each factor's value
// and its share of the score. Recommend explains only the pools it lists.
func explain(ch *Choice, c Candidate, p Profile) {
	w := workOf(c, p, ch.Interruption.HourlyRate)
	T := w.hours
	E, E3 := ch.ExpectedHours, ExpectedHours(SensitivityMultiple*w.hazard, T, p.Checkpoint.Hours(), p.Restart.Hours())
	base := float64(w.nodes) * ch.Price * T / w.units
	oInt := E/T - 1
	oStab := StabilityPenalty(c.Stats.CV, c.Stats.P95, c.Stats.TWAP)
	oPlace := PlacementPenalty(c.Placement)
	// Shares of the score: the factors apply in this order, each adding its
	// fraction of the running total, so the additions sum exactly to Score.
	addInt := base * oInt
	addStab := base * (1 + oInt) * oStab
	addPlace := base * (1 + oInt) * (1 + oStab) * oPlace
	share := func(x float64) float64 {
		if ch.Score <= 0 {
			return 0
		}
		return x / ch.Score
	}
	ch.Reasons = append(ch.Reasons, Reason{
		Factor: "price",
		Value:  priceWords(*ch, p, w, base),
		Effect: "base of the score",
		Weight: share(base),
	})
	ch.Reasons = append(ch.Reasons, Reason{
		Factor: "interruption",
		Value:  interruptionWords(*ch, p, w),
		Effect: fmt.Sprintf("%s cost; %s at %gx the rate", pct(oInt), pct(E3/T-1), SensitivityMultiple),
		Weight: share(addInt),
	})
	ch.Reasons = append(ch.Reasons, Reason{
		Factor: "stability",
		Value:  fmt.Sprintf("cv %.3f, p95/twap %s", c.Stats.CV, ratioWords(c.Stats.P95, c.Stats.TWAP)),
		Effect: fmt.Sprintf("%s score", pct(oStab)),
		Weight: share(addStab),
	})
	placeVal := "unknown (no penalty)"
	if ch.PlacementScore != nil {
		placeVal = fmt.Sprintf("%d/10", *ch.PlacementScore)
	}
	ch.Reasons = append(ch.Reasons, Reason{
		Factor: "placement",
		Value:  placeVal,
		Effect: fmt.Sprintf("%s score", pct(oPlace)),
		Weight: share(addPlace),
	})
	ch.Reasons = append(ch.Reasons, onDemandReason(c.OnDemand, ch.Price))
	if wh := p.Window.Hours(); c.Stats.CoveredHours < 0.9*wh {
		ch.Reasons = append(ch.Reasons, Reason{
			Factor: "data",
			Value:  fmt.Sprintf("history covers %.0f h of the %.0f h window", c.Stats.CoveredHours, wh),
			Effect: "statistics rest on a short history",
		})
	}
}

func priceWords(ch Choice, p Profile, w work, base float64) string {
	pw := fmt.Sprintf("last $%.6f/h", ch.Price)
	if ch.PriceBasis == "twap" {
		pw = fmt.Sprintf("last is $0.000000; twap $%.6f/h", ch.Price)
	}
	switch p.Mode() {
	case ModeCoupled:
		return fmt.Sprintf("%s x %d nodes x %g h = $%.4f per job without interruptions", pw, w.nodes, w.hours, base)
	case ModeThroughput:
		return fmt.Sprintf("%s / %s = $%.6f per %s of work", pw, rateWords(ch, p), base, Unit(p))
	}
	return fmt.Sprintf("%s x %g h = $%.4f per job without interruptions (%s)", pw, w.hours, base, usedWords(ch, p))
}

func rateWords(ch Choice, p Profile) string {
	if p.WorkUnit == WorkGPUHours {
		return fmt.Sprintf("%d GPUs", ch.GPUs)
	}
	return fmt.Sprintf("%d vCPUs", ch.VCPUs)
}

// usedWords says how much of the instance the job uses, so a big box is seen
// to be paid in full for work it does not do.
func usedWords(ch Choice, p Profile) string {
	s := fmt.Sprintf("uses %d of %d vCPUs", ch.WorkVCPUs, ch.VCPUs)
	if p.GPUs > 0 {
		s += fmt.Sprintf(", %d of %d GPUs", min(p.GPUs, ch.GPUs), ch.GPUs)
	}
	return s
}

func pct(o float64) string {
	switch {
	case o == 0:
		return "+0%"
	case o < 0.001:
		return fmt.Sprintf("+%.3f%%", o*100)
	case o < 0.1:
		return fmt.Sprintf("+%.1f%%", o*100)
	}
	return fmt.Sprintf("+%.0f%%", o*100)
}

func ratioWords(p95, twap float64) string {
	if twap <= 0 {
		return "n/a (twap is 0)"
	}
	return fmt.Sprintf("%.3f", p95/twap)
}

func interruptionWords(ch Choice, p Profile, w work) string {
	in := ch.Interruption
	b := in.Bucket + "/month"
	if !in.Known {
		b = "unknown, assumed >20%/month"
	}
	rate := fmt.Sprintf("%.6f/h", in.HourlyRate)
	if w.nodes > 1 {
		rate = fmt.Sprintf("%.6f/h per node, %.6f/h for the %d coupled nodes", in.HourlyRate, w.hazard, w.nodes)
	}
	ck := "no checkpoints: an interruption loses the whole elapsed run"
	if c := p.Checkpoint; c > 0 && c.Hours() < w.hours {
		ck = fmt.Sprintf("checkpoint every %s", FormatDuration(c))
	}
	return fmt.Sprintf("%s -> %s; %s; %.3f interruptions expected, each losing %.2f h of work + restart %s; expected %.3f h for %.4g h of work",
		b, rate, ck, ch.Interruptions, ch.LostHoursPerInterrupt, FormatDuration(p.Restart), ch.ExpectedHours, w.hours)
}

func onDemandReason(od OnDemand, price float64) Reason {
	r := Reason{Factor: "on_demand"}
	switch {
	case !od.Known:
		r.Value = "unknown"
		r.Effect = "not used in the score"
	case od.Price <= 0:
		r.Value = fmt.Sprintf("$%.6f/h", od.Price)
		r.Effect = "not used in the score"
	default:
		est, of := "", "On-Demand"
		if od.Estimated {
			est, of = " (estimate)", "the On-Demand estimate"
		}
		r.Value = fmt.Sprintf("$%.6f/h%s", od.Price, est)
		r.Effect = fmt.Sprintf("spot is %.0f%% of %s; not used in the score", 100*price/od.Price, of)
	}
	return r
}

// Window returns the statistics window [end-p.Window, end] for a profile.
func Window(p Profile, end time.Time) market.Interval {
	p = p.WithDefaults()
	return market.Interval{Start: end.Add(-p.Window), End: end}
}
