package cache

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/spotscope/spotscope/market"
)

// chunkKey names one chunk: a pool's id and the chunk's start.
type chunkKey struct {
	pool  int64
	start int64
}

// rowsPerInsert is how many chunks (and pools) one INSERT writes. With one
// statement per chunk, a big import spent more time in the driver's
// per-statement work (binding, a cancellation watcher, VDBE setup and
// teardown) than in SQLite's B-tree; 64 rows of 6 parameters stay far
// below SQLite's parameter limit.
const rowsPerInsert = 64

// Ingest is one write transaction that stores records chunk by chunk.
// Records are queued by Add and written by Flush or Commit; a chunk
// queued across several Adds is written once, so a caller that feeds
// history in time order (an archive, month by month) and calls Flush
// after each piece writes every chunk once while it decodes the next
// piece. A chunk written earlier in the transaction that receives more
// records later is read back and merged, so the order is a matter of
// speed, never of correctness. After an error the Ingest only rolls back.
//
// An Ingest holds the store's write lock from BeginImport to Commit or
// Rollback: a caller must end it (defer Rollback; it is a no-op after
// Commit). Like a *sql.Tx it is used by one goroutine at a time, and its
// context is the transaction's.
type Ingest struct {
	s          *Store
	ctx        context.Context
	conn       *sql.Conn
	cacheSize  int64 // the connection's page cache before the ingest
	tx         *sql.Tx
	keepStored bool

	ids     map[market.Pool]int64 // pools resolved in this transaction
	fresh   map[int64]bool        // pools created in it: they had no chunk before
	written map[chunkKey]bool     // chunks written in it
	last    map[int64]entry       // each pool's newest entry written in it
	queued  map[chunkKey][]entry  // added, not yet written, in input order
	added   int
	nextID  int64           // the id of the next pool created, once known
	scanned map[string]bool // regions whose stored pools are all in ids

	get     *sql.Stmt // one chunk, for a merge
	putFull *sql.Stmt // rowsPerInsert chunks, prepared on first use
	args    []any     // the parameters of the chunks not yet inserted
	blobs   []byte    // their encoded data, reused after each insert
	old     []entry   // scratch for a stored chunk
	err     error     // the first error: nothing may be committed after it
	done    bool
}

// BeginImport starts an Ingest for history brought from elsewhere: like
// ImportRecords, a record whose pool and time are already stored keeps
// the stored price.
func (s *Store) BeginImport(ctx context.Context) (*Ingest, error) {
	return s.begin(ctx, true)
}

func (s *Store) begin(ctx context.Context, keepStored bool) (*Ingest, error) {
	s.wmu.Lock()
	conn, cacheSize, err := s.writeConn(ctx)
	if err != nil {
		s.wmu.Unlock()
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		s.releaseConn(conn, cacheSize)
		s.wmu.Unlock()
		return nil, fmt.Errorf("cache: %w", err)
	}
	in := &Ingest{s: s, ctx: ctx, conn: conn, cacheSize: cacheSize, tx: tx, keepStored: keepStored,
		ids: map[market.Pool]int64{}, fresh: map[int64]bool{}, written: map[chunkKey]bool{},
		last: map[int64]entry{}, queued: map[chunkKey][]entry{}, scanned: map[string]bool{}}
	if in.get, err = tx.PrepareContext(ctx, `SELECT data FROM chunks WHERE pool_id = ? AND chunk_start = ?`); err != nil {
		in.Rollback()
		return nil, fmt.Errorf("cache: %w", err)
	}
	return in, nil
}

// Add validates recs (any order, duplicates allowed) and queues them; a
// bad record is refused before any is queued. Of two records of one pool
// and time queued before the same Flush, the later wins; a record meeting
// one already written (stored before, or by an earlier Flush) replaces it
// in AddRecords and yields to it in an import. The caller may reuse recs
// once Add returns.
func (in *Ingest) Add(recs []market.Record) error {
	b, err := NewBatch(recs)
	if err != nil {
		return err
	}
	return in.AddBatch(b)
}

// Batch is records validated and grouped by pool and chunk, ready to be
// queued. Building one needs no store, so a caller can group the next
// piece of history on another goroutine while an Ingest stores this one.
type Batch struct {
	pools []market.Pool
	runs  []run
}

