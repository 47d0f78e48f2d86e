// Package cache is spotscope's local store: an SQLite file that keeps every
// spot price record ever fetched, so the history reaches back further than
// the 90 days AWS serves. Price series are stored per pool as compressed
// chunks of a fixed calendar span (see chunk.go), laid out for the two reads
// that matter: one pool over a window, and every pool of a region.
//
// Several processes may share one cache (a TUI reading while a cron job
// fetches): the file is in WAL mode with a busy timeout, and every write is
// a single transaction, so a reader sees either all of a write or none of it.
package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/spotscope/spotscope/market"
)

// FileName is the database file inside the cache directory.
const FileName = "spotscope.db"

// applicationID marks the file as spotscope's ("SPOT" in ASCII), so a cache
// path pointing at another program's SQLite file is refused, not migrated.
const applicationID = 0x53504f54

// busyTimeout is how long a statement waits for another process's write
// lock. A fetch transaction takes well under a second; ten seconds leaves
// room for a slow disk without hanging an interactive command for long.
const busyTimeout = 10 * time.Second

const resetHint = `run "spotscope cache reset" to move it aside`

// Errors returned by Open and OpenFile, wrapped with the path and a hint.
var (
	ErrNotACache = errors.New("not a spotscope cache: the file is not an SQLite database")
	ErrForeign   = errors.New("not a spotscope cache: the SQLite database belongs to another application")
	ErrTooNew    = errors.New("the cache was written by a newer spotscope")
)

// Store is an open cache. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string

	// poolIDs caches pool keys already in the file. Pools are never
	// deleted, so an id, once committed, stays valid for the store's life.
	mu      sync.Mutex
	poolIDs map[market.Pool]int64

	// wmu queues this process's writers. SQLite's busy handler is not
	// fair: with dozens of fetch workers writing pages, one could starve
	// past the busy timeout; in-process writers wait here instead, and
	// only other processes meet the busy timeout.
	wmu sync.Mutex
}

// DefaultDir is $SPOTSCOPE_CACHE_DIR, else the user cache directory's
// spotscope folder.
func DefaultDir() (string, error) {
	if d := os.Getenv("SPOTSCOPE_CACHE_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a cache directory (set SPOTSCOPE_CACHE_DIR): %w", err)
	}
	return filepath.Join(d, "spotscope"), nil
}

// Open opens or creates dir/spotscope.db, creating dir (0700) when missing.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := makeDir(dir); err != nil {
		return nil, err
	}
	return OpenFile(ctx, filepath.Join(dir, FileName))
}

func makeDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		// An existing directory may be shared (SPOTSCOPE_CACHE_DIR=/tmp);
		// its mode is the user's choice.
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create cache directory: %w", err)
	}
	// MkdirAll applies the umask; price history is not secret, but the
	// cached documents may be account-specific.
	return os.Chmod(dir, 0o700)
}

// OpenFile opens or creates the cache at path. The parent directory must
// exist.
func OpenFile(ctx context.Context, path string) (st *Store, err error) {
	defer func() {
		// The driver is transpiled C; a damaged file must give an error,
		// never take the whole program down.
		if r := recover(); r != nil {
			st, err = nil, fmt.Errorf("open cache %s: %v", path, r)
		}
	}()
	if err := createFile(path); err != nil {
		return nil, err
	}
	dsn := "file:" + escapePath(path) +
		fmt.Sprintf("?_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()) +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)" +
		// A write transaction takes the write lock at BEGIN, so two
		// writers queue on the busy timeout instead of one failing with
		// SQLITE_BUSY when it upgrades a read lock.
		"&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open cache %s: %w", path, err)
	}
	s := &Store{db: db, path: path, poolIDs: map[market.Pool]int64{}}
	// Processes opening a new cache at once meet while one switches the
	// file to WAL: SQLite answers SQLITE_BUSY there without waiting (it
	// would otherwise risk a deadlock), so wait and try again, up to the
	// busy timeout the rest of the cache honours.
	for delay, waited := 5*time.Millisecond, time.Duration(0); ; delay = min(delay*2, 200*time.Millisecond) {
		err := s.init(ctx)
		if err == nil {
			break
		}
		if !isBusy(err) || waited >= busyTimeout || ctx.Err() != nil {
			db.Close()
			return nil, err
		}
		time.Sleep(delay)
		waited += delay
	}
	s.chmodFiles()
	return s, nil
}

