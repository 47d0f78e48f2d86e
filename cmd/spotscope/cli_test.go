package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/ec2fake"
	"github.com/spotscope/spotscope/market/pricingfake"
)

const testSecret = "sEcReT/do-not-print-0123456789"

// env is one isolated spotscope installation: its own cache, a fake EC2
// endpoint, a fake Price List endpoint and a local advisor file, all on
// loopback, with the clock at the end of the recorded data.
type env struct {
	t        *testing.T
	cacheDir string
	ec2      *ec2fake.Server
	getenv   map[string]string
}

func newEnv(t *testing.T, creds bool) *env {
	t.Helper()
	e := &env{t: t, cacheDir: t.TempDir(), getenv: map[string]string{}}
	e.ec2 = ec2fake.NewServer(ec2fake.DemoData(), ec2fake.Options{})
	t.Cleanup(e.ec2.Close)
	pf := pricingfake.NewServer(pricingfake.DemoPrices(), pricingfake.Options{})
	t.Cleanup(pf.Close)
	advisorJSON, err := os.ReadFile("../../market/advisor/data/spot-advisor-data_2025-06.json")
	if err != nil {
		t.Fatal(err)
	}
	adv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(advisorJSON) }))
	t.Cleanup(adv.Close)
	e.getenv["SPOTSCOPE_ADVISOR_URL"] = adv.URL

	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, nil, 0o600)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "sa-east-1")
	t.Setenv("AWS_ENDPOINT_URL_EC2", e.ec2.URL)
	t.Setenv("AWS_ENDPOINT_URL_PRICING", pf.URL)
	t.Setenv("SPOTSCOPE_CACHE_DIR", e.cacheDir)
	if creds {
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTESTONLY")
		t.Setenv("AWS_SECRET_ACCESS_KEY", testSecret)
	} else {
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	}
	return e
}

// run executes spotscope with args and returns its exit code and streams.
func (e *env) run(args ...string) (int, string, string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	io := stdio{in: strings.NewReader(""), out: &out, err: &errb, now: demo.End,
		getenv: func(k string) string { return e.getenv[k] }}
	code := run(context.Background(), args, io)
	for _, s := range []string{out.String(), errb.String()} {
		if strings.Contains(s, testSecret) {
			e.t.Fatalf("spotscope %v printed the secret key", args)
		}
		if strings.Contains(s, "goroutine ") || strings.Contains(s, "panic:") {
			e.t.Fatalf("spotscope %v panicked:\n%s", args, s)
		}
	}
	return code, out.String(), errb.String()
}

