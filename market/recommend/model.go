package recommend

import (
	"fmt"
	"math"
	"sort"
	"strings"
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

// Recommend runs the model on candidates gathered for p. It returns a
// *NoMatchError naming the constraint when no candidate survives the filters.
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
		scored[i] = Score(c, p)
	}
	sort.SliceStable(scored, func(i, j int) bool { return less(scored[i], scored[j]) })

	res := Result{Profile: p, Candidates: len(scored), Notes: notes}
	set, rest, setNotes := diversify(scored, p.Count, opts)
	res.Pools = set
	res.Notes = append(res.Notes, setNotes...)
	res.Region = set[0].Region
	for _, c := range set {
		res.ExpectedTotalCost += float64(c.Instances) * c.ExpectedJobCost
	}
	if opts.Alternatives > 0 {
		if len(rest) > opts.Alternatives {
			rest = rest[:opts.Alternatives]
		}
		res.Alternatives = rest
	}
	if res.Alternatives == nil {
		res.Alternatives = []Choice{}
	}
	res.Notes = append(res.Notes, signalNotes(res.Pools, p)...)
	return res, nil
}

func less(a, b Choice) bool {
	if a.Score != b.Score {
		return a.Score < b.Score
	}
	if a.Region != b.Region {
		return a.Region < b.Region
	}
	if a.InstanceType != b.InstanceType {
		return a.InstanceType < b.InstanceType
	}
	return a.AvailabilityZone < b.AvailabilityZone
}

