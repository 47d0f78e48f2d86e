package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/ec2fake"
)

// twoRegionData is the demo's sa-east-1 plus a us-east-1 built from it: the
// same history of a few types at 80% of the price in us-east-1a..c, and two
// GPU types the demo lacks (p4d.24xlarge with 8 A100 and EFA, g5.xlarge with
// one A10G), so the catalog's GPU and EFA fields travel through
// DescribeInstanceTypes, the real SDK and the cache.
func twoRegionData() ec2fake.Data {
	d := ec2fake.DemoData()
	const us = "us-east-1"
	keep := map[string]bool{"m5.xlarge": true, "m5a.xlarge": true, "c5.xlarge": true, "r5.xlarge": true, "g4dn.xlarge": true, "g4dn.2xlarge": true}
	var cat []market.InstanceType
	for _, t := range demo.Catalog() {
		if keep[t.Name] {
			cat = append(cat, t)
		}
	}
	cat = append(cat,
		market.InstanceType{Name: "p4d.24xlarge", VCPUs: 96, MemoryMiB: 1152 * 1024, Architectures: []string{"x86_64"}, GPUs: 8,
			GPUManufacturer: "NVIDIA", GPUName: "A100", GPUMemoryMiB: 8 * 40960, SpotSupported: true, CurrentGeneration: true, EFA: true},
		market.InstanceType{Name: "g5.xlarge", VCPUs: 4, MemoryMiB: 16384, Architectures: []string{"x86_64"}, GPUs: 1,
			GPUManufacturer: "NVIDIA", GPUName: "A10G", GPUMemoryMiB: 24576, SpotSupported: true, CurrentGeneration: true})
	d.Catalog[us] = cat
	for i, l := range []string{"a", "b", "c"} {
		d.Zones = append(d.Zones, market.Zone{Region: us, Name: us + l, ID: "use1-az" + string(rune('1'+i)), Type: "availability-zone", State: "available"})
	}
	var extra []market.Record
	for _, r := range d.Records {
		if keep[r.InstanceType] && r.Product == market.LinuxUNIX {
			r.Region, r.AvailabilityZone = us, us+strings.TrimPrefix(r.AvailabilityZone, "sa-east-1")
			r.Price *= 0.8
			extra = append(extra, r)
		}
	}
	for day := 0; day < 60; day++ {
		at := demo.End().Add(-time.Duration(day) * 24 * time.Hour)
		for _, az := range []string{"a", "b"} {
			extra = append(extra,
				market.Record{Pool: market.Pool{Region: us, AvailabilityZone: us + az, InstanceType: "p4d.24xlarge", Product: market.LinuxUNIX}, Time: at, Price: 9.8 + 0.1*float64(day%3)},
				market.Record{Pool: market.Pool{Region: us, AvailabilityZone: us + az, InstanceType: "g5.xlarge", Product: market.LinuxUNIX}, Time: at, Price: 0.36})
		}
	}
	d.Records = append(d.Records, extra...)
	return d
}

func newTwoRegionEnv(t *testing.T) *env {
	e := newEnv(t, true)
	e.ec2 = ec2fake.NewServer(twoRegionData(), ec2fake.Options{})
	t.Cleanup(e.ec2.Close)
	t.Setenv("AWS_ENDPOINT_URL_EC2", e.ec2.URL)
	return e
}

// answer is the part of the JSON answer the end-to-end tests read.
type answer struct {
	Mode         string `json:"mode"`
	Region       string `json:"region"`
	Architecture string `json:"architecture"`
	Pools        []struct {
		Region            string  `json:"region"`
		InstanceType      string  `json:"instance_type"`
		AvailabilityZone  string  `json:"availability_zone"`
		GPUs              int     `json:"gpus"`
		GPUName           string  `json:"gpu_name"`
		GPUMemoryGiB      float64 `json:"gpu_memory_gib"`
		Architecture      string  `json:"architecture"`
		CurrentGeneration bool    `json:"current_generation"`
		Burstable         bool    `json:"burstable"`
		ExpectedJobCost   float64 `json:"expected_job_cost"`
		Instances         int     `json:"instances"`
	} `json:"pools"`
	Regions []struct {
		Region string  `json:"region"`
		VsBest float64 `json:"vs_best"`
	} `json:"regions"`
	Plan map[string]any `json:"plan"`
}