// run is consecutive records of one pool and chunk, in input order.
type run struct {
	pool  int32 // index into Batch.pools
	start int64
	es    []entry
}

// NewBatch validates and groups recs; it keeps no reference to them.
func NewBatch(recs []market.Record) (*Batch, error) {
	b := &Batch{}
	if len(recs) == 0 {
		return b, nil
	}
	// Consecutive records mostly share a pool (an archive and a fetched
	// page are sorted by pool), so compare with the previous one before
	// hashing four strings.
	index := map[market.Pool]int32{}
	// One allocation holds every run's entries.
	arena := make([]entry, 0, len(recs))
	var ends []int // where each run starts in arena, then where it ends
	cur := int32(-1)
	var start int64
	for i := range recs {
		r := &recs[i]
		if err := validRecord(r); err != nil {
			return nil, err
		}
		newPool := cur < 0 || r.Pool != b.pools[cur]
		if newPool {
			j, ok := index[r.Pool]
			if !ok {
				j = int32(len(b.pools))
				index[r.Pool] = j
				b.pools = append(b.pools, r.Pool)
			}
			cur = j
		}
		t := ms(r.Time)
		if newPool || t < start || t >= start+chunkSpanMS {
			start = chunkStart(t)
			b.runs = append(b.runs, run{pool: cur, start: start})
			ends = append(ends, len(arena))
		}
		arena = append(arena, entry{t, toMicro(r.Price)})
	}
	// Each run's capacity ends at its length, so that appending to it
	// copies instead of overwriting the next run.
	ends = append(ends[1:], len(arena))
	from := 0
	for i, to := range ends {
		b.runs[i].es = arena[from:to:to]
		from = to
	}
	return b, nil
}

// AddBatch queues b's records; b belongs to the Ingest from then on.
func (in *Ingest) AddBatch(b *Batch) error {
	if in.err != nil {
		return in.err
	}
	ids, err := in.poolIDs(b.pools)
	if err != nil {
		in.err = err
		return err
	}
	for _, r := range b.runs {
		k := chunkKey{ids[r.pool], r.start}
		// A chunk's first run is queued as it is.
		if q, ok := in.queued[k]; ok {
			in.queued[k] = append(q, r.es...)
		} else {
			in.queued[k] = r.es
		}
	}
	return nil
}

// Flush writes every queued chunk that ends at or before before: the
// caller's promise that no later Add holds a record of those chunks
// (breaking it costs a re-read, not a lost record).
func (in *Ingest) Flush(before time.Time) error {
	return in.flush(ms(before))
}

func (in *Ingest) flush(before int64) error {
	if in.err == nil {
		in.err = in.writeBefore(before)
	}
	return in.err
}

func (in *Ingest) writeBefore(before int64) error {
	var keys []chunkKey
	for k := range in.queued {
		if k.start <= before-chunkSpanMS {
			keys = append(keys, k)
		}
	}
	// In key order, the B-tree's order: each insert lands next to the last.
	slices.SortFunc(keys, func(a, b chunkKey) int {
		return cmp.Or(cmp.Compare(a.pool, b.pool), cmp.Compare(a.start, b.start))
	})
	for _, k := range keys {
		if err := in.write(k, in.queued[k]); err != nil {
			return err
		}
		delete(in.queued, k)
	}
	return in.insert()
}

// write merges one chunk's new entries with its stored ones and queues
// the result for insert. The read is skipped when the chunk cannot exist:
// its pool was created in this transaction and the chunk not yet written.
func (in *Ingest) write(k chunkKey, add []entry) error {
	old := in.old[:0]
	if !in.fresh[k.pool] || in.written[k] {
		if in.written[k] {
			// It may still wait in the pending insert.
			if err := in.insert(); err != nil {
				return err
			}
		}
		var data []byte
		switch err := in.get.QueryRowContext(in.ctx, k.pool, k.start).Scan(&data); {
		case err == sql.ErrNoRows:
		case err != nil:
			return fmt.Errorf("cache: %w", err)
		default:
			if old, err = decodeChunk(old, data); err != nil {
				return fmt.Errorf("cache: pool %d chunk %d: %w", k.pool, k.start, err)
			}
		}
	}
	in.old = old
	merged, n := mergeEntries(old, add, in.keepStored)
	in.added += n
	from := len(in.blobs)
	in.blobs = encodeChunk(in.blobs, merged)
	first, last := merged[0], merged[len(merged)-1]
	in.args = append(in.args, k.pool, k.start, first.ms, last.ms, len(merged), in.blobs[from:len(in.blobs):len(in.blobs)])
	in.written[k] = true
	if l, ok := in.last[k.pool]; !ok || last.ms >= l.ms {
		in.last[k.pool] = last
	}
	if testHookChunkWritten != nil {
		testHookChunkWritten()
	}
	if len(in.args) == 6*rowsPerInsert {
		return in.insert()
	}
	return nil
}

