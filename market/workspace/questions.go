package workspace

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/explore"
)

// Selection is the type/product filter the read questions share, validated.
type Selection struct {
	Types    []string
	Products []string
	Matcher  market.TypeMatcher
}

// Select validates instance-type patterns and product names (Linux/UNIX by
// default).
func Select(types, products []string) (Selection, error) {
	m, err := market.NewTypeMatcher(types)
	if err != nil {
		return Selection{}, BadInput{fmt.Errorf("--type: %w", err)}
	}
	ps, err := Products(products)
	if err != nil {
		return Selection{}, err
	}
	return Selection{Types: types, Products: ps, Matcher: m}, nil
}

// Products applies the Linux/UNIX default, matches names ignoring case
// ("windows" is Windows) and rejects unknown ones with the closest name.
func Products(ps []string) ([]string, error) {
	if len(ps) == 0 {
		return []string{market.LinuxUNIX}, nil
	}
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		k, err := market.CanonicalProduct(p)
		if err != nil {
			return nil, BadInput{fmt.Errorf("--product: %w", err)}
		}
		out = append(out, k)
	}
	return out, nil
}

// OneLine flattens an error for a one-line message.
func OneLine(err error) string {
	s := strings.TrimSpace(err.Error())
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// Prices answers "what does every pool cost now?": the latest price per
// pool, cheapest first, after fetching the day the cache lacks.
func (w *Workspace) Prices(ctx context.Context, sel Selection) ([]market.PoolPrice, error) {
	if err := w.CheckTypes(ctx, sel.Matcher.Patterns()); err != nil {
		return nil, err
	}
	// The record in effect a day ago plus the day's changes.
	if err := w.Refresh(ctx, sel.Types, sel.Products, 1); err != nil {
		return nil, err
	}
	rows, err := w.Store.Latest(ctx, cache.Filter{Regions: w.Regions, Products: sel.Products, Types: sel.Matcher})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		// The fetch may have brought the first catalog: judge again.
		if err := w.CheckTypes(ctx, sel.Matcher.Patterns()); err != nil {
			return nil, err
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Price != rows[j].Price {
			return rows[i].Price < rows[j].Price
		}
		return rows[i].Pool.String() < rows[j].Pool.String()
	})
	return rows, nil
}

// StatsQuery asks for per-pool statistics over Window ending at At (zero: now).
type StatsQuery struct {
	Selection
	Window time.Duration
	At     time.Time
}

// StatsAnswer is per-pool statistics with the window they cover.
type StatsAnswer struct {
	// WindowStart and WindowEnd are [S, E]: E is At when asked, else now for
	// live data and the newest covered time for recorded data (the demo, a
	// cache not fetched lately), so an answer about 2020 never ends in 2026.
	WindowStart, WindowEnd time.Time
	Pools                  []explore.Summary
	// AsOf is the workspace's clock when the answer was computed (the
	// demo's is the end of its recording).
	AsOf time.Time
	// Unknown counts pools with records but no covered time in the window.
	Unknown int
	// NewestCovered is the latest time the cache asked AWS about for the
	// regions and products asked; zero when nothing is covered.
	NewestCovered time.Time
}

// Stats answers "how did each pool's price behave over the window?", sorted
// by instance type then pool. Statistics integrate over the window
// intersected with what the cache asked AWS about.
func (w *Workspace) Stats(ctx context.Context, q StatsQuery) (StatsAnswer, error) {
	if q.Window <= 0 {
		return StatsAnswer{}, Badf("the window must be positive")
	}
	if err := w.CheckTypes(ctx, q.Matcher.Patterns()); err != nil {
		return StatsAnswer{}, err
	}
	// The window ends at At, so the days to have cached run from its start
	// up to now.
	now := w.Now()
	end := now
	if !q.At.IsZero() {
		end = q.At
	}
	days := min(max(int(now.Sub(end.Add(-q.Window)).Hours()/24)+1, 1), awsapi.MaxDays)
	if err := w.Refresh(ctx, q.Types, q.Products, days); err != nil {
		return StatsAnswer{}, err
	}
	if q.At.IsZero() {
		newest, err := w.NewestCovered(ctx, q.Products)
		if err != nil {
			return StatsAnswer{}, err
		}
		if !newest.IsZero() && newest.Before(end) {
			end = newest
		}
	}
	adv, _ := w.Advisor(ctx)
	res, err := explore.Summarise(ctx, w.Store, adv, explore.Query{
		Regions: w.Regions, Products: q.Products, Types: q.Matcher, Window: q.Window, End: end,
	})
	if err != nil {
		return StatsAnswer{}, err
	}
	sums := res.Pools
	if len(sums) == 0 {
		// The fetch may have brought the first catalog: judge again.
		if err := w.CheckTypes(ctx, q.Matcher.Patterns()); err != nil {
			return StatsAnswer{}, err
		}
	}
	sort.Slice(sums, func(i, j int) bool {
		if sums[i].InstanceType != sums[j].InstanceType {
			return sums[i].InstanceType < sums[j].InstanceType
		}
		return sums[i].Pool.String() < sums[j].Pool.String()
	})
	return StatsAnswer{WindowStart: end.Add(-q.Window), WindowEnd: end, Pools: sums, AsOf: now, Unknown: res.Unknown,
		NewestCovered: res.NewestCovered}, nil
}