func (e *env) recommend(args ...string) answer {
	e.t.Helper()
	var a answer
	out := e.ok(append([]string{"recommend", "-o", "json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		e.t.Fatalf("%v: %v\n%s", args, err, out)
	}
	for _, k := range []string{"mode", "on_demand_cost", "on_demand_hours", "expected_cost", "expected_hours", "cost_p50", "cost_p95",
		"hours_p50", "hours_p95", "interruptions_expected", "runs", "seed"} {
		if _, ok := a.Plan[k]; !ok {
			e.t.Errorf("%v: plan lacks %q: %v", args, k, a.Plan)
		}
	}
	return a
}

func TestRecommendProfilesThroughFakeEC2(t *testing.T) {
	e := newTwoRegionEnv(t)
	e.ok("fetch", "--region", "sa-east-1,us-east-1", "--days", "30")

	// GPU: 8 A100 with EFA exists only as p4d.24xlarge in us-east-1.
	a := e.recommend("--region", "us-east-1", "--gpus", "8", "--gpu-model", "a100", "--efa", "--hours", "48", "--checkpoint", "30m")
	p := a.Pools[0]
	if p.InstanceType != "p4d.24xlarge" || p.GPUs != 8 || p.GPUName != "A100" || p.GPUMemoryGiB != 40 || p.Architecture != "x86_64" || !p.CurrentGeneration || p.Region != "us-east-1" {
		t.Errorf("GPU profile: %+v", p)
	}
	// One A10G or T4: the cheapest job wins, not the biggest box.
	a = e.recommend("--region", "us-east-1", "--gpus", "1", "--hours", "24", "--checkpoint", "1h")
	if a.Mode != "job" || a.Pools[0].InstanceType != "g4dn.xlarge" {
		t.Errorf("one-GPU job: %+v", a.Pools)
	}

	// Memory-heavy: r5a.8xlarge does the 256 GiB job for less than r5.metal.
	a = e.recommend("--region", "sa-east-1", "--memory", "256", "--hours", "24")
	if a.Pools[0].InstanceType != "r5a.8xlarge" {
		t.Errorf("memory-heavy: %+v", a.Pools)
	}

	// Coupled: 4 nodes x 1 GPU in one pool, with the chance of no interruption.
	a = e.recommend("--region", "us-east-1", "--gpus", "1", "--nodes", "4", "--hours", "48", "--checkpoint", "30m")
	pn, ok := a.Plan["p_no_interruption"].(float64)
	if a.Mode != "coupled" || len(a.Pools) != 1 || a.Pools[0].Instances != 4 || !ok || pn <= 0 || pn >= 1 {
		t.Errorf("coupled: mode %s pools %+v plan %v", a.Mode, a.Pools, a.Plan)
	}

	// Multi-region: us-east-1 is 20% cheaper; the set stays there and both
	// regions get a line.
	a = e.recommend("--region", "sa-east-1,us-east-1", "--vcpus", "4", "--memory", "16", "--count", "10", "--hours", "8", "--checkpoint", "30m")
	if a.Region != "us-east-1" || len(a.Regions) != 2 {
		t.Fatalf("multi-region: region %s lines %+v", a.Region, a.Regions)
	}
	for _, p := range a.Pools {
		if p.Region != "us-east-1" || p.Burstable || p.Architecture != a.Architecture {
			t.Errorf("multi-region set pool %+v", p)
		}
	}
	for _, l := range a.Regions {
		if l.Region == "sa-east-1" && !(l.VsBest > 0.1) {
			t.Errorf("sa-east-1 line %+v, want about +25%%", l)
		}
	}

	// The exports of these answers are launchable as they are.
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"gpu", []string{"--region", "us-east-1", "--gpus", "1", "--count", "4", "--hours", "24"}},
		{"multi-region", []string{"--region", "sa-east-1,us-east-1", "--vcpus", "4", "--memory", "16", "--count", "10"}},
		{"coupled", []string{"--region", "us-east-1", "--gpus", "1", "--nodes", "4", "--hours", "48"}},
	} {
		export := func(format string) string {
			return e.ok(append(append([]string{"recommend"}, tt.args...), "--export", format)...)
		}
		checkNodePool(t, tt.name, export("karpenter"))
		dir := t.TempDir()
		fleet, asg := filepath.Join(dir, "fleet.json"), filepath.Join(dir, "asg.json")
		os.WriteFile(fleet, []byte(export("ec2-fleet")), 0o600)
		os.WriteFile(asg, []byte(export("asg")), 0o600)
		form := awsCLIAccepts(t, `<Response><Errors><Error><Code>DryRunOperation</Code><Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors><RequestID>t</RequestID></Response>`,
			http.StatusPreconditionFailed, "ec2", "create-fleet", "--cli-input-json", "file://"+fleet, "--dry-run")
		if form != nil && (form.Get("Action") != "CreateFleet" || form.Get("LaunchTemplateConfigs.1.Overrides.1.InstanceType") == "" || form.Get("LaunchTemplateConfigs.2.Overrides.1.InstanceType") != "") {
			t.Errorf("%s: create-fleet request %v (want one launch template: one architecture)", tt.name, form)
		}
		form = awsCLIAccepts(t, `<CreateAutoScalingGroupResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><ResponseMetadata><RequestId>t</RequestId></ResponseMetadata></CreateAutoScalingGroupResponse>`,
			http.StatusOK, "autoscaling", "create-auto-scaling-group", "--cli-input-json", "file://"+asg)
		if form != nil && form.Get("Action") != "CreateAutoScalingGroup" {
			t.Errorf("%s: create-auto-scaling-group request %v", tt.name, form)
		}
	}
}

