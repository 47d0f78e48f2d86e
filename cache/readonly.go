package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spotscope/spotscope/market"
)

// ErrNoCache is returned by OpenReadOnly when the directory has no cache file.
var ErrNoCache = errors.New("no spotscope cache yet")

// OpenReadOnly opens dir/spotscope.db for reading only: a reader that must
// never write (an MCP server without --allow-fetch) cannot change the file,
// and any number of them share it with one writer through WAL. The file
// must exist and have the current schema, since a read-only connection can
// neither create nor migrate it.
func OpenReadOnly(ctx context.Context, dir string) (st *Store, err error) {
	path := filepath.Join(dir, FileName)
	defer func() {
		// As in OpenFile: a damaged file gives an error, never a panic.
		if r := recover(); r != nil {
			st, err = nil, fmt.Errorf("open cache %s: %v", path, r)
		}
	}()
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", path, ErrNoCache)
		}
		return nil, fmt.Errorf("open cache %s: %w", path, err)
	}
	dsn := "file:" + escapePath(path) +
		fmt.Sprintf("?mode=ro&_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()) +
		"&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open cache %s: %w", path, err)
	}
	s := &Store{db: db, path: path, poolIDs: map[market.Pool]int64{}}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		db.Close()
		return nil, s.classify(err)
	}
	var appID, version int
	err = tx.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID)
	if err == nil {
		err = tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	}
	if err != nil {
		tx.Rollback()
		db.Close()
		return nil, s.classify(err)
	}
	err = s.check(ctx, tx, appID, version)
	tx.Rollback()
	if err == nil && version != len(migrations) {
		err = fmt.Errorf("%s: the cache has schema version %d, this spotscope needs %d: run any spotscope command without read-only access once to upgrade it", path, version, len(migrations))
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
