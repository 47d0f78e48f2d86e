package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/ec2fake"
	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/market/workspace"
)

// Every argument reaches the profile: profileFrom with each set gives the
// Profile the CLI's flags would.
func TestProfileFromMapsEveryArgument(t *testing.T) {
	a := recommendArgs{
		Region: []string{"sa-east-1"}, VCPUs: 8, MemoryGiB: 32, GPUs: 1, GPUModel: []string{"T4", "a10g"}, GPUMemoryGiB: 16, EFA: true,
		Arch: "x86_64", Families: []string{"g4dn*"}, Exclude: []string{"g4dn.metal"}, PreviousGen: true, Burstable: true,
		Nodes: 4, Checkpoint: "30m", Restart: "3m", MaxPrice: 2.5, MaxAZShare: 0.4, Runs: 500, Seed: 42,
		Product: "Windows", Window: "7d",
	}
	// Every argument but the job-length ones (hours, count, work) is given.
	got, err := profileFrom(a, func(arg string) bool { return arg != "hours" && arg != "count" && arg != "work" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := recommend.Profile{
		Regions: []string{"sa-east-1"}, VCPUs: 8, MemoryGiB: 32, GPUs: 1, GPUModels: []string{"T4", "a10g"}, GPUMemoryGiB: 16, EFA: true,
		Arch: "x86_64", Families: []string{"g4dn*"}, Exclude: []string{"g4dn.metal"}, PreviousGen: true, Burstable: true,
		Count: 1, Hours: 1, Nodes: 4, Checkpoint: 30 * time.Minute, Restart: 3 * time.Minute, MaxPrice: 2.5, MaxAZShare: 0.4,
		Runs: 500, Seed: 42, Product: "Windows", Window: 7 * 24 * time.Hour,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("profile\n got %+v\nwant %+v", got, want)
	}

	// Throughput mode parses work as --work does.
	got, err = profileFrom(recommendArgs{Work: "800gpu-h"}, func(arg string) bool { return arg == "work" }, []string{"sa-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Work != 800 || got.WorkUnit != recommend.WorkGPUHours || got.GPUs != 1 || got.Mode() != recommend.ModeThroughput {
		t.Errorf("work 800gpu-h: %+v", got)
	}
}

// Each of the CLI's recommend flags has a tool argument, so an agent can
// say what a user can.
func TestEveryRecommendFlagIsAnArgument(t *testing.T) {
	cs := connect(t, openDemo(t), Options{}, nil)
	in := toolSchema(t, cs, "recommend", true).Schema()
	for _, f := range []string{
		recommend.FlagVCPUs, recommend.FlagMemory, recommend.FlagArch, recommend.FlagGPUs, recommend.FlagFamilies, recommend.FlagExclude,
		recommend.FlagCount, recommend.FlagHours, recommend.FlagCheckpoint, recommend.FlagRestart, recommend.FlagMaxPrice,
		recommend.FlagProduct, recommend.FlagRegions, recommend.FlagWindow, recommend.FlagWork, recommend.FlagNodes,
		recommend.FlagGPUModel, recommend.FlagGPUMemory, recommend.FlagEFA, recommend.FlagPrevGen, recommend.FlagBurstable,
		recommend.FlagMaxAZShare, recommend.FlagRuns, recommend.FlagSeed, "profile", "export", "launch-template", "name",
	} {
		if in.Properties[argOf(f)] == nil {
			t.Errorf("--%s has no argument %q in the recommend tool's input schema", f, argOf(f))
		}
	}
}

// GPU, coupled and throughput profiles through the tool: the answer is
// session.Recommend's for the same profile, in the mode asked, and the
// summary states the plan.
func TestRecommendModes(t *testing.T) {
	ctx := context.Background()
	ws := openDemo(t)
	cs := connect(t, ws, Options{}, nil)
	for _, tc := range []struct {
		name, args, mode string
		check            func(t *testing.T, r recommend.Result)
	}{
		{"gpu", `{"gpus":1,"gpu_model":["t4"],"gpu_memory_gib":16,"hours":24,"checkpoint":"1h"}`, recommend.ModeJob, func(t *testing.T, r recommend.Result) {
			for _, c := range r.Pools {
				if c.GPUs < 1 || !strings.EqualFold(c.GPUName, "T4") || c.GPUMemoryGiB < 16 || c.ExpectedCostPerGPUHour <= 0 {
					t.Errorf("%s: %d x %s %g GiB, $%g/GPU-h; want >= 1 T4 of >= 16 GiB", c.InstanceType, c.GPUs, c.GPUName, c.GPUMemoryGiB, c.ExpectedCostPerGPUHour)
				}
			}
		}},
		{"coupled", `{"nodes":4,"vcpus":4,"hours":48,"checkpoint":"30m","restart":"5m"}`, recommend.ModeCoupled, func(t *testing.T, r recommend.Result) {
			if p := r.Plan.PNoInterruption; p == nil || !(*p > 0 && *p <= 1) {
				t.Errorf("p_no_interruption %v; want a probability for a coupled job", p)
			}
			if r.Plan.Instances != 4 {
				t.Errorf("plan instances %d; want the 4 nodes", r.Plan.Instances)
			}
		}},
		{"throughput", `{"work":"5000vcpu-h","count":10,"checkpoint":"1h","runs":300,"seed":7}`, recommend.ModeThroughput, func(t *testing.T, r recommend.Result) {
			if r.Profile.Work != 5000 || r.Profile.WorkUnit != recommend.WorkVCPUHours || r.Plan.Runs != 300 || r.Plan.Seed != 7 {
				t.Errorf("profile work %g %s, plan runs %d seed %d", r.Profile.Work, r.Profile.WorkUnit, r.Plan.Runs, r.Plan.Seed)
			}
			if r.Plan.PNoInterruption != nil {
				t.Errorf("p_no_interruption %v outside a coupled job", *r.Plan.PNoInterruption)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := call(t, cs, "recommend", tc.args)
			var out recommendOut
			structured(t, cs, "recommend", res, &out)
			if out.Mode != tc.mode || out.Plan.Mode != tc.mode || len(out.Pools) == 0 {
				t.Fatalf("mode %q, plan mode %q, %d pools; want %s", out.Mode, out.Plan.Mode, len(out.Pools), tc.mode)
			}
			tc.check(t, out.Result)

			var a recommendArgs
			if err := json.Unmarshal([]byte(tc.args), &a); err != nil {
				t.Fatal(err)
			}
			p, err := profileFrom(a, argsGivenIn(tc.args), ws.Regions)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ws.RecommendSources(ctx, "").Recommend(ctx, p, recommend.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(roundTrip(t, res.StructuredContent), roundTrip(t, recommendOut{Result: want})) {
				t.Errorf("the tool's result differs from session.Recommend's for the same profile")
			}

			sum := text(res)
			pl := out.Plan
			for _, part := range []string{"Plan (" + tc.mode, money(pl.ExpectedCost), money(pl.CostP95), "On-Demand"} {
				if !strings.Contains(sum, part) {
					t.Errorf("summary %q does not state %q", sum, part)
				}
			}
			if pl.Savings != nil && !strings.Contains(sum, "savings") {
				t.Errorf("summary %q does not state the savings", sum)
			}
			if pl.PNoInterruption != nil && !strings.Contains(sum, "no interruption") {
				t.Errorf("summary %q does not state the chance of no interruption", sum)
			}
		})
	}
}

// money is a cost as the summary prints it.
func money(v float64) string { return fmt.Sprintf("$%.2f", v) }

func argsGivenIn(args string) func(string) bool {
	var fields map[string]json.RawMessage
	json.Unmarshal([]byte(args), &fields)
	return func(arg string) bool { _, ok := fields[arg]; return ok }
}

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	json.Unmarshal(raw, &out)
	return out
}

// Several regions in one answer, end to end: the fetch tool fills the cache
// for two regions through the real SDK and the fake EC2 endpoint, and a
// read-only server's recommend ranks both, with a line per region and the
// region on every pool.
func TestRecommendSeveralRegionsThroughTheFake(t *testing.T) {
	const east = "us-east-1"
	d := ec2fake.DemoData()
	e := ec2fake.ScaledData(east, 3, 1, 10)
	d.Records = append(d.Records, e.Records...)
	d.Zones = append(d.Zones, e.Zones...)
	d.Catalog[east] = demo.Catalog()
	awsEnvWith(t, d)
	ctx := context.Background()
	dir := t.TempDir()
	regions := []string{demo.Region, east}
	ws, err := workspace.Open(ctx, workspace.Options{Dir: dir, Regions: regions, Now: demo.End})
	if err != nil {
		t.Fatal(err)
	}
	cs := connect(t, ws, Options{AllowFetch: true}, nil)
	var f fetchOut
	structured(t, cs, "fetch", call(t, cs, "fetch", `{"region":["sa-east-1","us-east-1"],"types":["c5.large","c5.xlarge"],"days":7}`), &f)
	ws.Close()

	ro, err := workspace.Open(ctx, workspace.Options{Dir: dir, Regions: regions, Now: demo.End, ReadOnly: true, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	rcs := connect(t, ro, Options{}, nil)
	var out recommendOut
	structured(t, rcs, "recommend", call(t, rcs, "recommend", `{"region":["sa-east-1","us-east-1"],"families":["c5"],"vcpus":2,"count":4,"window":"7d"}`), &out)
	var lines []string
	for _, l := range out.Regions {
		lines = append(lines, l.Region)
		if l.Candidates == 0 || l.BestPool == "" {
			t.Errorf("region line %+v: want candidates and a best pool", l)
		}
	}
	if !slices.Equal(lines, regions) && !slices.Equal(lines, []string{east, demo.Region}) {
		t.Errorf("region lines %v; want one per region of %v", lines, regions)
	}
	if !slices.Equal(out.Profile.Regions, regions) || len(out.Pools) == 0 {
		t.Fatalf("profile regions %v, %d pools", out.Profile.Regions, len(out.Pools))
	}
	for _, c := range append(out.Pools, out.Alternatives...) {
		if c.Region != demo.Region && c.Region != east {
			t.Errorf("%s in %q: want a region of the answer", c.InstanceType, c.Region)
		}
	}
}