// checkNodePool checks the fields Karpenter v1 requires of a NodePool and
// that the pool keeps to one architecture.
func checkNodePool(t *testing.T, name, doc string) {
	t.Helper()
	var np struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			Template struct {
				Spec struct {
					NodeClassRef struct{ Group, Kind, Name string } `yaml:"nodeClassRef"`
					Requirements []struct {
						Key      string   `yaml:"key"`
						Operator string   `yaml:"operator"`
						Values   []string `yaml:"values"`
					} `yaml:"requirements"`
				} `yaml:"spec"`
			} `yaml:"template"`
			Disruption struct {
				ConsolidationPolicy string `yaml:"consolidationPolicy"`
			} `yaml:"disruption"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal([]byte(doc), &np); err != nil {
		t.Fatalf("%s: NodePool is not YAML: %v\n%s", name, err, doc)
	}
	ref := np.Spec.Template.Spec.NodeClassRef
	req := map[string][]string{}
	for _, r := range np.Spec.Template.Spec.Requirements {
		if r.Operator != "In" || len(r.Values) == 0 {
			t.Errorf("%s: requirement %+v", name, r)
		}
		req[r.Key] = r.Values
	}
	if np.APIVersion != "karpenter.sh/v1" || np.Kind != "NodePool" || np.Metadata.Name == "" || ref.Group != "karpenter.k8s.aws" || ref.Kind != "EC2NodeClass" || ref.Name == "" ||
		len(req["node.kubernetes.io/instance-type"]) == 0 || len(req["kubernetes.io/arch"]) != 1 || strings.Join(req["karpenter.sh/capacity-type"], ",") != "spot" ||
		np.Spec.Disruption.ConsolidationPolicy != "WhenEmpty" {
		t.Errorf("%s: NodePool %+v", name, np)
	}
}

// awsCLIAccepts runs the real AWS CLI against a local endpoint that answers
// with reply; reaching the endpoint proves the CLI's client-side validation
// accepted the document. It returns the request's form, or nil (skipping)
// when the CLI is not installed.
func awsCLIAccepts(t *testing.T, reply string, status int, args ...string) url.Values {
	t.Helper()
	aws, err := exec.LookPath("aws")
	if err != nil || testing.Short() {
		t.Log("aws CLI not run (not installed or -short)")
		return nil
	}
	var mu sync.Mutex
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		got = r.PostForm
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		w.Write([]byte(reply))
	}))
	defer srv.Close()
	cmd := exec.Command(aws, append(args, "--endpoint-url", srv.URL, "--region", "us-east-1")...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=fake",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1"}
	if v := os.Getenv("PYENV_ROOT"); v != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+v)
	}
	out, _ := cmd.CombinedOutput()
	mu.Lock()
	defer mu.Unlock()
	if got == nil {
		t.Fatalf("the AWS CLI did not send %v (validation failed?):\n%s", args[:2], out)
	}
	return got
}

// TestRecommendBadInput: every new flag's bad value is one line and exit 2
// naming the flag (and, for a GPU model, the models the catalog has); a
// profile no pool meets is exit 1 naming the tightest constraint.
func TestRecommendBadInput(t *testing.T) {
	e := newEnv(t, true)
	e.ok("fetch", "--days", "31") // what recommend's 30-day window asks for, so it fetches nothing more
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--gpus", "1", "--gpu-model", "H100"}, "the catalog has: T4"},
		{[]string{"--work", "5000"}, "--work"},
		{[]string{"--work", "-5vcpu-h"}, "--work"},
		{[]string{"--work", "5000cpu-h"}, "--work"},
		{[]string{"--nodes", "0"}, "--nodes"},
		{[]string{"--max-az-share", "0"}, "--max-az-share"},
		{[]string{"--max-az-share", "1.5"}, "--max-az-share"},
		{[]string{"--runs", "0"}, "--runs"},
		{[]string{"--restart", "0"}, "--restart"},
		{[]string{"--gpu-memory", "lots"}, "--gpu-memory"},
		{[]string{"--nodes", "2", "--count", "3"}, "--nodes"},
		{[]string{"--work", "10gpu-h", "--hours", "3"}, "--work"},
	} {
		code, out, errs := e.run(append([]string{"recommend"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 || out != "" {
			t.Errorf("recommend %v: exit %d, stdout %q, stderr %q; want exit 2 naming %s", tc.args, code, out, errs, tc.want)
		}
	}
	code, _, errs := e.run("recommend", "--gpus", "8", "--gpu-model", "t4")
	if code != 1 || !strings.Contains(errs, ">= 8 GPUs of model t4") || !strings.Contains(errs, "1 type has 4 T4") {
		t.Errorf("no pool meets 8 T4: exit %d, %s", code, errs)
	}
}
