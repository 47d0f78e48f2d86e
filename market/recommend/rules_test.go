package recommend

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

func gpuCand(typ, az, azid string, vcpus int, mem float64, gpus int, gpu string, gpuGiB float64, last float64, bucket int) Candidate {
	c := cand(typ, az, azid, vcpus, mem, last, buckets[bucket])
	c.Spec.GPUs, c.Spec.GPUName, c.Spec.GPUMemoryMiB = gpus, gpu, int64(float64(gpus)*gpuGiB*1024)
	return c
}

func setTypes(r Result) []string {
	var out []string
	for _, c := range r.Pools {
		out = append(out, c.InstanceType)
	}
	return out
}

// TestJobModeNeverCreditsSpareCapacity: the two cases of issue 8. A one-GPU
// job costs the same wall time on g4dn.xlarge and g4dn.8xlarge, so the
// cheaper instance wins however cheap the big one is per vCPU; likewise a
// 256 GiB job on r5a.8xlarge against r5.metal.
func TestJobModeNeverCreditsSpareCapacity(t *testing.T) {
	tests := []struct {
		name  string
		cands []Candidate
		p     Profile
		want  string
	}{
		{"one T4", []Candidate{
			gpuCand("g4dn.xlarge", "sa-east-1a", "az1", 4, 16, 1, "T4", 16, 0.2682, 4),
			gpuCand("g4dn.8xlarge", "sa-east-1a", "az1", 32, 128, 1, "T4", 16, 1.1094, 4),
		}, Profile{GPUs: 1, Hours: 24, Checkpoint: time.Hour}, "g4dn.xlarge"},
		{"256 GiB", []Candidate{
			cand("r5a.8xlarge", "sa-east-1a", "az1", 32, 256, 0.55, buckets[0]),
			cand("r5.metal", "sa-east-1a", "az1", 96, 768, 1.60, buckets[0]), // cheaper per vCPU (0.0167 < 0.0172)
		}, Profile{MemoryGiB: 256, Hours: 24}, "r5a.8xlarge"},
	}
	for _, tt := range tests {
		tt.p.Regions = []string{"sa-east-1"}
		res, err := Recommend(tt.cands, tt.p, Options{})
		if err != nil {
			t.Fatal(tt.name, err)
		}
		if res.Mode != ModeJob || res.Unit != "job" || res.Pools[0].InstanceType != tt.want {
			t.Errorf("%s: mode %s unit %s, chose %v, want %s", tt.name, res.Mode, res.Unit, setTypes(res), tt.want)
		}
		if got, want := res.Pools[0].ExpectedJobCost, res.Pools[0].Price*res.Pools[0].ExpectedHours; !near(got, want, 1e-12) {
			t.Errorf("%s: job cost %v, want price x E = %v", tt.name, got, want)
		}
	}
}

