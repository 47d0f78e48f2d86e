package awsapi

import (
	"context"
	"fmt"
	"sync"

	"github.com/spotscope/spotscope/market"
)

// ZoneScope is the coverage scope under which the fetcher records what it
// has stored for one Availability Zone of a region-level scope. A region is
// covered only where all of its zones are; the per-zone rows let a resumed
// fetch skip what each zone had already stored, since the zones of a piece
// progress at different speeds. Readers of region-level coverage ignore
// them.
func ZoneScope(scope, zone string) string { return scope + "@" + zone }

// coverTracker turns the progress of the pieces of one region into coverage:
// per zone as each page is stored, and per region where every zone is
// covered.
type coverTracker struct {
	store  Store
	region string
	scope  string
	zones  []string // [""] when the fetch is not split by zone

	mu  sync.Mutex
	cov map[string]map[string][]market.Interval // product -> zone -> merged
}

// load reads what the store already knows of product: the region-level
// coverage (of all types and of this scope) and, per zone, the zone-level
// rows.
func (c *coverTracker) load(ctx context.Context, product string) error {
	var region []market.Interval
	for _, sc := range scopesOf(c.scope) {
		ivs, err := c.store.Coverage(ctx, c.region, product, sc)
		if err != nil {
			return fmt.Errorf("reading coverage: %w", err)
		}
		region = append(region, ivs...)
	}
	if c.cov == nil {
		c.cov = map[string]map[string][]market.Interval{}
	}
	byZone := map[string][]market.Interval{}
	for _, z := range c.zones {
		own := append([]market.Interval(nil), region...)
		if z != "" {
			for _, sc := range scopesOf(c.scope) {
				ivs, err := c.store.Coverage(ctx, c.region, product, ZoneScope(sc, z))
				if err != nil {
					return fmt.Errorf("reading coverage: %w", err)
				}
				own = append(own, ivs...)
			}
		}
		byZone[z] = market.MergeIntervals(own)
	}
	c.cov[product] = byZone
	return nil
}

// scopesOf lists the scopes whose coverage holds for scope: its own and,
// for a type-restricted scope, that of every type.
func scopesOf(scope string) []string {
	if scope == ScopeAll {
		return []string{ScopeAll}
	}
	return []string{ScopeAll, scope}
}

// known returns the coverage of (product, zone) as loaded and added.
func (c *coverTracker) known(product, zone string) []market.Interval {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cov[product][zone]
}

// add records that every record of zone and products in iv is stored, then
// records region-level coverage for whatever part of iv every zone now
// covers.
func (c *coverTracker) add(ctx context.Context, products []string, zone string, iv market.Interval) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range products {
		if zone == "" {
			if err := c.store.AddCoverage(ctx, c.region, p, c.scope, iv); err != nil {
				return fmt.Errorf("recording coverage: %w", err)
			}
			continue
		}
		if err := c.store.AddCoverage(ctx, c.region, p, ZoneScope(c.scope, zone), iv); err != nil {
			return fmt.Errorf("recording coverage: %w", err)
		}
		zs := c.cov[p]
		zs[zone] = market.MergeIntervals(append(zs[zone], iv))
		both := []market.Interval{iv}
		for _, z := range c.zones {
			both = intersect(both, zs[z])
		}
		for _, b := range both {
			if err := c.store.AddCoverage(ctx, c.region, p, c.scope, b); err != nil {
				return fmt.Errorf("recording coverage: %w", err)
			}
		}
	}
	return nil
}

// intersect returns the parts of a that b covers; both must be sorted and
// merged.
func intersect(a, b []market.Interval) []market.Interval {
	var out []market.Interval
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := a[i].Start, a[i].End
		if b[j].Start.After(lo) {
			lo = b[j].Start
		}
		if b[j].End.Before(hi) {
			hi = b[j].End
		}
		if hi.After(lo) {
			out = append(out, market.Interval{Start: lo, End: hi})
		}
		if a[i].End.Before(b[j].End) {
			i++
		} else {
			j++
		}
	}
	return out
}
