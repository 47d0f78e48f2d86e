// Package session puts the cache, the advisor data, On-Demand prices and
// placement scores behind the interfaces the recommendation engine and the
// views read, so the CLI and the TUI answer the same question the same way.
package session

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/ondemand"
	"github.com/spotscope/spotscope/market/placement"
	"github.com/spotscope/spotscope/market/recommend"
)

// Placement is the optional live capacity signal.
type Placement interface {
	PlacementScores(ctx context.Context, region string, instanceTypes []string, capacity int) (map[string]int, error)
}

// Session answers recommend.Sources from the cache. It is safe for use by
// one recommendation at a time.
type Session struct {
	Store  *cache.Store
	Advice *advisor.Data
	// AdviceFrom says where Advice came from; the result's notes repeat it so
	// every recommendation states how old its interruption data is.
	AdviceFrom advisor.Provenance
	Prices     *ondemand.Client // nil: estimates from the advisor's savings only
	Now        func() time.Time

	mu        sync.Mutex
	odTables  map[string]ondemand.Table
	odProv    map[string]ondemand.Provenance
	notes     []string
	placement Placement
}

// WithPlacement returns a session that also asks for placement scores. A
// failure (a denied permission, a spent configuration budget) becomes a note
// and the recommendation goes on without scores, as it says.
func (s *Session) WithPlacement(p Placement) *Session {
	s.placement = p
	return s
}

// Notes are what the session had to fall back on during the last
// recommendation, for the result's notes.
func (s *Session) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.notes...)
}

func (s *Session) note(format string, a ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := fmt.Sprintf(format, a...)
	for _, old := range s.notes {
		if old == n {
			return
		}
	}
	s.notes = append(s.notes, n)
}

// InstanceTypes implements recommend.Sources.
func (s *Session) InstanceTypes(ctx context.Context, region string) ([]market.InstanceType, error) {
	types, _, err := s.Store.InstanceTypes(ctx, region)
	if err != nil {
		return nil, err
	}
	if len(types) == 0 {
		return nil, fmt.Errorf("no instance-type catalog cached for %s: run \"spotscope fetch --region %s\" first", region, region)
	}
	return types, nil
}

// PoolStats implements recommend.Sources.
func (s *Session) PoolStats(ctx context.Context, region, product string, window time.Duration, end time.Time) ([]recommend.PoolStats, error) {
	zones, err := s.Store.Zones(ctx, region)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for _, z := range zones {
		ids[z.Name] = z.ID
	}
	// The same rule as every other statistic: integrate over the window
	// intersected with what the cache has asked AWS (stats.md, coverage),
	// so a pool is never ranked on a price carried across a gap.
	byScope, err := s.Store.CoverageScopes(ctx, region, product)
	if err != nil {
		return nil, err
	}
	cov := market.NewScopedCoverage(byScope)
	start := end.Add(-window)
	var out []recommend.PoolStats
	err = s.Store.ScanSeries(ctx, cache.Filter{Regions: []string{region}, Products: []string{product}}, start, end,
		func(p market.Pool, pts []market.Point) error {
			if st, ok := market.ComputeStatsCovered(pts, start, end, cov.ForPool(p.InstanceType, p.AvailabilityZone)); ok {
				out = append(out, recommend.PoolStats{Pool: p, AZID: ids[p.AvailabilityZone], Stats: st})
			}
			return nil
		})
	return out, err
}

// PricePath implements recommend.PathSource: the pool's cached records over
// [start, end], with the one in effect at start, for the replay.
func (s *Session) PricePath(ctx context.Context, pool market.Pool, start, end time.Time) ([]market.Point, error) {
	types, err := market.NewTypeMatcher([]string{pool.InstanceType})
	if err != nil {
		return nil, err
	}
	var out []market.Point
	err = s.Store.ScanSeries(ctx, cache.Filter{Regions: []string{pool.Region}, Products: []string{pool.Product}, Types: types, Zones: []string{pool.AvailabilityZone}}, start, end,
		func(p market.Pool, pts []market.Point) error {
			if p == pool {
				out = append(out, pts...)
			}
			return nil
		})
	return recommend.PathIn(out, start, end), err
}

// Advisor implements recommend.Sources.
func (s *Session) Advisor(_ context.Context, region, product, instanceType string) (advisor.Entry, error) {
	if s.Advice == nil {
		return advisor.Entry{}, nil
	}
	return s.Advice.Lookup(region, advisor.OSOf(product), instanceType), nil
}