// Score prices one candidate for the profile (with defaults applied) and
// explains the result. The candidate must have passed Filter.
func Score(c Candidate, p Profile) Choice {
	ch := Choice{
		Region:             c.Region,
		AvailabilityZone:   c.AvailabilityZone,
		AvailabilityZoneID: c.AvailabilityZoneID,
		InstanceType:       c.InstanceType,
		Family:             market.Family(c.InstanceType),
		VCPUs:              c.Spec.VCPUs,
		MemoryGiB:          c.Spec.MemoryGiB(),
		Product:            c.Product,
		Last:               c.Stats.Last,
		TWAP:               c.Stats.TWAP,
		CV:                 c.Stats.CV,
		P95:                c.Stats.P95,
		OnDemandEstimated:  c.OnDemand.Known && c.OnDemand.Estimated,
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

	T := p.Hours
	E := ExpectedHours(lambda, T, p.Checkpoint.Hours(), p.Restart.Hours())
	ch.ExpectedHours = E
	// Useful work is the vCPUs the job asked for, not the instance's: a
	// 96-vCPU machine running a 4-vCPU job is paid for in full but does 4
	// vCPUs of work. Without a minimum the job is taken to use them all.
	work := c.Spec.VCPUs
	if p.VCPUs > 0 && p.VCPUs < work {
		work = p.VCPUs
	}
	ch.WorkVCPUs = work
	base := ch.Price / float64(work)
	ch.ExpectedCostPerVCPUHour = base * E / T
	ch.ExpectedJobCost = ch.Price * E

	oInt := E/T - 1
	oStab := StabilityPenalty(c.Stats.CV, c.Stats.P95, c.Stats.TWAP)
	oPlace := PlacementPenalty(c.Placement)
	ch.Score = ch.ExpectedCostPerVCPUHour * (1 + oStab) * (1 + oPlace)

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
	priceWord := fmt.Sprintf("last $%.6f/h", ch.Price)
	if ch.PriceBasis == "twap" {
		priceWord = fmt.Sprintf("last is $0.000000; twap $%.6f/h", ch.Price)
	}
	ch.Reasons = append(ch.Reasons, Reason{
		Factor: "price",
		Value:  fmt.Sprintf("%s / %s = $%.6f per vCPU-hour of work", priceWord, vcpuWords(work, c.Spec.VCPUs), base),
		Effect: "base of the score",
		Weight: share(base),
	})
	ch.Reasons = append(ch.Reasons, Reason{
		Factor: "interruption",
		Value:  interruptionWords(ch.Interruption, p, E),
		Effect: fmt.Sprintf("%s cost", pct(oInt)),
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
	if w := p.Window.Hours(); c.Stats.CoveredHours < 0.9*w {
		ch.Reasons = append(ch.Reasons, Reason{
			Factor: "data",
			Value:  fmt.Sprintf("history covers %.0f h of the %.0f h window", c.Stats.CoveredHours, w),
			Effect: "statistics rest on a short history",
		})
	}
	return ch
}

func vcpuWords(work, have int) string {
	if work == have {
		return fmt.Sprintf("%d vCPUs", have)
	}
	return fmt.Sprintf("%d vCPUs used of %d", work, have)
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

func interruptionWords(in Interruption, p Profile, E float64) string {
	b := in.Bucket + "/month"
	if !in.Known {
		b = "unknown, assumed >20%/month"
	}
	ck := "no checkpoints: an interruption loses the whole run"
	if c := p.Checkpoint; c > 0 && c.Hours() < p.Hours {
		ck = fmt.Sprintf("checkpoint every %s: an interruption loses ~%s", FormatDuration(c), FormatDuration(c/2))
		if p.Restart > 0 {
			ck += " + restart " + FormatDuration(p.Restart)
		}
	}
	return fmt.Sprintf("%s -> %.6f/h; %s; expected %.3f h for %g h of work", b, in.HourlyRate, ck, E, p.Hours)
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
		est := ""
		if od.Estimated {
			est = " (estimated from the advisor's savings)"
		}
		r.Value = fmt.Sprintf("$%.6f/h%s", od.Price, est)
		r.Effect = fmt.Sprintf("spot is %.0f%% of On-Demand; not used in the score", 100*price/od.Price)
	}
	return r
}

// diversify picks the set in the best pool's region (a fleet is regional):
// the best pools in score order, at most MaxPools and no more than Count, each
// within MaxScoreRatio of the best, skipping a pool only when taking it would
// leave too few slots to reach MinAZs AZs and MinFamilies families. Count is
// then spread evenly, so no pool holds more than ceil(Count/pools).
func diversify(scored []Choice, count int, o Options) (set, rest []Choice, notes []string) {
	region := scored[0].Region
	limit := scored[0].Score * o.MaxScoreRatio
	var eligible []int
	azs, fams := map[string]bool{}, map[string]bool{}
	for i, c := range scored {
		if c.Region == region && c.Score <= limit {
			eligible = append(eligible, i)
			azs[azKey(c)] = true
			fams[c.Family] = true
		}
	}
	k := min(o.MaxPools, count, len(eligible))
	needAZ := min(o.MinAZs, len(azs), k)
	needFam := min(o.MinFamilies, len(fams), k)

	// Try the full constraint first, then drop the family and then the AZ
	// requirement: candidates that cannot satisfy both still get a set, and
	// the notes below say what is missing.
	var picked []int
	var gotAZ, gotFam map[string]bool
	// The cheapest set, without any spread, prices the diversification.
	cheapest := setCost(scored, eligible[:k], count)
	for _, need := range [][2]int{{needAZ, needFam}, {needAZ, 1}, {1, 1}} {
		picked, gotAZ, gotFam = pickGreedy(scored, eligible, k, need[0], need[1])
		if len(picked) < k {
			continue
		}
		// A second family guards against a family-wide shortage, but not
		// at any price: beyond MaxFamilyPremium the set keeps to the
		// families the cheap pools have and says so.
		if need[1] > 1 && cheapest > 0 && setCost(scored, picked, count) > cheapest*(1+maxFamilyPremium) {
			notes = append(notes, fmt.Sprintf("a second instance family would cost more than %.0f%% over the cheapest pools, so the set keeps to %s",
				maxFamilyPremium*100, strings.Join(familiesOf(scored, eligible[:k]), ", ")))
			continue
		}
		break
	}
	if c := setCost(scored, picked, count); cheapest > 0 && c > cheapest*1.005 {
		notes = append(notes, fmt.Sprintf("spreading over %d AZ(s) and %d family(ies) raises the expected cost by %.1f%% over the %d cheapest pools",
			len(gotAZ), len(gotFam), (c/cheapest-1)*100, k))
	}
	taken := map[int]bool{}
	for _, i := range picked {
		taken[i] = true
	}
	sort.Ints(picked)
	n := len(picked)
	for j, i := range picked {
		c := scored[i]
		c.Instances = count / n
		if j < count%n {
			c.Instances++
		}
		c.Share = float64(c.Instances) / float64(count)
		set = append(set, c)
	}
	for i, c := range scored {
		if !taken[i] {
			rest = append(rest, c)
		}
	}

	if len(gotAZ) < o.MinAZs && count > 1 {
		notes = append(notes, fmt.Sprintf("the set spans %d AZ(s), fewer than %d: %s", len(gotAZ), o.MinAZs, limitWhy(len(azs), k, "AZ", o.MaxScoreRatio)))
	}
	if len(gotFam) < o.MinFamilies && count > 1 {
		notes = append(notes, fmt.Sprintf("the set spans %d instance family(ies), fewer than %d: %s", len(gotFam), o.MinFamilies, limitWhy(len(fams), k, "family", o.MaxScoreRatio)))
	}
	if count == 1 {
		notes = append(notes, "count is 1: a single pool; list the alternatives in a fleet so it can fall back")
	}
	others := map[string]bool{}
	for _, c := range scored {
		if c.Region != region {
			others[c.Region] = true
		}
	}
	if len(others) > 0 {
		notes = append(notes, fmt.Sprintf("the set stays in %s, the best pool's region, because a fleet is regional; other regions appear among the alternatives", region))
	}
	return set, rest, notes
}

// maxFamilyPremium bounds what the family spread may add to the set's
// expected cost.
const maxFamilyPremium = 0.10

// setCost is the expected cost of the whole job when count instances are
// spread evenly over the pools at the given positions, best first.
func setCost(scored []Choice, positions []int, count int) float64 {
	ps := append([]int(nil), positions...)
	sort.Ints(ps)
	n := len(ps)
	if n == 0 {
		return 0
	}
	var total float64
	for j, i := range ps {
		inst := count / n
		if j < count%n {
			inst++
		}
		total += float64(inst) * scored[i].ExpectedJobCost
	}
	return total
}

func familiesOf(scored []Choice, positions []int) []string {
	seen := map[string]bool{}
	var out []string
	for _, i := range positions {
		if f := scored[i].Family; !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// pickGreedy takes eligible pools in score order, skipping a pool only when
// taking it would leave too few slots to reach needAZ AZs and needFam
// families. It is exact for the default targets of 2, which is all it is used
// for: a remaining deficit of one AZ and one family fits in one slot only if
// some pool is in a new AZ and a new family.
func pickGreedy(scored []Choice, eligible []int, k, needAZ, needFam int) (picked []int, gotAZ, gotFam map[string]bool) {
	gotAZ, gotFam = map[string]bool{}, map[string]bool{}
	taken := map[int]bool{}
	for _, i := range eligible {
		if len(picked) == k {
			break
		}
		c := scored[i]
		a, f := len(gotAZ), len(gotFam)
		if !gotAZ[azKey(c)] {
			a++
		}
		if !gotFam[c.Family] {
			f++
		}
		slots := k - len(picked) - 1
		dA, dF := max(0, needAZ-a), max(0, needFam-f)
		if dA+dF > slots {
			if max(dA, dF) > slots || !existsNewBoth(scored, eligible, taken, i, gotAZ, gotFam, c) {
				continue
			}
		}
		picked = append(picked, i)
		taken[i] = true
		gotAZ[azKey(c)], gotFam[c.Family] = true, true
	}
	return picked, gotAZ, gotFam
}

// existsNewBoth reports whether a pool after position cur, not taken, is in
// an AZ and a family that the set plus c does not have yet.
func existsNewBoth(scored []Choice, eligible []int, taken map[int]bool, cur int, gotAZ, gotFam map[string]bool, c Choice) bool {
	for _, j := range eligible {
		if j <= cur || taken[j] {
			continue
		}
		d := scored[j]
		if !gotAZ[azKey(d)] && azKey(d) != azKey(c) && !gotFam[d.Family] && d.Family != c.Family {
			return true
		}
	}
	return false
}

func limitWhy(distinct, k int, what string, ratio float64) string {
	if k < 2 {
		return "the set has one pool"
	}
	return fmt.Sprintf("only %d %s(s) have a pool scoring within %.1fx of the best", distinct, what, ratio)
}

func azKey(c Choice) string {
	if c.AvailabilityZoneID != "" {
		return c.AvailabilityZoneID
	}
	return c.AvailabilityZone
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
		notes = append(notes, "On-Demand price unknown for: "+strings.Join(unknownOD, ", "))
	}
	if len(estOD) > 0 {
		notes = append(notes, "On-Demand price estimated from the advisor's savings for: "+strings.Join(estOD, ", "))
	}
	if len(twapBasis) > 0 {
		notes = append(notes, "last price is 0.000000; priced at the window's twap for: "+strings.Join(twapBasis, ", "))
	}
	if p.Checkpoint == 0 {
		notes = append(notes, fmt.Sprintf("the job never checkpoints: an interruption restarts its %g h from zero", p.Hours))
	}
	notes = append(notes, "instances are assumed independent: one interruption stops one instance's job, not all of them")
	return notes
}

// Window returns the statistics window [end-p.Window, end] for a profile.
func Window(p Profile, end time.Time) market.Interval {
	p = p.WithDefaults()
	return market.Interval{Start: end.Add(-p.Window), End: end}
}
