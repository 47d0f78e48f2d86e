package tui

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/explore"
)

// MemoryBackend is a Backend over records held in memory: the embedded demo
// data for `spotscope --demo`-style runs, golden tests and benchmarks. It
// computes summaries with the same market.ComputeStats and explore.Spark the
// cache-backed explorer uses. It is read-only after construction and safe
// for concurrent use.
type MemoryBackend struct {
	info    Info
	series  map[market.Pool][]market.Point
	pools   []market.Pool
	specs   map[string]market.InstanceType
	zoneIDs map[string]string
	adv     *advisor.Data

	// RefreshFunc, when set, is what Refresh does (tests use it to script
	// progress and failures); nil makes Refresh a no-op.
	RefreshFunc func(ctx context.Context, regions []string, progress func(RefreshProgress)) error
}

// NewMemoryBackend indexes recs by pool (sorted, de-duplicated on time).
// catalog and zones may be nil; adv may be nil (every advisor entry unknown).
// info is returned by Info as given, except that Regions, Products,
// DataFrom and DataTo are filled from the records when empty.
func NewMemoryBackend(recs []market.Record, catalog []market.InstanceType, zones []market.Zone, adv *advisor.Data, info Info) *MemoryBackend {
	b := &MemoryBackend{
		series:  map[market.Pool][]market.Point{},
		specs:   map[string]market.InstanceType{},
		zoneIDs: map[string]string{},
		adv:     adv,
	}
	regions, products := map[string]bool{}, map[string]bool{}
	var from, to time.Time
	for _, r := range recs {
		b.series[r.Pool] = append(b.series[r.Pool], market.Point{Time: r.Time, Price: r.Price})
		regions[r.Region], products[r.Product] = true, true
		if from.IsZero() || r.Time.Before(from) {
			from = r.Time
		}
		if r.Time.After(to) {
			to = r.Time
		}
	}
	for p, pts := range b.series {
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].Time.Before(pts[j].Time) })
		out := pts[:0]
		for i, pt := range pts {
			if i > 0 && pt.Time.Equal(out[len(out)-1].Time) {
				out[len(out)-1] = pt // same record seen twice (capture overlap)
				continue
			}
			out = append(out, pt)
		}
		b.series[p] = out
		b.pools = append(b.pools, p)
	}
	sort.Slice(b.pools, func(i, j int) bool { return b.pools[i].String() < b.pools[j].String() })
	for _, t := range catalog {
		b.specs[t.Name] = t
	}
	for _, z := range zones {
		b.zoneIDs[z.Name] = z.ID
	}
	if len(info.Regions) == 0 {
		info.Regions = sortedKeys(regions)
	}
	if len(info.Products) == 0 {
		info.Products = sortedKeys(products)
	}
	if info.DataFrom.IsZero() {
		info.DataFrom = from
	}
	if info.DataTo.IsZero() {
		info.DataTo = to
	}
	b.info = info
	return b
}

var (
	demoOnce    sync.Once
	demoBackend *MemoryBackend
)

// DemoBackend is the embedded sa-east-1 demo data with the embedded advisor
// snapshot. Use demo.End() as the program's clock. It is built once per
// process and shared.
func DemoBackend() *MemoryBackend {
	demoOnce.Do(func() {
		demoBackend = NewMemoryBackend(demo.AllRecords(), demo.Catalog(), demo.Zones(), advisor.Embedded(), Info{
			Product:    market.LinuxUNIX,
			Window:     7 * 24 * time.Hour,
			Demo:       true,
			DataFrom:   demo.Start(),
			DataTo:     demo.End(),
			PricesAsOf: demo.End(),
			Advisor:    advisor.EmbeddedProvenance(demo.End()),
		})
	})
	return demoBackend
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Info implements Backend.
func (b *MemoryBackend) Info() Info { return b.info }

// Summaries implements Backend with the explore package's rules: pools
// without a price in the window are left out.
func (b *MemoryBackend) Summaries(ctx context.Context, q explore.Query) ([]explore.Summary, error) {
	products := q.Products
	if len(products) == 0 {
		products = []string{market.LinuxUNIX}
	}
	start := q.WindowStart()
	var out []explore.Summary
	for i, p := range b.pools {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !contains(q.Regions, p.Region) || !contains(products, p.Product) || !q.Types.Match(p.InstanceType) {
			continue
		}
		if len(q.Zones) > 0 && !contains(q.Zones, p.AvailabilityZone) {
			continue
		}
		pts := seriesWindow(b.series[p], start, q.End)
		st, ok := market.ComputeStats(pts, start, q.End)
		if !ok {
			continue
		}
		s := explore.Summary{Pool: p, AvailabilityZoneID: b.zoneIDs[p.AvailabilityZone], Stats: st}
		s.Spec, s.HasSpec = b.specs[p.InstanceType]
		if b.adv != nil {
			s.Advisor = b.adv.Lookup(p.Region, advisor.OSOf(p.Product), p.InstanceType)
		}
		if q.SparkLen > 0 {
			s.Spark = explore.Spark(pts, st.Start, q.End, q.SparkLen)
		}
		out = append(out, s)
	}
	return out, nil
}

// seriesWindow returns the record in effect at start and every record in
// (start, end], the architecture's read contract.
func seriesWindow(pts []market.Point, start, end time.Time) []market.Point {
	i := sort.Search(len(pts), func(i int) bool { return pts[i].Time.After(start) })
	if i > 0 {
		i--
	}
	j := sort.Search(len(pts), func(j int) bool { return pts[j].Time.After(end) })
	if i > j {
		return nil
	}
	return pts[i:j]
}

// Series implements Backend.
func (b *MemoryBackend) Series(ctx context.Context, p market.Pool, start, end time.Time) ([]market.Point, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w := seriesWindow(b.series[p], start, end)
	return append([]market.Point(nil), w...), nil
}

// Refresh implements Backend; see RefreshFunc.
func (b *MemoryBackend) Refresh(ctx context.Context, regions []string, progress func(RefreshProgress)) error {
	if b.RefreshFunc == nil {
		return nil
	}
	return b.RefreshFunc(ctx, regions, progress)
}

// OnDemand implements Backend: the memory backend has no price list, so the
// Detail view falls back to its estimate from the advisor's savings.
func (b *MemoryBackend) OnDemand(ctx context.Context, region, product, instanceType string) (float64, bool, error) {
	return 0, false, ctx.Err()
}
