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

// benchEC2 is EC2 as the benchmarks model it: the documented bucket for
// non-mutating actions and a typical cross-region round trip.
var benchEC2 = ec2fake.Options{
	Throttle: ec2fake.Throttle{Burst: EC2Burst, Rate: EC2Rate},
	Latency:  100 * time.Millisecond,
}

// benchFetch fetches req from data into an empty store at EC2's rate limit,
// b.N times, and reports besides s/op: the pages asked, the pages that
// suffice (every record the window needs, 1000 a page), the requests the
// server saw, the throttled ones, the rate-limit bound (requests-burst)/rate
// computed on the pages that suffice, and elapsed over that bound.
func benchFetch(b *testing.B, data ec2fake.Data, req Request) {
	var sum Summary
	var srv *ec2fake.Server
	for b.Loop() {
		b.StopTimer()
		// A fresh server each time: a used bucket would make the next
		// iteration pay for the previous one.
		srv = ec2fake.NewServer(data, benchEC2)
		cfg := testConfig(b, srv.URL)
		f := &Fetcher{Client: NewClientFactory(cfg), Store: newMemStore(), Now: demo.End}
		b.StartTimer()
		var err error
		sum, err = f.Fetch(context.Background(), req)
		b.StopTimer()
		srv.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	m, _ := market.NewTypeMatcher(req.Types)
	var want int
	for _, region := range req.Regions {
		want += len(expectedKeys(data.Records, region, func(r market.Record) bool {
			return m.Match(r.InstanceType) && contains(req.Products, r.Product)
		}, sum.Window.Start, sum.Window.End))
	}
	suffice := (want + DefaultPageSize - 1) / DefaultPageSize
	// The zones call is one request of its own.
	bound := max(0, float64(suffice+1-EC2Burst)/EC2Rate)
	secs := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(sum.Pages), "pages")
	b.ReportMetric(float64(suffice), "pages-suffice")
	b.ReportMetric(float64(srv.Counts().Total), "requests")
	b.ReportMetric(float64(srv.Counts().Throttled), "throttled")
	b.ReportMetric(float64(sum.Pieces), "pieces")
	b.ReportMetric(bound, "rate-bound-s")
	if bound > 0 {
		// Inside the burst there is no rate bound, only round trips.
		b.ReportMetric(secs/bound, "x-bound")
	}
	b.ReportMetric(secs, "s/op")
	b.ReportMetric(0, "ns/op")
}

var allProducts = []string{market.LinuxUNIX, market.RHEL, market.SUSE, market.Windows}

// BenchmarkFetchRegion90d fetches 90 days of sa-east-1 (the demo's real
// records) into an empty store through the fake at EC2's rate limit.
func BenchmarkFetchRegion90d(b *testing.B) {
	for _, bc := range []struct {
		name     string
		products []string
	}{
		{"linux", []string{market.LinuxUNIX}},
		{"all-products", allProducts},
	} {
		b.Run(bc.name, func(b *testing.B) {
			benchFetch(b, ec2fake.DemoData(), Request{Regions: []string{demo.Region}, Days: 90, Products: bc.products})
		})
	}
}

// usEast1Month is a month of a region the size of us-east-1 (6 zones,
// about 320,000 records over four products), derived from the real
// sa-east-1 records by ec2fake.ScaledData.
func usEast1Month() ec2fake.Data { return ec2fake.ScaledData("us-east-1", 6, 2.27, 31) }

// BenchmarkFetchRegion30dAllProducts is the question users ask: the last
// month of every product in a big region.
func BenchmarkFetchRegion30dAllProducts(b *testing.B) {
	data := usEast1Month()
	benchFetch(b, data, Request{Regions: []string{"us-east-1"}, Days: 30, Products: allProducts})
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
	for _, bc := range []struct {
		name     string
		products []string
	}{
		{"linux", []string{market.LinuxUNIX}},
		{"all-products", allProducts},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				srv := ec2fake.NewServer(ec2fake.DemoData(), benchEC2)
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
