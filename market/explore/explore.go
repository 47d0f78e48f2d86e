// Package explore turns cached price series into per-pool summaries: the
// statistics, a sparkline of the window, the instance type's specification and
// the advisor's interruption bucket. The CLI's stats command and the TUI's
// market views both read the market through it.
package explore

import (
	"context"
	"math"

	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
)

// Query selects pools and the window to summarise.
type Query struct {
	Regions  []string
	Products []string           // empty: Linux/UNIX
	Types    market.TypeMatcher // zero: all
	Zones    []string           // AZ names; empty: all
	Window   time.Duration      // E - S
	End      time.Time          // E; callers pass their clock's now
	SparkLen int                // buckets in Summary.Spark; 0: none
}

// Summary is one pool over the query's window.
type Summary struct {
	market.Pool
	AvailabilityZoneID string
	Spec               market.InstanceType // zero unless HasSpec
	HasSpec            bool
	Stats              market.Stats
	Spark              []float64 // time-weighted mean price per equal bucket of the window; NaN before the first record
	Advisor            advisor.Entry
}

// Store is the part of the cache that summaries read.
type Store interface {
	ScanSeries(ctx context.Context, f cache.Filter, start, end time.Time, fn func(market.Pool, []market.Point) error) error
	InstanceTypes(ctx context.Context, region string) ([]market.InstanceType, time.Time, error)
	Zones(ctx context.Context, region string) ([]market.Zone, error)
}

// AllTime is the Window that asks for everything cached.
const AllTime time.Duration = 0

// WindowStart is where a query's window begins: End - Window, or the Unix
// epoch for AllTime, which no record predates.
func (q Query) WindowStart() time.Time {
	if q.Window <= 0 {
		return time.Unix(0, 0).UTC()
	}
	return q.End.Add(-q.Window)
}

// Summaries summarises every pool the query selects, region by region and pool
// by pool, so memory stays bounded by one pool's series. adv may be nil (no
// advisor data: every entry unknown). Pools without a price in the window are
// left out.
func Summaries(ctx context.Context, store Store, adv *advisor.Data, q Query) ([]Summary, error) {
	products := q.Products
	if len(products) == 0 {
		products = []string{market.LinuxUNIX}
	}
	start := q.WindowStart()
	var out []Summary
	for _, region := range q.Regions {
		zones, err := store.Zones(ctx, region)
		if err != nil {
			return nil, err
		}
		zoneIDs := make(map[string]string, len(zones))
		for _, z := range zones {
			zoneIDs[z.Name] = z.ID
		}
		types, _, err := store.InstanceTypes(ctx, region)
		if err != nil {
			return nil, err
		}
		specs := make(map[string]market.InstanceType, len(types))
		for _, t := range types {
			specs[t.Name] = t
		}
		f := cache.Filter{Regions: []string{region}, Products: products, Types: q.Types, Zones: q.Zones}
		err = store.ScanSeries(ctx, f, start, q.End, func(p market.Pool, pts []market.Point) error {
			st, ok := market.ComputeStats(pts, start, q.End)
			if !ok {
				return nil
			}
			s := Summary{Pool: p, AvailabilityZoneID: zoneIDs[p.AvailabilityZone], Stats: st}
			s.Spec, s.HasSpec = specs[p.InstanceType]
			if adv != nil {
				s.Advisor = adv.Lookup(region, advisor.OSOf(p.Product), p.InstanceType)
			}
			if q.SparkLen > 0 {
				s.Spark = Spark(pts, st.Start, q.End, q.SparkLen)
			}
			out = append(out, s)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Spark resamples a step series into n equal buckets over [start, end]: each
// bucket holds the time-weighted mean price over the part of it the series
// covers, NaN where no record was in effect yet.
func Spark(pts []market.Point, start, end time.Time, n int) []float64 {
	out := make([]float64, n)
	span := end.Sub(start).Seconds()
	if n == 0 || span <= 0 || len(pts) == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	width := span / float64(n)
	area := make([]float64, n)
	covered := make([]float64, n)
	// add integrates price over [a, b) seconds-from-start into the buckets.
	add := func(a, b, price float64) {
		if a < 0 {
			a = 0
		}
		if b > span {
			b = span
		}
		for a < b {
			i := int(a / width)
			// a/width can round down across a bucket edge; step over it so
			// every pass makes progress.
			if i < n-1 && float64(i+1)*width <= a {
				i++
			}
			if i >= n {
				i = n - 1
			}
			edge := math.Min(b, float64(i+1)*width)
			if i == n-1 || edge <= a {
				edge = b
			}
			area[i] += price * (edge - a)
			covered[i] += edge - a
			a = edge
		}
	}
	for i, p := range pts {
		from := p.Time.Sub(start).Seconds()
		to := span
		if i+1 < len(pts) {
			to = pts[i+1].Time.Sub(start).Seconds()
		}
		add(from, to, p.Price)
	}
	for i := range out {
		if covered[i] > 0 {
			out[i] = area[i] / covered[i]
		} else {
			out[i] = math.NaN()
		}
	}
	return out
}