// escapePath keeps '?' and '#' in a file name from being read as the DSN's
// query.
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create cache %s: %w", path, err)
	}
	f.Close()
	return os.Chmod(path, 0o600)
}

// chmodFiles tightens the database and its WAL files, which SQLite creates
// with the umask's mode.
func (s *Store) chmodFiles() {
	for _, suf := range []string{"", "-wal", "-shm"} {
		_ = os.Chmod(s.path+suf, 0o600)
	}
}

// isBusy reports SQLite's "database is locked" answers.
func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// classify turns the driver's "not a database" into ErrNotACache.
func (s *Store) classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%s: %w; %s", s.path, ErrNotACache, resetHint)
		}
	}
	return fmt.Errorf("open cache %s: %w", s.path, err)
}

func (s *Store) init(ctx context.Context) error {
	// The mark, the version and the table count are read in one
	// transaction: read one by one, another process creating the cache
	// between the reads would make a new cache look foreign.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.classify(err)
	}
	err = s.checkIn(ctx, tx)
	tx.Rollback()
	if err != nil {
		return err
	}
	// Only now, with the file known to be ours or empty, change its
	// persistent journal mode.
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return s.classify(err)
	}
	return s.migrate(ctx)
}

// checkIn reads the file's mark and version inside tx and checks them.
func (s *Store) checkIn(ctx context.Context, tx *sql.Tx) error {
	var appID, version int
	if err := tx.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return s.classify(err)
	}
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.classify(err)
	}
	return s.check(ctx, tx, appID, version)
}

func (s *Store) check(ctx context.Context, tx *sql.Tx, appID, version int) error {
	switch {
	case appID == applicationID:
		if version > len(migrations) {
			return fmt.Errorf("%s: %w (schema version %d, this spotscope knows up to %d); upgrade spotscope, or %s",
				s.path, ErrTooNew, version, len(migrations), resetHint)
		}
		return nil
	case appID != 0:
		return fmt.Errorf("%s: %w (application_id %#x); %s", s.path, ErrForeign, appID, resetHint)
	}
	// No application id: only an empty database is ours to initialise.
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return s.classify(err)
	}
	if n > 0 || version != 0 {
		return fmt.Errorf("%s: %w (it has tables but no spotscope mark); %s", s.path, ErrForeign, resetHint)
	}
	return nil
}

