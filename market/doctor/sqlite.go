package doctor

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	// The same pure-Go driver the cache uses; importing it here adds nothing
	// to the binary.
	_ "modernc.org/sqlite"
)

// QuickCheck is the default CacheProbe: it opens the database read-only, so
// diagnosing never migrates or rewrites a cache, and runs PRAGMA quick_check.
// The cmd layer may wrap it to add a Summary from (*cache.Store).Info.
func QuickCheck(ctx context.Context, path string) (st CacheStatus, err error) {
	defer func() {
		// The driver is transpiled C; a damaged file must give an error,
		// never take the doctor down with it.
		if r := recover(); r != nil {
			st, err = CacheStatus{}, fmt.Errorf("sqlite: %v", r)
		}
	}()
	dsn := "file:" + strings.NewReplacer("?", "%3f", "#", "%23").Replace(path) +
		"?mode=ro&_pragma=" + url.QueryEscape("busy_timeout(2000)")
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return st, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check(5)")
	if err != nil {
		return st, err
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return st, err
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	st.QuickCheck = strings.Join(msgs, "; ")
	return st, nil
}
