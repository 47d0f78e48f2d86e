package ec2fake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
)

var (
	demoOnce sync.Once
	demoSrv  *Server
)

// demoServer is shared by the tests that only read, since indexing the demo
// data is the expensive part of a server.
func demoServer(t *testing.T) *Server {
	t.Helper()
	demoOnce.Do(func() { demoSrv = NewServer(DemoData(), Options{}) })
	return demoSrv
}

// smallData is c5.large and m5.large only: enough for pagination, cheap to
// index for tests that need their own server.
func smallData() Data {
	d := DemoData()
	var recs []market.Record
	for _, r := range d.Records {
		if r.InstanceType == "c5.large" || r.InstanceType == "m5.large" {
			recs = append(recs, r)
		}
	}
	d.Records = recs
	return d
}

func fastRetryer(attempts int) aws.Retryer { return retryer(attempts, time.Millisecond) }

func retryer(attempts int, backoff time.Duration) aws.Retryer {
	return retry.AddWithMaxAttempts(retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return backoff, nil })
		o.RateLimiter = ratelimit.None // fault tests retry more than the retry quota allows
	}), attempts)
}

func newClient(t *testing.T, url, region string, opts ...func(*ec2.Options)) *ec2.Client {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	o := ec2.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer:      fastRetryer(3),
	}
	for _, f := range opts {
		f(&o)
	}
	return ec2.New(o)
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// row is a record as compared in tests.
type row struct {
	az, typ, product string
	t                time.Time
	price            float64
}

func (r row) String() string {
	return fmt.Sprintf("%s %s %s %s %.6f", r.az, r.typ, r.product, r.t.Format(time.RFC3339), r.price)
}

func sortRows(rs []row) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].String() < rs[j].String() })
}

// expected is a brute-force model of DescribeSpotPriceHistory over the raw
// records, independent of the server's index: de-duplicate on (pool, time),
// then per pool the record in effect at start and every record in
// (start, end].
func expected(recs []market.Record, start, end *time.Time, pool func(market.Pool) bool, rec func(market.Record) bool) []row {
	type key struct {
		p market.Pool
		t int64
	}
	last := map[key]market.Record{}
	for _, r := range recs {
		if pool(r.Pool) {
			last[key{r.Pool, r.Time.UnixNano()}] = r
		}
	}
	inEffect := map[market.Pool]market.Record{}
	var out []row
	for _, r := range last {
		if end != nil && r.Time.After(*end) {
			continue
		}
		if start != nil && !r.Time.After(*start) {
			if cur, ok := inEffect[r.Pool]; !ok || r.Time.After(cur.Time) {
				inEffect[r.Pool] = r
			}
			continue
		}
		if rec == nil || rec(r) {
			out = append(out, row{r.AvailabilityZone, r.InstanceType, r.Product, r.Time, r.Price})
		}
	}
	for _, r := range inEffect {
		if start != nil && end != nil && start.After(*end) {
			continue
		}
		if rec == nil || rec(r) {
			out = append(out, row{r.AvailabilityZone, r.InstanceType, r.Product, r.Time, r.Price})
		}
	}
	sortRows(out)
	return out
}

// fetchAll pages through the history with the SDK paginator and checks the
// newest-first order across pages.
func fetchAll(t *testing.T, c *ec2.Client, in *ec2.DescribeSpotPriceHistoryInput) ([]row, int, error) {
	t.Helper()
	var out []row
	pages := 0
	p := ec2.NewDescribeSpotPriceHistoryPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			return nil, pages, err
		}
		pages++
		for _, it := range page.SpotPriceHistory {
			price, err := market.ParsePrice(aws.ToString(it.SpotPrice))
			if err != nil {
				t.Fatal(err)
			}
			if n := len(out); n > 0 && aws.ToTime(it.Timestamp).After(out[n-1].t) {
				t.Fatalf("not newest first: %v after %v", aws.ToTime(it.Timestamp), out[n-1])
			}
			if it.AvailabilityZoneId == nil {
				t.Fatalf("item without availabilityZoneId: %+v", it)
			}
			out = append(out, row{aws.ToString(it.AvailabilityZone), string(it.InstanceType), string(it.ProductDescription), aws.ToTime(it.Timestamp), price})
		}
	}
	sortRows(out)
	return out, pages, nil
}

func sameRows(t *testing.T, got, want []row) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("test window selects no records; pick another")
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %d records, want %d", len(got), len(want))
		for i := 0; i < len(got) || i < len(want); i++ {
			var g, w row
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Errorf("first difference at %d: got %v, want %v", i, g, w)
				break
			}
		}
	}
}

