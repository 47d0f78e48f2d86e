package dataset

import (
	"context"
	"fmt"

	"github.com/spotscope/spotscope/market"
)

// Target is the part of the cache an import writes to.
type Target interface {
	ImportRecords(ctx context.Context, recs []market.Record) (int, error)
	CoverageScopes(ctx context.Context, region, product string) (map[string][]market.Interval, error)
	AddCoverage(ctx context.Context, region, product, scope string, iv market.Interval) error
}

// ImportResult says what one file brought.
type ImportResult struct {
	Read, Added int
	// Known counts records dropped because the cache already knew their
	// time (fetched from AWS, or imported before): an import never
	// interleaves its records with another source's in one pool.
	Known int
	// Coverage is what the import recorded as covered.
	Coverage []Covered
}

// ImportFile reads path and stores it in t. The rule that keeps sources
// apart: a record whose pool's type, region and product the cache already
// covers at its time is dropped, so a pool's series over any stretch of
// time comes from one source (the cache's own fetches win). What the file
// answers for (see Spans) is then recorded as coverage, scoped to its
// instance types.
func ImportFile(ctx context.Context, t Target, path string, opts Options) (ImportResult, error) {
	var res ImportResult
	var spans Spans
	known := map[spanKey]market.ScopedCoverage{}
	isKnown := func(r market.Record) (bool, error) {
		k := spanKey{r.Region, r.Product}
		c, ok := known[k]
		if !ok {
			byScope, err := t.CoverageScopes(ctx, r.Region, r.Product)
			if err != nil {
				return false, err
			}
			c = market.NewScopedCoverage(byScope)
			known[k] = c
		}
		for _, iv := range c.ForPool(r.InstanceType, r.AvailabilityZone) {
			if !r.Time.Before(iv.Start) && r.Time.Before(iv.End) {
				return true, nil
			}
		}
		return false, nil
	}
	var batch []market.Record
	flush := func() error {
		n, err := t.ImportRecords(ctx, batch)
		res.Added += n
		batch = batch[:0]
		return err
	}
	err := ReadFile(path, opts, func(r market.Record) error {
		res.Read++
		spans.Add(r)
		k, err := isKnown(r)
		if err != nil {
			return err
		}
		if k {
			res.Known++
			return nil
		}
		batch = append(batch, r)
		if len(batch) == 50000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return res, fmt.Errorf("import stopped after %d new records: %w", res.Added, err)
	}
	// Coverage last: an import cut short claims nothing.
	res.Coverage = spans.Coverage()
	for _, c := range res.Coverage {
		if err := t.AddCoverage(ctx, c.Region, c.Product, c.Scope, c.Interval); err != nil {
			return res, err
		}
	}
	return res, nil
}