// insert writes the chunks queued by write.
func (in *Ingest) insert() error {
	n := len(in.args) / 6
	if n == 0 {
		return nil
	}
	const put = `INSERT OR REPLACE INTO chunks (pool_id, chunk_start, first_ms, last_ms, n, data) VALUES `
	var err error
	if n == rowsPerInsert {
		if in.putFull == nil {
			if in.putFull, err = in.tx.PrepareContext(in.ctx, put+values(6, n)); err != nil {
				return fmt.Errorf("cache: %w", err)
			}
		}
		_, err = in.putFull.ExecContext(in.ctx, in.args...)
	} else {
		_, err = in.tx.ExecContext(in.ctx, put+values(6, n), in.args...)
	}
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	// The driver copied the blobs while binding.
	in.args, in.blobs = in.args[:0], in.blobs[:0]
	return nil
}

// values is n parenthesised groups of cols placeholders.
func values(cols, n int) string {
	row := "(" + placeholders(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// Commit writes what is queued, updates the pools' newest records and
// commits. It returns how many (pool, time) pairs were new.
func (in *Ingest) Commit() (int, error) {
	if in.done {
		return 0, fmt.Errorf("cache: ingest already ended")
	}
	defer in.Rollback()
	if err := in.flush(math.MaxInt64); err != nil {
		return 0, err
	}
	if err := in.setLast(); err != nil {
		return 0, err
	}
	if err := in.tx.Commit(); err != nil {
		return 0, fmt.Errorf("cache: %w", err)
	}
	// Only committed pools may be remembered: a rolled back one is gone.
	in.s.mu.Lock()
	for p, id := range in.ids {
		in.s.poolIDs[p] = id
	}
	in.s.mu.Unlock()
	return in.added, nil
}

// Rollback ends the transaction without keeping anything; after Commit it
// does nothing.
func (in *Ingest) Rollback() {
	if in.done {
		return
	}
	in.done = true
	in.tx.Rollback() // closes the prepared statements too
	in.s.releaseConn(in.conn, in.cacheSize)
	in.s.wmu.Unlock()
}

// ingestCacheKiB is SQLite's page cache for a write transaction. A month of
// every pool of a region lands between the months before and after it in
// the chunks B-tree, so an import dirties pages all over it; with the
// default 2 MB cache SQLite spilled each such page to the WAL again and
// again before the commit. Pages are allocated as they are used.
const ingestCacheKiB = 64 << 10

// writeConn takes a connection for a write transaction with a page cache
// of ingestCacheKiB, and returns the cache size to restore.
func (s *Store) writeConn(ctx context.Context) (*sql.Conn, int64, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("cache: %w", err)
	}
	var size int64
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&size); err != nil {
		conn.Close()
		return nil, 0, fmt.Errorf("cache: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -ingestCacheKiB)); err != nil {
		conn.Close()
		return nil, 0, fmt.Errorf("cache: %w", err)
	}
	return conn, size, nil
}

// releaseConn gives the pool its connection back with its old cache size,
// so the readers that use it next do not hold 64 MB each.
func (s *Store) releaseConn(conn *sql.Conn, size int64) {
	conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA cache_size = %d", size))
	conn.Close()
}

// setLast moves each written pool's newest record forward, a batch of
// pools per statement.
func (in *Ingest) setLast() error {
	args := make([]any, 0, 3*rowsPerInsert)
	flush := func() error {
		n := len(args) / 3
		if n == 0 {
			return nil
		}
		q := `UPDATE pools SET last_ms = v.column2, last_price = v.column3
			FROM (VALUES ` + values(3, n) + `) AS v
			WHERE pools.id = v.column1 AND (pools.last_ms IS NULL OR pools.last_ms <= v.column2)`
		if _, err := in.tx.ExecContext(in.ctx, q, args...); err != nil {
			return fmt.Errorf("cache: %w", err)
		}
		args = args[:0]
		return nil
	}
	for id, e := range in.last {
		args = append(args, id, e.ms, e.micro)
		if len(args) == cap(args) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// poolIDs returns the ids of pools, creating the missing ones in this
// transaction.
func (in *Ingest) poolIDs(pools []market.Pool) ([]int64, error) {
	ids := make([]int64, len(pools))
	var missing []int
	in.s.mu.Lock()
	for i, p := range pools {
		if id, ok := in.ids[p]; ok {
			ids[i] = id
		} else if id, ok := in.s.poolIDs[p]; ok {
			ids[i] = id
			in.ids[p] = id
		} else {
			missing = append(missing, i)
		}
	}
	in.s.mu.Unlock()
	if len(missing) == 0 {
		return ids, nil
	}
	if err := in.loadPools(pools, missing); err != nil {
		return nil, err
	}
	var create []market.Pool
	for _, i := range missing {
		if _, ok := in.ids[pools[i]]; !ok {
			create = append(create, pools[i])
		}
	}
	for len(create) > 0 {
		n := min(len(create), rowsPerInsert)
		if err := in.createPools(create[:n]); err != nil {
			return nil, err
		}
		create = create[n:]
	}
	for _, i := range missing {
		ids[i] = in.ids[pools[i]]
	}
	return ids, nil
}

// loadPools finds the stored ones among pools[missing]. A few are looked up
// one by one; many (a first fetch of a region in a new process, an
// import) are read with one scan of their regions.
func (in *Ingest) loadPools(pools []market.Pool, missing []int) error {
	scan := func(q string, args ...any) error {
		rows, err := in.tx.QueryContext(in.ctx, q, args...)
		if err != nil {
			return fmt.Errorf("cache: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var p market.Pool
			if err := rows.Scan(&id, &p.Region, &p.AvailabilityZone, &p.InstanceType, &p.Product); err != nil {
				return fmt.Errorf("cache: %w", err)
			}
			in.ids[p] = id
		}
		return rows.Err()
	}
	const sel = `SELECT id, region, az, instance_type, product FROM pools WHERE region = ?`
	if len(missing) <= 16 {
		for _, i := range missing {
			p := pools[i]
			if in.scanned[p.Region] {
				continue // not stored: the scan would have found it
			}
			if err := scan(sel+` AND az = ? AND instance_type = ? AND product = ?`, p.Region, p.AvailabilityZone, p.InstanceType, p.Product); err != nil {
				return err
			}
		}
		return nil
	}
	for _, i := range missing {
		if r := pools[i].Region; !in.scanned[r] {
			if err := scan(sel, r); err != nil {
				return err
			}
			in.scanned[r] = true
		}
	}
	return nil
}

// createPools inserts pools, none of them stored, in one statement. The
// transaction holds the write lock from its start, so the ids after the
// largest stored one are free: naming them saves reading them back.
func (in *Ingest) createPools(pools []market.Pool) error {
	if in.nextID == 0 {
		if err := in.tx.QueryRowContext(in.ctx, `SELECT coalesce(max(id), 0) + 1 FROM pools`).Scan(&in.nextID); err != nil {
			return fmt.Errorf("cache: %w", err)
		}
	}
	args := make([]any, 0, 5*len(pools))
	for i, p := range pools {
		args = append(args, in.nextID+int64(i), p.Region, p.AvailabilityZone, p.InstanceType, p.Product)
	}
	if _, err := in.tx.ExecContext(in.ctx, `INSERT INTO pools (id, region, az, instance_type, product) VALUES `+values(5, len(pools)), args...); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	for _, p := range pools {
		in.ids[p] = in.nextID
		in.fresh[in.nextID] = true
		in.nextID++
	}
	return nil
}
