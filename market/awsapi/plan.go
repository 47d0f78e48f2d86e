package awsapi

import (
	"strings"
	"time"

	"github.com/spotscope/spotscope/market"
)

// ScopeAll is the coverage scope of a fetch of every instance type.
const ScopeAll = "*"

// Scope is the coverage scope of a request for the given type patterns, as
// the architecture contract defines it: "*" for all types, else the sorted,
// de-duplicated, comma-joined patterns.
func Scope(patterns []string) string {
	set := map[string]bool{}
	for _, p := range patterns {
		if p == "*" {
			return ScopeAll
		}
		if p != "" {
			set[p] = true
		}
	}
	if len(set) == 0 {
		return ScopeAll
	}
	return strings.Join(market.SortedKeys(set), ",")
}

// gaps returns the parts of win not covered by cov.
func gaps(win market.Interval, cov []market.Interval) []market.Interval {
	var out []market.Interval
	cur := win.Start
	for _, c := range market.MergeIntervals(cov) {
		if !c.End.After(cur) {
			continue
		}
		if !c.Start.Before(win.End) {
			break
		}
		if c.Start.After(cur) {
			out = append(out, market.Interval{Start: cur, End: c.Start})
		}
		cur = c.End
		if !cur.Before(win.End) {
			return out
		}
	}
	if cur.Before(win.End) {
		out = append(out, market.Interval{Start: cur, End: win.End})
	}
	return out
}

// splitInterval cuts iv into equal slices no longer than max. Equal slices,
// rather than max-long ones plus a remainder, avoid a last sliver that costs
// a full round of requests for a few minutes of data.
func splitInterval(iv market.Interval, max time.Duration) []market.Interval {
	d := iv.End.Sub(iv.Start)
	if d <= 0 {
		return nil
	}
	n := int64(1)
	if max > 0 {
		n = int64((d + max - 1) / max)
	}
	// Whole seconds, because AWS timestamps are whole seconds and the cache
	// keeps milliseconds: a boundary it cannot store exactly would reappear
	// as a sliver of a gap on the next fetch.
	step := (d / time.Duration(n)).Truncate(time.Second)
	if step <= 0 {
		step = d
	}
	out := make([]market.Interval, 0, n)
	start := iv.Start
	for i := int64(0); i < n; i++ {
		end := start.Add(step)
		if i == n-1 {
			end = iv.End
		}
		out = append(out, market.Interval{Start: start, End: end})
		start = end
	}
	return out
}
