package recommend

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

var buckets = []advisor.Entry{
	{Known: true, Bucket: 0, Label: "<5%", MinPct: 0, MaxPct: 5},
	{Known: true, Bucket: 1, Label: "5-10%", MinPct: 5, MaxPct: 10},
	{Known: true, Bucket: 2, Label: "10-15%", MinPct: 10, MaxPct: 15},
	{Known: true, Bucket: 3, Label: "15-20%", MinPct: 15, MaxPct: 20},
	{Known: true, Bucket: 4, Label: ">20%", MinPct: 20, MaxPct: 100},
}

func TestMonthlyFrequencyAndHourlyRate(t *testing.T) {
	// lambda = -ln(1-f)/730, computed by hand (python math.log).
	tests := []struct {
		entry  advisor.Entry
		f      float64
		known  bool
		lambda float64
	}{
		{buckets[0], 0.025, true, 3.46819287456026e-05},
		{buckets[1], 0.075, true, 0.00010679663215029015},
		{buckets[2], 0.125, true, 0.0001829197159240036},
		{buckets[3], 0.175, true, 0.0002635231406129536},
		{buckets[4], 0.30, true, 0.000488595813614702},
		{advisor.Entry{}, 0.30, false, 0.000488595813614702},                       // unknown: worst bucket
		{advisor.Entry{Known: true, Bucket: 9}, 0.30, false, 0.000488595813614702}, // corrupt index: unknown
	}
	for _, tt := range tests {
		f, known, basis := MonthlyFrequency(tt.entry)
		if f != tt.f || known != tt.known || basis == "" {
			t.Errorf("MonthlyFrequency(%+v) = %v, %v, %q; want %v, %v", tt.entry, f, known, basis, tt.f, tt.known)
		}
		if got := HourlyRate(f); !near(got, tt.lambda, 1e-12) {
			t.Errorf("HourlyRate(%v) = %v, want %v", f, got, tt.lambda)
		}
	}
	if HourlyRate(0) != 0 || !math.IsInf(HourlyRate(1), 1) {
		t.Error("HourlyRate edges")
	}
	// The rate reproduces the monthly probability it came from.
	if p := 1 - math.Exp(-HourlyRate(0.125)*HoursPerMonth); !near(p, 0.125, 1e-12) {
		t.Errorf("round trip = %v", p)
	}
}

func TestExpectedHours(t *testing.T) {
	tests := []struct {
		name            string
		lambda, T, c, r float64
		want            float64
	}{
		{"no interruptions", 0, 8, 0.5, 0.1, 8},
		{"never checkpoints, no restart: (e^0.08-1)/0.01", 0.01, 8, 0, 0, 8.328706767495856},
		{"never checkpoints, restart 0.5h: (1/l+r)(e^lT-1)", 0.01, 8, 0, 0.5, 8.370350301333335},
		{"checkpoint >= T is never", 0.01, 8, 8, 0.5, 8.370350301333335},
		{"checkpoint 30m, restart 6m: 16 segments", 0.01, 8, 0.5, 0.1, 8.028053408416744},
		{"remainder segment: 2x0.4h + 0.2h", 0.01, 1, 0.4, 0, 1.0018022688684012},
		{"remainder with restart", 0.1, 1, 0.4, 0.05, 1.0233200285358994},
		{"zero-length job", 0.01, 0, 0, 1, 0},
	}
	for _, tt := range tests {
		if got := ExpectedHours(tt.lambda, tt.T, tt.c, tt.r); !near(got, tt.want, 1e-12) {
			t.Errorf("%s: ExpectedHours = %.15g, want %.15g", tt.name, got, tt.want)
		}
	}
}

