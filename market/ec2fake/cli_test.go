package ec2fake

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
)

// TestAWSCLI checks interoperability with a second, independent client: the
// AWS CLI (botocore) signs, paginates and parses on its own.
func TestAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not on PATH")
	}
	d := smallData()
	// Small pages make the CLI follow several NextTokens.
	srv := NewServer(d, Options{PageSize: 100})
	defer srv.Close()
	start, end := ts("2020-05-01T00:00:00Z"), ts("2020-05-15T00:00:00Z")
	want := expected(d.Records, &start, &end, func(p market.Pool) bool { return p.InstanceType == "c5.large" }, nil)

	cmd := exec.Command(aws, "ec2", "describe-spot-price-history",
		"--endpoint-url", srv.URL, "--region", "sa-east-1", "--instance-types", "c5.large",
		"--start-time", start.Format(time.RFC3339), "--end-time", end.Format(time.RFC3339), "--output", "json")
	home := t.TempDir()
	// Only our AWS_ variables: a developer's profile, endpoint or CA
	// settings must not leak into the run (an empty AWS_PROFILE is an error).
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_ACCESS_KEY_ID=AKIDFAKE", "AWS_SECRET_ACCESS_KEY=fake-secret",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_PAGER=", "HOME="+home)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("aws: %v\n%s", err, stderr.String())
	}
	var got []row
	err = dataset.ReadCLIJSON(&stdout, dataset.Options{}, func(r market.Record) error {
		got = append(got, row{r.AvailabilityZone, r.InstanceType, r.Product, r.Time, r.Price})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sortRows(got)
	sameRows(t, got, want)
	cnt := srv.Counts()
	if cnt.ByAction["DescribeSpotPriceHistory"] < 2 {
		t.Errorf("CLI made %d requests, want several pages", cnt.Total)
	}
	for _, r := range srv.Requests() {
		if r.Region != "sa-east-1" || r.Status != 200 {
			t.Errorf("request %+v", r)
		}
	}
}
