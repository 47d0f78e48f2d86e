package recommend

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// group is one (region, architecture) answer: a fleet is regional and a
// launch template has one AMI, so a set never mixes either.
type group struct {
	region, arch string
	set          []Choice
	caps         Caps
	cost         float64 // expected cost of the whole workload
	candidates   int
	notes        []string
}

// chooseGroup builds the best set of every (region, architecture) and keeps
// the cheapest; with a fixed --arch there is one architecture. It also
// returns one line per region comparing its best set with the winner's.
func chooseGroup(scored []Choice, p Profile, o Options) (group, []RegionLine) {
	type gk struct{ region, arch string }
	counts := map[gk]int{}
	var order []gk
	for _, c := range scored {
		k := gk{c.Region, c.Architecture}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	members := make(map[gk][]Choice, len(order))
	for _, k := range order {
		members[k] = make([]Choice, 0, counts[k])
	}
	for _, c := range scored {
		k := gk{c.Region, c.Architecture}
		members[k] = append(members[k], c)
	}
	var groups []group
	for _, k := range order {
		g := group{region: k.region, arch: k.arch, candidates: len(members[k])}
		if p.Mode() == ModeCoupled {
			g.set, g.caps, g.notes = coupledSet(members[k], p)
		} else {
			g.set, g.caps, g.notes = diversify(members[k], p, o)
		}
		if p.Mode() == ModeThroughput {
			shareQueue(g.set, p)
		}
		for _, c := range g.set {
			g.cost += float64(c.Instances) * c.ExpectedJobCost / float64(max(1, c.nodes))
		}
		if g.caps.CheapestCost > 0 {
			g.caps.CostOverCheapest = g.cost/g.caps.CheapestCost - 1
		}
		if p.Mode() != ModeCoupled && p.Count > 1 {
			g.notes = append([]string{capsNote(g, p.Count)}, g.notes...)
		}
		groups = append(groups, g)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].cost != groups[j].cost {
			return groups[i].cost < groups[j].cost
		}
		return groups[i].region+groups[i].arch < groups[j].region+groups[j].arch
	})
	best := groups[0]
	var lines []RegionLine
	seen := map[string]bool{}
	for _, g := range groups {
		if seen[g.region] {
			continue
		}
		seen[g.region] = true
		l := RegionLine{Region: g.region, Architecture: g.arch, BestPool: g.set[0].InstanceType + " " + g.set[0].AvailabilityZone,
			ExpectedCost: g.cost, Candidates: g.candidates}
		if best.cost > 0 {
			l.VsBest = g.cost/best.cost - 1
		}
		lines = append(lines, l)
	}
	for _, r := range p.Regions {
		if !seen[r] {
			lines = append(lines, RegionLine{Region: r, Note: "no candidate pool meets the profile with price data"})
		}
	}
	// Name the other architecture's best set, so the choice is stated.
	if p.Arch == "" || p.Arch == "any" {
		other := false
		for _, g := range groups[1:] {
			if g.region == best.region && g.arch != best.arch {
				best.notes = append(best.notes, fmt.Sprintf("--arch any: the %s set ($%.2f) is cheaper than the best %s set ($%.2f, +%.1f%%); a set keeps to one architecture so one AMI launches it",
					best.arch, best.cost, g.arch, g.cost, 100*(g.cost/best.cost-1)))
				other = true
				break
			}
		}
		if !other {
			best.notes = append(best.notes, fmt.Sprintf("--arch any: every candidate in %s runs %s, so the set is %s too", best.region, best.arch, best.arch))
		}
	}
	return best, lines
}

// shareQueue prices a throughput set as one queue: every instance drains it
// until it is empty, so each works H = Work / (the set's total rate) hours
// and a fast pool takes a bigger share than a slow one. (Each pool was ranked
// as if the whole fleet were that pool.)
func shareQueue(set []Choice, p Profile) {
	var rate float64
	for _, c := range set {
		rate += float64(c.Instances) * throughputRate(c, p)
	}
	if rate <= 0 {
		return
	}
	H := p.Work / rate
	for i := range set {
		set[i].setWorkHours(H, p)
	}
}

func throughputRate(c Choice, p Profile) float64 {
	if p.WorkUnit == WorkGPUHours {
		return float64(c.GPUs)
	}
	return float64(c.VCPUs)
}