func TestExpectedHoursLimits(t *testing.T) {
	// lambda -> 0: both the checkpointed and the never-checkpointing job cost T.
	for _, c := range []float64{0, 0.5} {
		prev := math.Inf(1)
		for _, l := range []float64{1e-2, 1e-4, 1e-6, 1e-9} {
			e := ExpectedHours(l, 8, c, 0.1)
			if e < 8 || e > prev {
				t.Fatalf("c=%v lambda=%v: E=%v not decreasing towards 8", c, l, e)
			}
			prev = e
		}
		if !near(prev, 8, 1e-7) {
			t.Errorf("c=%v: E(lambda=1e-9) = %v, want -> 8", c, prev)
		}
	}
	// First order in lambda, an interruption loses c/2 + r (stats.md):
	// E ~= T + lambda*T*(c/2 + r).
	l, T, c, r := 1e-5, 8.0, 0.5, 0.1
	if got, want := ExpectedHours(l, T, c, r), T+l*T*(c/2+r); !near(got, want, 1e-9) {
		t.Errorf("first order: %v vs %v", got, want)
	}
	// Checkpointing more often never costs more (no checkpoint overhead modelled).
	if ExpectedHours(0.01, 8, 0.25, 0.1) > ExpectedHours(0.01, 8, 1, 0.1) || ExpectedHours(0.01, 8, 1, 0.1) > ExpectedHours(0.01, 8, 0, 0.1) {
		t.Error("more frequent checkpoints should not cost more")
	}
}

// TestExpectedHoursSimulation checks the closed form against a direct
// simulation of the process it claims to describe.
func TestExpectedHoursSimulation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	simulate := func(lambda, T, c, r float64) float64 {
		if c <= 0 || c >= T {
			c = T
		}
		wall, done := 0.0, 0.0
		for done < T-1e-12 {
			seg := math.Min(c, T-done)
			for {
				x := rng.ExpFloat64() / lambda
				if x >= seg {
					wall += seg
					break
				}
				wall += x + r
			}
			done += seg
		}
		return wall
	}
	for _, tt := range []struct{ lambda, T, c, r float64 }{{0.2, 8, 0, 0.5}, {0.2, 8, 1, 0.25}} {
		const n = 40000
		sum := 0.0
		for i := 0; i < n; i++ {
			sum += simulate(tt.lambda, tt.T, tt.c, tt.r)
		}
		got, want := sum/n, ExpectedHours(tt.lambda, tt.T, tt.c, tt.r)
		if math.Abs(got-want)/want > 0.02 {
			t.Errorf("%+v: simulated %v, formula %v", tt, got, want)
		}
	}
}