func (e *env) ok(args ...string) string {
	e.t.Helper()
	code, out, errs := e.run(args...)
	if code != 0 {
		e.t.Fatalf("spotscope %v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
	}
	return out
}

// lastPrices computes, straight from the recorded data, the latest Linux
// price of every pool of one instance type.
func lastPrices(typ string) map[string]float64 {
	last := map[string]market.Record{}
	for _, r := range demo.AllRecords() {
		if r.InstanceType == typ && r.Product == market.LinuxUNIX && !r.Time.After(demo.End()) {
			if cur, ok := last[r.AvailabilityZone]; !ok || !r.Time.Before(cur.Time) {
				last[r.AvailabilityZone] = r
			}
		}
	}
	out := map[string]float64{}
	for az, r := range last {
		out[az] = r.Price
	}
	return out
}

func TestFetchThenReadThroughFakeEC2(t *testing.T) {
	e := newEnv(t, true)
	code, _, errs := e.run("fetch", "--days", "7")
	if code != 0 || !strings.Contains(errs, "fetched:") {
		t.Fatalf("fetch: exit %d, stderr %s", code, errs)
	}
	first := e.ec2.Counts().ByAction["DescribeSpotPriceHistory"]

	// A second fetch within the window asks only for what is new.
	code, _, errs = e.run("fetch", "--days", "7")
	if code != 0 || !strings.Contains(errs, "fetched: 0 new records") {
		t.Fatalf("second fetch: exit %d, stderr %s", code, errs)
	}
	if again := e.ec2.Counts().ByAction["DescribeSpotPriceHistory"] - first; again >= first {
		t.Errorf("second fetch made %d history calls, the first %d: not incremental", again, first)
	}

	var info struct {
		Records int64 `json:"records"`
		Regions []struct {
			Region    string `json:"region"`
			LastFetch string `json:"last_fetch"`
		} `json:"regions"`
	}
	if err := json.Unmarshal([]byte(e.ok("cache", "info", "-o", "json")), &info); err != nil {
		t.Fatal(err)
	}
	if info.Records == 0 || len(info.Regions) != 1 || info.Regions[0].Region != "sa-east-1" || info.Regions[0].LastFetch == "" {
		t.Fatalf("cache info after fetch: %+v", info)
	}

	// prices: exactly the latest record of each pool in the data.
	var prices []struct {
		AZ    string  `json:"availability_zone"`
		AZID  string  `json:"availability_zone_id"`
		Price float64 `json:"price"`
	}
	if err := json.Unmarshal([]byte(e.ok("prices", "-t", "c5.large", "-o", "json")), &prices); err != nil {
		t.Fatal(err)
	}
	want := lastPrices("c5.large")
	if len(prices) != len(want) {
		t.Fatalf("prices: %d pools, want %d", len(prices), len(want))
	}
	for _, p := range prices {
		if p.Price != want[p.AZ] || p.AZID == "" {
			t.Errorf("prices %s: %v (az id %q), want %v", p.AZ, p.Price, p.AZID, want[p.AZ])
		}
	}

	// stats as CSV: header, one row per pool, the documented columns.
	csv := e.ok("stats", "-t", "c5.large", "--window", "7d", "-o", "csv")
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if lines[0] != "region,availability_zone,availability_zone_id,instance_type,product,last,twap,stddev,cv,min,max,p50,p95,changes,changes_per_day,max_jump,covered_hours,gap_hours,window_start,window_end,as_of" || len(lines) != 1+len(want) {
		t.Fatalf("stats csv:\n%s", csv)
	}

	// history: the first record per AZ is the one in effect at the start.
	var hist []struct {
		AZ        string `json:"availability_zone"`
		Timestamp string `json:"timestamp"`
	}
	if err := json.Unmarshal([]byte(e.ok("history", "-t", "c5.large", "--since", "2d", "-o", "json")), &hist); err != nil {
		t.Fatal(err)
	}
	start := demo.End().Add(-48 * time.Hour)
	seen := map[string]bool{}
	for _, h := range hist {
		ts, _ := time.Parse(time.RFC3339, h.Timestamp)
		if !seen[h.AZ] && ts.After(start) {
			t.Errorf("history %s starts at %s, after the window start, without the record in effect", h.AZ, h.Timestamp)
		}
		seen[h.AZ] = true
	}
}

func TestRecommendAndExportThroughFakes(t *testing.T) {
	e := newEnv(t, true)
	e.ok("fetch", "--days", "30")
	var res struct {
		Pools []struct {
			InstanceType string   `json:"instance_type"`
			Share        float64  `json:"share"`
			OnDemand     *float64 `json:"on_demand"`
			Reasons      []struct {
				Factor string `json:"factor"`
			} `json:"reasons"`
		} `json:"pools"`
		Alternatives []json.RawMessage `json:"alternatives"`
	}
	out := e.ok("recommend", "--vcpus", "4", "--memory", "16", "--count", "10", "--hours", "8", "--checkpoint", "30m", "-o", "json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var share float64
	for _, p := range res.Pools {
		share += p.Share
		if len(p.Reasons) == 0 || p.OnDemand == nil {
			t.Errorf("pool %s lacks reasons or an On-Demand price", p.InstanceType)
		}
	}
	if len(res.Pools) < 2 || share < 0.999 || share > 1.001 {
		t.Fatalf("diversified set: %d pools, shares sum to %v", len(res.Pools), share)
	}
	var fleet struct {
		LaunchTemplateConfigs []struct {
			Overrides []struct{ InstanceType, AvailabilityZone string }
		}
	}
	if err := json.Unmarshal([]byte(e.ok("recommend", "--vcpus", "4", "--memory", "16", "--count", "10", "--export", "ec2-fleet")), &fleet); err != nil {
		t.Fatal(err)
	}
	if len(fleet.LaunchTemplateConfigs) != 1 || len(fleet.LaunchTemplateConfigs[0].Overrides) != len(res.Pools) {
		t.Fatalf("ec2-fleet export: %+v", fleet)
	}
	if out := e.ok("recommend", "--vcpus", "4", "--memory", "16", "--export", "karpenter"); !strings.Contains(out, "kind: NodePool") {
		t.Fatalf("karpenter export:\n%s", out)
	}
	code, _, errs := e.run("recommend", "--vcpus", "512", "--memory", "16")
	if code != 1 || !strings.Contains(errs, "vCPU") {
		t.Fatalf("impossible profile: exit %d, %s", code, errs)
	}
}

func TestDemoNeedsNoAWS(t *testing.T) {
	e := newEnv(t, false)
	out := e.ok("prices", "--demo", "-t", "c5.large")
	if !strings.Contains(out, "sa-east-1a") || !strings.Contains(out, "c5.large") {
		t.Fatalf("demo prices:\n%s", out)
	}
	if e.ec2.Counts().Total != 0 {
		t.Errorf("--demo called EC2 %d times", e.ec2.Counts().Total)
	}
	out = e.ok("recommend", "--demo", "--vcpus", "2", "--memory", "4", "--count", "4", "--hours", "2")
	if !strings.Contains(out, "Why:") || !strings.Contains(out, "estimates") {
		t.Fatalf("demo recommend should explain and label estimated On-Demand prices:\n%s", out)
	}
}

func TestNoCredentialsIsAClearError(t *testing.T) {
	e := newEnv(t, false)
	startedAt := time.Now()
	code, _, errs := e.run("prices", "--region", "sa-east-1")
	if code != 1 || !strings.Contains(errs, "credentials") || !strings.Contains(errs, "--demo") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("no credentials: exit %d, stderr %q", code, errs)
	}
	if d := time.Since(startedAt); d > 10*time.Second {
		t.Errorf("took %v to report missing credentials", d)
	}
}

func TestBadInputExits2WithOneLine(t *testing.T) {
	e := newEnv(t, true)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"fetch", "--days", "400"}, "--days"},
		{[]string{"prices", "-o", "yaml"}, "--output"},
		{[]string{"prices", "--region", "mars-1"}, "mars-1: no such region (want a region name such as us-east-1)"},
		{[]string{"prices", "--region", "us-est-1"}, "us-est-1: no such region; did you mean us-east-1 or us-west-1?"},
		{[]string{"stats", "--demo", "--region", "us-east-1"}, "the demo has recorded data for sa-east-1 only"},
		{[]string{"stats", "--demo", "-t", "m5.lareg"}, "m5.lareg: no such instance type in sa-east-1 (the demo's region); did you mean m5.large?"},
		{[]string{"prices", "--demo", "-t", "c5.large,m9*"}, "m9*: matches no instance type"},
		{[]string{"history", "--demo", "-t", "c5.large", "--az", "sa-east-1d"}, "sa-east-1d: no such availability zone in sa-east-1 (the demo's region); did you mean sa-east-1a, sa-east-1b or sa-east-1c?"},
		{[]string{"stats", "--demo", "-p", "Windos"}, "Windos: no such product; did you mean Windows?"},
		{[]string{"stats", "--window", "3x"}, "--window"},
		{[]string{"stats", "--at", "yesterday"}, "--at"},
		{[]string{"history", "-t", "c5.large", "--start", "notatime"}, "--start"},
		{[]string{"history"}, "--type"},
		{[]string{"prices", "--max-age", "soon"}, "--max-age"},
		{[]string{"prices", "-t", "m5[.large"}, "--type"},
		{[]string{"prices", "--product", "BeOS"}, "--product"},
		{[]string{"recommend", "--checkpoint", "3x"}, "--checkpoint"},
		{[]string{"recommend", "--export", "terraform"}, "--export"},
		{[]string{"cache", "prune", "--older-than", "old"}, "--older-than"},
		{[]string{"nosuchcommand"}, "unknown command"},
		{[]string{"prices", "--nosuchflag"}, "unknown flag"},
		{[]string{"import"}, "FILE"},
		{[]string{"stats", "--window", "7xyzd"}, "--window"},
		{[]string{"prices", "--max-age", "NaNd"}, "--max-age"},
		{[]string{"fetch", "--rate", "NaN"}, "--rate"},
		{[]string{"cache", "prune", "--older-than", "10d", "--demo"}, "read-only"},
		{[]string{"recommend", "--hours", "0"}, "--hours"},
		{[]string{"recommend", "--count", "0"}, "--count"},
		{[]string{"recommend", "--family", "m5["}, "--family:"},
	}
	// The demo's first run notes that it prepares its cache; the cases
	// check the lines of later runs.
	e.ok("prices", "--demo", "-t", "c5.large")
	for _, tc := range tests {
		code, out, errs := e.run(tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 || out != "" {
			t.Errorf("spotscope %v: exit %d, stdout %q, stderr %q; want exit 2 and one line naming %s", tc.args, code, out, errs, tc.want)
		}
	}
}

