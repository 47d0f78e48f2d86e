package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "c"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var poolA = market.Pool{Region: "sa-east-1", AvailabilityZone: "sa-east-1a", InstanceType: "m5.large", Product: market.LinuxUNIX}
var poolB = market.Pool{Region: "sa-east-1", AvailabilityZone: "sa-east-1b", InstanceType: "c5.large", Product: market.LinuxUNIX}

var t0 = time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)

func at(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

func rec(p market.Pool, h int, price float64) market.Record {
	return market.Record{Pool: p, Time: at(h), Price: price}
}

func TestOpenPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AddRecords(context.Background(), []market.Record{rec(poolA, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	s.chmodFiles()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", fi.Mode().Perm())
	}
	for _, suf := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(s.Path() + suf)
		if err != nil {
			if suf == "" {
				t.Fatal(err)
			}
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", suf, fi.Mode().Perm())
		}
	}
	if s.Path() != filepath.Join(dir, FileName) {
		t.Errorf("path %s", s.Path())
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("SPOTSCOPE_CACHE_DIR", "/x/y")
	if d, _ := DefaultDir(); d != "/x/y" {
		t.Errorf("DefaultDir = %q", d)
	}
	t.Setenv("SPOTSCOPE_CACHE_DIR", "")
	d, err := DefaultDir()
	if err == nil && filepath.Base(d) != "spotscope" {
		t.Errorf("DefaultDir = %q", d)
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRecords(ctx, []market.Record{rec(poolA, 0, 1.5)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pts, err := s.Series(ctx, poolA, at(0), at(1))
	if err != nil || len(pts) != 1 || pts[0].Price != 1.5 {
		t.Fatalf("Series = %v, %v", pts, err)
	}
}

func TestOpenBadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	garbage := write("garbage.db", []byte(strings.Repeat("this is not a database\n", 500)))
	truncatedHeader := write("header.db", []byte("SQLite format 3\x00garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage"))

	// Another application's database, with and without an application id.
	foreign := filepath.Join(dir, "foreign.db")
	other := filepath.Join(dir, "other.db")
	newer := filepath.Join(dir, "newer.db")
	for _, p := range []string{foreign, other, newer} {
		s, err := OpenFile(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var q string
		switch p {
		case foreign:
			q = "PRAGMA application_id=1234"
		case other:
			q = "PRAGMA application_id=0"
		case newer:
			q = "PRAGMA user_version=99"
		}
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}

	for _, tc := range []struct {
		path string
		want error
	}{
		{garbage, ErrNotACache},
		{truncatedHeader, ErrNotACache},
		{foreign, ErrForeign},
		{other, ErrForeign},
		{newer, ErrTooNew},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			before, _ := os.ReadFile(tc.path)
			s, err := OpenFile(ctx, tc.path)
			if err == nil {
				s.Close()
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.path) || !strings.Contains(msg, "spotscope cache reset") {
				t.Errorf("message lacks path or hint: %s", msg)
			}
			if after, _ := os.ReadFile(tc.path); string(after) != string(before) {
				t.Errorf("refused file was modified")
			}
			moved, err := Reset(tc.path, t0)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(moved, tc.path+".broken-20200301T000000Z") {
				t.Errorf("moved to %s", moved)
			}
			if _, err := os.Stat(moved); err != nil {
				t.Error(err)
			}
			s, err = OpenFile(ctx, tc.path)
			if err != nil {
				t.Fatalf("after reset: %v", err)
			}
			s.Close()
		})
	}
}

func TestResetMovesWALAndNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, FileName)
	for _, suf := range []string{"", "-wal", "-shm"} {
		os.WriteFile(p+suf, []byte("x"+suf), 0o600)
	}
	m1, err := Reset(p, t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, suf := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(m1 + suf); err != nil || string(b) != "x"+suf {
			t.Errorf("%s: %q %v", m1+suf, b, err)
		}
		if exists(p + suf) {
			t.Errorf("%s still there", p+suf)
		}
	}
	os.WriteFile(p, []byte("second"), 0o600)
	m2, err := Reset(p, t0)
	if err != nil || m2 == m1 {
		t.Fatalf("second reset: %s %v", m2, err)
	}
	if b, _ := os.ReadFile(m1); string(b) != "x" {
		t.Error("first moved file overwritten")
	}
	if _, err := Reset(filepath.Join(dir, "missing"), t0); err == nil {
		t.Error("reset of a missing file succeeded")
	}
}

func TestMigrationsRecorded(t *testing.T) {
	s := openTemp(t)
	var app, v int
	var mode string
	s.db.QueryRow("PRAGMA application_id").Scan(&app)
	s.db.QueryRow("PRAGMA user_version").Scan(&v)
	s.db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if app != applicationID || v != len(migrations) || mode != "wal" {
		t.Errorf("application_id %#x user_version %d journal %s", app, v, mode)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if s, err := Open(ctx, t.TempDir()); err == nil {
		s.Close()
		t.Error("Open with a cancelled context succeeded")
	}
	if s, err := OpenFile(context.Background(), filepath.Join(t.TempDir(), "missing", "x.db")); err == nil {
		s.Close()
		t.Error("OpenFile in a missing directory succeeded")
	}
	// A name with DSN metacharacters is a file name, not a query.
	p := filepath.Join(t.TempDir(), "a?b#c%d.db")
	s, err := OpenFile(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if !exists(p) {
		t.Errorf("%s not created", p)
	}
}