func TestPenalties(t *testing.T) {
	stab := []struct{ cv, p95, twap, want float64 }{
		{0, 0.1, 0.1, 0},
		{0.1, 0.11, 0.1, 0.1},      // 0.5*0.1 + 0.5*0.1
		{0.02, 0.084, 0.08, 0.035}, // 0.01 + 0.5*0.05
		{0.2, 0.05, 0.1, 0.1},      // p95 below twap is no bonus
		{0.3, 0.2, 0, 0.15},        // twap 0: no p95 term, no division
	}
	for _, tt := range stab {
		if got := StabilityPenalty(tt.cv, tt.p95, tt.twap); !near(got, tt.want, 1e-12) {
			t.Errorf("StabilityPenalty(%v,%v,%v) = %v, want %v", tt.cv, tt.p95, tt.twap, got, tt.want)
		}
	}
	place := []struct {
		s    int
		want float64
	}{{0, 0}, {10, 0}, {8, 0.1}, {7, 0.15}, {1, 0.45}, {11, 0}, {-1, 0}}
	for _, tt := range place {
		if got := PlacementPenalty(tt.s); !near(got, tt.want, 1e-12) {
			t.Errorf("PlacementPenalty(%d) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func spec(name string, vcpus int, memGiB float64, arch string) market.InstanceType {
	return market.InstanceType{Name: name, VCPUs: vcpus, MemoryMiB: int64(memGiB * 1024), Architectures: []string{arch}, SpotSupported: true, CurrentGeneration: true}
}

func cand(typ, az, azid string, vcpus int, mem float64, last float64, adv advisor.Entry) Candidate {
	return Candidate{
		Pool:               market.Pool{Region: "sa-east-1", AvailabilityZone: az, InstanceType: typ, Product: market.LinuxUNIX},
		AvailabilityZoneID: azid,
		Spec:               spec(typ, vcpus, mem, "x86_64"),
		Stats:              market.Stats{Last: last, TWAP: last, P95: last, CoveredHours: 720},
		HasStats:           true,
		Advisor:            adv,
	}
}

var batch = Profile{Name: "batch", VCPUs: 4, MemoryGiB: 16, Count: 10, Hours: 8, Checkpoint: 30 * time.Minute, Restart: 6 * time.Minute, Regions: []string{"sa-east-1"}}

func TestScoreHandComputed(t *testing.T) {
	c := cand("m5.xlarge", "sa-east-1a", "sae1-az1", 4, 16, 0.08, buckets[1])
	c.Stats.CV, c.Stats.P95 = 0.02, 0.084
	c.Placement = 8
	c.OnDemand = OnDemand{Price: 0.192, Known: true}
	ch := Score(c, batch.WithDefaults())
	// E = 16*seg(lambda(7.5%), 0.5h, 0.1h), by hand. The score is per job
	// (job mode): $/vCPU-h 0.022770851133073762 with penalties x 8 h x 4 vCPUs.
	want := struct{ E, cpvh, score, job float64 }{8.000299036653056, 0.02000074759163264, 0.022770851133073762 * 32, 0.6400239229322445}
	if !near(ch.ExpectedHours, want.E, 1e-12) || !near(ch.ExpectedCostPerVCPUHour, want.cpvh, 1e-12) ||
		!near(ch.Score, want.score, 1e-12) || !near(ch.ExpectedJobCost, want.job, 1e-12) {
		t.Fatalf("got E=%v cpvh=%v score=%v job=%v, want %+v", ch.ExpectedHours, ch.ExpectedCostPerVCPUHour, ch.Score, ch.ExpectedJobCost, want)
	}
	if ch.Price != 0.08 || ch.PriceBasis != "last" || *ch.PlacementScore != 8 || *ch.OnDemand != 0.192 || ch.Family != "m5" {
		t.Errorf("fields: %+v", ch)
	}
	// The weights of price and the three penalties sum to 1 and match the
	// sequential additions: base, base*oInt, base*(1+oInt)*0.035, ...*0.1.
	base := 0.08 * 8 // job mode: the job's price without interruptions
	oInt := want.E/8 - 1
	wantW := map[string]float64{
		"price":        base / want.score,
		"interruption": base * oInt / want.score,
		"stability":    base * (1 + oInt) * 0.035 / want.score,
		"placement":    base * (1 + oInt) * 1.035 * 0.1 / want.score,
	}
	sum := 0.0
	for _, r := range ch.Reasons {
		sum += r.Weight
		if w, ok := wantW[r.Factor]; ok && !near(r.Weight, w, 1e-9) {
			t.Errorf("%s weight %v, want %v", r.Factor, r.Weight, w)
		}
		if r.Value == "" || r.Effect == "" {
			t.Errorf("empty reason %+v", r)
		}
	}
	if !near(sum, 1, 1e-12) {
		t.Errorf("weights sum to %v", sum)
	}
	if got := reason(ch, "placement").Effect; got != "+10% score" {
		t.Errorf("placement effect %q", got)
	}
	if got := reason(ch, "stability").Effect; got != "+3.5% score" {
		t.Errorf("stability effect %q", got)
	}
	if got := reason(ch, "on_demand").Value; got != "$0.192000/h" {
		t.Errorf("on_demand %q", got)
	}
}

func reason(c Choice, factor string) Reason {
	for _, r := range c.Reasons {
		if r.Factor == factor {
			return r
		}
	}
	return Reason{}
}

func TestScoreMissingSignals(t *testing.T) {
	p := Profile{VCPUs: 4, Hours: 8}.WithDefaults() // never checkpoints
	c := cand("m5.xlarge", "sa-east-1a", "", 4, 16, 0.08, advisor.Entry{})
	ch := Score(c, p)
	// Unknown bucket -> 30%/month; no checkpoints -> (1/lambda + r)(e^{8 lambda}-1)
	// with the default restart r = 10 min.
	if ch.Interruption.Known || ch.Interruption.Bucket != "unknown" || ch.Interruption.MonthlyFrequency != 0.30 {
		t.Errorf("interruption %+v", ch.Interruption)
	}
	lambda := HourlyRate(0.30)
	wantE := (1/lambda + 1.0/6) * math.Expm1(8*lambda)
	if !near(ch.ExpectedHours, wantE, 1e-12) || !near(ch.ExpectedJobCost, 0.08*wantE, 1e-12) || wantE < 8.0163 || wantE > 8.0164 {
		t.Errorf("E=%v job=%v", ch.ExpectedHours, ch.ExpectedJobCost)
	}
	if ch.PlacementScore != nil || ch.OnDemand != nil || reason(ch, "placement").Weight != 0 || reason(ch, "placement").Value != "unknown (no penalty)" {
		t.Errorf("unknown placement / on-demand: %+v", ch)
	}
	if !strings.Contains(reason(ch, "interruption").Value, "no checkpoints") || !strings.Contains(reason(ch, "interruption").Value, "unknown, assumed >20%") {
		t.Errorf("interruption reason %q", reason(ch, "interruption").Value)
	}
	// A zero last price is real data but no forecast: twap is used and said so.
	c.Stats.Last, c.Stats.TWAP = 0, 0.05
	ch = Score(c, p)
	if ch.Price != 0.05 || ch.PriceBasis != "twap" || !strings.Contains(reason(ch, "price").Value, "twap") {
		t.Errorf("zero last: %+v", ch)
	}
	// An estimated On-Demand price is labelled.
	c.OnDemand = OnDemand{Price: 0.2, Known: true, Estimated: true}
	ch = Score(c, p)
	if !ch.OnDemandEstimated || !strings.Contains(reason(ch, "on_demand").Value, "estimate") {
		t.Errorf("estimated OD: %+v", reason(ch, "on_demand"))
	}
}

func pool12() []Candidate {
	// Two families x three AZs, m5 cheaper than c5; plus an r5 that is too dear
	// to be in a diversified set (> 1.5x the best score). The 8-vCPU types do
	// 4 vCPUs of work for a 4-vCPU profile, so they are priced per 4.
	var cs []Candidate
	for i, az := range []string{"a", "b", "c"} {
		id := "sae1-az" + string(rune('1'+i))
		cs = append(cs,
			cand("m5.xlarge", "sa-east-1"+az, id, 4, 16, 0.080+0.001*float64(i), buckets[0]),
			cand("m5a.xlarge", "sa-east-1"+az, id, 4, 16, 0.082+0.001*float64(i), buckets[0]),
			cand("c5.2xlarge", "sa-east-1"+az, id, 8, 16, 0.170+0.001*float64(i), buckets[1]),
			cand("r5.2xlarge", "sa-east-1"+az, id, 8, 64, 0.400, buckets[0]),
		)
	}
	return cs
}

func TestRecommendDiversified(t *testing.T) {
	res, err := Recommend(pool12(), batch, Options{MaxPools: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pools) != 4 || res.Region != "sa-east-1" || res.Candidates != 12 {
		t.Fatalf("pools=%d region=%q candidates=%d", len(res.Pools), res.Region, res.Candidates)
	}
	azs, fams, total := map[string]bool{}, map[string]bool{}, 0
	for _, c := range res.Pools {
		azs[c.AvailabilityZoneID] = true
		fams[c.Family] = true
		total += c.Instances
		if c.Instances > 3 { // ceil(10/4)
			t.Errorf("%s %s holds %d > ceil(10/4)", c.InstanceType, c.AvailabilityZone, c.Instances)
		}
		if !near(c.Share, float64(c.Instances)/10, 1e-12) {
			t.Errorf("share %v for %d instances", c.Share, c.Instances)
		}
		if c.Family == "r5" {
			t.Error("r5 is 2.5x the best score and must not be in the set")
		}
	}
	if total != 10 || len(azs) < 2 || len(fams) < 2 {
		t.Errorf("total=%d azs=%v fams=%v", total, azs, fams)
	}
	// Score order is m5 a, b, c (0.080..0.082), then m5a a (0.082, tie broken
	// by name): the first three leave one slot, which must bring a second family.
	want := []string{"m5.xlarge sa-east-1a", "m5.xlarge sa-east-1b", "m5.xlarge sa-east-1c", "m5a.xlarge sa-east-1a"}
	var got []string
	for _, c := range res.Pools {
		got = append(got, c.InstanceType+" "+c.AvailabilityZone)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("set %v, want %v", got, want)
	}
	if len(res.Alternatives) != 8 || res.Alternatives[0].Instances != 0 {
		t.Errorf("alternatives %d", len(res.Alternatives))
	}
	if !sort.SliceIsSorted(res.Alternatives, func(i, j int) bool { return res.Alternatives[i].Score < res.Alternatives[j].Score }) {
		t.Error("alternatives not ranked")
	}
	sum := 0.0
	for _, c := range res.Pools {
		sum += float64(c.Instances) * c.ExpectedJobCost
	}
	if !near(res.ExpectedTotalCost, sum, 1e-12) {
		t.Errorf("total cost %v vs %v", res.ExpectedTotalCost, sum)
	}
}

func TestDiversityConstraint(t *testing.T) {
	// One cheap pool per AZ of family m5 in a only, then m5 b and c5 c: the
	// greedy order would take three m5 pools in one AZ; the constraint must
	// force a second AZ and a second family into a 3-pool set.
	cs := []Candidate{
		cand("m5.xlarge", "sa-east-1a", "az1", 4, 16, 0.080, buckets[0]),
		cand("m5.2xlarge", "sa-east-1a", "az1", 8, 32, 0.081, buckets[0]),
		cand("m5.4xlarge", "sa-east-1a", "az1", 16, 64, 0.082, buckets[0]),
		cand("m5.xlarge", "sa-east-1b", "az2", 4, 16, 0.090, buckets[0]),
		cand("c5.xlarge", "sa-east-1a", "az1", 4, 16, 0.095, buckets[0]),
	}
	res, err := Recommend(cs, batch, Options{MaxPools: 3})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Pools {
		got = append(got, c.InstanceType+" "+c.AvailabilityZone)
	}
	want := []string{"m5.xlarge sa-east-1a", "m5.xlarge sa-east-1b", "c5.xlarge sa-east-1a"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("set %v, want %v", got, want)
	}
	if n := res.Pools[0].Instances + res.Pools[1].Instances + res.Pools[2].Instances; n != 10 || res.Pools[0].Instances != 4 {
		t.Errorf("instances %d, first %d", n, res.Pools[0].Instances)
	}

	// Only one AZ and family available: the set says so instead of failing.
	res, err = Recommend(cs[:3], batch, Options{})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notes, "\n")
	if !strings.Contains(notes, "spans 1 AZ(s)") || !strings.Contains(notes, "1 instance family") {
		t.Errorf("notes: %s", notes)
	}

	// Count 1: one pool, everything else is an alternative.
	p := batch
	p.Count = 1
	res, _ = Recommend(cs, p, Options{})
	if len(res.Pools) != 1 || res.Pools[0].Instances != 1 || res.Pools[0].Share != 1 || len(res.Alternatives) != 4 {
		t.Errorf("count 1: %d pools, %d alternatives", len(res.Pools), len(res.Alternatives))
	}
}

func TestRecommendNoMatch(t *testing.T) {
	base := pool12()
	zero := cand("m6i.xlarge", "sa-east-1a", "az1", 4, 16, 0, buckets[0])
	nodata := cand("m6i.xlarge", "sa-east-1a", "az1", 4, 16, 0, buckets[0])
	nodata.HasStats = false
	nospot := cand("m6i.xlarge", "sa-east-1a", "az1", 4, 16, 0.1, buckets[0])
	nospot.Spec.SpotSupported = false
	tests := []struct {
		name       string
		cands      []Candidate
		mod        func(*Profile)
		constraint string
		msg        string
	}{
		{"empty", nil, func(*Profile) {}, "catalog", "no candidates"},
		{"vcpus", base, func(p *Profile) { p.VCPUs = 512 }, FlagVCPUs, "no instance type in sa-east-1 has >= 512 vCPUs; the largest has 8"},
		{"memory", base, func(p *Profile) { p.MemoryGiB = 2048 }, FlagMemory, "has >= 2048 GiB of memory; the largest has 64 GiB"},
		{"arch", base, func(p *Profile) { p.Arch = "arm64" }, FlagArch, "runs arm64"},
		{"gpus", base, func(p *Profile) { p.GPUs = 1 }, FlagGPUs, "has >= 1 GPUs; none has a GPU"},
		{"families", base, func(p *Profile) { p.Families = []string{"g5*"} }, FlagFamilies, "matches --families g5*"},
		{"exclude", base, func(p *Profile) { p.Exclude = []string{"m5*", "c5", "r5.*"} }, FlagExclude, "removes every remaining instance type"},
		{"spot", []Candidate{nospot}, func(*Profile) {}, "spot", "supports spot"},
		{"no price data", []Candidate{nodata}, func(*Profile) {}, "price-data", "no Linux/UNIX price data in the 30d window"},
		{"zero price", []Candidate{zero}, func(*Profile) {}, "price", "price 0.000000"},
		{"max price", base, func(p *Profile) { p.MaxPrice = 0.05 }, FlagMaxPrice, "no matching pool in sa-east-1 has a last price <= $0.05/h; the cheapest is m5.xlarge in sa-east-1a at $0.080000/h"},
		{"product", base, func(p *Profile) { p.Product = market.Windows }, FlagProduct, "sells Windows"},
	}
	for _, tt := range tests {
		p := batch
		tt.mod(&p)
		_, err := Recommend(tt.cands, p, Options{})
		var nm *NoMatchError
		if !errors.As(err, &nm) {
			t.Errorf("%s: err %v, want *NoMatchError", tt.name, err)
			continue
		}
		if nm.Constraint != tt.constraint || !strings.Contains(nm.Error(), tt.msg) {
			t.Errorf("%s: %s: %q, want %s: ...%q...", tt.name, nm.Constraint, nm.Error(), tt.constraint, tt.msg)
		}
	}
	// An invalid profile is a validation error, not a no-match.
	if _, err := Recommend(base, Profile{VCPUs: -1}, Options{}); err == nil || err.Error() != "--vcpus must be >= 0" {
		t.Errorf("invalid profile: %v", err)
	}
}

func TestFilterFamiliesGlobs(t *testing.T) {
	for _, tt := range []struct {
		globs []string
		typ   string
		want  bool
	}{
		{[]string{"m5"}, "m5.large", true},
		{[]string{"m5"}, "m5a.large", false},
		{[]string{"m5*"}, "m5a.large", true},
		{[]string{"*.xlarge"}, "c6g.xlarge", true},
		{[]string{"c?.large"}, "c5.large", true},
		{[]string{"m5.large"}, "m5.large", true},
		{nil, "m5.large", false},
	} {
		if got := matchAny(tt.globs, tt.typ); got != tt.want {
			t.Errorf("matchAny(%v, %s) = %v", tt.globs, tt.typ, got)
		}
	}
}

func TestResultJSONContract(t *testing.T) {
	cs := pool12()
	cs[0].Placement = 10
	res, err := Recommend(cs, batch, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	pool := m["pools"].([]any)[0].(map[string]any)
	for _, k := range []string{"region", "availability_zone", "availability_zone_id", "instance_type", "vcpus", "memory_gib", "product", "last", "twap", "cv", "p95", "interruption", "placement_score", "on_demand", "on_demand_estimated", "expected_cost_per_vcpu_hour", "expected_job_cost", "share", "score", "reasons"} {
		if _, ok := pool[k]; !ok {
			t.Errorf("pool JSON lacks %q", k)
		}
	}
	if pool["placement_score"] != 10.0 || pool["on_demand"] != nil {
		t.Errorf("placement %v on_demand %v", pool["placement_score"], pool["on_demand"])
	}
	r0 := pool["reasons"].([]any)[0].(map[string]any)
	for _, k := range []string{"factor", "value", "effect", "weight"} {
		if _, ok := r0[k]; !ok {
			t.Errorf("reason lacks %q", k)
		}
	}
	prof := m["profile"].(map[string]any)
	if prof["checkpoint"] != "30m" || prof["restart"] != "6m" || prof["window"] != "30d" || prof["product"] != "Linux/UNIX" {
		t.Errorf("profile JSON %v", prof)
	}
	for _, k := range []string{"pools", "alternatives", "notes", "expected_total_cost", "candidates", "region"} {
		if _, ok := m[k]; !ok {
			t.Errorf("result lacks %q", k)
		}
	}
}

func TestRecommendAcrossRegions(t *testing.T) {
	cs := pool12()
	us := cand("m5.xlarge", "us-east-1a", "use1-az1", 4, 16, 0.09, buckets[0])
	us.Region = "us-east-1"
	cs = append(cs, us)
	p := batch
	p.Regions = []string{"sa-east-1", "us-east-1"}
	res, err := Recommend(cs, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Pools {
		if c.Region != "sa-east-1" {
			t.Errorf("set leaves the region: %+v", c)
		}
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "a fleet is regional") {
		t.Errorf("notes %v", res.Notes)
	}
}

func TestWorkVCPUs(t *testing.T) {
	// A 4-vCPU job on a 16-vCPU machine pays the whole machine for 4 vCPUs of work.
	big := cand("m5.4xlarge", "sa-east-1a", "az1", 16, 64, 0.32, buckets[0])
	for _, tt := range []struct {
		vcpus, work int
		base        float64
	}{{4, 4, 0.08}, {0, 16, 0.02}, {16, 16, 0.02}} {
		p := Profile{VCPUs: tt.vcpus, Hours: 1}.WithDefaults()
		ch := Score(big, p)
		lambdaFactor := ExpectedHours(HourlyRate(0.025), 1, 0, DefaultRestart.Hours()) / 1
		if ch.WorkVCPUs != tt.work || !near(ch.ExpectedCostPerVCPUHour, tt.base*lambdaFactor, 1e-12) {
			t.Errorf("vcpus=%d: work %d cost %v, want %d %v", tt.vcpus, ch.WorkVCPUs, ch.ExpectedCostPerVCPUHour, tt.work, tt.base*lambdaFactor)
		}
	}
}

// TestFamilySpreadIsCostBounded: a second family is taken only when it costs
// at most maxFamilyPremium more than the cheapest pools; otherwise the set
// keeps to one family across AZs and the notes say why and at what price.
func TestFamilySpreadIsCostBounded(t *testing.T) {
	p := batch
	p.Count = 2
	cands := []Candidate{
		cand("m5.xlarge", "sa-east-1a", "sae1-az1", 4, 16, 0.100, buckets[0]),
		cand("m5.xlarge", "sa-east-1b", "sae1-az2", 4, 16, 0.101, buckets[0]),
		cand("c5.xlarge", "sa-east-1a", "sae1-az1", 4, 16, 0.102, buckets[0]),
		cand("r5.xlarge", "sa-east-1b", "sae1-az2", 4, 16, 0.149, buckets[0]),
	}
	res, err := Recommend(cands, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, c := range res.Pools {
		got = append(got, c.InstanceType+"/"+c.AvailabilityZone)
	}
	if strings.Join(got, " ") != "m5.xlarge/sa-east-1a m5.xlarge/sa-east-1b" {
		t.Fatalf("set %v, want the two m5 pools across AZs (r5 is 48%% dearer)", got)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "second instance family would cost more than 10%") {
		t.Errorf("notes do not explain the single family: %v", res.Notes)
	}

	// Within the premium, the second family is taken and its price stated.
	cands[3] = cand("r5.xlarge", "sa-east-1b", "sae1-az2", 4, 16, 0.104, buckets[0])
	res, err = Recommend(cands, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pools[1].InstanceType != "r5.xlarge" || !strings.Contains(strings.Join(res.Notes, "\n"), "costs 2.0% over putting all 2 in the cheapest pool") {
		t.Fatalf("set %+v, notes %v", res.Pools, res.Notes)
	}
}