// TestThroughputRanksPerUsefulHour: a queue of vCPU-hours is drained at the
// rate of every vCPU, so there the big box's lower price per vCPU wins.
func TestThroughputRanksPerUsefulHour(t *testing.T) {
	cands := []Candidate{
		cand("r5a.8xlarge", "sa-east-1a", "az1", 32, 256, 0.55, buckets[0]),
		cand("r5.metal", "sa-east-1a", "az1", 96, 768, 1.60, buckets[0]),
	}
	p := Profile{Work: 5000, WorkUnit: WorkVCPUHours, Count: 1, Checkpoint: time.Hour, Regions: []string{"sa-east-1"}}
	res, err := Recommend(cands, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != ModeThroughput || res.Unit != "vCPU-hour" || res.Alternatives[0].InstanceType != "r5a.8xlarge" {
		t.Fatalf("mode %s unit %s set %v alternatives %v", res.Mode, res.Unit, setTypes(res), res.Alternatives)
	}
	metal := res.Pools[0]
	T := 5000.0 / 96 // one instance drains the queue at 96 vCPUs
	E := ExpectedHours(HourlyRate(0.025), T, 1, DefaultRestart.Hours())
	if metal.InstanceType != "r5.metal" || !near(metal.WorkHours, T, 1e-12) || !near(metal.Score, 1.60*E/(T*96), 1e-12) {
		t.Errorf("metal %s: T %v score %v, want T %v score %v", metal.InstanceType, metal.WorkHours, metal.Score, T, 1.60*E/(T*96))
	}
	if got := res.Plan.ExpectedCost; !near(got, 1.60*E, 1e-12) || !near(res.Plan.OnDemandHours, T, 1e-12) {
		t.Errorf("plan cost %v, want %v", got, 1.60*E)
	}
	// GPU-hours need a GPU and are drained at the rate of the GPUs.
	g := []Candidate{
		gpuCand("g5.xlarge", "sa-east-1a", "az1", 4, 16, 1, "A10G", 24, 0.40, 0),
		gpuCand("g5.12xlarge", "sa-east-1a", "az1", 48, 192, 4, "A10G", 24, 1.20, 0),
		cand("m5.xlarge", "sa-east-1a", "az1", 4, 16, 0.05, buckets[0]),
	}
	res, err = Recommend(g, Profile{Work: 800, WorkUnit: WorkGPUHours, Regions: []string{"sa-east-1"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unit != "GPU-hour" || res.Pools[0].InstanceType != "g5.12xlarge" || res.Candidates != 2 {
		t.Errorf("GPU-hours: unit %s set %v (%d candidates), want g5.12xlarge at $0.30/GPU-h", res.Unit, setTypes(res), res.Candidates)
	}
}

// TestCandidateRules: burstable and previous-generation types are left out
// unless asked for, and the notes say so.
func TestCandidateRules(t *testing.T) {
	t3 := cand("t3.medium", "sa-east-1a", "az1", 2, 4, 0.01, buckets[0])
	old := cand("m2.2xlarge", "sa-east-1a", "az1", 4, 34, 0.02, buckets[0])
	old.Spec.CurrentGeneration = false
	flagged := cand("x9z.large", "sa-east-1a", "az1", 2, 8, 0.015, buckets[0])
	flagged.Spec.Burstable = true // the catalog's flag counts, not only the name
	m6 := cand("m6i.large", "sa-east-1a", "az1", 2, 8, 0.05, buckets[0])
	cands := []Candidate{t3, old, flagged, m6}
	for _, tt := range []struct {
		name string
		mod  func(*Profile)
		want string
	}{
		{"default", func(*Profile) {}, "m6i.large"},
		{"burstable", func(p *Profile) { p.Burstable = true }, "t3.medium"},
		{"previous-gen", func(p *Profile) { p.PreviousGen = true }, "m2.2xlarge"},
	} {
		p := Profile{VCPUs: 2, MemoryGiB: 4, Hours: 24, Regions: []string{"sa-east-1"}}
		tt.mod(&p)
		res, err := Recommend(cands, p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Pools[0].InstanceType != tt.want {
			t.Errorf("%s: chose %v, want %s", tt.name, setTypes(res), tt.want)
		}
		notes := strings.Join(res.Notes, "\n")
		if tt.name == "burstable" && !strings.Contains(notes, "CPU credits") {
			t.Errorf("burstable allowed without the CPU-credit caveat: %s", notes)
		}
	}
	_, err := Recommend([]Candidate{t3}, Profile{Regions: []string{"sa-east-1"}}, Options{})
	var nm *NoMatchError
	if !errors.As(err, &nm) || nm.Constraint != FlagBurstable || !strings.Contains(err.Error(), "--burstable") {
		t.Errorf("only burstables: %v", err)
	}
}

// TestOneArchitecturePerSet: with --arch any the set keeps to the
// architecture whose best set is cheaper, and says so.
func TestOneArchitecturePerSet(t *testing.T) {
	var cands []Candidate
	for i, az := range []string{"a", "b", "c"} {
		id := "az" + string(rune('1'+i))
		arm := cand("m7g.xlarge", "sa-east-1"+az, id, 4, 16, 0.060+0.002*float64(i), buckets[0])
		arm.Spec.Architectures = []string{"arm64"}
		arm2 := cand("c7g.xlarge", "sa-east-1"+az, id, 4, 16, 0.070, buckets[0])
		arm2.Spec.Architectures = []string{"arm64"}
		cands = append(cands, arm, arm2,
			cand("m6i.xlarge", "sa-east-1"+az, id, 4, 16, 0.059+0.01*float64(i), buckets[0]), // cheapest single pool is x86
			cand("c6i.xlarge", "sa-east-1"+az, id, 4, 16, 0.080, buckets[0]))
	}
	p := Profile{VCPUs: 4, Count: 6, Hours: 8, Regions: []string{"sa-east-1"}}
	res, err := Recommend(cands, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range append(append([]Choice{}, res.Pools...), res.Alternatives...) {
		if c.Architecture != res.Architecture {
			t.Errorf("%s (%s) listed in a %s answer", c.InstanceType, c.Architecture, res.Architecture)
		}
	}
	if res.Architecture != "arm64" || !strings.Contains(strings.Join(res.Notes, "\n"), "the arm64 set") {
		t.Errorf("architecture %s, notes %v", res.Architecture, res.Notes)
	}
	p.Arch = "x86_64"
	res, _ = Recommend(cands, p, Options{})
	if res.Architecture != "x86_64" || res.Pools[0].InstanceType != "m6i.xlarge" {
		t.Errorf("--arch x86_64: %s %v", res.Architecture, setTypes(res))
	}
}

// TestAZCapHeld: no AZ carries more than the share when others can.
func TestAZCapHeld(t *testing.T) {
	// AZ a has the five cheapest pools; b and c are dearer.
	var cands []Candidate
	for i, f := range []string{"m6i", "m6a", "m7i", "m7a", "c6i"} {
		cands = append(cands, cand(f+".xlarge", "sa-east-1a", "az1", 4, 16, 0.050+0.001*float64(i), buckets[0]))
	}
	cands = append(cands, cand("r6i.xlarge", "sa-east-1b", "az2", 4, 16, 0.070, buckets[0]),
		cand("r6a.xlarge", "sa-east-1c", "az3", 4, 16, 0.071, buckets[0]),
		cand("m6i.xlarge", "sa-east-1b", "az2", 4, 16, 0.072, buckets[0]))
	for _, tt := range []struct {
		count int
		share float64
		max   int
	}{{100, 0.5, 50}, {10, 0.5, 5}, {3, 0.5, 1}, {100, 0.4, 40}, {100, 1, 100}} {
		p := Profile{VCPUs: 4, Count: tt.count, Hours: 8, MaxAZShare: tt.share, Regions: []string{"sa-east-1"}}
		res, err := Recommend(cands, p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		perAZ := map[string]int{}
		total := 0
		for _, c := range res.Pools {
			perAZ[c.AvailabilityZone] += c.Instances
			total += c.Instances
		}
		if total != tt.count {
			t.Errorf("count %d: placed %d", tt.count, total)
		}
		for az, n := range perAZ {
			if n > tt.max {
				t.Errorf("count %d share %g: %d in %s, cap %d (%v)", tt.count, tt.share, n, az, tt.max, perAZ)
			}
		}
		if !res.Caps.AZShareApplied || res.Caps.MaxAZShare > tt.share+1e-9 || res.Caps.CostOverCheapest <= 0 {
			t.Errorf("count %d: caps %+v", tt.count, res.Caps)
		}
		if !strings.Contains(strings.Join(res.Notes, "\n"), "over putting all") {
			t.Errorf("count %d: the caps' cost is not stated: %v", tt.count, res.Notes)
		}
	}
}

// TestCoupledHazardIsSum: a coupled job's rate is the sum of its nodes',
// its cost N x price x E, and it reports the chance of no interruption.
func TestCoupledHazardIsSum(t *testing.T) {
	cands := []Candidate{
		gpuCand("g5.xlarge", "sa-east-1a", "az1", 4, 16, 1, "A10G", 24, 0.40, 4),
		gpuCand("g5.xlarge", "sa-east-1b", "az2", 4, 16, 1, "A10G", 24, 0.41, 0),
	}
	p := Profile{GPUs: 1, Nodes: 4, Hours: 48, Checkpoint: 30 * time.Minute, Regions: []string{"sa-east-1"}}
	res, err := Recommend(cands, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Pools[0]
	lambda := HourlyRate(0.30)
	E := ExpectedHours(4*lambda, 48, 0.5, DefaultRestart.Hours())
	if res.Mode != ModeCoupled || len(res.Pools) != 1 || c.Instances != 4 || !near(c.ExpectedHours, E, 1e-12) || !near(c.ExpectedJobCost, 4*0.40*E, 1e-12) {
		t.Fatalf("mode %s pools %d: %+v; want 4 nodes, E %v", res.Mode, len(res.Pools), c, E)
	}
	if res.Plan.PNoInterruption == nil || !near(*res.Plan.PNoInterruption, math.Exp(-4*lambda*48), 1e-12) || !near(res.Plan.ExpectedCost, 4*0.40*E, 1e-12) {
		t.Errorf("plan %+v", res.Plan)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "sum of the nodes' rates") {
		t.Errorf("notes %v", res.Notes)
	}
	if err := (Profile{Nodes: 2, Count: 3}).Validate(); err == nil {
		t.Error("--nodes with --count 3 accepted")
	}
}

// TestRankFlipUnderPessimisticMultiple: a slightly cheaper pool in the worst
// bucket ahead of a safe one at 1x falls behind at 3x: both are marked.
func TestRankFlipUnderPessimisticMultiple(t *testing.T) {
	risky := cand("m6i.xlarge", "sa-east-1a", "az1", 4, 16, 0.1000, buckets[4])
	safe := cand("m6a.xlarge", "sa-east-1b", "az2", 4, 16, 0.1015, buckets[0])
	far := cand("c6i.xlarge", "sa-east-1b", "az2", 4, 16, 0.2, buckets[0])
	p := Profile{VCPUs: 4, Hours: 24, Regions: []string{"sa-east-1"}} // never checkpoints
	res, err := Recommend([]Candidate{risky, safe, far}, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]Choice{}, res.Pools...), res.Alternatives...)
	got := map[string]Choice{}
	for _, c := range all {
		got[c.InstanceType] = c
	}
	r, s, f := got["m6i.xlarge"], got["m6a.xlarge"], got["c6i.xlarge"]
	if r.Rank != 1 || s.Rank != 2 || r.RankPessimistic != 2 || s.RankPessimistic != 1 {
		t.Fatalf("ranks risky %d/%d safe %d/%d", r.Rank, r.RankPessimistic, s.Rank, s.RankPessimistic)
	}
	if !r.RankFlips || !s.RankFlips || f.RankFlips {
		t.Errorf("flips: risky %v safe %v far %v", r.RankFlips, s.RankFlips, f.RankFlips)
	}
	if !(r.PessimisticJobCost > r.ExpectedJobCost) || !strings.Contains(strings.Join(res.Notes, "\n"), "trade places") {
		t.Errorf("pessimistic %v vs %v; notes %v", r.PessimisticJobCost, r.ExpectedJobCost, res.Notes)
	}
}

// TestLostHoursPerInterruption checks the exact expectation against its
// closed form on one segment and the c/2 limit of rare interruptions.
func TestLostHoursPerInterruption(t *testing.T) {
	lambda, c := 0.2, 4.0
	want := 1/lambda - c/math.Expm1(lambda*c) // E[X | X < c]
	if got := LostHoursPerInterruption(lambda, c, 0, 0.5); !near(got, want, 1e-12) {
		t.Errorf("one segment: %v, want %v", got, want)
	}
	if got := LostHoursPerInterruption(lambda, 3*c, c, 0.5); !near(got, want, 1e-12) {
		t.Errorf("three equal segments: %v, want %v", got, want)
	}
	if got := LostHoursPerInterruption(1e-9, 8, 0.5, 0.1); !near(got, 0.25, 1e-6) {
		t.Errorf("rare interruptions lose c/2: %v", got)
	}
	// E_job = T + N (lost + r).
	T, ck, r := 10.0, 2.0, 0.25
	n := ExpectedInterruptions(lambda, T, ck)
	if got := T + n*(LostHoursPerInterruption(lambda, T, ck, r)+r); !near(got, ExpectedHours(lambda, T, ck, r), 1e-12) {
		t.Errorf("E = T + N(lost+r): %v vs %v", got, ExpectedHours(lambda, T, ck, r))
	}
}

// TestGPUFilters: model (case-insensitive), memory per GPU and EFA; a model
// no cached type has is an input error naming the ones there are, and a
// profile no pool meets names the tightest constraint.
func TestGPUFilters(t *testing.T) {
	a100 := gpuCand("p4d.24xlarge", "us-east-1a", "use1-az1", 96, 1152, 8, "A100", 40, 12, 0)
	a100.Spec.EFA = true
	a100e := gpuCand("p4de.24xlarge", "us-east-1a", "use1-az1", 96, 1152, 8, "A100", 80, 20, 0)
	t4 := gpuCand("g4dn.xlarge", "us-east-1a", "use1-az1", 4, 16, 1, "T4", 16, 0.2, 0)
	l4 := gpuCand("g6.xlarge", "us-east-1a", "use1-az1", 4, 16, 1, "L4", 22.35, 0.3, 0)
	cands := []Candidate{a100, a100e, t4, l4}
	for i := range cands {
		cands[i].Region = "us-east-1"
	}
	for _, tt := range []struct {
		name string
		p    Profile
		want string
	}{
		{"model", Profile{GPUs: 1, GPUModels: []string{"l4"}}, "g6.xlarge"},
		{"memory", Profile{GPUs: 1, GPUMemoryGiB: 20}, "g6.xlarge"},
		{"efa", Profile{GPUs: 8, EFA: true}, "p4d.24xlarge"},
		{"a100 80G", Profile{GPUs: 8, GPUMemoryGiB: 80}, "p4de.24xlarge"},
	} {
		tt.p.Regions = []string{"us-east-1"}
		res, err := Recommend(cands, tt.p, Options{})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if res.Pools[0].InstanceType != tt.want || res.Pools[0].GPUName == "" || res.Pools[0].ExpectedCostPerGPUHour <= 0 {
			t.Errorf("%s: %+v, want %s", tt.name, res.Pools[0], tt.want)
		}
	}
	// A cheaper AMD GPU wins a bare --gpus 1, and the answer says it has no CUDA.
	amd := gpuCand("g4ad.xlarge", "us-east-1a", "use1-az1", 4, 16, 1, "Radeon Pro V520", 8, 0.1, 0)
	amd.Region, amd.Spec.GPUManufacturer = "us-east-1", "AMD"
	res, err := Recommend(append([]Candidate{amd}, cands...), Profile{GPUs: 1, Regions: []string{"us-east-1"}}, Options{})
	if err != nil || res.Pools[0].InstanceType != "g4ad.xlarge" || !strings.Contains(strings.Join(res.Notes, "\n"), "do not run CUDA") {
		t.Errorf("AMD GPU: %v %v %v", err, setTypes(res), res.Notes)
	}
	_, err = Recommend(cands, Profile{GPUs: 8, GPUModels: []string{"H100"}, Regions: []string{"us-east-1"}}, Options{})
	var nm *NoMatchError
	if !errors.As(err, &nm) || nm.Constraint != FlagGPUs || !strings.Contains(err.Error(), "has >= 8 GPUs of model H100; 2 types have 8 A100") {
		t.Errorf("H100: %v", err)
	}
	var specs []market.InstanceType
	for _, c := range cands {
		specs = append(specs, c.Spec)
	}
	m := &Memory{Catalog: map[string][]market.InstanceType{"us-east-1": specs}}
	_, err = Build(context.Background(), m, Profile{GPUs: 1, GPUModels: []string{"H200"}, Regions: []string{"us-east-1"}}, time.Now())
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "the catalog has: A100, L4, T4") {
		t.Errorf("unknown model: %v", err)
	}
}

// TestMultiRegion: every region's candidates are ranked in one answer, the
// set stays in the winner and every region gets a line.
func TestMultiRegion(t *testing.T) {
	var cands []Candidate
	for _, r := range []struct {
		region string
		price  float64
	}{{"sa-east-1", 0.10}, {"us-east-1", 0.05}, {"eu-west-1", 0.08}} {
		for i, az := range []string{"a", "b"} {
			for _, f := range []string{"m6i", "c6i"} {
				c := cand(f+".xlarge", r.region+az, r.region+"-az"+string(rune('1'+i)), 4, 16, r.price+0.001*float64(i), buckets[0])
				c.Region = r.region
				cands = append(cands, c)
			}
		}
	}
	p := Profile{VCPUs: 4, Count: 4, Hours: 8, Regions: []string{"sa-east-1", "us-east-1", "eu-west-1", "ap-south-1"}}
	res, err := Recommend(cands, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Region != "us-east-1" || len(res.Regions) != 4 {
		t.Fatalf("region %s, lines %+v", res.Region, res.Regions)
	}
	for _, c := range res.Pools {
		if c.Region != "us-east-1" {
			t.Errorf("set leaves the region: %s %s", c.Region, c.InstanceType)
		}
	}
	for _, l := range res.Regions {
		switch l.Region {
		case "us-east-1":
			if l.VsBest != 0 {
				t.Errorf("winner line %+v", l)
			}
		case "sa-east-1":
			if !(l.VsBest > 0.9) {
				t.Errorf("sa-east-1 line %+v, want about +100%%", l)
			}
		case "ap-south-1":
			if l.Note == "" {
				t.Errorf("region without candidates has no note: %+v", l)
			}
		}
	}
}

// TestRunLeavesOutARegionWithoutCatalog: of several regions, one never
// fetched is named and left out; the answer comes from the others.
func TestRunLeavesOutARegionWithoutCatalog(t *testing.T) {
	c := cand("m6i.xlarge", "sa-east-1a", "az1", 4, 16, 0.1, buckets[0])
	m := &Memory{
		Catalog: map[string][]market.InstanceType{"sa-east-1": {c.Spec}},
		Stats:   map[string][]PoolStats{"sa-east-1": {{Pool: c.Pool, AZID: "az1", Stats: c.Stats}}},
	}
	src := missingCatalog{m}
	res, err := Run(context.Background(), src, Profile{VCPUs: 4, Regions: []string{"sa-east-1", "eu-west-1"}}, time.Now(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Region != "sa-east-1" || len(res.Regions) != 2 || res.Regions[1].Region != "eu-west-1" || !strings.Contains(res.Regions[1].Note, "fetch") ||
		len(res.Profile.Regions) != 2 {
		t.Errorf("region %s lines %+v profile %v", res.Region, res.Regions, res.Profile.Regions)
	}
	if _, err := Run(context.Background(), src, Profile{VCPUs: 4, Regions: []string{"eu-west-1"}}, time.Now(), Options{}); err == nil {
		t.Error("a single region without a catalog must fail")
	}
}

// missingCatalog fails like the session for a region never fetched.
type missingCatalog struct{ *Memory }

func (m missingCatalog) InstanceTypes(ctx context.Context, region string) ([]market.InstanceType, error) {
	if _, ok := m.Catalog[region]; !ok {
		return nil, errors.New("no instance-type catalog cached for " + region + ": run \"spotscope fetch --region " + region + "\" first")
	}
	return m.Memory.InstanceTypes(ctx, region)
}
