// Package explore turns cached price series into per-pool summaries: the
// statistics, a sparkline of the window, the instance type's specification and
// the advisor's interruption bucket. The CLI's stats command and the TUI's
// market views both read the market through it.
package explore

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
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
	// Partial marks a Preview: of the statistics only Last (the price in
	// effect at the window's end) and the window are known; Spark is nil.
	Partial bool
}

// Store is the part of the cache that summaries read.
type Store interface {
	ScanSeries(ctx context.Context, f cache.Filter, start, end time.Time, fn func(market.Pool, []market.Point) error) error
	InstanceTypes(ctx context.Context, region string) ([]market.InstanceType, time.Time, error)
	Zones(ctx context.Context, region string) ([]market.Zone, error)
	// CoverageScopes is what the cache asked AWS about (or imported), by
	// type scope: statistics integrate only over that.
	CoverageScopes(ctx context.Context, region, product string) (map[string][]market.Interval, error)
	// Latest is every pool's newest record, read without its series.
	Latest(ctx context.Context, f cache.Filter) ([]market.PoolPrice, error)
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

// Result is the summaries of a query and what the coverage left out.
type Result struct {
	Pools []Summary
	// Unknown counts pools that have records in the window but no covered
	// time in it (imported before imports recorded coverage, or a window
	// the cache never asked about): they have no honest statistics.
	Unknown int
	// NewestCovered is the latest covered time of the query's regions and
	// products in any scope; zero when nothing is covered.
	NewestCovered time.Time
}

// Summaries summarises every pool the query selects; see Summarise.
func Summaries(ctx context.Context, store Store, adv *advisor.Data, q Query) ([]Summary, error) {
	r, err := Summarise(ctx, store, adv, q)
	return r.Pools, err
}

// Summarise summarises every pool the query selects, region by region and
// pool by pool, so memory stays bounded by one pool's series. adv may be nil
// (no advisor data: every entry unknown). Statistics integrate over the
// window intersected with the pool's coverage; pools without a known price
// in the window are left out (and counted in Unknown when they have
// records).
func Summarise(ctx context.Context, store Store, adv *advisor.Data, q Query) (Result, error) {
	var res Result
	products := q.Products
	if len(products) == 0 {
		products = []string{market.LinuxUNIX}
	}
	start := q.WindowStart()
	for _, region := range q.Regions {
		rm, err := readRegion(ctx, store, adv, region, products)
		if err != nil {
			return res, err
		}
		if rm.newestCovered.After(res.NewestCovered) {
			res.NewestCovered = rm.newestCovered
		}
		f := cache.Filter{Regions: []string{region}, Products: products, Types: q.Types, Zones: q.Zones}
		sums, unknown, err := summariseRegion(ctx, store, f, start, q, rm.cov, rm.describe)
		res.Pools = append(res.Pools, sums...)
		res.Unknown += unknown
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// regionMeta is what a region's summaries take besides the series: AZ IDs,
// specs, the advisor and the coverage by product.
type regionMeta struct {
	region        string
	zoneIDs       map[string]string
	specs         map[string]market.InstanceType
	adv           *advisor.Data
	cov           map[string]market.ScopedCoverage
	newestCovered time.Time
}

func readRegion(ctx context.Context, store Store, adv *advisor.Data, region string, products []string) (regionMeta, error) {
	rm := regionMeta{region: region, adv: adv, cov: make(map[string]market.ScopedCoverage, len(products))}
	zones, err := store.Zones(ctx, region)
	if err != nil {
		return rm, err
	}
	rm.zoneIDs = make(map[string]string, len(zones))
	for _, z := range zones {
		rm.zoneIDs[z.Name] = z.ID
	}
	types, _, err := store.InstanceTypes(ctx, region)
	if err != nil {
		return rm, err
	}
	rm.specs = make(map[string]market.InstanceType, len(types))
	for _, t := range types {
		rm.specs[t.Name] = t
	}
	for _, p := range products {
		byScope, err := store.CoverageScopes(ctx, region, p)
		if err != nil {
			return rm, err
		}
		rm.cov[p] = market.NewScopedCoverage(byScope)
		if e := rm.cov[p].NewestEnd(); e.After(rm.newestCovered) {
			rm.newestCovered = e
		}
	}
	return rm, nil
}

// describe fills in what a summary says about its pool beyond the prices.
func (rm regionMeta) describe(s *Summary) {
	if s.AvailabilityZoneID == "" {
		s.AvailabilityZoneID = rm.zoneIDs[s.AvailabilityZone]
	}
	s.Spec, s.HasSpec = rm.specs[s.InstanceType]
	if rm.adv != nil {
		s.Advisor = rm.adv.Lookup(rm.region, advisor.OSOf(s.Product), s.InstanceType)
	}
}

// Preview answers a query from each pool's latest record alone, without
// reading a series: the pools Summarise would most likely return, each with
// the price in effect at the window's end (Stats.Last), its spec, AZ ID and advisor entry,
// marked Partial. It reads a few thousand small rows where Summarise decodes
// every pool's chunks, so a view can show the market at once and the
// statistics when Summarise answers. A pool is left out when its latest
// record is after q.End (its price at End needs the series) or when the
// cache asked AWS nothing about it within the window (Summarise would have
// no honest statistics for it).
func Preview(ctx context.Context, store Store, adv *advisor.Data, q Query) ([]Summary, error) {
	products := q.Products
	if len(products) == 0 {
		products = []string{market.LinuxUNIX}
	}
	start := q.WindowStart()
	var out []Summary
	for _, region := range q.Regions {
		rm, err := readRegion(ctx, store, adv, region, products)
		if err != nil {
			return nil, err
		}
		latest, err := store.Latest(ctx, cache.Filter{Regions: []string{region}, Products: products, Types: q.Types, Zones: q.Zones})
		if err != nil {
			return nil, err
		}
		out = slices.Grow(out, len(latest))
		for _, pp := range latest {
			if pp.Time.After(q.End) {
				continue
			}
			if !overlaps(rm.cov[pp.Product].ForPool(pp.InstanceType, pp.AvailabilityZone), start, q.End) {
				continue
			}
			s := Summary{Pool: pp.Pool, AvailabilityZoneID: pp.AvailabilityZoneID, Partial: true,
				Stats: market.Stats{Start: start, End: q.End, Last: pp.Price}}
			rm.describe(&s)
			out = append(out, s)
		}
	}
	return out, nil
}

func overlaps(ivs []market.Interval, start, end time.Time) bool {
	for _, iv := range ivs {
		if iv.Start.Before(end) && iv.End.After(start) {
			return true
		}
	}
	return false
}

// summariseRegion computes the statistics of one region's pools on worker
// goroutines while the cache scan reads the next pools: on a region of 5,000
// pools the scan and the statistics cost about the same, so overlapping
// them is most of what a second core can give the TUI's first frame. The
// summaries keep the scan's order.
func summariseRegion(ctx context.Context, store Store, f cache.Filter, start time.Time, q Query,
	cov map[string]market.ScopedCoverage, describe func(*Summary)) ([]Summary, int, error) {
	type slot struct {
		s  Summary
		ok bool
	}
	type job struct {
		out *slot
		pts []market.Point
	}
	jobs := make(chan job, 64)
	var wg sync.WaitGroup
	for range max(runtime.GOMAXPROCS(0), 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				p := j.out.s.Pool
				pc := cov[p.Product].ForPool(p.InstanceType, p.AvailabilityZone)
				st, ok := market.ComputeStatsCovered(j.pts, start, q.End, pc)
				if !ok {
					continue
				}
				j.out.s.Stats, j.out.ok = st, true
				describe(&j.out.s)
				if q.SparkLen > 0 {
					j.out.s.Spark = SparkKnown(j.pts, market.KnownSpans(j.pts, pc), st.Start, q.End, q.SparkLen)
				}
			}
		}()
	}
	var slots []*slot
	err := store.ScanSeries(ctx, f, start, q.End, func(p market.Pool, pts []market.Point) error {
		out := &slot{s: Summary{Pool: p}}
		slots = append(slots, out)
		jobs <- job{out, pts}
		return nil
	})
	close(jobs)
	wg.Wait()
	sums := make([]Summary, 0, len(slots))
	unknown := 0
	for _, sl := range slots {
		if sl.ok {
			sums = append(sums, sl.s)
		} else {
			unknown++
		}
	}
	return sums, unknown, err
}

// Spark resamples a step series into n equal buckets over [start, end]: each
// bucket holds the time-weighted mean price over the part of it the series
// covers, NaN where no record was in effect yet.
func Spark(pts []market.Point, start, end time.Time, n int) []float64 {
	return SparkKnown(pts, nil, start, end, n)
}

// SparkKnown is Spark over the known time only (market.KnownSpans; nil:
// all of it): a bucket no known time falls in is NaN, so a gap in the
// cache shows as a gap in the line, not as a price carried across it.
func SparkKnown(pts []market.Point, known []market.Interval, start, end time.Time, n int) []float64 {
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
	// Seconds from start as integer nanoseconds: time.Time arithmetic per
	// step was most of a region's summary time.
	origin := start.UnixNano()
	sec := func(t time.Time) float64 { return float64(t.UnixNano()-origin) / 1e9 }
	type span2 struct{ lo, hi float64 }
	ks := make([]span2, len(known))
	for i, k := range known {
		ks[i] = span2{sec(k.Start), sec(k.End)}
	}
	// Both the steps and the known spans are sorted and the spans do not
	// overlap, so one cursor over the spans keeps this linear: a region
	// has 1.2 M steps.
	k := 0
	next := sec(pts[0].Time)
	for i, p := range pts {
		from := next
		to := span
		if i+1 < len(pts) {
			next = sec(pts[i+1].Time)
			to = next
		}
		if known == nil {
			add(from, to, p.Price)
			continue
		}
		for k < len(ks) && ks[k].hi <= from {
			k++
		}
		for j := k; j < len(ks) && ks[j].lo < to; j++ {
			if lo, hi := math.Max(from, ks[j].lo), math.Min(to, ks[j].hi); hi > lo {
				add(lo, hi, p.Price)
			}
		}
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
