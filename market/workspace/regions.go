package workspace

import (
	"context"
	"time"

	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/ondemand"
)

// RegionSummary is what the cache holds for one region.
type RegionSummary struct {
	Region  string
	Pools   int
	Records int64
	// Oldest and Newest bound the cached records (zero when none).
	Oldest, Newest time.Time
	// LastFetch is the last fetch from AWS (zero: never, e.g. imported or demo).
	LastFetch time.Time
	// PriceListAsOf is when the region's On-Demand price list was cached;
	// zero when none is, and recommendations then use labelled estimates.
	PriceListAsOf time.Time
}

// CacheSummary answers "what does the cache know?": every cached region and
// the advisor data in use, with where it came from.
type CacheSummary struct {
	Path      string
	SizeBytes int64
	Pools     int
	Records   int64
	Regions   []RegionSummary
	Advisor   advisor.Provenance
}

// Summary summarises the cache for the `regions` question and the cache
// resource. It reads only chunk headers and small documents.
func (w *Workspace) Summary(ctx context.Context) (CacheSummary, error) {
	info, err := w.Store.Info(ctx)
	if err != nil {
		return CacheSummary{}, err
	}
	_, prov := w.Advisor(ctx)
	out := CacheSummary{Path: info.Path, SizeBytes: info.SizeBytes, Pools: info.Pools, Records: info.Records, Advisor: prov}
	for _, ri := range info.Regions {
		rs := RegionSummary{Region: ri.Region, Pools: ri.Pools, Records: ri.Records, Oldest: ri.Oldest, Newest: ri.Newest, LastFetch: ri.LastFetch}
		_, at, ok, err := w.Store.Doc(ctx, ondemand.CacheKey(ri.Region))
		if err != nil {
			return CacheSummary{}, err
		}
		if ok {
			rs.PriceListAsOf = at
		}
		out.Regions = append(out.Regions, rs)
	}
	return out, nil
}
