package cache

import (
	"context"
	"fmt"
	"time"

	"github.com/spotscope/spotscope/market"
)

// CoverageSpan is one stored coverage interval with its key, as the archive
// (cache/archive) carries coverage from one cache to another.
type CoverageSpan struct {
	Region  string
	Product string
	Scope   string
	market.Interval
}

// AllCoverage returns every coverage interval of the regions given (all
// regions when none), ordered by region, product, scope and start.
func (s *Store) AllCoverage(ctx context.Context, regions ...string) ([]CoverageSpan, error) {
	query := `SELECT region, product, scope, start_ms, end_ms FROM coverage`
	var args []any
	if len(regions) > 0 {
		query += ` WHERE region IN (` + placeholders(len(regions)) + `)`
		for _, r := range regions {
			args = append(args, r)
		}
	}
	rows, err := s.db.QueryContext(ctx, query+` ORDER BY region, product, scope, start_ms`, args...)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	defer rows.Close()
	var out []CoverageSpan
	for rows.Next() {
		var c CoverageSpan
		var a, b int64
		if err := rows.Scan(&c.Region, &c.Product, &c.Scope, &a, &b); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		c.Start, c.End = fromMS(a), fromMS(b)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return out, nil
}

// AddZones stores the zones of region that the cache does not know yet and
// leaves the known ones alone: zones brought from an archive fill in AZ IDs
// but never override what DescribeAvailabilityZones answered this cache.
// It returns how many zones were new.
func (s *Store) AddZones(ctx context.Context, region string, zones []market.Zone, at time.Time) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	defer tx.Rollback()
	added := 0
	for _, z := range zones {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO zones (region, name, id, type, state, at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
			region, z.Name, z.ID, z.Type, z.State, ms(at))
		if err != nil {
			return 0, fmt.Errorf("cache: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("cache: %w", err)
		}
		added += int(n)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	return added, nil
}
