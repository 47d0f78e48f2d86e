package recommend

import (
	"context"
	"fmt"
	"sort"
	"strings"
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
	if err := checkGPUModels(types, p); err != nil {
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
			short := shortlist(pools, p)
			if len(short) > 0 {
				scores, err := ps.PlacementScores(ctx, region, short, p.Count)
				if err != nil {
					return nil, fmt.Errorf("placement scores in %s: %w", region, err)
				}
				in := map[string]bool{}
				for _, t := range short {
					in[t] = true
				}
				// With scores, the choice is made among the types AWS was
				// asked about: a pool outside the shortlist would have no
				// score, and an unknown score costs nothing, so it would
				// win for lack of a signal rather than on its merits.
				if len(scores) > 0 {
					kept := pools[:0]
					for _, c := range pools {
						if in[c.InstanceType] {
							if s, ok := scores[c.AvailabilityZoneID]; ok && c.AvailabilityZoneID != "" {
								c.Placement = s
							}
							kept = append(kept, c)
						}
					}
					pools = kept
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

// checkGPUModels refuses a --gpu-model that no cached type has, naming the
// models the catalogs do have: a typo, not a search that found nothing.
func checkGPUModels(types []Candidate, p Profile) error {
	var specs []market.InstanceType
	for _, c := range types {
		specs = append(specs, c.Spec)
	}
	have := GPUModels(specs)
	for _, m := range p.GPUModels {
		if !GPUModelMatches(have, m) {
			list := "none (no cached type has a GPU)"
			if len(have) > 0 {
				list = strings.Join(have, ", ")
			}
			return &InputError{Message: fmt.Sprintf("--%s %q: no cached type in %s has that GPU; the catalog has: %s", FlagGPUModel, m, strings.Join(p.Regions, ", "), list)}
		}
	}
	return nil
}

// Memory is an in-memory Sources for tests, examples and the demo data.
// Placement scores are used only when Placement is not nil.
type Memory struct {
	Catalog   map[string][]market.InstanceType // region -> types
	Stats     map[string][]PoolStats           // region -> pools (already over the window)
	Adv       map[string]advisor.Entry         // Key(region, product, type) -> entry; absent = unknown
	OD        map[string]OnDemand              // Key(region, product, type) -> price; absent = unknown
	Placement map[string]map[string]int        // region -> AZ ID -> score
	Paths     map[market.Pool][]market.Point   // price records per pool, for the replay; nil = no PathSource data
	// Asked records the instance types of every placement request.
	Asked [][]string
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

func (m *Memory) PlacementScores(_ context.Context, region string, types []string, _ int) (map[string]int, error) {
	m.Asked = append(m.Asked, append([]string(nil), types...))
	if m.Placement == nil {
		return nil, nil
	}
	return m.Placement[region], nil
}

// PricePath returns the pool's records in [start, end] with the one in
// effect at start.
func (m *Memory) PricePath(_ context.Context, pool market.Pool, start, end time.Time) ([]market.Point, error) {
	return PathIn(m.Paths[pool], start, end), nil
}

// PathIn keeps the points of a sorted series that describe [start, end]: the
// last one at or before start and every one after it up to end.
func PathIn(pts []market.Point, start, end time.Time) []market.Point {
	i := sort.Search(len(pts), func(i int) bool { return pts[i].Time.After(start) })
	if i > 0 {
		i--
	}
	j := sort.Search(len(pts), func(j int) bool { return pts[j].Time.After(end) })
	if i >= j {
		return nil
	}
	return pts[i:j]
}

var (
	_ Sources         = (*Memory)(nil)
	_ PlacementSource = (*Memory)(nil)
	_ PathSource      = (*Memory)(nil)
)

// PlacementTypes bounds the shortlist a placement score is asked for.
const PlacementTypes = 10

// shortlist is the set of instance types a placement score is asked for:
// the types of the best pools before placement, at most PlacementTypes and
// at least three when there are three (AWS scores any set low below that).
// A score answers "can Count instances of one of these types be placed in
// this AZ", so asking for every matching type would score every AZ near 10
// and tell the pools nothing; a short list of the likely choices keeps the
// signal about them, and spends one request configuration per question.
func shortlist(pools []Candidate, p Profile) []string {
	cands, _, err := Filter(pools, p)
	if err != nil || len(cands) == 0 {
		return nil
	}
	type scored struct {
		typ   string
		score float64
	}
	var ss []scored
	for _, c := range cands {
		ss = append(ss, scored{c.InstanceType, score(c, p).Score})
	}
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].score != ss[j].score {
			return ss[i].score < ss[j].score
		}
		return ss[i].typ < ss[j].typ
	})
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s.typ] && len(out) < PlacementTypes {
			seen[s.typ] = true
			out = append(out, s.typ)
		}
	}
	sort.Strings(out)
	return out
}
