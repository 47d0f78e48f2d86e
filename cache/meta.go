package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spotscope/spotscope/market"
)

// AddCoverage records that [iv.Start, iv.End) of (region, product, scope)
// has been fetched completely. Overlapping and touching intervals are
// merged, so the table stays small however often a cron job fetches. An
// empty interval is a no-op.
func (s *Store) AddCoverage(ctx context.Context, region, product, scope string, iv market.Interval) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if iv.End.Before(iv.Start) {
		return fmt.Errorf("cache: coverage interval ends (%s) before it starts (%s)", iv.End, iv.Start)
	}
	lo, hi := ms(iv.Start), ms(iv.End)
	if lo == hi {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer tx.Rollback()
	const where = `WHERE region = ?1 AND product = ?2 AND scope = ?3 AND start_ms <= ?5 AND end_ms >= ?4`
	var mn, mx sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT min(start_ms), max(end_ms) FROM coverage `+where,
		region, product, scope, lo, hi).Scan(&mn, &mx); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if mn.Valid && mn.Int64 < lo {
		lo = mn.Int64
	}
	if mx.Valid && mx.Int64 > hi {
		hi = mx.Int64
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM coverage `+where, region, product, scope, lo, hi); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO coverage (region, product, scope, start_ms, end_ms) VALUES (?, ?, ?, ?, ?)`,
		region, product, scope, lo, hi); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// Coverage returns the fetched intervals of (region, product, scope),
// merged and sorted.
func (s *Store) Coverage(ctx context.Context, region, product, scope string) ([]market.Interval, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT start_ms, end_ms FROM coverage
		WHERE region = ? AND product = ? AND scope = ? ORDER BY start_ms`, region, product, scope)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	defer rows.Close()
	var out []market.Interval
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		out = append(out, market.Interval{Start: fromMS(a), End: fromMS(b)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return out, nil
}

// PutInstanceTypes replaces the instance-type catalog of region.
func (s *Store) PutInstanceTypes(ctx context.Context, region string, types []market.InstanceType, at time.Time) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	// JSON rather than columns: the catalog is always read whole per
	// region, and new fields need no migration.
	data, err := json.Marshal(types)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO catalog (region, data, fetched_ms) VALUES (?, ?, ?)`,
		region, data, ms(at)); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// InstanceTypes returns region's catalog and when it was fetched; no types
// and a zero time when it was never fetched.
func (s *Store) InstanceTypes(ctx context.Context, region string) ([]market.InstanceType, time.Time, error) {
	var data []byte
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT data, fetched_ms FROM catalog WHERE region = ?`, region).Scan(&data, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cache: %w", err)
	}
	var types []market.InstanceType
	if err := json.Unmarshal(data, &types); err != nil {
		return nil, time.Time{}, fmt.Errorf("cache: catalog of %s: %w", region, err)
	}
	return types, fromMS(at), nil
}

// PutZones replaces the zones of region.
func (s *Store) PutZones(ctx context.Context, region string, zones []market.Zone, at time.Time) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM zones WHERE region = ?`, region); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	for _, z := range zones {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO zones (region, name, id, type, state, at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
			region, z.Name, z.ID, z.Type, z.State, ms(at)); err != nil {
			return fmt.Errorf("cache: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// Zones returns the stored zones of region, by name.
func (s *Store) Zones(ctx context.Context, region string) ([]market.Zone, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, id, type, state FROM zones WHERE region = ? ORDER BY name`, region)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	defer rows.Close()
	var out []market.Zone
	for rows.Next() {
		z := market.Zone{Region: region}
		if err := rows.Scan(&z.Name, &z.ID, &z.Type, &z.State); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		out = append(out, z)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return out, nil
}

// PutDoc stores an opaque document (advisor file, On-Demand prices,
// placement answers) under key, replacing any previous one.
func (s *Store) PutDoc(ctx context.Context, key string, data []byte, at time.Time) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if data == nil {
		data = []byte{}
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO docs (key, data, at_ms) VALUES (?, ?, ?)`, key, data, ms(at)); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// Doc returns the document stored under key; ok is false when there is
// none.
func (s *Store) Doc(ctx context.Context, key string) (data []byte, at time.Time, ok bool, err error) {
	var a int64
	err = s.db.QueryRowContext(ctx, `SELECT data, at_ms FROM docs WHERE key = ?`, key).Scan(&data, &a)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, fmt.Errorf("cache: %w", err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, fromMS(a), true, nil
}

// SetLastFetch records when region was last fetched.
func (s *Store) SetLastFetch(ctx context.Context, region string, at time.Time) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO meta (region, last_fetch_ms) VALUES (?, ?)`, region, ms(at)); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}

// Info describes a cache for `spotscope cache info`.
type Info struct {
	Path          string
	SizeBytes     int64 // database plus WAL
	SchemaVersion int
	Pools         int
	Records       int64
	Oldest        time.Time // zero when empty
	Newest        time.Time
	Regions       []RegionInfo // by name
}

// RegionInfo is one region of a cache: the regions with records or a
// recorded fetch.
type RegionInfo struct {
	Region    string
	Pools     int
	Records   int64
	Oldest    time.Time
	Newest    time.Time
	LastFetch time.Time // zero when never fetched
}

// HasRecords reports whether the cache holds any price record: the cheap
// question a start-up asks before choosing the demo.
func (s *Store) HasRecords(ctx context.Context) (bool, error) {
	var ok bool
	if err := s.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM chunks)").Scan(&ok); err != nil {
		return false, fmt.Errorf("cache: %w", err)
	}
	return ok, nil
}

// Info summarises the cache. It reads only the chunk headers, not the
// data.
func (s *Store) Info(ctx context.Context) (Info, error) {
	info := Info{Path: s.path}
	for _, suf := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.path + suf); err == nil {
			info.SizeBytes += fi.Size()
		}
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&info.SchemaVersion); err != nil {
		return info, fmt.Errorf("cache: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT r.region, coalesce(p.pools, 0), coalesce(c.n, 0), c.lo, c.hi, m.last_fetch_ms
		FROM (SELECT region FROM pools UNION SELECT region FROM meta) r
		LEFT JOIN (SELECT region, count(*) AS pools FROM pools GROUP BY region) p ON p.region = r.region
		LEFT JOIN (SELECT p.region, sum(c.n) AS n, min(c.first_ms) AS lo, max(c.last_ms) AS hi
			FROM chunks c JOIN pools p ON p.id = c.pool_id GROUP BY p.region) c ON c.region = r.region
		LEFT JOIN meta m ON m.region = r.region
		ORDER BY r.region`)
	if err != nil {
		return info, fmt.Errorf("cache: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ri RegionInfo
		var lo, hi, lf sql.NullInt64
		if err := rows.Scan(&ri.Region, &ri.Pools, &ri.Records, &lo, &hi, &lf); err != nil {
			return info, fmt.Errorf("cache: %w", err)
		}
		if lo.Valid {
			ri.Oldest, ri.Newest = fromMS(lo.Int64), fromMS(hi.Int64)
			if info.Oldest.IsZero() || ri.Oldest.Before(info.Oldest) {
				info.Oldest = ri.Oldest
			}
			if ri.Newest.After(info.Newest) {
				info.Newest = ri.Newest
			}
		}
		if lf.Valid {
			ri.LastFetch = fromMS(lf.Int64)
		}
		info.Pools += ri.Pools
		info.Records += ri.Records
		info.Regions = append(info.Regions, ri)
	}
	if err := rows.Err(); err != nil {
		return info, fmt.Errorf("cache: %w", err)
	}
	return info, nil
}
