package mcpserver

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/workspace"
)

var big struct {
	once sync.Once
	dir  string
	err  error
}

// bigRegion builds a full region once per test binary: the recorded
// sa-east-1 history three times under nine AZ names (~1.2 M real records,
// ~5,000 pools), as cache's benchmarks do, with the catalog and zones. It
// returns the directory; the caller opens it read-only, as `spotscope mcp`
// does. TestMain removes it.
func bigRegion(b *testing.B) string {
	b.Helper()
	big.once.Do(func() {
		if big.dir, big.err = os.MkdirTemp("", "mcpserver-bench-"); big.err == nil {
			big.err = buildRegion(b, big.dir)
		}
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.dir
}

func buildRegion(b *testing.B, dir string) error {
	ctx := context.Background()
	st, err := cache.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	all := demo.AllRecords()
	// The statistics and the recommender integrate over what the cache
	// asked AWS about: record the copies' span as covered, as an import does.
	var spans dataset.Spans
	var zones []market.Zone
	for c := 0; c < 3; c++ {
		recs := make([]market.Record, len(all))
		for i, r := range all {
			r.AvailabilityZone = fmt.Sprintf("sa-east-1%c", 'a'+byte(c*3)+(r.AvailabilityZone[len(r.AvailabilityZone)-1]-'a'))
			recs[i] = r
			spans.Add(r)
		}
		if _, err := st.AddRecords(ctx, recs); err != nil {
			return err
		}
		for _, z := range demo.Zones() {
			n := z.Name[len(z.Name)-1] - 'a'
			z.Name = fmt.Sprintf("sa-east-1%c", 'a'+byte(c*3)+n)
			z.ID = fmt.Sprintf("sae1-az%d", c*3+int(n)+1)
			zones = append(zones, z)
		}
	}
	for _, c := range spans.Coverage() {
		if err := st.AddCoverage(ctx, c.Region, c.Product, c.Scope, c.Interval); err != nil {
			return err
		}
	}
	if err := st.PutZones(ctx, demo.Region, zones, demo.End()); err != nil {
		return err
	}
	if err := st.PutInstanceTypes(ctx, demo.Region, demo.Catalog(), demo.End()); err != nil {
		return err
	}
	info, err := st.Info(ctx)
	if err != nil {
		return err
	}
	b.Logf("region: %d records, %d pools", info.Records, info.Pools)
	return nil
}

// BenchmarkToolsFullRegion times tool calls through the SDK's client over
// the in-memory transport (argument decoding, the workspace's answer, JSON
// encoding and the transport), warm: one call runs before the timer.
func BenchmarkToolsFullRegion(b *testing.B) {
	ctx := context.Background()
	dir := bigRegion(b)
	ws, err := workspace.Open(ctx, workspace.Options{Dir: dir, Regions: []string{demo.Region}, Now: demo.End, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	cs := connect(b, ws, Options{}, nil)
	for _, bc := range []struct{ name, tool, args string }{
		{"prices", "prices", `{}`},
		{"stats_30d", "stats", `{"window":"30d","sort":"cv"}`},
		{"stats_90d", "stats", `{"window":"90d","sort":"twap"}`},
		{"recommend", "recommend", `{"vcpus":2,"memory_gib":4,"count":6,"hours":3,"checkpoint":"30m"}`},
		{"recommend_coupled_gpu", "recommend", `{"gpus":1,"gpu_model":["T4"],"nodes":4,"hours":48,"checkpoint":"30m"}`},
		{"recommend_work", "recommend", `{"work":"5000vcpu-h","count":10,"checkpoint":"1h"}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			params := &mcp.CallToolParams{Name: bc.tool, Arguments: rawArgs(bc.args)}
			if res, err := cs.CallTool(ctx, params); err != nil || res.IsError {
				b.Fatalf("%v %v", err, text(res))
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := cs.CallTool(ctx, params)
				if err != nil || res.IsError {
					b.Fatal(err)
				}
			}
		})
	}
}
