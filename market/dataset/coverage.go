package dataset

import (
	"sort"
	"strings"
	"time"

	"github.com/spotscope/spotscope/market"
)

// Spans accumulates what one imported source (a file, a capture) covers:
// per region and product, the instance types it holds and the time it
// answers for. Add every record of the source, then read Coverage.
type Spans struct {
	m map[spanKey]*span
}

type spanKey struct{ region, product string }

type span struct {
	types map[string]bool
	// first and second are each pool's two earliest record times.
	first, second map[market.Pool]time.Time
	last          time.Time
}

// Add counts one record of the source.
func (s *Spans) Add(r market.Record) {
	if s.m == nil {
		s.m = map[spanKey]*span{}
	}
	k := spanKey{r.Region, r.Product}
	sp := s.m[k]
	if sp == nil {
		sp = &span{types: map[string]bool{}, first: map[market.Pool]time.Time{}, second: map[market.Pool]time.Time{}}
		s.m[k] = sp
	}
	sp.types[r.InstanceType] = true
	if r.Time.After(sp.last) {
		sp.last = r.Time
	}
	f, ok := sp.first[r.Pool]
	switch {
	case !ok:
		sp.first[r.Pool] = r.Time
	case r.Time.Before(f):
		sp.first[r.Pool] = r.Time
		sp.second[r.Pool] = f
	case r.Time.After(f):
		if sc, ok := sp.second[r.Pool]; !ok || r.Time.Before(sc) {
			sp.second[r.Pool] = r.Time
		}
	}
}

// Covered is one coverage row an import records.
type Covered struct {
	Region, Product string
	// Scope is the instance types of the source, sorted and comma-joined
	// (the form awsapi.Scope gives patterns): the source says nothing of
	// other types.
	Scope    string
	Interval market.Interval
}

// Coverage is what the source answers for, conservatively. A query for
// [S, E] returns each pool's record in effect at S and then the records in
// (S, E], so S is at most the earliest second record of any pool, and E at
// least the newest record; the span between the two is claimed, never more
// (the record in effect at its start extends it, as for a fetch).
func (s *Spans) Coverage() []Covered {
	var out []Covered
	for k, sp := range s.m {
		var start time.Time
		for _, t := range sp.second {
			if start.IsZero() || t.Before(start) {
				start = t
			}
		}
		if start.IsZero() {
			// No pool has two records: only the first ones are known.
			for _, t := range sp.first {
				if start.IsZero() || t.Before(start) {
					start = t
				}
			}
		}
		if !sp.last.After(start) {
			continue
		}
		out = append(out, Covered{Region: k.region, Product: k.product, Scope: strings.Join(market.SortedKeys(sp.types), ","),
			Interval: market.Interval{Start: start, End: sp.last}})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Region != out[j].Region {
			return out[i].Region < out[j].Region
		}
		return out[i].Product < out[j].Product
	})
	return out
}
