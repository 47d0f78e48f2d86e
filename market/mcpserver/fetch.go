package mcpserver

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/workspace"
)

type fetchArgs struct {
	Region  []string `json:"region,omitempty" jsonschema:"AWS regions to fetch; default: the server's"`
	Types   []string `json:"types,omitempty" jsonschema:"instance types or globs; default: all"`
	Product string   `json:"product,omitempty" jsonschema:"product description (default Linux/UNIX)"`
	Days    int      `json:"days,omitempty" jsonschema:"how many days back to fetch, 1 to 90 (default 90)"`
}

type fetchOut struct {
	Regions        []string `json:"regions"`
	Pages          int      `json:"pages"`
	Records        int      `json:"records"`
	NewRecords     int      `json:"new_records"`
	Retries        int      `json:"retries"`
	Throttled      int      `json:"throttled"`
	ElapsedSeconds float64  `json:"elapsed_seconds"`
}

func (s *server) fetch(ctx context.Context, req *mcp.CallToolRequest, a fetchArgs) (fetchOut, string, error) {
	days := a.Days
	if days == 0 {
		days = awsapi.MaxDays
	}
	if days < 1 || days > awsapi.MaxDays {
		return fetchOut{}, "", workspace.Badf("days %d: must be between 1 and %d (AWS keeps %d days of spot price history)", days, awsapi.MaxDays, awsapi.MaxDays)
	}
	if _, err := market.NewTypeMatcher(a.Types); err != nil {
		return fetchOut{}, "", workspace.BadInput{Err: badArg("types", err)}
	}
	ps, err := workspace.Products(products(a.Product))
	if err != nil {
		return fetchOut{}, "", argNames(err)
	}
	ws, err := s.regionsOr(ctx, a.Region)
	if err != nil {
		return fetchOut{}, "", err
	}
	f, err := ws.Fetcher(ctx)
	if err != nil {
		return fetchOut{}, "", err
	}
	// The fetcher's default rate and burst are the CLI's; one fetch at a
	// time keeps two calls from sharing (and overrunning) AWS's bucket.
	s.fetching.Lock()
	defer s.fetching.Unlock()
	if token := req.Params.GetProgressToken(); token != nil && req.Session != nil {
		f.Progress = progressNotifier(ctx, req.Session, token)
	}
	sum, err := ws.FetchWith(ctx, f, awsapi.Request{Regions: ws.Regions, Types: a.Types, Products: ps, Days: days})
	if err != nil {
		return fetchOut{}, "", err
	}
	out := fetchOut{ws.Regions, sum.Pages, sum.Records, sum.NewRecords, sum.Retries, sum.Throttled, sum.Elapsed.Seconds()}
	return out, fmt.Sprintf("Fetched %d new records (%d received) from %s in %d pages, %.1fs (%d retries, %d throttled).",
		out.NewRecords, out.Records, strings.Join(out.Regions, ", "), out.Pages, out.ElapsedSeconds, out.Retries, out.Throttled), nil
}

// progressNotifier turns the fetcher's per-region totals into MCP progress
// notifications: pieces done over pieces planned, across regions. The
// fetcher serializes its calls.
func progressNotifier(ctx context.Context, ss *mcp.ServerSession, token any) func(awsapi.Progress) {
	regions := map[string]awsapi.Progress{}
	return func(p awsapi.Progress) {
		regions[p.Region] = p
		var done, total, records int
		names := make([]string, 0, len(regions))
		for r, q := range regions {
			done, total, records = done+q.PiecesDone, total+q.PiecesTotal, records+q.Records
			names = append(names, r)
		}
		sort.Strings(names)
		// A failed notification (the client went away) must not stop
		// the fetch: the cache keeps what arrives either way.
		_ = ss.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
			ProgressToken: token, Progress: float64(done), Total: float64(total),
			Message: fmt.Sprintf("%s: %d of %d pieces, %d records", strings.Join(names, ", "), done, total, records),
		})
	}
}
