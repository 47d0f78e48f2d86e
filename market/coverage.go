package market

import (
	"sort"
	"strings"
	"time"
)

// MergeIntervals sorts and unions intervals, dropping empty ones; touching
// intervals merge. The input is not modified.
func MergeIntervals(ivs []Interval) []Interval {
	in := make([]Interval, 0, len(ivs))
	for _, iv := range ivs {
		if iv.End.After(iv.Start) {
			in = append(in, iv)
		}
	}
	sort.Slice(in, func(i, j int) bool { return in[i].Start.Before(in[j].Start) })
	var out []Interval
	for _, iv := range in {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// KnownSpans is C of the statistics contract for one pool: the covered
// intervals, each extended back to the timestamp of the record in effect at
// its start (no record lies between the two, so the price there is known
// too), merged. points must be sorted by time.
func KnownSpans(points []Point, cov []Interval) []Interval {
	ext := make([]Interval, 0, len(cov))
	for _, iv := range cov {
		// The last record at or before iv.Start.
		i := sort.Search(len(points), func(i int) bool { return points[i].Time.After(iv.Start) })
		if i > 0 {
			iv.Start = points[i-1].Time
		}
		ext = append(ext, iv)
	}
	return MergeIntervals(ext)
}

// Clip returns the parts of merged, sorted spans inside [from, to].
func Clip(spans []Interval, from, to time.Time) []Interval {
	var out []Interval
	for _, iv := range spans {
		if iv.Start.Before(from) {
			iv.Start = from
		}
		if iv.End.After(to) {
			iv.End = to
		}
		if iv.End.After(iv.Start) {
			out = append(out, iv)
		}
	}
	return out
}

// Contains reports whether t lies in one of the spans, ends included.
func Contains(spans []Interval, t time.Time) bool {
	for _, iv := range spans {
		if !t.Before(iv.Start) && !t.After(iv.End) {
			return true
		}
	}
	return false
}

// Total is the summed length of merged spans.
func Total(spans []Interval) time.Duration {
	var d time.Duration
	for _, iv := range spans {
		d += iv.End.Sub(iv.Start)
	}
	return d
}

// NewestEnd is the latest end among the spans; zero when there are none.
func NewestEnd(spans []Interval) time.Time {
	var t time.Time
	for _, iv := range spans {
		if iv.End.After(t) {
			t = iv.End
		}
	}
	return t
}

// ScopedCoverage is one region and product's coverage by scope: the type
// patterns a fetch or an import asked for ("*" or comma-joined, as
// awsapi.Scope writes them) with their intervals.
type ScopedCoverage struct {
	scopes []scoped
	// An import records one scope per instance type, so a region can
	// have hundreds of scopes that each name types literally: they are
	// found by name (byType) instead of matched pool by pool, and only
	// the scopes with globs are matched (globbed).
	byType  map[string][]int
	globbed []int
}

type scoped struct {
	m    TypeMatcher
	zone string // "" for region-level coverage
	ivs  []Interval
}

// NewScopedCoverage indexes coverage read from the cache. Scopes are type
// patterns ("*", "m5*,c5.large"), optionally for one zone ("*@us-east-1a":
// what the fetcher stored for that zone, which can run ahead of the region
// when another zone's query failed). A scope that does not parse as patterns
// matches nothing: claiming too little is safe.
func NewScopedCoverage(byScope map[string][]Interval) ScopedCoverage {
	var c ScopedCoverage
	for _, sc := range SortedKeys(byScope) {
		patterns, zone, _ := strings.Cut(sc, "@")
		var m TypeMatcher
		if patterns != "*" {
			var err error
			if m, err = NewTypeMatcher([]string{patterns}); err != nil || m.All() {
				continue
			}
		}
		i := len(c.scopes)
		c.scopes = append(c.scopes, scoped{m: m, zone: zone, ivs: byScope[sc]})
		if names, ok := m.Literals(); ok {
			if c.byType == nil {
				c.byType = map[string][]int{}
			}
			for _, n := range names {
				c.byType[n] = append(c.byType[n], i)
			}
		} else {
			c.globbed = append(c.globbed, i)
		}
	}
	return c
}

// For is the region-level coverage of one instance type: the union of the
// scopes that match it, merged.
func (c ScopedCoverage) For(instanceType string) []Interval { return c.ForPool(instanceType, "") }

// ForPool is the coverage of one pool: the region-level scopes that match
// its type and those recorded for its zone, merged.
func (c ScopedCoverage) ForPool(instanceType, zone string) []Interval {
	var ivs []Interval
	add := func(s scoped) {
		if s.zone == "" || s.zone == zone && zone != "" {
			ivs = append(ivs, s.ivs...)
		}
	}
	for _, i := range c.globbed {
		if s := c.scopes[i]; s.m.Match(instanceType) {
			add(s)
		}
	}
	for _, i := range c.byType[instanceType] {
		add(c.scopes[i])
	}
	return MergeIntervals(ivs)
}

// NewestEnd is the latest covered time of any scope; zero when none.
func (c ScopedCoverage) NewestEnd() time.Time {
	var t time.Time
	for _, s := range c.scopes {
		if e := NewestEnd(s.ivs); e.After(t) {
			t = e
		}
	}
	return t
}