// setWorkHours reprices a choice for T hours of work per instance, keeping
// its score (the ranking) as it was.
func (c *Choice) setWorkHours(T float64, p Profile) {
	ck, r := p.Checkpoint.Hours(), p.Restart.Hours()
	nodes := float64(max(1, c.nodes))
	c.WorkHours = T
	c.ExpectedHours = ExpectedHours(c.hazard, T, ck, r)
	c.Interruptions = ExpectedInterruptions(c.hazard, T, ck)
	c.LostHoursPerInterrupt = LostHoursPerInterruption(c.hazard, T, ck, r)
	c.PNoInterruption = math.Exp(-c.hazard * T)
	c.ExpectedJobCost = nodes * c.Price * c.ExpectedHours
	c.PessimisticJobCost = nodes * c.Price * ExpectedHours(SensitivityMultiple*c.hazard, T, ck, r)
}

// capsNote states the caps a set was built under and what they cost.
func capsNote(g group, count int) string {
	azs, fams := map[string]bool{}, map[string]bool{}
	for _, c := range g.set {
		azs[azKey(c)], fams[c.Family] = true, true
	}
	return fmt.Sprintf("caps: at most %.0f%% of the capacity in one AZ, at most %d instances per pool; spreading over %d pool(s), %d AZ(s) and %d family(ies) costs %.1f%% over putting all %d in the cheapest pool",
		g.caps.MaxAZShare*100, g.caps.MaxPoolInstances, len(g.set), len(azs), len(fams), g.caps.CostOverCheapest*100, count)
}

// coupledSet is a coupled job's set: all nodes in the one best pool (one
// type, one AZ: the nodes talk to each other and are replaced together).
func coupledSet(scored []Choice, p Profile) ([]Choice, Caps, []string) {
	c := scored[0]
	c.Instances, c.Share = p.Nodes, 1
	caps := Caps{MaxAZShare: 1, MaxPoolInstances: p.Nodes, CheapestCost: c.ExpectedJobCost}
	return []Choice{c}, caps, []string{fmt.Sprintf("a coupled job of %d nodes runs in one pool (one type, one AZ); the alternatives are its fallbacks", p.Nodes)}
}

