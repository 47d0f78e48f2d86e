package mcpserver

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/ec2fake"
	"github.com/spotscope/spotscope/market/pricingfake"
	"github.com/spotscope/spotscope/market/workspace"
)

// awsEnv points the real AWS SDK at loopback fakes with test credentials.
func awsEnv(t *testing.T) *ec2fake.Server {
	t.Helper()
	return awsEnvWith(t, ec2fake.DemoData())
}

// awsEnvWith is awsEnv with the fake serving d.
func awsEnvWith(t *testing.T, d ec2fake.Data) *ec2fake.Server {
	t.Helper()
	ec2 := ec2fake.NewServer(d, ec2fake.Options{})
	t.Cleanup(ec2.Close)
	pf := pricingfake.NewServer(pricingfake.DemoPrices(), pricingfake.Options{})
	t.Cleanup(pf.Close)
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, nil, 0o600)
	for k, v := range map[string]string{
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_PROFILE": "",
		"AWS_REGION": demo.Region, "AWS_ENDPOINT_URL_EC2": ec2.URL, "AWS_ENDPOINT_URL_PRICING": pf.URL,
		"AWS_ACCESS_KEY_ID": "AKIDTESTONLY", "AWS_SECRET_ACCESS_KEY": "test-secret-not-real",
	} {
		t.Setenv(k, v)
	}
	return ec2
}

// With --allow-fetch the fetch tool fills the cache through the EC2 API
// (the real SDK against ec2fake) and reports progress notifications; a
// read-only server on the same cache then answers without calling AWS.
func TestFetchWithProgressThenReadOnly(t *testing.T) {
	ec2 := awsEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	ws, err := workspace.Open(ctx, workspace.Options{Dir: dir, Regions: []string{demo.Region}, Now: demo.End})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var mu sync.Mutex
	var progress []*mcp.ProgressNotificationParams
	complete := make(chan struct{})
	var once sync.Once
	cs := connect(t, ws, Options{AllowFetch: true}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			progress = append(progress, r.Params)
			mu.Unlock()
			if r.Params.Total > 0 && r.Params.Progress == r.Params.Total {
				once.Do(func() { close(complete) })
			}
		},
	})
	params := &mcp.CallToolParams{Name: "fetch", Arguments: map[string]any{"types": []string{"c5.large"}, "days": 7}}
	params.SetProgressToken("fetch-1")
	res, err := cs.CallTool(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	var out fetchOut
	structured(t, cs, "fetch", res, &out)
	if out.NewRecords == 0 || out.Pages == 0 {
		t.Fatalf("fetch stored nothing: %+v", out)
	}
	// The client handles notifications asynchronously: wait for the one
	// that says every piece is done.
	<-complete
	var p pricesOut
	structured(t, cs, "prices", call(t, cs, "prices", `{"types":["c5.large"]}`), &p)
	if p.Total == 0 {
		t.Fatal("no prices after the fetch")
	}
	mu.Lock()
	got := append([]*mcp.ProgressNotificationParams(nil), progress...)
	mu.Unlock()
	if len(got) == 0 {
		t.Fatal("no progress notifications")
	}
	for i, n := range got {
		if n.ProgressToken != "fetch-1" || n.Total <= 0 || n.Progress > n.Total || (i > 0 && n.Progress < got[i-1].Progress) || n.Message == "" {
			t.Errorf("notification %d: %+v", i, n)
		}
	}
	ws.Close()

	before := ec2.Counts().Total
	ro, err := workspace.Open(ctx, workspace.Options{Dir: dir, Regions: []string{demo.Region}, Now: demo.End, ReadOnly: true, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	rcs := connect(t, ro, Options{}, nil)
	var rp pricesOut
	// 30 days, more than was fetched: a fetching server would refresh.
	var rs statsOut
	structured(t, rcs, "stats", call(t, rcs, "stats", `{"types":["c5.large"],"window":"30d"}`), &rs)
	structured(t, rcs, "prices", call(t, rcs, "prices", `{"types":["c5.large"]}`), &rp)
	if rp.Total != p.Total {
		t.Errorf("read-only server: %d pools, the fetching one %d", rp.Total, p.Total)
	}
	var rr recommendOut
	structured(t, rcs, "recommend", call(t, rcs, "recommend", `{"families":["c5"],"vcpus":2}`), &rr)
	if n := ec2.Counts().Total - before; n != 0 {
		t.Errorf("the read-only server made %d AWS requests", n)
	}
	// Without --allow-fetch there is no fetch tool to call.
	if _, err := rcs.CallTool(ctx, &mcp.CallToolParams{Name: "fetch", Arguments: map[string]any{}}); err == nil {
		t.Error("fetch ran without --allow-fetch")
	}
}
