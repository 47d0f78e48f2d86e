package workspace

import (
	"context"
	"fmt"
	"strings"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
)

// The checks here turn a typo into a one-line BadInput naming the closest
// valid names, for the CLI and the MCP server alike. They judge only by what
// the cache knows (catalog, zones, cached pools); with nothing known they
// let the question through, and the answer says it is empty.

// CheckTypes reports an instance type or glob that matches nothing the
// catalog of the workspace's regions or the cached pools know.
func (w *Workspace) CheckTypes(ctx context.Context, patterns []string) error {
	if len(patterns) == 0 {
		return nil
	}
	known, err := w.knownTypes(ctx)
	if err != nil {
		return err
	}
	if err := market.CheckTypePatterns(patterns, known, w.where()); err != nil {
		return BadInput{fmt.Errorf("--type %w", err)}
	}
	return nil
}

// CheckZone reports an AZ name that is not a zone of the workspace's
// regions, as the cache knows them.
func (w *Workspace) CheckZone(ctx context.Context, zone string) error {
	var known []string
	for _, r := range w.Regions {
		zs, err := w.Store.Zones(ctx, r)
		if err != nil {
			return err
		}
		for _, z := range zs {
			known = append(known, z.Name)
		}
	}
	if len(known) == 0 {
		pools, err := w.Store.Latest(ctx, cache.Filter{Regions: w.Regions})
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, p := range pools {
			if !seen[p.AvailabilityZone] {
				seen[p.AvailabilityZone] = true
				known = append(known, p.AvailabilityZone)
			}
		}
	}
	if err := market.CheckName("availability zone", zone, known, w.where()); err != nil {
		return BadInput{fmt.Errorf("--az %w", err)}
	}
	return nil
}

// where names the regions a check judged by, for the error.
func (w *Workspace) where() string {
	if len(w.Regions) == 0 {
		return ""
	}
	s := "in " + strings.Join(w.Regions, ", ")
	if w.Demo {
		s += " (the demo's region)"
	}
	return s
}

func (w *Workspace) knownTypes(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var known []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			known = append(known, t)
		}
	}
	for _, r := range w.Regions {
		types, _, err := w.Store.InstanceTypes(ctx, r)
		if err != nil {
			return nil, err
		}
		for _, t := range types {
			add(t.Name)
		}
	}
	pools, err := w.Store.Latest(ctx, cache.Filter{Regions: w.Regions, Products: market.KnownProducts})
	if err != nil {
		return nil, err
	}
	for _, p := range pools {
		add(p.InstanceType)
	}
	return known, nil
}

// checkDemoRegions refuses a demo asked for another region: the demo holds
// one recorded region, and silently answering for it would mislead.
func checkDemoRegions(regions []string) error {
	for _, r := range regions {
		if r != demo.Region {
			return Badf("--region %s: the demo has recorded data for %s only (drop --region, or use --region %s)", r, demo.Region, demo.Region)
		}
	}
	return nil
}

// CheckRegions reports a region name AWS does not have, with the closest
// names, and in the demo a region other than its recorded one: the checks
// the CLI makes on --region, for callers that take regions per question
// (the MCP server) rather than once at start.
func (w *Workspace) CheckRegions(regions []string) error {
	for _, r := range regions {
		if err := market.CheckRegion(r); err != nil {
			return BadInput{fmt.Errorf("--region %w", err)}
		}
	}
	if w.Demo {
		return checkDemoRegions(regions)
	}
	return nil
}
