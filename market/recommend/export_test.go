package recommend

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func exportResult(t *testing.T) Result {
	t.Helper()
	p := batch
	p.MaxPrice = 0.25
	res, err := Recommend(pool12(), p, Options{MaxPools: 4})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestExportGolden(t *testing.T) {
	res := exportResult(t)
	for _, tt := range []struct{ format, file string }{
		{FormatEC2Fleet, "ec2-fleet.json"}, {FormatASG, "asg.json"}, {FormatKarpenter, "karpenter.yaml"},
	} {
		var buf bytes.Buffer
		if err := Export(&buf, tt.format, res, ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", tt.file)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs from %s (go test -run TestExportGolden -update):\n%s", tt.format, path, buf.String())
		}
	}
}

func TestExportStructure(t *testing.T) {
	res := exportResult(t)
	var buf bytes.Buffer
	if err := Export(&buf, FormatEC2Fleet, res, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	var fleet struct {
		SpotOptions           struct{ AllocationStrategy string }
		LaunchTemplateConfigs []struct {
			LaunchTemplateSpecification struct{ LaunchTemplateName string }
			Overrides                   []struct{ InstanceType, AvailabilityZone, MaxPrice string }
		}
		TargetCapacitySpecification struct {
			TotalTargetCapacity, SpotTargetCapacity int
			DefaultTargetCapacityType               string
		}
		Type string
	}
	if err := json.Unmarshal(buf.Bytes(), &fleet); err != nil {
		t.Fatal(err)
	}
	lt := fleet.LaunchTemplateConfigs[0]
	if fleet.SpotOptions.AllocationStrategy != "price-capacity-optimized" || fleet.Type != "maintain" ||
		lt.LaunchTemplateSpecification.LaunchTemplateName != PlaceholderLaunchTemplate || len(lt.Overrides) != len(res.Pools) ||
		fleet.TargetCapacitySpecification.TotalTargetCapacity != 10 || fleet.TargetCapacitySpecification.DefaultTargetCapacityType != "spot" ||
		lt.Overrides[0].MaxPrice != "0.250000" {
		t.Errorf("fleet %+v", fleet)
	}
	for i, o := range lt.Overrides {
		if o.InstanceType != res.Pools[i].InstanceType || o.AvailabilityZone != res.Pools[i].AvailabilityZone {
			t.Errorf("override %d %+v", i, o)
		}
	}

	buf.Reset()
	if err := Export(&buf, FormatKarpenter, res, ExportOptions{Name: "np", NodeClass: "default"}); err != nil {
		t.Fatal(err)
	}
	var np struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct{ Name string }
		Spec       struct {
			Template struct {
				Spec struct {
					NodeClassRef struct{ Group, Kind, Name string } `yaml:"nodeClassRef"`
					Requirements []struct {
						Key, Operator string
						Values        []string
					}
				}
			}
			Limits map[string]string
		}
	}
	if err := yaml.Unmarshal(buf.Bytes(), &np); err != nil {
		t.Fatal(err)
	}
	req := map[string][]string{}
	for _, r := range np.Spec.Template.Spec.Requirements {
		req[r.Key] = r.Values
	}
	if np.APIVersion != "karpenter.sh/v1" || np.Kind != "NodePool" || np.Metadata.Name != "np" || np.Spec.Template.Spec.NodeClassRef.Name != "default" ||
		strings.Join(req["karpenter.sh/capacity-type"], ",") != "spot" ||
		strings.Join(req["node.kubernetes.io/instance-type"], ",") != "m5.xlarge,m5a.xlarge" ||
		strings.Join(req["topology.kubernetes.io/zone"], ",") != "sa-east-1a,sa-east-1b,sa-east-1c" || np.Spec.Limits["cpu"] != "40" ||
		strings.Join(req["kubernetes.io/arch"], ",") != "amd64" {
		t.Errorf("nodepool %+v", np)
	}

	if err := Export(io.Discard, "terraform", res, ExportOptions{}); err == nil || !strings.Contains(err.Error(), "unknown export format") {
		t.Errorf("unknown format: %v", err)
	}
	if err := Export(io.Discard, FormatASG, Result{}, ExportOptions{}); err == nil {
		t.Error("empty result must not export")
	}
	if got := sanitizeName("Batch 8h!_x"); got != "batch-8h-x" {
		t.Errorf("sanitizeName %q", got)
	}
}

// awsCLI runs the real AWS CLI against a local endpoint that records the
// request and answers like EC2 or Auto Scaling would. Reaching the handler
// proves the CLI's client-side parameter validation accepted the JSON.
func awsCLI(t *testing.T, reply func(http.ResponseWriter, url.Values), args ...string) url.Values {
	t.Helper()
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not installed")
	}
	if testing.Short() {
		t.Skip("slow: starts the AWS CLI")
	}
	var mu sync.Mutex
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		got = r.PostForm
		mu.Unlock()
		reply(w, r.PostForm)
	}))
	defer srv.Close()
	cmd := exec.Command(aws, append(args, "--endpoint-url", srv.URL, "--region", "sa-east-1")...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=fake", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1",
	}
	if v := os.Getenv("PYENV_ROOT"); v != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+v)
	}
	out, _ := cmd.CombinedOutput()
	mu.Lock()
	defer mu.Unlock()
	if got == nil {
		t.Fatalf("the AWS CLI did not send the request (parameter validation failed?):\n%s", out)
	}
	t.Logf("aws: %s", bytes.TrimSpace(out))
	return got
}

func writeExport(t *testing.T, format string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Export(&buf, format, exportResult(t), ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), format+".json")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEC2FleetWithAWSCLI(t *testing.T) {
	path := writeExport(t, FormatEC2Fleet)
	form := awsCLI(t, func(w http.ResponseWriter, _ url.Values) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusPreconditionFailed)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>DryRunOperation</Code><Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors><RequestID>spotscope-test</RequestID></Response>`)
	}, "ec2", "create-fleet", "--cli-input-json", "file://"+path, "--dry-run")
	if form.Get("Action") != "CreateFleet" || form.Get("DryRun") != "true" ||
		form.Get("SpotOptions.AllocationStrategy") != "price-capacity-optimized" ||
		form.Get("LaunchTemplateConfigs.1.Overrides.1.InstanceType") != "m5.xlarge" ||
		form.Get("LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName") != PlaceholderLaunchTemplate ||
		form.Get("TargetCapacitySpecification.TotalTargetCapacity") != "10" || form.Get("Type") != "maintain" {
		t.Errorf("request %v", form)
	}
}

func TestASGWithAWSCLI(t *testing.T) {
	path := writeExport(t, FormatASG)
	form := awsCLI(t, func(w http.ResponseWriter, _ url.Values) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<CreateAutoScalingGroupResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><ResponseMetadata><RequestId>spotscope-test</RequestId></ResponseMetadata></CreateAutoScalingGroupResponse>`)
	}, "autoscaling", "create-auto-scaling-group", "--cli-input-json", "file://"+path)
	if form.Get("Action") != "CreateAutoScalingGroup" ||
		form.Get("MixedInstancesPolicy.InstancesDistribution.SpotAllocationStrategy") != "price-capacity-optimized" ||
		form.Get("MixedInstancesPolicy.InstancesDistribution.OnDemandPercentageAboveBaseCapacity") != "0" ||
		form.Get("MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceType") != "m5.xlarge" ||
		form.Get("AvailabilityZones.member.1") != "sa-east-1a" || form.Get("DesiredCapacity") != "10" {
		t.Errorf("request %v", form)
	}
}