// migrate applies the migrations the file lacks in one transaction, so two
// processes opening a new cache at once do not both create it, and a crash
// leaves the previous version.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.classify(err)
	}
	defer tx.Rollback()
	if err := s.checkIn(ctx, tx); err != nil {
		return err
	}
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.classify(err)
	}
	if version == len(migrations) {
		return nil
	}
	for v := version; v < len(migrations); v++ {
		if err := migrations[v](ctx, tx); err != nil {
			return fmt.Errorf("cache %s: migrate to schema version %d: %w", s.path, v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id=%d", applicationID)); err != nil {
		return fmt.Errorf("cache %s: %w", s.path, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version=%d", len(migrations))); err != nil {
		return fmt.Errorf("cache %s: %w", s.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cache %s: %w", s.path, err)
	}
	return nil
}

// migrations[i] takes the schema from version i to i+1. Append only; never
// edit a released migration.
var migrations = []func(context.Context, *sql.Tx) error{
	migrate1,
	migrate2,
}

// migrate2 adds two covering indexes for what a start reads. chunks_span:
// Info (the TUI's header, `cache info`, the MCP regions tool) sums the
// chunks' spans and counts per region, and without it read every chunk's
// page, blobs and all (60 ms for 1.2 M records). pools_latest: the TUI's
// first frame lists a region's pools with their newest records, which
// otherwise costs a table lookup per pool (half of the 20 ms for 5,000).
func migrate2(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE INDEX chunks_span ON chunks (pool_id, first_ms, last_ms, n)`,
		`CREATE INDEX pools_latest ON pools (region, az, instance_type, product, last_ms, last_price)`)
}

func migrate1(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		// last_ms/last_price duplicate the newest record so Latest reads
		// one small row per pool instead of decoding chunks.
		`CREATE TABLE pools (
			id            INTEGER PRIMARY KEY,
			region        TEXT NOT NULL,
			az            TEXT NOT NULL,
			instance_type TEXT NOT NULL,
			product       TEXT NOT NULL,
			last_ms       INTEGER,
			last_price    INTEGER,
			UNIQUE (region, az, instance_type, product)
		)`,
		// One row per pool and calendar span; data is encodeChunk's
		// format. WITHOUT ROWID clusters a pool's chunks in key order, so
		// a window is one range read.
		`CREATE TABLE chunks (
			pool_id     INTEGER NOT NULL REFERENCES pools(id),
			chunk_start INTEGER NOT NULL,
			first_ms    INTEGER NOT NULL,
			last_ms     INTEGER NOT NULL,
			n           INTEGER NOT NULL,
			data        BLOB NOT NULL,
			PRIMARY KEY (pool_id, chunk_start)
		) WITHOUT ROWID`,
		`CREATE TABLE zones (
			region TEXT NOT NULL,
			name   TEXT NOT NULL,
			id     TEXT NOT NULL,
			type   TEXT NOT NULL,
			state  TEXT NOT NULL,
			at_ms  INTEGER NOT NULL,
			PRIMARY KEY (region, name)
		) WITHOUT ROWID`,
		// Stored merged: no two intervals of a key overlap or touch.
		`CREATE TABLE coverage (
			region   TEXT NOT NULL,
			product  TEXT NOT NULL,
			scope    TEXT NOT NULL,
			start_ms INTEGER NOT NULL,
			end_ms   INTEGER NOT NULL,
			PRIMARY KEY (region, product, scope, start_ms)
		) WITHOUT ROWID`,
		`CREATE TABLE catalog (
			region     TEXT PRIMARY KEY,
			data       BLOB NOT NULL,
			fetched_ms INTEGER NOT NULL
		)`,
		`CREATE TABLE docs (
			key   TEXT PRIMARY KEY,
			data  BLOB NOT NULL,
			at_ms INTEGER NOT NULL
		)`,
		`CREATE TABLE meta (
			region        TEXT PRIMARY KEY,
			last_fetch_ms INTEGER NOT NULL
		)`,
	)
}

func execAll(ctx context.Context, tx *sql.Tx, stmts ...string) error {
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database. Uncommitted work does not exist: every
// method commits or rolls back before it returns.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Reset moves the cache file at path, and its -wal and -shm files, aside to
// path.broken-<UTC timestamp> and returns the new name of the main file. It
// never deletes: the user may want to recover or report the old file.
func Reset(path string, now time.Time) (string, error) {
	if _, err := os.Lstat(path); err != nil {
		return "", fmt.Errorf("reset cache: %w", err)
	}
	base := path + ".broken-" + now.UTC().Format("20060102T150405Z")
	to := base
	for i := 1; exists(to) || exists(to+"-wal") || exists(to+"-shm"); i++ {
		to = fmt.Sprintf("%s-%d", base, i)
	}
	// The WAL files first: a main file without its WAL is only missing
	// the last commits, while a WAL left behind would be applied to a
	// fresh database of the same name.
	for _, suf := range []string{"-wal", "-shm"} {
		if exists(path + suf) {
			if err := os.Rename(path+suf, to+suf); err != nil {
				return "", fmt.Errorf("reset cache: %w", err)
			}
		}
	}
	if err := os.Rename(path, to); err != nil {
		return "", fmt.Errorf("reset cache: %w", err)
	}
	return to, nil
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// ms is the stored form of a time. Millisecond precision is finer than the
// second-resolution timestamps AWS publishes; anything finer is dropped.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