func TestSpotPriceHistory(t *testing.T) {
	srv := demoServer(t)
	c := newClient(t, srv.URL, "sa-east-1")
	all := demo.AllRecords()
	type tc struct {
		name     string
		in       ec2.DescribeSpotPriceHistoryInput
		pool     func(market.Pool) bool
		rec      func(market.Record) bool
		minPages int
	}
	p := func(s string) *time.Time { v := ts(s); return &v }
	is := func(typ string) func(market.Pool) bool {
		return func(p market.Pool) bool { return p.InstanceType == typ }
	}
	tests := []tc{
		{
			name:     "one type, two weeks, small pages",
			in:       ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []types.InstanceType{"c5.large"}, StartTime: p("2020-05-01T00:00:00Z"), EndTime: p("2020-05-15T00:00:00Z"), MaxResults: aws.Int32(100)},
			pool:     is("c5.large"),
			minPages: 2,
		},
		{
			name:     "every pool, one day, across several default pages",
			in:       ec2.DescribeSpotPriceHistoryInput{StartTime: p("2020-06-01T00:00:00Z"), EndTime: p("2020-06-02T00:00:00Z")},
			pool:     func(market.Pool) bool { return true },
			minPages: 2,
		},
		{
			name: "window across the two captures",
			in:   ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []types.InstanceType{"m5.xlarge", "r5.large"}, ProductDescriptions: []string{"Linux/UNIX", "Windows"}, StartTime: p("2020-03-29T00:00:00Z"), EndTime: p("2020-04-02T00:00:00Z")},
			pool: func(p market.Pool) bool {
				return (p.InstanceType == "m5.xlarge" || p.InstanceType == "r5.large") && (p.Product == "Linux/UNIX" || p.Product == "Windows")
			},
		},
		{
			name: "wildcard filters, slash in product",
			in: ec2.DescribeSpotPriceHistoryInput{StartTime: p("2020-04-10T00:00:00Z"), EndTime: p("2020-04-17T00:00:00Z"), Filters: []types.Filter{
				{Name: aws.String("instance-type"), Values: []string{"c5*"}},
				{Name: aws.String("product-description"), Values: []string{"Linux/*"}},
				{Name: aws.String("availability-zone"), Values: []string{"sa-east-1?"}},
			}},
			pool: func(p market.Pool) bool { return strings.HasPrefix(p.InstanceType, "c5") && p.Product == "Linux/UNIX" },
		},
		{
			name: "AvailabilityZoneId and instance type list",
			in:   ec2.DescribeSpotPriceHistoryInput{AvailabilityZoneId: aws.String("sae1-az2"), InstanceTypes: []types.InstanceType{"m5.large", "r5.large"}, ProductDescriptions: []string{"Windows"}, StartTime: p("2020-02-01T00:00:00Z"), EndTime: p("2020-02-20T00:00:00Z")},
			pool: func(p market.Pool) bool {
				return p.AvailabilityZone == "sa-east-1b" && (p.InstanceType == "m5.large" || p.InstanceType == "r5.large") && p.Product == "Windows"
			},
		},
		{
			name: "AvailabilityZone and spot-price wildcard",
			in: ec2.DescribeSpotPriceHistoryInput{AvailabilityZone: aws.String("sa-east-1a"), StartTime: p("2020-05-01T00:00:00Z"), EndTime: p("2020-05-08T00:00:00Z"), Filters: []types.Filter{
				{Name: aws.String("instance-type"), Values: []string{"t3.*", "t3a.*"}},
				{Name: aws.String("spot-price"), Values: []string{"0.0?4*"}},
			}},
			pool: func(p market.Pool) bool {
				return p.AvailabilityZone == "sa-east-1a" && (strings.HasPrefix(p.InstanceType, "t3.") || strings.HasPrefix(p.InstanceType, "t3a."))
			},
			rec: func(r market.Record) bool { return wildcard("0.0?4*", market.FormatPrice(r.Price)) },
		},
		{
			name: "no EndTime runs to the end",
			in:   ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []types.InstanceType{"m5.xlarge"}, StartTime: p("2020-06-15T00:00:00Z")},
			pool: is("m5.xlarge"),
		},
		{
			name: "no StartTime runs from the beginning",
			in:   ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []types.InstanceType{"m5.xlarge"}, EndTime: p("2020-01-05T00:00:00Z")},
			pool: is("m5.xlarge"),
		},
		{
			name: "zero prices are served",
			in:   ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []types.InstanceType{"r5ad.24xlarge", "r5ad.16xlarge"}, StartTime: p("2020-02-04T00:00:00Z"), EndTime: p("2020-02-06T00:00:00Z"), MaxResults: aws.Int32(7)},
			pool: func(p market.Pool) bool {
				return p.InstanceType == "r5ad.24xlarge" || p.InstanceType == "r5ad.16xlarge"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pages, err := fetchAll(t, c, &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			want := expected(all, tt.in.StartTime, tt.in.EndTime, tt.pool, tt.rec)
			sameRows(t, got, want)
			if pages < tt.minPages {
				t.Errorf("pages = %d, want at least %d", pages, tt.minPages)
			}
			if tt.in.StartTime != nil {
				// The price in effect at StartTime comes with the window.
				before := 0
				for _, r := range got {
					if r.t.Before(*tt.in.StartTime) {
						before++
					}
				}
				if before == 0 {
					t.Error("no record from before StartTime")
				}
			}
		})
	}
}

