package awsapi

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/ec2fake"
)

// benchOptions is EC2 as the benchmark models it: the documented bucket for
// non-mutating actions and a typical cross-region round trip.
var benchOptions = ec2fake.Options{
	Throttle: ec2fake.Throttle{Burst: DefaultBurst, Rate: DefaultRate},
	Latency:  100 * time.Millisecond,
}

var benchCases = []struct {
	name     string
	products []string
}{
	{"linux", []string{market.LinuxUNIX}},
	{"all-products", []string{market.LinuxUNIX, market.RHEL, market.SUSE, market.Windows}},
}

// BenchmarkFetchRegion90d fetches 90 days of sa-east-1 into an empty store
// through the fake at EC2's rate limit. Besides ns/op it reports the pages,
// the requests the server saw, the rate-limit bound (requests-burst)/rate,
// the latency bound (the longest chain of sequential pages x latency), and
// elapsed over the larger bound.
func BenchmarkFetchRegion90d(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			var sum Summary
			var srv *ec2fake.Server
			for b.Loop() {
				b.StopTimer()
				// A fresh server each time: a used bucket would make the
				// next iteration pay for the previous one.
				e := newE2E(b, benchOptions)
				srv = e.srv
				b.StartTimer()
				var err error
				sum, err = e.f.Fetch(context.Background(), Request{Regions: []string{demo.Region}, Days: 90, Products: bc.products})
				if err != nil {
					b.Fatal(err)
				}
			}
			reqs := srv.Counts().Total
			rateBound := max(0, float64(reqs-DefaultBurst)/DefaultRate)
			chains := map[string]int{}
			longest := 0
			for _, r := range srv.Requests() {
				if r.Action != "DescribeSpotPriceHistory" {
					continue
				}
				k := r.Form.Get("AvailabilityZone") + r.Form.Get("StartTime") + r.Form.Get("ProductDescription.1")
				chains[k]++
				longest = max(longest, chains[k])
			}
			// The zones call precedes every piece.
			latencyBound := float64(longest+1) * benchOptions.Latency.Seconds()
			secs := float64(b.Elapsed().Seconds()) / float64(b.N)
			b.ReportMetric(float64(sum.Pages), "pages")
			b.ReportMetric(float64(reqs), "requests")
			b.ReportMetric(float64(sum.Throttled), "throttled")
			b.ReportMetric(rateBound, "rate-bound-s")
			b.ReportMetric(latencyBound, "latency-bound-s")
			b.ReportMetric(secs/max(rateBound, latencyBound), "x-bound")
			b.ReportMetric(secs, "s/op")
		})
	}
}

// BenchmarkAWSCLI90d times `aws ec2 describe-spot-price-history` for the same
// window against the same fake and settings, the baseline a user would
// otherwise script. It is skipped unless the AWS CLI is installed.
func BenchmarkAWSCLI90d(b *testing.B) {
	cli, err := exec.LookPath("aws")
	if err != nil {
		b.Skip("aws CLI not installed")
	}
	end := demo.End().Truncate(time.Second)
	start := end.Add(-MaxDays * 24 * time.Hour)
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				srv := ec2fake.NewServer(ec2fake.DemoData(), benchOptions)
				args := []string{"ec2", "describe-spot-price-history", "--endpoint-url", srv.URL, "--region", demo.Region,
					"--start-time", start.Format(time.RFC3339), "--end-time", end.Format(time.RFC3339),
					"--output", "json", "--product-descriptions"}
				cmd := exec.Command(cli, append(args, bc.products...)...)
				cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=SECRETTEST",
					"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
					"AWS_PAGER=")
				b.StartTimer()
				out, err := cmd.Output()
				b.StopTimer()
				if err != nil {
					b.Fatalf("aws: %v", err)
				}
				b.ReportMetric(float64(srv.Counts().Total), "requests")
				b.ReportMetric(float64(len(out))/1e6, "MB-json")
				srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/op")
		})
	}
}
