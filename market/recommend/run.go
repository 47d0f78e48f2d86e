package recommend

import (
	"context"
	"fmt"
	"time"

	"github.com/spotscope/spotscope/market"
)

// Run is the whole recommendation for a profile: gather the candidates from
// src (Build), run the model (Recommend) and, when src is a PathSource,
// replay the chosen set over its cached price history. It is the entry point
// the CLI, the TUI and other front ends share.
func Run(ctx context.Context, src Sources, p Profile, now time.Time, opts Options) (Result, error) {
	// With several regions, one whose catalog cannot be read (never
	// fetched) is left out and named, rather than failing the answer.
	asked := p.Regions
	var missing []RegionLine
	if len(p.Regions) > 1 {
		var ok []string
		for _, r := range p.Regions {
			if _, err := src.InstanceTypes(ctx, r); err != nil {
				if ctx.Err() != nil {
					return Result{}, ctx.Err()
				}
				missing = append(missing, RegionLine{Region: r, Note: err.Error()})
				continue
			}
			ok = append(ok, r)
		}
		if len(ok) > 0 {
			p.Regions = ok
		}
	}
	cands, err := Build(ctx, src, p, now)
	if err != nil {
		return Result{}, err
	}
	res, err := Recommend(cands, p, opts)
	if err != nil {
		return res, err
	}
	if len(missing) > 0 {
		res.Profile.Regions = asked
		res.Regions = append(res.Regions, missing...)
		for _, m := range missing {
			res.Notes = append(res.Notes, "region "+m.Region+" left out: "+m.Note)
		}
	}
	ps, ok := src.(PathSource)
	if !ok {
		return res, nil
	}
	paths := map[market.Pool][]market.Point{}
	for _, c := range res.Pools {
		pool := market.Pool{Region: c.Region, AvailabilityZone: c.AvailabilityZone, InstanceType: c.InstanceType, Product: c.Product}
		pts, err := ps.PricePath(ctx, pool, c.window.Start, c.window.End)
		if err != nil {
			return res, fmt.Errorf("price history of %s %s: %w", c.InstanceType, c.AvailabilityZone, err)
		}
		paths[pool] = pts
	}
	res.Replay(paths)
	for i, n := range res.Notes {
		if len(n) > 5 && n[:5] == "plan:" {
			res.Notes[i] = planLine(res.Plan) // the replay changed the quantiles
		}
	}
	res.Notes = append(res.Notes, "replay: "+res.Plan.ReplayBasis)
	return res, nil
}
