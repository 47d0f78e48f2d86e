// Package mcpserver serves spotscope to AI agents over the Model Context
// Protocol: the tools regions, prices, stats, history, recommend and (only
// when allowed) fetch, and the resources cache summary, statistics and
// recommendation definitions. Every tool asks market/workspace, the package
// the CLI and the TUI ask, so an agent gets the numbers a user would see.
package mcpserver

import (
	"context"
	"log/slog"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/spotscope/spotscope/market/workspace"
)

// Options configure a server.
type Options struct {
	// AllowFetch registers the fetch tool and lets reads refresh the cache
	// from AWS. Without it the server never calls AWS, so an agent cannot
	// spend the account's API budget.
	AllowFetch bool
	Version    string
	// Logger receives the SDK's log of server activity; nil: none.
	Logger *slog.Logger
}

// server answers the tool calls of every session over one workspace.
type server struct {
	ws   *workspace.Workspace
	opts Options
	// fetching lets one fetch run at a time: each is rate-limited per
	// region as the CLI's is, and two at once would share AWS's bucket.
	fetching sync.Mutex
}

const instructions = `spotscope answers questions about AWS EC2 Spot prices from a local cache of price history.
Start with "regions" to see what is cached. "prices" gives the latest price per capacity pool (instance type x AZ),
"stats" the time-weighted statistics over a window (read the spotscope://docs/statistics.md resource for definitions),
"history" the price series per AZ (downsampled to max_points), and "recommend" ranks pools for a workload by the
expected cost of the work (see spotscope://docs/recommendations.md). Answers are bounded by "limit"; "truncated" and
"total" say when there is more.`

// New builds the MCP server over ws. The caller keeps ws open while the
// server runs and closes it afterwards.
func New(ws *workspace.Workspace, o Options) *mcp.Server {
	s := &server{ws: ws, opts: o}
	version := o.Version
	if version == "" {
		version = "dev"
	}
	ms := mcp.NewServer(&mcp.Implementation{Name: "spotscope", Title: "spotscope: AWS Spot price history and recommendations", Version: version},
		&mcp.ServerOptions{Instructions: instructions, Logger: o.Logger})
	addTool(ms, "regions", "The cached regions: pools, records, covered time range, last fetch from AWS, the Spot Advisor data in use and the On-Demand price list's provenance. Takes no arguments.", s.regions)
	addTool(ms, "prices", "The latest spot price of every capacity pool (instance type x Availability Zone), cheapest first, as `spotscope prices` prints it.", s.prices)
	addTool(ms, "stats", "Time-weighted price statistics per pool over a window, as `spotscope stats` computes them (definitions: resource spotscope://docs/statistics.md), with window_start, window_end and each pool's covered hours.", s.stats)
	addTool(ms, "history", "The price series per Availability Zone of the instance types named, over a window. Each series is a step function (a price holds until the next point); with more points than max_points it is downsampled keeping the minimum, maximum and last price of each time bucket.", s.history)
	addTool(ms, "recommend", "Rank the capacity pools that fit a workload by the expected cost of the work (counting what interruptions throw away), pick a diversified set and give each pool's reasons, as `spotscope recommend` does: a job on each of count instances (the default), a queue of work vCPU- or GPU-hours, or one job coupled over nodes, in one or several regions; with GPUs by count, model and memory. Every answer has a plan: the whole workload On-Demand against spot, expected and p50/p95 from a replay of the cached prices (model: resource spotscope://docs/recommendations.md). With export, also the launch configuration as text.", s.recommend, profileDurations)
	if o.AllowFetch {
		addTool(ms, "fetch", "Fetch spot price history from AWS into the cache, as `spotscope fetch` does: only what the cache lacks, rate-limited per region, with progress notifications. One fetch runs at a time.", s.fetch)
	}
	s.addResources(ms)
	return ms
}

// regionsOr validates the regions a call names, defaulting to the
// server's (--region, AWS_REGION or the demo's), and returns a view of the
// workspace asking about them.
func (s *server) regionsOr(ctx context.Context, regions []string) (*workspace.Workspace, error) {
	if err := s.ws.CheckRegions(regions); err != nil {
		return nil, argNames(err)
	}
	rs := regions
	if len(rs) == 0 {
		rs = s.ws.Regions
	}
	if len(rs) == 0 {
		return nil, workspace.Badf("no region: pass region (e.g. [\"us-east-1\"]) or start the server with --region or AWS_REGION")
	}
	return s.ws.ForRegions(ctx, rs), nil
}