func TestSpotPriceHistoryEdges(t *testing.T) {
	srv := demoServer(t)
	c := newClient(t, srv.URL, "sa-east-1")
	ctx := context.Background()

	// StartTime exactly on a record: that record is the one in effect, the
	// one before it is not sent.
	recs, err := c.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []types.InstanceType{"c5.large"}, AvailabilityZone: aws.String("sa-east-1a"), ProductDescriptions: []string{"Linux/UNIX"}, StartTime: aws.Time(ts("2020-05-01T00:00:00Z")), EndTime: aws.Time(ts("2020-05-20T00:00:00Z"))})
	if err != nil {
		t.Fatal(err)
	}
	h := recs.SpotPriceHistory
	if len(h) < 2 {
		t.Fatalf("too few records: %d", len(h))
	}
	at := aws.ToTime(h[len(h)-2].Timestamp)
	recs2, err := c.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []types.InstanceType{"c5.large"}, AvailabilityZone: aws.String("sa-east-1a"), ProductDescriptions: []string{"Linux/UNIX"}, StartTime: aws.Time(at), EndTime: aws.Time(ts("2020-05-20T00:00:00Z"))})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(recs2.SpotPriceHistory); n != len(h)-1 || !aws.ToTime(recs2.SpotPriceHistory[n-1].Timestamp).Equal(at) {
		t.Errorf("StartTime on a record: got %d records ending %v, want %d ending %v", n, recs2.SpotPriceHistory[n-1].Timestamp, len(h)-1, at)
	}
	if tok := recs2.NextToken; tok == nil || *tok != "" {
		t.Errorf("last page NextToken = %v, want empty string", tok)
	}

	// A region without data answers empty, and the region comes from the
	// signature.
	east := newClient(t, srv.URL, "us-east-1")
	out, err := east.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []types.InstanceType{"c5.large"}})
	if err != nil || len(out.SpotPriceHistory) != 0 {
		t.Errorf("us-east-1: %d records, err %v", len(out.SpotPriceHistory), err)
	}
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; last.Region != "us-east-1" || last.Action != "DescribeSpotPriceHistory" || last.Form.Get("InstanceType.1") != "c5.large" || last.Status != 200 {
		t.Errorf("last request logged as %+v", last)
	}
	// Unsigned requests get the data's region.
	anon := newClient(t, srv.URL, "us-east-1", func(o *ec2.Options) { o.Credentials = aws.AnonymousCredentials{} })
	out, err = anon.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []types.InstanceType{"c5.large"}, StartTime: aws.Time(ts("2020-06-20T00:00:00Z"))})
	if err != nil || len(out.SpotPriceHistory) == 0 {
		t.Errorf("unsigned: %d records, err %v", len(out.SpotPriceHistory), err)
	}
}

