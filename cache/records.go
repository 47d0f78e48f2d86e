package cache

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spotscope/spotscope/market"
)

// Filter selects pools. Empty fields select everything.
type Filter struct {
	Regions  []string
	Products []string
	Types    market.TypeMatcher
	Zones    []string // AZ names
}

func (f Filter) match(p market.Pool) bool {
	return (len(f.Regions) == 0 || slices.Contains(f.Regions, p.Region)) &&
		(len(f.Products) == 0 || slices.Contains(f.Products, p.Product)) &&
		(len(f.Zones) == 0 || slices.Contains(f.Zones, p.AvailabilityZone)) &&
		f.Types.Match(p.InstanceType)
}

// testHookChunkWritten runs after each chunk write of an Ingest; tests use
// it to cancel a write half way.
var testHookChunkWritten func()

// AddRecords stores recs (any order, duplicates allowed) and returns how
// many (pool, time) pairs were new. A record whose pool and time are already
// stored replaces the stored price: the newer write wins, so a re-fetch
// corrects a wrong value instead of being ignored. Within recs the later
// element wins. All of it is one transaction.
func (s *Store) AddRecords(ctx context.Context, recs []market.Record) (int, error) {
	return s.addRecords(ctx, recs, false)
}

// ImportRecords stores recs like AddRecords, except that a record whose pool
// and time are already stored keeps the stored price: history brought from
// elsewhere fills gaps but never overrides what AWS answered this cache.
func (s *Store) ImportRecords(ctx context.Context, recs []market.Record) (int, error) {
	return s.addRecords(ctx, recs, true)
}

func (s *Store) addRecords(ctx context.Context, recs []market.Record, keepStored bool) (int, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	in, err := s.begin(ctx, keepStored)
	if err != nil {
		return 0, err
	}
	defer in.Rollback()
	if err := in.Add(recs); err != nil {
		return 0, err
	}
	return in.Commit()
}

// validRecord refuses what would store garbage: NaN has no integer
// micro-dollar value, and a zero time or an empty key is a caller's bug
// that would otherwise live in the archive forever.
func validRecord(r *market.Record) error {
	if r.Region == "" || r.AvailabilityZone == "" || r.InstanceType == "" || r.Product == "" {
		return fmt.Errorf("cache: record with an incomplete pool %+v", r.Pool)
	}
	if r.Time.IsZero() {
		return fmt.Errorf("cache: record of %v without a time", r.Pool)
	}
	if !(r.Price >= 0 && r.Price <= 1e6) {
		return fmt.Errorf("cache: record of %v at %v has invalid price %v", r.Pool, r.Time, r.Price)
	}
	return nil
}

// windowChunks selects the chunks of one pool that a window [start, end]
// needs: from the newest chunk holding a record at or before start (older
// chunks, when the pool was quiet for a while, are skipped by the index
// walk) up to the chunk holding end. ?1 pool, ?2 start, ?3 start's chunk,
// ?4 end.
const windowChunks = `SELECT data FROM chunks
	WHERE pool_id = ?1 AND chunk_start <= ?4 AND chunk_start >= coalesce(
		(SELECT chunk_start FROM chunks WHERE pool_id = ?1 AND chunk_start <= ?2 AND first_ms <= ?2
		 ORDER BY chunk_start DESC LIMIT 1), ?3)
	ORDER BY chunk_start`

// window collects one pool's decoded chunks and cuts them down to the
// record in effect at start followed by the records in (start, end]. The
// entries buffer is reused from pool to pool and holds no pointers, so the
// only allocation per pool is the exact-size result.
type window struct {
	start, end int64
	es         []entry
}

func (w *window) add(data []byte) error {
	var err error
	w.es, err = decodeChunk(w.es, data)
	return err
}

