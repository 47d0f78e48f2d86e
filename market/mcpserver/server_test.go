package mcpserver

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/spotscope/spotscope/docs"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/market/workspace"
)

func TestToolsAndSchemas(t *testing.T) {
	ws := openDemo(t)
	for _, allow := range []bool{false, true} {
		cs := connect(t, ws, Options{AllowFetch: allow}, nil)
		res, err := cs.ListTools(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range res.Tools {
			names = append(names, tool.Name)
			if tool.Description == "" {
				t.Errorf("%s has no description", tool.Name)
			}
			if tool.OutputSchema == nil {
				t.Errorf("%s has no output schema", tool.Name)
			}
			in := toolSchema(t, cs, tool.Name, true).Schema()
			if in.Type != "object" {
				t.Errorf("%s input schema type %q", tool.Name, in.Type)
			}
			for arg, p := range in.Properties {
				if p.Description == "" {
					t.Errorf("%s argument %s has no description", tool.Name, arg)
				}
				if strings.ContainsAny(arg, "-ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
					t.Errorf("%s argument %s is not snake_case", tool.Name, arg)
				}
			}
			toolSchema(t, cs, tool.Name, false)
		}
		sort.Strings(names)
		want := []string{"history", "prices", "recommend", "regions", "stats"}
		if allow {
			want = []string{"fetch", "history", "prices", "recommend", "regions", "stats"}
		}
		if !slices.Equal(names, want) {
			t.Errorf("allow-fetch %v: tools %v, want %v", allow, names, want)
		}
	}
}

func TestRegionsAndResources(t *testing.T) {
	ws := openDemo(t)
	cs := connect(t, ws, Options{}, nil)
	var out regionsOut
	res := call(t, cs, "regions", "")
	structured(t, cs, "regions", res, &out)
	if len(out.Regions) != 1 || out.Regions[0].Region != demo.Region || out.Regions[0].Records == 0 || !out.Demo || out.FetchAllowed {
		t.Errorf("regions %+v", out)
	}
	if out.Regions[0].Newest != ts(demo.End()) || out.Advisor.Mode != "embedded" {
		t.Errorf("newest %s advisor %q, want %s and the embedded snapshot", out.Regions[0].Newest, out.Advisor.Mode, ts(demo.End()))
	}
	if !strings.Contains(text(res), "sa-east-1") {
		t.Errorf("summary %q does not name the region", text(res))
	}

	list, err := cs.ListResources(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Resources) != 3 {
		t.Errorf("%d resources, want 3", len(list.Resources))
	}
	for uri, want := range map[string]string{StatisticsURI: docs.Statistics, RecommendationsURI: docs.Recommendations} {
		r, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: uri})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Contents) != 1 || r.Contents[0].Text != want || want == "" {
			t.Errorf("%s: not the embedded document", uri)
		}
	}
	r, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: CacheURI})
	if err != nil {
		t.Fatal(err)
	}
	var fromResource regionsOut
	if err := json.Unmarshal([]byte(r.Contents[0].Text), &fromResource); err != nil {
		t.Fatal(err)
	}
	if fromResource.Records != out.Records || len(fromResource.Regions) != 1 {
		t.Errorf("cache resource %+v differs from the regions tool %+v", fromResource, out)
	}
}