func TestSpotPriceHistoryErrors(t *testing.T) {
	srv := demoServer(t)
	c := newClient(t, srv.URL, "sa-east-1")
	ctx := context.Background()
	base := func() *ec2.DescribeSpotPriceHistoryInput {
		return &ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []types.InstanceType{"c5.large"}, StartTime: aws.Time(ts("2020-05-01T00:00:00Z")), EndTime: aws.Time(ts("2020-05-20T00:00:00Z")), MaxResults: aws.Int32(10)}
	}
	first, err := c.DescribeSpotPriceHistory(ctx, base())
	if err != nil || aws.ToString(first.NextToken) == "" {
		t.Fatalf("first page: token %v, err %v", first.NextToken, err)
	}
	tests := []struct {
		name   string
		mutate func(*ec2.DescribeSpotPriceHistoryInput)
		code   string
		status int
	}{
		{"token is valid for its own query", func(in *ec2.DescribeSpotPriceHistoryInput) { in.NextToken = first.NextToken }, "", 0},
		{"page size may change between pages", func(in *ec2.DescribeSpotPriceHistoryInput) {
			in.NextToken = first.NextToken
			in.MaxResults = aws.Int32(500)
		}, "", 0},
		{"garbage token", func(in *ec2.DescribeSpotPriceHistoryInput) { in.NextToken = aws.String("not-a-token") }, "InvalidNextToken", 400},
		{"token from another query", func(in *ec2.DescribeSpotPriceHistoryInput) {
			in.NextToken = first.NextToken
			in.InstanceTypes = []types.InstanceType{"m5.large"}
		}, "InvalidNextToken", 400},
		{"unknown filter", func(in *ec2.DescribeSpotPriceHistoryInput) {
			in.Filters = []types.Filter{{Name: aws.String("vpc-id"), Values: []string{"x"}}}
		}, "InvalidParameterValue", 400},
		{"MaxResults 0", func(in *ec2.DescribeSpotPriceHistoryInput) { in.MaxResults = aws.Int32(0) }, "InvalidParameterValue", 400},
		{"MaxResults 1001", func(in *ec2.DescribeSpotPriceHistoryInput) { in.MaxResults = aws.Int32(1001) }, "InvalidParameterValue", 400},
		{"AZ and AZ ID", func(in *ec2.DescribeSpotPriceHistoryInput) {
			in.AvailabilityZone, in.AvailabilityZoneId = aws.String("sa-east-1a"), aws.String("sae1-az1")
		}, "InvalidParameterCombination", 400},
		{"DryRun", func(in *ec2.DescribeSpotPriceHistoryInput) { in.DryRun = aws.Bool(true) }, "DryRunOperation", 412},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.mutate(in)
			_, err := c.DescribeSpotPriceHistory(ctx, in)
			if got := errCode(err); got != tt.code || httpStatus(err) != tt.status {
				t.Errorf("error %v (code %q, status %d), want %q/%d", err, got, httpStatus(err), tt.code, tt.status)
			}
		})
	}
}

func TestDryRunAndDeny(t *testing.T) {
	srv := NewServer(smallData(), Options{Deny: []string{"GetSpotPlacementScores"}})
	defer srv.Close()
	c := newClient(t, srv.URL, "sa-east-1")
	ctx := context.Background()
	fleet := func(dry bool) *ec2.CreateFleetInput {
		return &ec2.CreateFleetInput{
			DryRun:                      aws.Bool(dry),
			LaunchTemplateConfigs:       []types.FleetLaunchTemplateConfigRequest{{LaunchTemplateSpecification: &types.FleetLaunchTemplateSpecificationRequest{LaunchTemplateName: aws.String("lt")}}},
			TargetCapacitySpecification: &types.TargetCapacitySpecificationRequest{TotalTargetCapacity: aws.Int32(1)},
		}
	}
	scores := func(dry bool) *ec2.GetSpotPlacementScoresInput {
		return &ec2.GetSpotPlacementScoresInput{DryRun: aws.Bool(dry), InstanceTypes: []string{"c5.large", "m5.large", "r5.large"}, TargetCapacity: aws.Int32(2)}
	}
	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"CreateFleet DryRun", func() error { _, err := c.CreateFleet(ctx, fleet(true)); return err }, "DryRunOperation", 412},
		{"CreateFleet for real is not implemented", func() error { _, err := c.CreateFleet(ctx, fleet(false)); return err }, "InvalidAction", 400},
		{"DescribeRegions DryRun", func() error {
			_, err := c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{DryRun: aws.Bool(true)})
			return err
		}, "DryRunOperation", 412},
		{"denied DryRun", func() error { _, err := c.GetSpotPlacementScores(ctx, scores(true)); return err }, "UnauthorizedOperation", 403},
		{"denied call", func() error { _, err := c.GetSpotPlacementScores(ctx, scores(false)); return err }, "UnauthorizedOperation", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if got := errCode(err); got != tt.code || httpStatus(err) != tt.status {
				t.Errorf("error %v, want %s/%d", err, tt.code, tt.status)
			}
		})
	}
	// None of these is retried.
	if n := srv.Counts().Total; n != len(tests) {
		t.Errorf("server saw %d requests, want %d", n, len(tests))
	}
}

func TestRawProtocol(t *testing.T) {
	srv := demoServer(t)
	post := func(body string) (int, string) {
		resp, err := http.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post("Action=TerminateEverything&Version=2016-11-15")
	if status != 400 || !strings.Contains(body, "<Response><Errors><Error><Code>InvalidAction</Code><Message>") || !strings.Contains(body, "<RequestID>") {
		t.Errorf("unknown action: %d %s", status, body)
	}
	status, body = post("Action=DescribeSpotPriceHistory&Version=2016-11-15&InstanceType.1=c5.large&StartTime=2020-06-22T00:00:00Z&MaxResults=1")
	if status != 200 || !strings.Contains(body, "<DescribeSpotPriceHistoryResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>") ||
		!strings.Contains(body, "<availabilityZoneId>sae1-az") || !strings.Contains(body, "<nextToken>") {
		t.Errorf("history: %d %s", status, body)
	}
}
