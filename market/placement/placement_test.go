package placement

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/ec2fake"
	"github.com/spotscope/spotscope/market/internal/memdocs"
)

func newEC2(t *testing.T, url string) *ec2.Client {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return ec2.New(ec2.Options{
		Region:           "sa-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDFAKE", "SECRETFAKE", ""),
		RetryMaxAttempts: 1,
	})
}

func zones() []market.Zone {
	z := func(region, name, id string) market.Zone {
		return market.Zone{Region: region, Name: name, ID: id, Type: "availability-zone", State: "available"}
	}
	return []market.Zone{
		z("sa-east-1", "sa-east-1a", "sae1-az1"), z("sa-east-1", "sa-east-1b", "sae1-az2"), z("sa-east-1", "sa-east-1c", "sae1-az3"),
		z("us-east-1", "us-east-1a", "use1-az1"), z("us-east-1", "us-east-1b", "use1-az2"),
	}
}

// clock is a settable Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestConfig(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want string
		err  string
	}{
		{"canonical", Request{InstanceTypes: []string{"m5.large", "c5.large", " r5.large", "c5.large"}, TargetCapacity: 10, Regions: []string{"us-east-1", "sa-east-1"}},
			"types=c5.large,m5.large,r5.large;capacity=10;unit=units;regions=sa-east-1,us-east-1", ""},
		{"vcpu all regions", Request{InstanceTypes: []string{"a", "b", "c"}, TargetCapacity: 64, Unit: "vcpu"},
			"types=a,b,c;capacity=64;unit=vcpu;regions=*", ""},
		{"two types", Request{InstanceTypes: []string{"a", "b", "b"}, TargetCapacity: 1}, "", "at least 3"},
		{"zero capacity", Request{InstanceTypes: []string{"a", "b", "c"}}, "", "at least 1"},
		{"bad unit", Request{InstanceTypes: []string{"a", "b", "c"}, TargetCapacity: 1, Unit: "gpus"}, "", "unit"},
	}
	for _, tc := range tests {
		got, err := tc.req.Config()
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %q, %v", tc.name, got, err)
		}
	}
	if _, err := (Request{InstanceTypes: []string{"a"}, TargetCapacity: 1}).Config(); !errors.Is(err, ErrTooFewTypes) {
		t.Errorf("err %v is not ErrTooFewTypes", err)
	}
}

