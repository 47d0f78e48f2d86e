package tui

import (
	"context"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/explore"
)

// Backend is everything the TUI reads or asks for. The program calls it only
// from tea.Cmds, never from Update, so an implementation may block on disk or
// network; it must honour ctx.
type Backend interface {
	Info() Info
	Summaries(ctx context.Context, q explore.Query) ([]explore.Summary, error)
	Series(ctx context.Context, p market.Pool, start, end time.Time) ([]market.Point, error)
	// OnDemand is an instance type's On-Demand price in USD per hour, the
	// Detail chart's reference line; 0 when unknown. estimated says it was
	// derived (from spot prices and advisor savings), not AWS's list price.
	OnDemand(ctx context.Context, region, product, instanceType string) (usd float64, estimated bool, err error)
	// Refresh fetches new prices from AWS for regions, the ones the views
	// show. progress may be called from any goroutine; the TUI serialises it
	// onto the program's message loop.
	Refresh(ctx context.Context, regions []string, progress func(RefreshProgress)) error
}

// Previewer is a Backend that can answer a query at once from each pool's
// latest record (explore.Preview) while Summaries computes the statistics:
// the first frame then shows the market instead of an empty table.
type Previewer interface {
	Preview(ctx context.Context, q explore.Query) ([]explore.Summary, error)
}

// Info is the static context the header and banner show. Info is called once
// at start and again after each refresh, so it must be cheap.
type Info struct {
	Regions []string // regions shown at start, in display order
	// Cached lists every region the cache holds prices for, the region
	// picker's choices; empty means just Regions.
	Cached   []string
	Product  string        // default product; "" means market.LinuxUNIX
	Products []string      // products with data, for the product quick filter
	Window   time.Duration // default window; 0 means 7 days

	Demo     bool      // the data is the embedded demo set
	DataFrom time.Time // earliest cached record; bounds the "all" window
	DataTo   time.Time // latest cached record
	// CoveredTo is each region's newest covered time (what the cache
	// asked AWS about, or imported). A window ends there when that is
	// before the clock, as `spotscope stats` ends it: a cache last
	// fetched a month ago shows its last 7 days, not an empty week.
	// Known from the start (not Pending): the first query needs it.
	CoveredTo map[string]time.Time

	// Pending says the cache's ranges (DataFrom, DataTo, PricesAsOf, Cached)
	// are still being read; an InfoWaiter delivers them.
	Pending    bool
	PricesAsOf time.Time          // last successful price fetch (zero: never)
	Advisor    advisor.Provenance // where interruption buckets come from
	CanRefresh bool               // AWS credentials look usable; Refresh may succeed
}

// RefreshProgress reports one region's fetch. Done == Total with Err == nil
// means the region finished; Err != nil means it stopped.
type RefreshProgress struct {
	Region      string
	Done, Total int
	Err         error
}

// InfoWaiter is a Backend whose first Info is Pending: WaitInfo blocks until
// the full Info is read (or ctx ends), so the first frame does not wait for
// it. The program calls it once, from a command.
type InfoWaiter interface {
	WaitInfo(ctx context.Context) Info
}