// NewestCovered is the latest time the cache asked AWS about (or imported)
// for the workspace's regions and these products, in any type scope; zero
// when nothing is covered.
func (w *Workspace) NewestCovered(ctx context.Context, products []string) (time.Time, error) {
	var newest time.Time
	for _, r := range w.Regions {
		for _, p := range products {
			byScope, err := w.Store.CoverageScopes(ctx, r, p)
			if err != nil {
				return time.Time{}, err
			}
			if e := market.NewScopedCoverage(byScope).NewestEnd(); e.After(newest) {
				newest = e
			}
		}
	}
	return newest, nil
}

// HistoryQuery asks for the records of one instance type over [Start, End].
type HistoryQuery struct {
	Type    string
	Zone    string // one AZ name; empty: all
	Product string
	Start   time.Time
	End     time.Time
}

// PoolSeries is one pool's step function over a window: the first point is
// the price in effect at the window's start.
type PoolSeries struct {
	market.PoolPrice
	Points []market.Point
}

// History answers "how did this type's price move, per AZ?" in one region.
func (w *Workspace) History(ctx context.Context, q HistoryQuery) ([]PoolSeries, error) {
	if len(w.Regions) != 1 {
		return nil, Badf("history takes one region, got %d", len(w.Regions))
	}
	if !q.Start.Before(q.End) {
		return nil, Badf("the window is empty: start %s is not before end %s", q.Start.UTC().Format(time.RFC3339), q.End.UTC().Format(time.RFC3339))
	}
	products, err := Products(nonEmpty(q.Product))
	if err != nil {
		return nil, err
	}
	m, err := market.NewTypeMatcher([]string{q.Type})
	if err != nil {
		return nil, BadInput{fmt.Errorf("--type: %w", err)}
	}
	if err := w.CheckTypes(ctx, m.Patterns()); err != nil {
		return nil, err
	}
	if q.Zone != "" {
		if err := w.CheckZone(ctx, q.Zone); err != nil {
			return nil, err
		}
	}
	days := min(int(w.Now().Sub(q.Start).Hours()/24)+1, awsapi.MaxDays)
	if err := w.Refresh(ctx, []string{q.Type}, products, days); err != nil {
		return nil, err
	}
	f := cache.Filter{Regions: w.Regions, Products: products, Types: m}
	if q.Zone != "" {
		f.Zones = []string{q.Zone}
	}
	pools, err := w.Store.Latest(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(pools) == 0 {
		// The fetch may have brought the first catalog and zones: judge again.
		if err := w.CheckTypes(ctx, m.Patterns()); err != nil {
			return nil, err
		}
		if q.Zone != "" {
			if err := w.CheckZone(ctx, q.Zone); err != nil {
				return nil, err
			}
		}
	}
	sort.Slice(pools, func(i, j int) bool { return pools[i].Pool.String() < pools[j].Pool.String() })
	out := make([]PoolSeries, 0, len(pools))
	for _, p := range pools {
		pts, err := w.Store.Series(ctx, p.Pool, q.Start, q.End)
		if err != nil {
			return nil, err
		}
		out = append(out, PoolSeries{PoolPrice: p, Points: pts})
	}
	return out, nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
