package recommend

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
)

// Build gathers the candidates for p from src: the catalog of every region,
// narrowed by the instance-type constraints before any price is read, then
// the pools with statistics over [now-window, now] joined with the advisor,
// On-Demand prices and, when src is also a PlacementSource, placement scores.
// It returns a *NoMatchError when the catalog already rules everything out.
func Build(ctx context.Context, src Sources, p Profile, now time.Time) ([]Candidate, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p = p.WithDefaults()
	if len(p.Regions) == 0 {
		return nil, fmt.Errorf("--%s: at least one region is needed", FlagRegions)
	}
	var types []Candidate
	for _, region := range p.Regions {
		cat, err := src.InstanceTypes(ctx, region)
		if err != nil {
			return nil, fmt.Errorf("catalog of %s: %w", region, err)
		}
		for _, t := range cat {
			types = append(types, Candidate{Pool: market.Pool{Region: region, InstanceType: t.Name, Product: p.Product}, Spec: t})
		}
	}
	if len(types) == 0 {
		_, _, err := Filter(nil, p)
		return nil, err
	}
	matched, err := runStages(types, specStages(p))
	if err != nil {
		return nil, err
	}
	specs := map[[2]string]market.InstanceType{}
	for _, c := range matched {
		specs[[2]string{c.Region, c.InstanceType}] = c.Spec
	}

	var out []Candidate
	for _, region := range p.Regions {
		stats, err := src.PoolStats(ctx, region, p.Product, p.Window, now)
		if err != nil {
			return nil, fmt.Errorf("price statistics of %s: %w", region, err)
		}
		adv := map[string]advisor.Entry{}
		od := map[string]OnDemand{}
		var regionTypes []string
		var pools []Candidate
		for _, ps := range stats {
			spec, ok := specs[[2]string{region, ps.InstanceType}]
			if !ok || ps.Product != p.Product {
				continue
			}
			if _, seen := adv[ps.InstanceType]; !seen {
				e, err := src.Advisor(ctx, region, p.Product, ps.InstanceType)
				if err != nil {
					return nil, fmt.Errorf("advisor for %s in %s: %w", ps.InstanceType, region, err)
				}
				adv[ps.InstanceType] = e
				o, err := src.OnDemand(ctx, region, p.Product, ps.InstanceType)
				if err != nil {
					return nil, fmt.Errorf("On-Demand price of %s in %s: %w", ps.InstanceType, region, err)
				}
				od[ps.InstanceType] = o
				regionTypes = append(regionTypes, ps.InstanceType)
			}
			pools = append(pools, Candidate{
				Pool:               ps.Pool,
				AvailabilityZoneID: ps.AZID,
				Spec:               spec,
				Stats:              ps.Stats,
				HasStats:           true,
				Advisor:            adv[ps.InstanceType],
				OnDemand:           od[ps.InstanceType],
			})
		}
		if ps, ok := src.(PlacementSource); ok && len(regionTypes) > 0 {
			sort.Strings(regionTypes)
			scores, err := ps.PlacementScores(ctx, region, regionTypes, p.Count)
			if err != nil {
				return nil, fmt.Errorf("placement scores in %s: %w", region, err)
			}
			for i := range pools {
				if s, ok := scores[pools[i].AvailabilityZoneID]; ok && pools[i].AvailabilityZoneID != "" {
					pools[i].Placement = s
				}
			}
		}
		out = append(out, pools...)
	}
	if len(out) == 0 {
		// Report the price-data stage with the types the catalog matched.
		_, err := runStages(matched, priceStages(p))
		return nil, err
	}
	return out, nil
}

// Memory is an in-memory Sources for tests, examples and the demo data.
// Placement scores are used only when Placement is not nil.
type Memory struct {
	Catalog   map[string][]market.InstanceType // region -> types
	Stats     map[string][]PoolStats           // region -> pools (already over the window)
	Adv       map[string]advisor.Entry         // Key(region, product, type) -> entry; absent = unknown
	OD        map[string]OnDemand              // Key(region, product, type) -> price; absent = unknown
	Placement map[string]map[string]int        // region -> AZ ID -> score
}

// Key is the map key of Memory.Adv and Memory.OD. The product is part of it
// because the advisor and On-Demand prices differ between Linux and Windows.
func Key(region, product, instanceType string) string {
	return region + "/" + product + "/" + instanceType
}

func (m *Memory) InstanceTypes(_ context.Context, region string) ([]market.InstanceType, error) {
	return m.Catalog[region], nil
}

func (m *Memory) PoolStats(_ context.Context, region, product string, _ time.Duration, _ time.Time) ([]PoolStats, error) {
	var out []PoolStats
	for _, ps := range m.Stats[region] {
		if ps.Product == product {
			out = append(out, ps)
		}
	}
	return out, nil
}

func (m *Memory) Advisor(_ context.Context, region, product, instanceType string) (advisor.Entry, error) {
	return m.Adv[Key(region, product, instanceType)], nil
}

func (m *Memory) OnDemand(_ context.Context, region, product, instanceType string) (OnDemand, error) {
	return m.OD[Key(region, product, instanceType)], nil
}

func (m *Memory) PlacementScores(_ context.Context, region string, _ []string, _ int) (map[string]int, error) {
	if m.Placement == nil {
		return nil, nil
	}
	return m.Placement[region], nil
}

var (
	_ Sources         = (*Memory)(nil)
	_ PlacementSource = (*Memory)(nil)
)