// points returns the window's series and empties the buffer.
func (w *window) points() []market.Point {
	es := w.es
	w.es = w.es[:0]
	// Chunks arrive in key order and each is sorted, so es is sorted.
	lo := sort.Search(len(es), func(i int) bool { return es[i].ms > w.start })
	if lo > 0 {
		lo-- // the record in effect at start
	}
	hi := sort.Search(len(es), func(i int) bool { return es[i].ms > w.end })
	if lo >= hi {
		return nil
	}
	pts := make([]market.Point, hi-lo)
	for i, e := range es[lo:hi] {
		pts[i] = market.Point{Time: fromMS(e.ms), Price: fromMicro(e.micro)}
	}
	return pts
}

// Series returns pool p's records over [start, end]: the record in effect
// at start (the last at or before it), then every record in (start, end],
// ascending. It returns no points when the pool has no record at or before
// end, and no error for an unknown pool.
func (s *Store) Series(ctx context.Context, p market.Pool, start, end time.Time) ([]market.Point, error) {
	if end.Before(start) {
		return nil, nil
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM pools WHERE region = ? AND az = ? AND instance_type = ? AND product = ?`,
		p.Region, p.AvailabilityZone, p.InstanceType, p.Product).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	s0, e0 := ms(start), ms(end)
	rows, err := s.db.QueryContext(ctx, windowChunks, id, s0, chunkStart(s0), e0)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	defer rows.Close()
	w := window{start: s0, end: e0}
	for rows.Next() {
		var data sql.RawBytes
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		if err := w.add(data); err != nil {
			return nil, fmt.Errorf("cache: pool %v: %w", p, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return w.points(), nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type poolRow struct {
	id int64
	market.Pool
	lastMS    sql.NullInt64
	lastMicro sql.NullInt64
}

// pools lists the pools matching f, ordered by region, AZ, type and
// product. Regions and products narrow the SQL; globs and zones are
// checked here, which is cheap because a region has at most some tens of
// thousands of pools.
func (s *Store) pools(ctx context.Context, q querier, f Filter) ([]poolRow, error) {
	query := `SELECT p.id, p.region, p.az, p.instance_type, p.product, p.last_ms, p.last_price FROM pools p`
	var conds []string
	var args []any
	if len(f.Regions) > 0 {
		conds = append(conds, "p.region IN ("+placeholders(len(f.Regions))+")")
		for _, r := range f.Regions {
			args = append(args, r)
		}
	}
	if len(f.Products) > 0 {
		conds = append(conds, "p.product IN ("+placeholders(len(f.Products))+")")
		for _, r := range f.Products {
			args = append(args, r)
		}
	}
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	query += " ORDER BY p.region, p.az, p.instance_type, p.product"
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	defer rows.Close()
	var out []poolRow
	for rows.Next() {
		var r poolRow
		if err := rows.Scan(&r.id, &r.Region, &r.AvailabilityZone, &r.InstanceType, &r.Product, &r.lastMS, &r.lastMicro); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		if f.match(r.Pool) {
			out = append(out, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// ScanSeries calls fn with the series over [start, end] (as Series returns
// it) of every pool matching f that has a record at or before end, one pool
// at a time, ordered by region, AZ, instance type and product. Memory is
// bounded by one pool's series. fn owns the slice it is given. An error
// from fn stops the scan and is returned as is.
func (s *Store) ScanSeries(ctx context.Context, f Filter, start, end time.Time, fn func(market.Pool, []market.Point) error) error {
	if end.Before(start) {
		return nil
	}
	// One read transaction, so every pool is read from the same snapshot
	// and a concurrent fetch shows up in all of them or none.
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer tx.Rollback()
	pools, err := s.pools(ctx, tx, f)
	if err != nil {
		return err
	}
	s0, e0 := ms(start), ms(end)
	if f.Types.All() && len(f.Zones) == 0 {
		return s.scanRegions(ctx, tx, pools, f.Products, s0, e0, fn)
	}
	// A narrow filter: an index seek per matching pool reads only what is
	// needed.
	stmt, err := tx.PrepareContext(ctx, windowChunks)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer stmt.Close()
	// RawBytes: the blob is decoded before the next row, so the driver's
	// buffer need not be copied.
	var data sql.RawBytes
	w := window{start: s0, end: e0}
	for _, p := range pools {
		if !p.lastMS.Valid {
			continue
		}
		if err := func() error {
			rows, err := stmt.QueryContext(ctx, p.id, s0, chunkStart(s0), e0)
			if err != nil {
				return fmt.Errorf("cache: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				if err := rows.Scan(&data); err != nil {
					return fmt.Errorf("cache: %w", err)
				}
				if err := w.add(data); err != nil {
					return fmt.Errorf("cache: pool %v: %w", p.Pool, err)
				}
			}
			return rows.Err()
		}(); err != nil {
			return err
		}
		pts := w.points()
		if len(pts) == 0 {
			continue
		}
		if err := fn(p.Pool, pts); err != nil {
			return err
		}
	}
	return nil
}

// scanRegions serves a filter that takes whole regions (optionally some
// products) with one join per region: the pools' unique index gives the
// order and the window's lower bound is sought once per pool, which halves
// the per-pool statement overhead of a region-wide scan.
func (s *Store) scanRegions(ctx context.Context, tx *sql.Tx, pools []poolRow, products []string, s0, e0 int64, fn func(market.Pool, []market.Point) error) error {
	byID := make(map[int64]market.Pool, len(pools))
	var regions []string
	for _, p := range pools {
		byID[p.id] = p.Pool
		if len(regions) == 0 || regions[len(regions)-1] != p.Region {
			regions = append(regions, p.Region)
		}
	}
	query := `SELECT c.pool_id, c.data FROM pools p JOIN chunks c
		ON c.pool_id = p.id AND c.chunk_start <= ?4 AND c.chunk_start >= coalesce(
			(SELECT chunk_start FROM chunks WHERE pool_id = p.id AND chunk_start <= ?2 AND first_ms <= ?2
			 ORDER BY chunk_start DESC LIMIT 1), ?3)
		WHERE p.region = ?1`
	args := []any{"", s0, chunkStart(s0), e0}
	if len(products) > 0 {
		ph := make([]string, len(products))
		for i, pr := range products {
			ph[i] = fmt.Sprintf("?%d", 5+i)
			args = append(args, pr)
		}
		query += " AND p.product IN (" + strings.Join(ph, ",") + ")"
	}
	query += " ORDER BY p.region, p.az, p.instance_type, p.product, c.chunk_start"
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer stmt.Close()
	var data sql.RawBytes
	w := window{start: s0, end: e0}
	for _, region := range regions {
		args[0] = region
		if err := func() error {
			rows, err := stmt.QueryContext(ctx, args...)
			if err != nil {
				return fmt.Errorf("cache: %w", err)
			}
			defer rows.Close()
			cur := int64(-1)
			flush := func() error {
				pts := w.points()
				if cur < 0 || len(pts) == 0 {
					return nil
				}
				return fn(byID[cur], pts)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id, &data); err != nil {
					return fmt.Errorf("cache: %w", err)
				}
				if id != cur {
					if err := flush(); err != nil {
						return err
					}
					cur = id
				}
				if err := w.add(data); err != nil {
					return fmt.Errorf("cache: pool %v: %w", byID[id], err)
				}
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("cache: %w", err)
			}
			return flush()
		}(); err != nil {
			return err
		}
	}
	return nil
}

// Latest returns the newest record of every pool matching f, with the AZ ID
// when the zones of its region are stored, ordered like ScanSeries.
func (s *Store) Latest(ctx context.Context, f Filter) ([]market.PoolPrice, error) {
	pools, err := s.pools(ctx, s.db, f)
	if err != nil {
		return nil, err
	}
	// The AZ IDs from each region's few zones, not a join per pool: the
	// join doubled the cost of a region's 5,000 pools.
	zoneIDs := map[[2]string]string{}
	for i, p := range pools {
		if i > 0 && pools[i-1].Region == p.Region {
			continue // pools come ordered by region
		}
		zones, err := s.Zones(ctx, p.Region)
		if err != nil {
			return nil, err
		}
		for _, z := range zones {
			zoneIDs[[2]string{z.Region, z.Name}] = z.ID
		}
	}
	out := make([]market.PoolPrice, 0, len(pools))
	for _, p := range pools {
		if !p.lastMS.Valid {
			continue
		}
		out = append(out, market.PoolPrice{
			Pool:               p.Pool,
			AvailabilityZoneID: zoneIDs[[2]string{p.Region, p.AvailabilityZone}],
			Time:               fromMS(p.lastMS.Int64),
			Price:              fromMicro(p.lastMicro.Int64),
		})
	}
	return out, nil
}

// Prune removes the records older than before, except each pool's record
// in effect at before (the last at or before it), so statistics over a
// window starting at or after before are unchanged. It returns how many
// records it removed. The file does not shrink until a VACUUM; SQLite
// reuses the freed pages for later fetches.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	b := ms(before)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	defer tx.Rollback()
	// Per pool, the chunk holding the record in effect at before.
	rows, err := tx.QueryContext(ctx, `SELECT c.pool_id, c.chunk_start, c.data FROM pools p JOIN chunks c
		ON c.pool_id = p.id AND c.chunk_start = (SELECT chunk_start FROM chunks
			WHERE pool_id = p.id AND chunk_start <= ?1 AND first_ms <= ?1 ORDER BY chunk_start DESC LIMIT 1)
		WHERE c.first_ms < ?1`, b)
	if err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	type keep struct {
		pool  int64
		start int64
		data  []byte
	}
	var keeps []keep
	for rows.Next() {
		var k keep
		if err := rows.Scan(&k.pool, &k.start, &k.data); err != nil {
			rows.Close()
			return 0, fmt.Errorf("cache: %w", err)
		}
		keeps = append(keeps, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	var removed int64
	var es []entry
	var buf []byte
	for _, k := range keeps {
		if es, err = decodeChunk(es[:0], k.data); err != nil {
			return 0, fmt.Errorf("cache: pool %d: %w", k.pool, err)
		}
		// Keep from the last record at or before b.
		i := sort.Search(len(es), func(i int) bool { return es[i].ms > b }) - 1
		if i <= 0 {
			continue
		}
		removed += int64(i)
		es = es[i:]
		buf = encodeChunk(buf[:0], es)
		if _, err := tx.ExecContext(ctx, `UPDATE chunks SET first_ms = ?, n = ?, data = ? WHERE pool_id = ? AND chunk_start = ?`,
			es[0].ms, len(es), buf, k.pool, k.start); err != nil {
			return 0, fmt.Errorf("cache: %w", err)
		}
	}
	// Whole chunks before each pool's kept chunk.
	var n sql.NullInt64
	const older = `FROM chunks WHERE chunk_start < (SELECT c2.chunk_start FROM chunks c2
		WHERE c2.pool_id = chunks.pool_id AND c2.chunk_start <= ?1 AND c2.first_ms <= ?1
		ORDER BY c2.chunk_start DESC LIMIT 1)`
	if err := tx.QueryRowContext(ctx, `SELECT sum(n) `+older, b).Scan(&n); err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE `+older, b); err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	removed += n.Int64
	// What was pruned is no longer covered: a later fetch must be free to
	// ask AWS for it again while AWS still has it.
	if _, err := tx.ExecContext(ctx, `DELETE FROM coverage WHERE end_ms <= ?`, b); err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE coverage SET start_ms = ? WHERE start_ms < ?`, b, b); err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	return removed, nil
}