// The tools answer what the workspace answers: one answer, one place.
func TestPricesAndStatsAreTheWorkspaceAnswers(t *testing.T) {
	ctx := context.Background()
	ws := openDemo(t)
	cs := connect(t, ws, Options{}, nil)
	sel, _ := workspace.Select([]string{"c5.*"}, nil)
	want, err := ws.Prices(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	var p pricesOut
	res := call(t, cs, "prices", `{"types":["c5.*"],"limit":4}`)
	structured(t, cs, "prices", res, &p)
	if p.Total != len(want) || !p.Truncated || len(p.Pools) != 4 {
		t.Fatalf("prices total %d truncated %v rows %d; workspace has %d", p.Total, p.Truncated, len(p.Pools), len(want))
	}
	for i, r := range p.Pools {
		if r.InstanceType != want[i].InstanceType || r.AvailabilityZone != want[i].AvailabilityZone || r.Price != want[i].Price {
			t.Errorf("row %d %+v, workspace %+v", i, r, want[i])
		}
	}
	if !strings.Contains(text(res), want[0].InstanceType) || !strings.Contains(text(res), "first 4") {
		t.Errorf("summary %q", text(res))
	}

	ans, err := ws.Stats(ctx, workspace.StatsQuery{Selection: sel, Window: 7 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var s statsOut
	res = call(t, cs, "stats", `{"types":["c5.*"],"window":"7d","sort":"cv","limit":1000}`)
	structured(t, cs, "stats", res, &s)
	// The rows carry the CLI's names (workspace.StatsRow) on every row.
	raw, _ := json.Marshal(res.StructuredContent)
	var rawOut struct{ Pools []map[string]any }
	json.Unmarshal(raw, &rawOut)
	for _, k := range []string{"gap_hours", "window_start", "window_end", "as_of", "covered_hours", "effective_start", "interruption"} {
		if _, ok := rawOut.Pools[0][k]; !ok {
			t.Errorf("stats row has no %q: %v", k, rawOut.Pools[0])
		}
	}
	if s.WindowEnd != ts(demo.End()) || s.WindowStart != ts(demo.End().Add(-7*24*time.Hour)) || s.Sort != "cv" {
		t.Errorf("window %s..%s sort %s", s.WindowStart, s.WindowEnd, s.Sort)
	}
	if s.Total != len(ans.Pools) || len(s.Pools) != len(ans.Pools) || s.Truncated {
		t.Fatalf("stats %d pools (total %d), workspace %d", len(s.Pools), s.Total, len(ans.Pools))
	}
	byPool := map[string]workspace.StatsRow{}
	for _, a := range ans.Pools {
		byPool[a.AvailabilityZone+a.InstanceType] = ans.Row(a)
	}
	for i, r := range s.Pools {
		if i > 0 && r.CV < s.Pools[i-1].CV {
			t.Errorf("not sorted by cv at %d", i)
		}
		if want := byPool[r.AvailabilityZone+r.InstanceType]; r.StatsRow != want {
			t.Errorf("%s %s row %+v, the CLI's %+v", r.AvailabilityZone, r.InstanceType, r.StatsRow, want)
		}
		if r.WindowStart != s.WindowStart || r.WindowEnd != s.WindowEnd || r.AsOf != ts(demo.End()) {
			t.Errorf("%s row window %s..%s as of %s; answer %s..%s", r.InstanceType, r.WindowStart, r.WindowEnd, r.AsOf, s.WindowStart, s.WindowEnd)
		}
		if r.CoveredHours <= 0 || r.CoveredHours > 7*24 || r.EffectiveStart == "" {
			t.Errorf("%s covered %v hours from %q", r.InstanceType, r.CoveredHours, r.EffectiveStart)
		}
	}
	var def statsOut
	structured(t, cs, "stats", call(t, cs, "stats", `{}`), &def)
	if def.Total == 0 || len(def.Pools) != defaultLimit || !def.Truncated || def.Sort != "instance_type" {
		t.Errorf("stats with no arguments: %d of %d pools, truncated %v, sort %q; want the first %d of the 30-day window", len(def.Pools), def.Total, def.Truncated, def.Sort, defaultLimit)
	}
}

func TestHistoryDownsamples(t *testing.T) {
	ctx := context.Background()
	ws := openDemo(t)
	cs := connect(t, ws, Options{}, nil)
	var full, small historyOut
	structured(t, cs, "history", call(t, cs, "history", `{"types":["c5.large"],"window":"30d","max_points":5000}`), &full)
	structured(t, cs, "history", call(t, cs, "history", `{"types":["c5.large"],"window":"30d","max_points":12}`), &small)
	series, err := ws.History(ctx, workspace.HistoryQuery{Type: "c5.large", Start: demo.End().Add(-30 * 24 * time.Hour), End: demo.End()})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Series) != len(series) || len(small.Series) != len(series) || len(series) == 0 {
		t.Fatalf("%d and %d series, workspace %d", len(full.Series), len(small.Series), len(series))
	}
	if !strings.Contains(small.Downsampling, "minimum and maximum") {
		t.Errorf("downsampling note %q does not say what is kept", small.Downsampling)
	}
	downsampled := false
	for i, s := range small.Series {
		f := full.Series[i]
		if len(f.Points) != len(series[i].Points) || f.Downsampled {
			t.Errorf("%s: %d points at max_points 5000, workspace %d", f.AvailabilityZone, len(f.Points), len(series[i].Points))
		}
		if len(s.Points) > 12 || s.Records != len(f.Points) {
			t.Errorf("%s: %d points (records %d) at max_points 12", s.AvailabilityZone, len(s.Points), s.Records)
		}
		downsampled = downsampled || s.Downsampled
		lo, hi := prices(f.Points)
		slo, shi := prices(s.Points)
		if lo != slo || hi != shi || s.Points[len(s.Points)-1] != f.Points[len(f.Points)-1] {
			t.Errorf("%s: downsampled min/max/last %v/%v/%v, full %v/%v/%v", s.AvailabilityZone, slo, shi, s.Points[len(s.Points)-1], lo, hi, f.Points[len(f.Points)-1])
		}
	}
	if !downsampled {
		t.Error("no c5.large series has more than 12 points in 30 days; pick a busier type")
	}

	var def historyOut
	structured(t, cs, "history", call(t, cs, "history", `{"types":["c5.*","m5.*"]}`), &def)
	if len(def.Series) != defaultSeries || !def.Truncated || def.Total <= defaultSeries || def.MaxPoints != defaultMaxPoints {
		t.Errorf("history of c5.* and m5.*: %d of %d series, truncated %v, max_points %d; want the first %d", len(def.Series), def.Total, def.Truncated, def.MaxPoints, defaultSeries)
	}
	if def.WindowEnd != ts(demo.End()) || def.WindowStart != ts(demo.End().Add(-7*24*time.Hour)) {
		t.Errorf("default window %s..%s, want the demo's last 7 days", def.WindowStart, def.WindowEnd)
	}
}

func prices(pts []pointOut) (lo, hi float64) {
	lo, hi = pts[0].Price, pts[0].Price
	for _, p := range pts {
		lo, hi = min(lo, p.Price), max(hi, p.Price)
	}
	return lo, hi
}

func TestRecommendIsTheSessionsResult(t *testing.T) {
	ctx := context.Background()
	ws := openDemo(t)
	cs := connect(t, ws, Options{}, nil)
	var out recommendOut
	args := `{"vcpus":2,"memory_gib":4,"count":6,"hours":3,"checkpoint":"30m","restart":"5m"}`
	res := call(t, cs, "recommend", args)
	structured(t, cs, "recommend", res, &out)
	if len(out.Pools) == 0 || out.ExpectedTotalCost <= 0 || out.Profile.Count != 6 {
		t.Fatalf("recommendation: %d pools, total cost %v, count %d", len(out.Pools), out.ExpectedTotalCost, out.Profile.Count)
	}
	p, err := profileFrom(recommendArgs{VCPUs: 2, MemoryGiB: 4, Count: 6, Hours: 3, Checkpoint: "30m", Restart: "5m"}, argsGivenIn(args), ws.Regions)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ws.RecommendSources(ctx, "").Recommend(ctx, p, recommend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(res.StructuredContent)
	exp, _ := json.Marshal(recommendOut{Result: want})
	var g, e any
	json.Unmarshal(got, &g)
	json.Unmarshal(exp, &e)
	if !reflect.DeepEqual(g, e) {
		t.Errorf("the tool's result differs from session.Recommend's:\n%s\n%s", got, exp)
	}
	if !strings.Contains(text(res), out.Pools[0].InstanceType) {
		t.Errorf("summary %q does not name the first pool", text(res))
	}

	var exp2 recommendOut
	res = call(t, cs, "recommend", `{"vcpus":2,"memory_gib":4,"count":6,"hours":3,"export":"karpenter","name":"batch"}`)
	structured(t, cs, "recommend", res, &exp2)
	if !strings.Contains(exp2.Export, "kind: NodePool") || !strings.Contains(exp2.Export, "batch") || !strings.Contains(text(res), "kind: NodePool") {
		t.Errorf("karpenter export missing: %q", exp2.Export)
	}
}

// A named profile from the user's profiles file supplies the workload; the
// arguments given override it, as flags do on the command line.
func TestRecommendNamedProfile(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	os.MkdirAll(filepath.Join(cfg, "spotscope"), 0o700)
	yaml := "profiles:\n  small-batch:\n    vcpus: 2\n    memory: 4GiB\n    count: 6\n    hours: 3\n    checkpoint: 30m\n    families: [\"c5*\"]\n"
	if err := os.WriteFile(filepath.Join(cfg, "spotscope", "profiles.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cs := connect(t, openDemo(t), Options{}, nil)
	var out recommendOut
	structured(t, cs, "recommend", call(t, cs, "recommend", `{"profile":"small-batch","count":2}`), &out)
	if out.Profile.VCPUs != 2 || out.Profile.Count != 2 || out.Profile.Hours != 3 || !slices.Equal(out.Profile.Families, []string{"c5*"}) {
		t.Errorf("profile %+v: want the file's vcpus, hours and families with count 2 from the call", out.Profile)
	}
	for _, c := range out.Pools {
		if !strings.HasPrefix(c.InstanceType, "c5") {
			t.Errorf("%s chosen outside the profile's families", c.InstanceType)
		}
	}
	res := call(t, cs, "recommend", `{"profile":"small-bach"}`)
	if !res.IsError || !strings.Contains(text(res), `did you mean small-batch?`) {
		t.Errorf("misspelt profile: %q", text(res))
	}
}

// Bad input is a tool result with isError and one sentence, and the server
// keeps serving.
func TestBadArgumentsAreToolErrors(t *testing.T) {
	ws := openDemo(t)
	cs := connect(t, ws, Options{}, nil)
	for _, tc := range []struct{ tool, args, want string }{
		{"prices", `{"regoin":["sa-east-1"]}`, `unknown argument "regoin"; did you mean region?`},
		{"prices", `{"colour":"red"}`, `unknown argument "colour" (this tool takes: limit, product, region, types)`},
		{"regions", `{"verbose":true}`, `this tool takes no arguments`},
		{"prices", `{"limit":"ten"}`, `argument "limit" must be an integer, got string`},
		{"prices", `{"types":"c5.large"}`, `argument "types" must be an array of strings, got string`},
		{"prices", `{"limit":1.5}`, `argument "limit" must be an integer`},
		{"prices", `{"limit":-1}`, `limit must be between 1 and 1000`},
		{"prices", `{"types":["c5.larg"]}`, `types c5.larg: no such instance type in sa-east-1 (the demo's region); did you mean c5.large?`},
		{"prices", `{"types":["[x"]}`, `types: invalid instance type pattern "[x"`},
		{"prices", `{"product":"Linux"}`, `product: Linux: no such product (want one of Linux/UNIX,`},
		{"prices", `{"region":["mars-1"]}`, `region mars-1: no such region`},
		{"prices", `{"region":["us-est-1"]}`, `region us-est-1: no such region; did you mean us-east-1`},
		{"recommend", `{"region":["us-east-1"]}`, `region us-east-1: the demo has recorded data for sa-east-1 only`},
		{"stats", `{"window":"a week"}`, `invalid window "a week": want a duration such as 7d, 30d or 36h`},
		{"stats", `{"window":"-7d"}`, `invalid window "-7d"`},
		{"stats", `{"at":"yesterday"}`, `at:`},
		{"stats", `{"sort":"cvv"}`, `unknown sort "cvv"; did you mean cv?`},
		{"stats", `{"types":["m9.huge"]}`, `types m9.huge: no such instance type in sa-east-1`},
		{"history", `{}`, `types is required`},
		{"history", `{"types":["c5.large"],"max_points":2}`, `max_points must be between 3 and 5000`},
		{"history", `{"types":["c5.large"],"region":["sa-east-1","us-east-1"]}`, `region us-east-1: the demo has recorded data for sa-east-1 only`},
		{"history", `{"types":["c5.large"],"az":"sa-east-1z"}`, `az sa-east-1z: no such availability zone in sa-east-1 (the demo's region); did you mean sa-east-1a, sa-east-1b or sa-east-1c?`},
		{"recommend", `{"export":"karpentr"}`, `invalid export "karpentr"; did you mean karpenter?`},
		{"recommend", `{"checkpoint":"often"}`, `checkpoint: invalid duration "often"`},
		{"recommend", `{"arch":"sparc"}`, `arch: invalid architecture "sparc"`},
		{"recommend", `{"max_price":-1}`, `max_price must be a USD price`},
		{"recommend", `{"vcpus":4096}`, `no instance type in sa-east-1 has >= 4096 vCPUs`},
		{"recommend", `{"nodes":0}`, `nodes must be >= 1 (instances one coupled job needs at once)`},
		{"recommend", `{"max_az_share":2}`, `max_az_share must be a fraction > 0 and <= 1 (e.g. 0.5)`},
		{"recommend", `{"gpus":1,"gpu_model":["X100"]}`, `gpu_model "X100": no cached type in sa-east-1 has that GPU; the catalog has: T4`},
		{"recommend", `{"work":"5000"}`, `invalid work "5000" (an amount > 0 with a unit: 5000vcpu-h or 800gpu-h)`},
		{"recommend", `{"work":"5000vcpu-h","hours":2}`, `work and hours are exclusive`},
		{"recommend", `{"runs":0}`, `runs must be between 1 and 1000000`},
		{"recommend", `{"restart":"0"}`, `restart must be > 0: a restart is never free (default 10m)`},
		{"recommend", `{"nodes":2,"count":3}`, `nodes is one coupled job on N instances; count (independent instances) must be 1 with it`},
		{"recommend", `{"seed":-1}`, `argument "seed" must be`},
		{"recommend", `{"families":["zz9"]}`, `matches families zz9`},
		{"recommend", `{"vcpu":4}`, `unknown argument "vcpu"; did you mean vcpus?`},
	} {
		res := call(t, cs, tc.tool, tc.args)
		got := text(res)
		if !res.IsError || !strings.Contains(got, tc.want) || strings.Contains(got, "\n") {
			t.Errorf("%s %s: isError %v, %q; want one line containing %q", tc.tool, tc.args, res.IsError, got, tc.want)
		}
		if alive := call(t, cs, "regions", ""); alive.IsError {
			t.Fatalf("after %s %s the server no longer answers: %s", tc.tool, tc.args, text(alive))
		}
	}
}

// The server's sentence for a misspelt type or zone is the workspace's, as
// the CLI prints it, with the argument's name for the flag's.
func TestSameSentenceAsCLI(t *testing.T) {
	ws := openDemo(t)
	cs := connect(t, ws, Options{}, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		tool, args, flag, arg string
		check                 func() error
	}{
		{"prices", `{"types":["m5.larg"]}`, "--type", "types", func() error { return ws.CheckTypes(ctx, []string{"m5.larg"}) }},
		{"stats", `{"types":["c9*"]}`, "--type", "types", func() error { return ws.CheckTypes(ctx, []string{"c9*"}) }},
		{"history", `{"types":["c5.large"],"az":"sa-east-1x"}`, "--az", "az", func() error { return ws.CheckZone(ctx, "sa-east-1x") }},
	} {
		cli := tc.check()
		if cli == nil || !strings.Contains(cli.Error(), "did you mean") {
			t.Fatalf("%s: the workspace check gave %v; want a suggestion", tc.args, cli)
		}
		want := strings.Replace(workspace.OneLine(cli), tc.flag, tc.arg, 1)
		if res := call(t, cs, tc.tool, tc.args); !res.IsError || text(res) != want {
			t.Errorf("%s %s: %q; want the CLI's %q", tc.tool, tc.args, text(res), want)
		}
	}
}