// OnDemand implements recommend.Sources. Prices are Linux On-Demand; for
// other products the price is unknown rather than wrong.
func (s *Session) OnDemand(ctx context.Context, region, product, instanceType string) (recommend.OnDemand, error) {
	if advisor.OSOf(product) != "Linux" || product != market.LinuxUNIX {
		return recommend.OnDemand{}, nil
	}
	t, err := s.table(ctx, region)
	if err != nil {
		return recommend.OnDemand{}, err
	}
	p, ok := t.Lookup(instanceType)
	if !ok {
		return recommend.OnDemand{}, nil
	}
	return recommend.OnDemand{Price: p.USD, Estimated: p.Estimated, Known: true}, nil
}

func (s *Session) table(ctx context.Context, region string) (ondemand.Table, error) {
	s.mu.Lock()
	t, ok := s.odTables[region]
	s.mu.Unlock()
	if ok {
		return t, nil
	}
	client := s.Prices
	if client == nil {
		// Offline: no Price List API, so the client falls straight back to
		// estimates from the advisor's savings and the cached spot prices.
		client = &ondemand.Client{Store: s.Store}
	}
	if client.Advisor == nil && s.Advice != nil {
		client.Advisor = s.Advice
	}
	if client.Spot == nil {
		client.Spot = func(ctx context.Context, region string) ([]market.PoolPrice, error) {
			return s.Store.Latest(ctx, cache.Filter{Regions: []string{region}, Products: []string{market.LinuxUNIX}})
		}
	}
	if client.Now == nil {
		client.Now = s.Now
	}
	if client.Catalog == nil {
		client.Catalog = func(ctx context.Context, region string) ([]market.InstanceType, error) {
			types, _, err := s.Store.InstanceTypes(ctx, region)
			return types, err
		}
	}
	t, prov, err := client.Prices(ctx, region)
	if err != nil {
		if ctx.Err() != nil {
			return ondemand.Table{}, err
		}
		// No price at all is a gap in one signal, not a failed
		// recommendation: every pool shows On-Demand as unknown.
		s.note("On-Demand prices unknown in %s: %v", region, err)
	}
	if prov.Mode == "estimated" {
		s.note("On-Demand prices in %s are estimates from the Spot Advisor's savings (%s)", region, prov.Note)
	}
	s.mu.Lock()
	if s.odTables == nil {
		s.odTables, s.odProv = map[string]ondemand.Table{}, map[string]ondemand.Provenance{}
	}
	s.odTables[region], s.odProv[region] = t, prov
	s.mu.Unlock()
	return t, nil
}

// Recommend gathers the candidates and runs the model.
func (s *Session) Recommend(ctx context.Context, p recommend.Profile, opts recommend.Options) (recommend.Result, error) {
	s.mu.Lock()
	s.notes = nil
	s.mu.Unlock()
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	var src recommend.Sources = s
	if s.placement != nil {
		src = withPlacement{s}
	}
	res, err := recommend.Run(ctx, src, p, now(), opts)
	if err != nil {
		return res, err
	}
	res.Notes = append(res.Notes, s.Notes()...)
	if from := s.AdviceFrom; from.Mode != "" {
		res.Notes = append(res.Notes, fmt.Sprintf("interruption buckets: Spot Instance Advisor, %s copy as of %s",
			from.Mode, from.AsOf.UTC().Format("2006-01-02")))
	}
	return res, nil
}

// withPlacement adds the placement interface only when scores were asked for.
type withPlacement struct{ *Session }

var (
	_ recommend.PathSource = (*Session)(nil)
	_ recommend.PathSource = withPlacement{}
)

func (w withPlacement) PlacementScores(ctx context.Context, region string, types []string, capacity int) (map[string]int, error) {
	scores, err := w.placement.PlacementScores(ctx, region, types, capacity)
	if err != nil {
		w.note("placement scores not used: %v", err)
		return nil, nil
	}
	if len(scores) > 0 {
		w.note("placement scores (by AZ ID, for %d instances of any of %s) were asked for the %d best-scoring types; the set is chosen among them",
			capacity, strings.Join(types, ", "), len(types))
	}
	return scores, nil
}

// PlacementScores adapts a placement.Client, which scores a request
// configuration, to the per-region question the recommendation asks.
type PlacementScores struct {
	Client *placement.Client
}

// PlacementScores returns scores by AZ ID for the region's candidate types.
func (p PlacementScores) PlacementScores(ctx context.Context, region string, types []string, capacity int) (map[string]int, error) {
	res, err := p.Client.Scores(ctx, placement.Request{InstanceTypes: types, TargetCapacity: int32(capacity), Regions: []string{region}})
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(res.Scores))
	for id, s := range res.Scores {
		if s.Region == "" || s.Region == region {
			out[id] = s.Score
		}
	}
	return out, nil
}