func TestScoresEC2Fake(t *testing.T) {
	srv := ec2fake.NewServer(ec2fake.Data{Zones: zones()}, ec2fake.Options{})
	defer srv.Close()
	calls := func() int { return srv.Counts().ByAction["GetSpotPlacementScores"] }
	clk := &clock{t0}
	st := &memdocs.Store{}
	c := &Client{API: newEC2(t, srv.URL), Store: st, Now: clk.now, MaxNewConfigs: 2}
	ctx := context.Background()
	req := Request{InstanceTypes: []string{"m5.large", "c5.large", "r5.large"}, TargetCapacity: 10, Unit: UnitVCPU, Regions: []string{"sa-east-1"}}

	steps := []struct {
		name      string
		advance   time.Duration
		req       Request
		wantMode  string
		wantStale bool
		wantCalls int // total so far
		wantErr   error
	}{
		{"first call is live", 0, req, ModeLive, false, 1, nil},
		{"same set in another order is cached", 10 * time.Minute,
			Request{InstanceTypes: []string{"r5.large", "m5.large", "c5.large", "m5.large"}, TargetCapacity: 10, Unit: "vcpu", Regions: []string{"sa-east-1"}},
			ModeCached, false, 1, nil},
		{"after TTL a used configuration is re-asked", time.Hour, req, ModeLive, false, 2, nil},
		{"second new configuration", 0, Request{InstanceTypes: req.InstanceTypes, TargetCapacity: 20, Unit: UnitVCPU, Regions: []string{"sa-east-1"}}, ModeLive, false, 3, nil},
		{"third new configuration is over budget", 0, Request{InstanceTypes: req.InstanceTypes, TargetCapacity: 30, Unit: UnitVCPU, Regions: []string{"sa-east-1"}}, "", false, 3, ErrConfigBudget},
		{"over budget but known: re-asked", 2 * time.Hour, req, ModeLive, false, 4, nil},
		{"window over: budget free again", 23 * time.Hour, Request{InstanceTypes: req.InstanceTypes, TargetCapacity: 30, Unit: UnitVCPU, Regions: []string{"sa-east-1"}}, ModeLive, false, 5, nil},
	}
	for _, s := range steps {
		clk.t = clk.t.Add(s.advance)
		res, err := c.Scores(ctx, s.req)
		if !errors.Is(err, s.wantErr) {
			t.Fatalf("%s: err %v, want %v", s.name, err, s.wantErr)
		}
		if got := calls(); got != s.wantCalls {
			t.Errorf("%s: %d calls, want %d", s.name, got, s.wantCalls)
		}
		if err != nil {
			continue
		}
		if res.Mode != s.wantMode || res.Stale != s.wantStale {
			t.Errorf("%s: provenance %+v", s.name, res.Provenance)
		}
		if len(res.Scores) != 3 {
			t.Fatalf("%s: scores %v, want the 3 sa-east-1 AZ IDs", s.name, res.Scores)
		}
		for id, sc := range res.Scores {
			if !strings.HasPrefix(id, "sae1-az") || sc.AvailabilityZoneID != id || sc.Region != "sa-east-1" || sc.Score < 1 || sc.Score > 10 {
				t.Errorf("%s: bad score %s %+v", s.name, id, sc)
			}
		}
	}
	// Only the configuration first used in the last 24 h is still listed.
	used, err := c.UsedConfigs(ctx)
	if err != nil || len(used) != 1 || !strings.Contains(used[0].Config, "capacity=30") {
		t.Fatalf("used configs %v %v", used, err)
	}

	// The request on the wire: canonical types, AZ-level, unit, regions.
	reqs := srv.Requests()
	f := reqs[0].Form
	want := url.Values{"InstanceType.1": {"c5.large"}, "InstanceType.2": {"m5.large"}, "InstanceType.3": {"r5.large"},
		"SingleAvailabilityZone": {"true"}, "TargetCapacity": {"10"}, "TargetCapacityUnitType": {"vcpu"}, "RegionName.1": {"sa-east-1"}}
	for k, v := range want {
		if f.Get(k) != v[0] {
			t.Errorf("%s = %q, want %q", k, f.Get(k), v[0])
		}
	}
}

func TestDenied(t *testing.T) {
	srv := ec2fake.NewServer(ec2fake.Data{Zones: zones()}, ec2fake.Options{Deny: []string{"GetSpotPlacementScores"}})
	defer srv.Close()
	c := &Client{API: newEC2(t, srv.URL), Store: &memdocs.Store{}, Now: func() time.Time { return t0 }}
	_, err := c.Scores(context.Background(), Request{InstanceTypes: []string{"a.large", "b.large", "c.large"}, TargetCapacity: 1})
	var de *DeniedError
	if !errors.As(err, &de) || !errors.Is(err, ErrDenied) || de.Code != "UnauthorizedOperation" {
		t.Fatalf("err = %#v", err)
	}
	if err.Error() != "placement scores need the IAM action ec2:GetSpotPlacementScores; continuing without them" {
		t.Errorf("message %q", err.Error())
	}
	if used, _ := c.UsedConfigs(context.Background()); len(used) != 0 {
		t.Errorf("a denied call spent a configuration: %v", used)
	}
}

// docXML is the response example of docs aws-api.md §3.2.
const docXML = `<?xml version="1.0" encoding="UTF-8"?>
<GetSpotPlacementScoresResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>req-sps</requestId>
    <spotPlacementScoreSet>
        <item><region>us-east-1</region><availabilityZoneId>use1-az1</availabilityZoneId><score>9</score></item>
        <item><region>us-east-1</region><availabilityZoneId>use1-az4</availabilityZoneId><score>7</score></item>
    </spotPlacementScoreSet>
</GetSpotPlacementScoresResponse>`