func TestImportAndCacheMaintenance(t *testing.T) {
	e := newEnv(t, false)
	files, _ := filepath.Glob("../../market/dataset/testdata/*.json.gz")
	sort.Strings(files)
	code, _, errs := e.run(append([]string{"import"}, files...)...)
	if code != 0 || strings.Count(errs, " new") != len(files) {
		t.Fatalf("import: exit %d\n%s", code, errs)
	}
	_, _, errs = e.run(append([]string{"import"}, files[0])...)
	if !strings.Contains(errs, ", 0 new") {
		t.Errorf("re-import should add nothing: %s", errs)
	}
	out := e.ok("prices", "--offline", "-t", "c5.large", "-o", "csv")
	if strings.Count(out, "\n") < 2 {
		t.Fatalf("imported prices:\n%s", out)
	}
	out = e.ok("cache", "prune", "--older-than", "10d")
	if !strings.HasPrefix(out, "pruned ") {
		t.Errorf("prune: %s", out)
	}
	if path := strings.TrimSpace(e.ok("cache", "path")); path != filepath.Join(e.cacheDir, "spotscope.db") {
		t.Errorf("cache path = %s", path)
	}
}

func TestDamagedCacheSaysWhatToDo(t *testing.T) {
	e := newEnv(t, false)
	path := filepath.Join(e.cacheDir, "spotscope.db")
	if err := os.WriteFile(path, []byte("this is not a database, it is a shopping list"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := e.run("prices", "--offline", "--region", "sa-east-1")
	if code != 1 || !strings.Contains(errs, "spotscope cache reset") {
		t.Fatalf("damaged cache: exit %d, %s", code, errs)
	}
	out := e.ok("cache", "reset")
	if !strings.Contains(out, "moved") {
		t.Fatalf("reset: %s", out)
	}
	moved, _ := filepath.Glob(path + ".broken-*")
	if len(moved) != 1 {
		t.Fatalf("reset should keep the old file aside, found %v", moved)
	}
	e.ok("prices", "--offline", "--region", "sa-east-1")
}

func TestVersionAndHelp(t *testing.T) {
	e := newEnv(t, false)
	if out := e.ok("version"); !strings.HasPrefix(out, "spotscope ") {
		t.Errorf("version: %q", out)
	}
	if out := e.ok("--help"); !strings.Contains(out, "recommend") || !strings.Contains(out, "--demo") {
		t.Errorf("help:\n%s", out)
	}
	code, _, errs := e.run()
	if code != 2 || !strings.Contains(errs, "not a terminal") {
		t.Errorf("no terminal: exit %d, %s", code, errs)
	}
	dir := t.TempDir()
	e.ok("man", "--dir", dir)
	if pages, _ := filepath.Glob(filepath.Join(dir, "*.1")); len(pages) < 8 {
		t.Errorf("man pages: %v", pages)
	}
}

func TestRecommendWithPlacementScores(t *testing.T) {
	e := newEnv(t, true)
	e.ok("fetch", "--days", "30")
	var res struct {
		Pools []struct {
			PlacementScore *int `json:"placement_score"`
		} `json:"pools"`
		Notes []string `json:"notes"`
	}
	out := e.ok("recommend", "--vcpus", "4", "--memory", "16", "--count", "6", "--placement-scores", "-o", "json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	scored := 0
	for _, p := range res.Pools {
		if p.PlacementScore != nil {
			scored++
		}
	}
	if scored == 0 || e.ec2.Counts().ByAction["GetSpotPlacementScores"] == 0 {
		t.Fatalf("no placement scores used: %s", out)
	}
}

func TestRecommendWithoutPlacementPermissionGoesOn(t *testing.T) {
	e := newEnv(t, true)
	e.ec2.Close()
	e.ec2 = ec2fake.NewServer(ec2fake.DemoData(), ec2fake.Options{Deny: []string{"GetSpotPlacementScores"}})
	t.Cleanup(e.ec2.Close)
	t.Setenv("AWS_ENDPOINT_URL_EC2", e.ec2.URL)
	e.ok("fetch", "--days", "30")
	out := e.ok("recommend", "--vcpus", "4", "--memory", "16", "--count", "6", "--placement-scores")
	if !strings.Contains(out, "ec2:GetSpotPlacementScores") || !strings.Contains(out, "Why:") {
		t.Fatalf("a denied placement call should leave a hint and a recommendation:\n%s", out)
	}
}

func TestNamedWorkloadProfile(t *testing.T) {
	e := newEnv(t, false)
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	os.MkdirAll(filepath.Join(cfg, "spotscope"), 0o700)
	profiles := "profiles:\n  training:\n    vcpus: 8\n    memory: 32\n    count: 3\n    hours: 6\n    checkpoint: 1h\n"
	if err := os.WriteFile(filepath.Join(cfg, "spotscope", "profiles.yaml"), []byte(profiles), 0o600); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Profile struct {
			VCPUs int     `json:"vcpus"`
			Mem   float64 `json:"memory_gib"`
			Count int     `json:"count"`
			Hours float64 `json:"hours"`
		} `json:"profile"`
		Pools []struct {
			VCPUs int `json:"vcpus"`
		} `json:"pools"`
	}
	out := e.ok("recommend", "--demo", "--profile", "training", "--count", "5", "-o", "json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Profile.VCPUs != 8 || res.Profile.Mem != 32 || res.Profile.Hours != 6 || res.Profile.Count != 5 {
		t.Fatalf("profile values with the flag override: %+v", res.Profile)
	}
	for _, p := range res.Pools {
		if p.VCPUs < 8 {
			t.Fatalf("pool with %d vCPUs for an 8-vCPU profile", p.VCPUs)
		}
	}
	code, _, errs := e.run("recommend", "--demo", "--profile", "nosuch")
	if code != 2 || !strings.Contains(errs, "training") {
		t.Fatalf("unknown profile: exit %d, %s", code, errs)
	}
	os.WriteFile(filepath.Join(cfg, "spotscope", "profiles.yaml"), []byte("profiles:\n  bad:\n    vcpus: many\n"), 0o600)
	code, _, errs = e.run("recommend", "--demo", "--profile", "bad")
	if code != 2 || !strings.Contains(errs, "vcpus") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("invalid profile: exit %d, %q", code, errs)
	}
}

func TestDoctorThroughFakes(t *testing.T) {
	e := newEnv(t, true)
	e.ok("prices", "--region", "sa-east-1") // creates the cache
	out := e.ok("doctor", "--region", "sa-east-1")
	for _, want := range []string{"ec2:DescribeSpotPriceHistory", "EnvConfigCredentials"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "AKIDTESTONLY") {
		t.Errorf("doctor printed the access key id")
	}

	e.ec2.Close()
	e.ec2 = ec2fake.NewServer(ec2fake.DemoData(), ec2fake.Options{Deny: []string{"DescribeSpotPriceHistory"}})
	t.Cleanup(e.ec2.Close)
	t.Setenv("AWS_ENDPOINT_URL_EC2", e.ec2.URL)
	code, out, _ := e.run("doctor", "--region", "sa-east-1")
	if code != 1 || !strings.Contains(out, "iam-policy.json") {
		t.Fatalf("denied action: exit %d\n%s", code, out)
	}
}

// TestReadCommandsFetchWhatTheCacheLacks: a read fills the gap its question
// needs (here: every type after a fetch of one type) and, once covered, does
// not call AWS again within --max-age.
func TestReadCommandsFetchWhatTheCacheLacks(t *testing.T) {
	e := newEnv(t, true)
	e.ok("fetch", "-t", "c5.large", "--days", "7")
	out := e.ok("prices", "-o", "csv")
	if n := strings.Count(out, "\n"); n < 200 {
		t.Fatalf("prices after a one-type fetch should fetch every type: %d lines", n)
	}
	calls := e.ec2.Counts().ByAction["DescribeSpotPriceHistory"]
	e.ok("prices", "-o", "csv")
	e.ok("prices", "-t", "m5.large")
	if again := e.ec2.Counts().ByAction["DescribeSpotPriceHistory"]; again != calls {
		t.Errorf("covered reads called AWS %d more times", again-calls)
	}
	e.ok("stats", "--window", "30d", "-t", "m5.large") // needs 30 days: fetches the rest
	if e.ec2.Counts().ByAction["DescribeSpotPriceHistory"] == calls {
		t.Error("stats over 30 days did not fetch the days the cache lacks")
	}
}

func TestDemoCacheCommandsActOnTheDemoFile(t *testing.T) {
	e := newEnv(t, false)
	e.ok("prices", "--demo", "-t", "c5.large")
	if path := strings.TrimSpace(e.ok("cache", "path", "--demo")); path != filepath.Join(e.cacheDir, "demo", "spotscope.db") {
		t.Errorf("--demo cache path = %s", path)
	}
	out := e.ok("cache", "reset", "--demo")
	if !strings.Contains(out, filepath.Join(e.cacheDir, "demo")) {
		t.Errorf("--demo cache reset should move the demo file: %s", out)
	}
	// The next demo run rebuilds it.
	if out := e.ok("prices", "--demo", "-t", "c5.large"); !strings.Contains(out, "sa-east-1a") {
		t.Errorf("demo after reset:\n%s", out)
	}
}

func TestBrokenProfileIsNotReportedAsMissingRegion(t *testing.T) {
	e := newEnv(t, true)
	code, _, errs := e.run("prices", "--profile", "nope")
	if code == 0 || strings.Contains(errs, "no region") || !strings.Contains(errs, "nope") {
		t.Fatalf("exit %d, %q", code, errs)
	}
}

func TestStatsAtFetchesTheWindowItEnds(t *testing.T) {
	e := newEnv(t, true)
	at := demo.End().Add(-40 * 24 * time.Hour).Format(time.RFC3339)
	out := e.ok("stats", "--at", at, "--window", "7d", "-t", "c5.large", "-o", "csv")
	if strings.Count(out, "\n") < 2 {
		t.Fatalf("stats ending 40 days ago on a fresh cache found nothing:\n%s", out)
	}
}

func TestTypeListsWithSpacesStayCovered(t *testing.T) {
	e := newEnv(t, true)
	e.ok("prices", "-t", "c5.large, m5.large")
	calls := e.ec2.Counts().Total
	e.ok("prices", "-t", "c5.large, m5.large")
	if again := e.ec2.Counts().Total; again != calls {
		t.Errorf("a covered read with a spaced type list called AWS %d more times", again-calls)
	}
}

// TestTUIStartReadsNoAdvisorFromTheNetwork: the explorer's first frame uses
// the cached or embedded advisor data; only a refresh asks for the live file.
func TestTUIStartReadsNoAdvisorFromTheNetwork(t *testing.T) {
	e := newEnv(t, true)
	advisorJSON, err := os.ReadFile("../../market/advisor/data/spot-advisor-data_2025-06.json")
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++; w.Write(advisorJSON) }))
	defer srv.Close()
	e.getenv["SPOTSCOPE_ADVISOR_URL"] = srv.URL
	a := e.openApp(t, "sa-east-1", false)
	b := newCacheBackend(context.Background(), a)
	if info := b.WaitInfo(context.Background()); hits != 0 || info.Pending || info.Advisor.Mode != "embedded" {
		t.Fatalf("start fetched the advisor %d times; provenance %+v", hits, b.Info().Advisor)
	}
	a.ReloadAdvisor(context.Background())
	b.loadInfo(context.Background())
	if hits != 1 || b.Info().Advisor.Mode != "live" {
		t.Fatalf("refresh: %d fetches, provenance %+v", hits, b.Info().Advisor)
	}
}
