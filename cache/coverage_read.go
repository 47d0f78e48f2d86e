package cache

import (
	"context"
	"fmt"
	"time"

	"github.com/spotscope/spotscope/market"
)

// CoverageScopes returns every recorded coverage scope of (region, product)
// with its intervals, sorted by start: "*" for fetches of all types, else
// the comma-joined type patterns a fetch or an import was for. A pool's
// coverage is the union of the scopes that match its type.
func (s *Store) CoverageScopes(ctx context.Context, region, product string) (map[string][]market.Interval, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scope, start_ms, end_ms FROM coverage
		WHERE region = ? AND product = ? ORDER BY start_ms`, region, product)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	defer rows.Close()
	out := map[string][]market.Interval{}
	for rows.Next() {
		var scope string
		var a, b int64
		if err := rows.Scan(&scope, &a, &b); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		out[scope] = append(out[scope], market.Interval{Start: fromMS(a), End: fromMS(b)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return out, nil
}

// CoverageEnds is each region's newest covered time, over every product
// and scope: where a view of cached data ends its windows when that is
// before now, as the statistics do. The TUI asks it before its first frame:
// the coverage table holds a few rows per fetch, not per record.
func (s *Store) CoverageEnds(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT region, max(end_ms) FROM coverage GROUP BY region`)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var region string
		var end int64
		if err := rows.Scan(&region, &end); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		out[region] = fromMS(end)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return out, nil
}
