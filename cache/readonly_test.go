package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/spotscope/spotscope/market"
)

// Two read-only readers share a cache with a writer: each sees the writer's
// commits, and neither can write.
func TestOpenReadOnlySharesWithWriter(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "c")
	w, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.AddRecords(ctx, []market.Record{rec(poolA, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	var readers []*Store
	for range 2 {
		r, err := OpenReadOnly(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		readers = append(readers, r)
	}
	if _, err := w.AddRecords(ctx, []market.Record{rec(poolB, 1, 2)}); err != nil {
		t.Fatal(err)
	}
	for i, r := range readers {
		rows, err := r.Latest(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Errorf("reader %d sees %d pools, want 2 (the writer's second commit)", i, len(rows))
		}
		if _, err := r.AddRecords(ctx, []market.Record{rec(poolA, 5, 3)}); err == nil {
			t.Errorf("reader %d wrote to a read-only cache", i)
		}
	}
	if pts, err := w.Series(ctx, poolA, at(0), at(9)); err != nil || len(pts) != 1 {
		t.Errorf("the readers' refused writes changed the cache: %v, %v", pts, err)
	}
}

func TestOpenReadOnlyRefuses(t *testing.T) {
	ctx := context.Background()
	if _, err := OpenReadOnly(ctx, t.TempDir()); !errors.Is(err, ErrNoCache) {
		t.Errorf("missing file: got %v, want ErrNoCache", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("not a database, just some text that is long enough"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(ctx, dir); !errors.Is(err, ErrNotACache) {
		t.Errorf("text file: got %v, want ErrNotACache", err)
	}
	// A cache whose writer has closed (no -wal or -shm left) opens too.
	closed := filepath.Join(t.TempDir(), "c")
	w, err := Open(ctx, closed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddRecords(ctx, []market.Record{rec(poolA, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	r, err := OpenReadOnly(ctx, closed)
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := r.Latest(ctx, Filter{}); err != nil || len(rows) != 1 {
		t.Errorf("closed cache read-only: %v, %v", rows, err)
	}
	r.Close()
	// An empty SQLite file (no schema yet) cannot be initialised read-only.
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, FileName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(ctx, empty); err == nil {
		t.Error("empty file opened read-only without a schema")
	}
}