// diversify picks the set of one group: the best pools in score order, at
// most MaxPools and no more than Count, each within MaxScoreRatio of the
// best, skipping a pool only when taking it would leave too few slots to
// reach MinAZs AZs and MinFamilies families. Count is spread evenly, then
// moved out of any AZ above the profile's share cap (capAZs).
func diversify(scored []Choice, p Profile, o Options) (set []Choice, caps Caps, notes []string) {
	count := p.Count
	limit := scored[0].Score * o.MaxScoreRatio
	var eligible []int
	azs, fams := map[string]bool{}, map[string]bool{}
	for i, c := range scored {
		if c.Score <= limit {
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
	cheapestK := setCost(scored, eligible[:k], count)
	for _, need := range [][2]int{{needAZ, needFam}, {needAZ, 1}, {1, 1}} {
		picked = pickGreedy(scored, eligible, k, need[0], need[1])
		if len(picked) < k {
			continue
		}
		// A second family guards against a family-wide shortage, but not
		// at any price: beyond MaxFamilyPremium the set keeps to the
		// families the cheap pools have and says so.
		if need[1] > 1 && cheapestK > 0 && setCost(scored, picked, count) > cheapestK*(1+maxFamilyPremium) {
			notes = append(notes, fmt.Sprintf("a second instance family would cost more than %.0f%% over the cheapest pools, so the set keeps to %s",
				maxFamilyPremium*100, strings.Join(familiesOf(scored, eligible[:k]), ", ")))
			continue
		}
		break
	}
	sort.Ints(picked)
	inst := make(map[int]int, len(picked))
	n := len(picked)
	for j, i := range picked {
		inst[i] = count / n
		if j < count%n {
			inst[i]++
		}
	}
	perPool := (count + n - 1) / n
	allAZs := map[string]bool{}
	for _, c := range scored {
		allAZs[azKey(c)] = true
	}
	caps = Caps{MaxAZShare: 1, MaxPoolInstances: perPool}
	if count >= 2 && len(allAZs) >= 2 {
		azCap, capNote := azCapFor(count, p.MaxAZShare, len(allAZs))
		caps.MaxAZShare, caps.AZShareApplied = float64(azCap)/float64(count), true
		if capNote != "" {
			notes = append(notes, capNote)
		}
		if !capAZs(scored, inst, azCap, perPool) {
			notes = append(notes, fmt.Sprintf("the AZ cap of %d instances could not be met with the candidate pools", azCap))
		}
	}
	var positions []int
	for i, v := range inst {
		if v > 0 {
			positions = append(positions, i)
		}
	}
	sort.Ints(positions)
	setAZ, setFam := map[string]bool{}, map[string]bool{}
	for _, i := range positions {
		c := scored[i]
		c.Instances = inst[i]
		c.Share = float64(c.Instances) / float64(count)
		caps.MaxPoolInstances = max(caps.MaxPoolInstances, c.Instances)
		set = append(set, c)
		setAZ[azKey(c)], setFam[c.Family] = true, true
	}
	caps.CheapestCost = float64(count) * scored[0].ExpectedJobCost
	if len(setAZ) < o.MinAZs && count > 1 {
		notes = append(notes, fmt.Sprintf("the set spans %d AZ(s), fewer than %d: %s", len(setAZ), o.MinAZs, limitWhy(len(azs), k, "AZ", o.MaxScoreRatio)))
	}
	if len(setFam) < o.MinFamilies && count > 1 {
		notes = append(notes, fmt.Sprintf("the set spans %d instance family(ies), fewer than %d: %s", len(setFam), o.MinFamilies, limitWhy(len(fams), k, "family", o.MaxScoreRatio)))
	}
	if count == 1 {
		notes = append(notes, "count is 1: a single pool; list the alternatives in a fleet so it can fall back")
	}
	return set, caps, notes
}

// azCapFor is the most instances one AZ may hold: share x count, raised to
// what the AZs can hold at all (count over the number of AZs) when the share
// is too tight, with a note saying so.
func azCapFor(count int, share float64, azs int) (int, string) {
	azCap := max(1, int(math.Floor(share*float64(count)+1e-9)))
	if azCap*azs < count {
		need := (count + azs - 1) / azs
		return need, fmt.Sprintf("%d instances over %d AZ(s) cannot keep to %.0f%% per AZ; at most %d (%.0f%%) in one AZ", count, azs, share*100, need, 100*float64(need)/float64(count))
	}
	return azCap, ""
}

// capAZs moves instances out of any AZ above azCap, worst pool first, into
// the best pool of an AZ below the cap: a pool of the set with room under
// perPool, else a new pool of the group. It reports whether the cap holds.
func capAZs(scored []Choice, inst map[int]int, azCap, perPool int) bool {
	perAZ := map[string]int{}
	for i, v := range inst {
		perAZ[azKey(scored[i])] += v
	}
	for {
		over := ""
		for az, v := range perAZ {
			if v > azCap && (over == "" || az < over) {
				over = az
			}
		}
		if over == "" {
			return true
		}
		from := -1
		for i, v := range inst {
			if v > 0 && azKey(scored[i]) == over && i > from {
				from = i
			}
		}
		to := -1
		for pass := 0; pass < 3 && to < 0; pass++ {
			for i, c := range scored {
				if perAZ[azKey(c)] >= azCap {
					continue
				}
				_, in := inst[i]
				ok := (pass == 0 && in && inst[i] < perPool) || (pass == 1 && !in) || (pass == 2 && in)
				if ok {
					to = i
					break
				}
			}
		}
		if from < 0 || to < 0 {
			return false
		}
		inst[from]--
		inst[to]++
		perAZ[over]--
		perAZ[azKey(scored[to])]++
	}
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
func pickGreedy(scored []Choice, eligible []int, k, needAZ, needFam int) (picked []int) {
	gotAZ, gotFam := map[string]bool{}, map[string]bool{}
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
	return picked
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

// groupNotes states the region choice.
func groupNotes(best group, lines []RegionLine, p Profile) []string {
	if len(lines) < 2 {
		return nil
	}
	var parts []string
	for _, l := range lines {
		if l.Region == best.region {
			continue
		}
		if l.Note != "" {
			parts = append(parts, l.Region+": "+l.Note)
			continue
		}
		parts = append(parts, fmt.Sprintf("%s +%.1f%% ($%.2f, %s)", l.Region, 100*l.VsBest, l.ExpectedCost, l.BestPool))
	}
	stay := "the set stays in " + best.region + " because a fleet is regional"
	if p.Mode() == ModeCoupled {
		stay = "a coupled job stays in one region"
	}
	return []string{fmt.Sprintf("%s wins at $%.2f; %s; %s", best.region, best.cost, strings.Join(parts, "; "), stay)}
}