const errXML = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>%s</Code><Message>nope</Message></Error></Errors><RequestID>r1</RequestID></Response>`

func TestDocumentedXMLAndFallback(t *testing.T) {
	var mode atomic.Value // "ok", "fail", "denied"
	mode.Store("ok")
	var n atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		switch mode.Load() {
		case "fail":
			w.WriteHeader(400)
			_, _ = w.Write([]byte(strings.Replace(errXML, "%s", "InvalidParameterValue", 1)))
		case "denied":
			w.WriteHeader(403)
			_, _ = w.Write([]byte(strings.Replace(errXML, "%s", "AccessDenied", 1)))
		default:
			_, _ = w.Write([]byte(docXML))
		}
	}))
	defer ts.Close()
	clk := &clock{t0}
	c := &Client{API: newEC2(t, ts.URL), Store: &memdocs.Store{}, Now: clk.now}
	req := Request{InstanceTypes: []string{"m5.large", "m5a.large", "m6i.large"}, TargetCapacity: 10, Regions: []string{"us-east-1"}}
	ctx := context.Background()

	res, err := c.Scores(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Scores["use1-az1"].Score != 9 || res.Scores["use1-az4"].Score != 7 || len(res.Scores) != 2 {
		t.Fatalf("scores %v", res.Scores)
	}

	tests := []struct {
		name      string
		mode      string
		advance   time.Duration
		wantStale bool
		wantErr   error
		wantText  string
	}{
		{"failure within the day: stale answer", "fail", 2 * time.Hour, true, nil, "InvalidParameterValue"},
		{"denied: typed error, no stale answer", "denied", 0, false, ErrDenied, DeniedHint},
		{"failure after the day: error", "fail", 23 * time.Hour, false, nil, "InvalidParameterValue"},
	}
	for _, tc := range tests {
		mode.Store(tc.mode)
		clk.t = clk.t.Add(tc.advance)
		res, err := c.Scores(ctx, req)
		if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: err %v", tc.name, err)
		}
		if tc.wantStale {
			if err != nil || !res.Stale || res.Mode != ModeCached || res.Age != 2*time.Hour || !strings.Contains(res.Note, tc.wantText) {
				t.Errorf("%s: %+v %v", tc.name, res.Provenance, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantText) || strings.Contains(err.Error(), "SECRETFAKE") {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}

	if _, err := c.Scores(ctx, Request{InstanceTypes: []string{"m5.large", "m5a.large"}, TargetCapacity: 1}); !errors.Is(err, ErrTooFewTypes) {
		t.Errorf("two types: %v", err)
	}
	if got := n.Load(); got != 4 {
		t.Errorf("%d calls, want 4", got)
	}
}

func TestNoStore(t *testing.T) {
	srv := ec2fake.NewServer(ec2fake.Data{Zones: zones()}, ec2fake.Options{})
	defer srv.Close()
	c := &Client{API: newEC2(t, srv.URL)}
	req := Request{InstanceTypes: []string{"m5.large", "c5.large", "r5.large"}, TargetCapacity: 2, Regions: []string{"us-east-1", "sa-east-1"}}
	for i := 0; i < 2; i++ {
		res, err := c.Scores(context.Background(), req)
		if err != nil || res.Mode != ModeLive || len(res.Scores) != 5 {
			t.Fatalf("%+v %v", res, err)
		}
	}
	if n := srv.Counts().ByAction["GetSpotPlacementScores"]; n != 2 {
		t.Errorf("%d calls", n)
	}
}

func TestConcurrentConfigsAllListed(t *testing.T) {
	srv := ec2fake.NewServer(ec2fake.Data{Zones: zones()}, ec2fake.Options{})
	defer srv.Close()
	c := &Client{API: newEC2(t, srv.URL), Store: &memdocs.Store{}, Now: func() time.Time { return t0 }}
	var wg sync.WaitGroup
	for i := 1; i <= 8; i++ {
		wg.Add(1)
		go func(capacity int32) {
			defer wg.Done()
			if _, err := c.Scores(context.Background(), Request{InstanceTypes: []string{"a.x", "b.x", "c.x"}, TargetCapacity: capacity, Regions: []string{"sa-east-1"}}); err != nil {
				t.Error(err)
			}
		}(int32(i))
	}
	wg.Wait()
	if used, _ := c.UsedConfigs(context.Background()); len(used) != 8 {
		t.Errorf("%d configurations listed, want 8", len(used))
	}
}
