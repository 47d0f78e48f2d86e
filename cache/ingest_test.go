package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

// ingestRecords is history of pools pools over about 200 days: unsorted,
// with exact duplicates (so that any split of it stores the same) and a
// few prices per pool, as AWS answers.
func ingestRecords(pools, n int) []market.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	recs := make([]market.Record, 0, n)
	for len(recs) < n {
		p := market.Pool{Region: []string{"sa-east-1", "eu-west-1"}[rng.IntN(2)],
			InstanceType: "m5.large", Product: market.LinuxUNIX}
		k := rng.IntN(pools)
		p.AvailabilityZone = fmt.Sprintf("%s%c", p.Region, 'a'+k%3)
		p.InstanceType = fmt.Sprintf("t%d.large", k/3)
		h := rng.IntN(200 * 24)
		r := market.Record{Pool: p, Time: at(h).Add(time.Duration(k) * time.Minute), Price: float64(h%7+k) / 100}
		recs = append(recs, r)
		if rng.IntN(10) == 0 {
			recs = append(recs, r)
		}
	}
	return recs
}

// chunkDump is what a cache holds, by pool key rather than id (ids differ
// from cache to cache): every chunk row with its blob, and every pool's
// newest record.
func chunkDump(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT p.region, p.az, p.instance_type, p.product, c.chunk_start, c.first_ms, c.last_ms, c.n, hex(c.data)
		FROM chunks c JOIN pools p ON p.id = c.pool_id ORDER BY 1, 2, 3, 4, 5`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p market.Pool
		var start, first, last, n int64
		var data string
		if err := rows.Scan(&p.Region, &p.AvailabilityZone, &p.InstanceType, &p.Product, &start, &first, &last, &n, &data); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(p, start, first, last, n, data))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	latest, err := s.Latest(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range latest {
		out = append(out, fmt.Sprint(l))
	}
	return out
}

// distinctChunks is how many chunks recs fill.
func distinctChunks(recs []market.Record) int {
	type key struct {
		p market.Pool
		c int64
	}
	seen := map[key]bool{}
	for _, r := range recs {
		seen[key{r.Pool, chunkStart(ms(r.Time))}] = true
	}
	return len(seen)
}

func distinctTimes(recs []market.Record) int {
	type key struct {
		p market.Pool
		t int64
	}
	seen := map[key]bool{}
	for _, r := range recs {
		seen[key{r.Pool, ms(r.Time)}] = true
	}
	return len(seen)
}

// The write path's shortcuts (no read for a chunk of a pool created in the
// transaction, a chunk written once per Ingest when fed in time order,
// pools read with one scan per region) must store exactly what the plain
// read-merge-write of every chunk stores.
func TestIngestPathsStoreTheSame(t *testing.T) {
	ctx := context.Background()
	// More pools and chunks than one INSERT writes, and more new pools than
	// are looked up one by one.
	recs := ingestRecords(150, 20000)
	wantAdded := distinctTimes(recs)
	ref := openTemp(t)
	if n, err := ref.ImportRecords(ctx, recs); err != nil || n != wantAdded {
		t.Fatalf("fresh import: %d, %v; want %d", n, err, wantAdded)
	}
	want := chunkDump(t, ref)

	byTime := slices.Clone(recs)
	slices.SortStableFunc(byTime, func(a, b market.Record) int { return a.Time.Compare(b.Time) })
	// pieces splits rs into n runs.
	pieces := func(rs []market.Record, n int) [][]market.Record {
		var out [][]market.Record
		for i := 0; i < n; i++ {
			out = append(out, rs[i*len(rs)/n:(i+1)*len(rs)/n])
		}
		return out
	}
	// ingest feeds ps to one Ingest, storing up to each piece's end when
	// inOrder (the archive import's way), else storing everything queued
	// after each piece, so later pieces re-read chunks written in the
	// same transaction.
	ingest := func(s *Store, ps [][]market.Record, inOrder bool) (int, error) {
		in, err := s.BeginImport(ctx)
		if err != nil {
			return 0, err
		}
		defer in.Rollback()
		for _, p := range ps {
			if err := in.Add(p); err != nil {
				return 0, err
			}
			before := time.UnixMilli(1 << 60)
			if inOrder {
				before = p[len(p)-1].Time // the next piece may share its time
			}
			if err := in.Flush(before); err != nil {
				return 0, err
			}
		}
		return in.Commit()
	}
	for _, tc := range []struct {
		name       string
		run        func(t *testing.T, s *Store) (int, error)
		chunkWrite int // how many chunk writes, when it is known
	}{
		{"merge: several imports, shuffled pieces", func(t *testing.T, s *Store) (int, error) {
			shuffled := slices.Clone(recs)
			rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			total := 0
			for _, p := range pieces(shuffled, 5) {
				n, err := s.ImportRecords(ctx, p)
				if err != nil {
					return 0, err
				}
				total += n
			}
			return total, nil
		}, 0},
		{"one ingest fed in time order", func(t *testing.T, s *Store) (int, error) {
			return ingest(s, pieces(byTime, 7), true)
		}, distinctChunks(recs)},
		{"one ingest fed out of order", func(t *testing.T, s *Store) (int, error) {
			ps := pieces(byTime, 7)
			slices.Reverse(ps)
			return ingest(s, ps, false)
		}, 0},
		{"pools stored by another process", func(t *testing.T, s *Store) (int, error) {
			half := len(recs) / 2
			n1, err := s.ImportRecords(ctx, recs[:half])
			if err != nil {
				return 0, err
			}
			// A new Store knows no pool ids: it reads them from the file.
			again, err := Open(ctx, filepath.Dir(s.path))
			if err != nil {
				return 0, err
			}
			defer again.Close()
			n2, err := again.ImportRecords(ctx, recs[half:])
			return n1 + n2, err
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			writes := 0
			testHookChunkWritten = func() { writes++ }
			n, err := tc.run(t, s)
			testHookChunkWritten = nil
			if err != nil || n != wantAdded {
				t.Fatalf("added %d, %v; want %d", n, err, wantAdded)
			}
			if tc.chunkWrite != 0 && writes != tc.chunkWrite {
				t.Errorf("%d chunk writes, want %d: a chunk was written twice", writes, tc.chunkWrite)
			}
			if got := chunkDump(t, s); !slices.Equal(got, want) {
				t.Errorf("cache differs from a fresh import: %d rows, want %d", len(got), len(want))
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Errorf("first difference:\n got %s\nwant %s", got[i], want[i])
						break
					}
				}
			}
			// A second import adds nothing and changes nothing.
			if n, err := s.ImportRecords(ctx, recs); err != nil || n != 0 {
				t.Errorf("second import added %d, %v", n, err)
			}
			if got := chunkDump(t, s); !slices.Equal(got, want) {
				t.Error("second import changed the cache")
			}
		})
	}
}

// An Ingest that is not committed leaves nothing behind, not even its
// pools, and frees the write lock for the next writer.
func TestIngestRollback(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if _, err := s.AddRecords(ctx, []market.Record{rec(poolA, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	want := chunkDump(t, s)
	in, err := s.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Add(ingestRecords(100, 2000)); err != nil {
		t.Fatal(err)
	}
	if err := in.Flush(at(100 * 24)); err != nil {
		t.Fatal(err)
	}
	in.Rollback()
	in.Rollback() // a second call does nothing
	if _, err := in.Commit(); err == nil {
		t.Error("Commit after Rollback succeeded")
	}
	if got := chunkDump(t, s); !slices.Equal(got, want) {
		t.Errorf("rolled back ingest left %d rows, want %d", len(got), len(want))
	}
	// The pools the rollback dropped are created again, under free ids.
	recs := ingestRecords(100, 2000)
	if n, err := s.AddRecords(ctx, recs); err != nil || n != distinctTimes(recs) {
		t.Fatalf("after rollback: %d, %v; want %d", n, err, distinctTimes(recs))
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Records != int64(distinctTimes(recs))+1 {
		t.Errorf("%d records, want %d", info.Records, distinctTimes(recs)+1)
	}
}

// Add refuses a bad record before anything of it is queued.
func TestIngestRefusesBadRecords(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	in, err := s.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Rollback()
	if err := in.Add([]market.Record{rec(poolA, 1, 1), {Pool: poolB, Price: 1}}); err == nil {
		t.Error("a record without a time was accepted")
	}
	if err := in.Add(nil); err != nil {
		t.Errorf("no records: %v", err)
	}
	if n, err := in.Commit(); err != nil || n != 0 {
		t.Errorf("commit after a refused Add: %d, %v; want nothing stored", n, err)
	}
}

// After a failed write an Ingest commits nothing, even if asked to.
func TestIngestFailureIsFinal(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	in, err := s.BeginImport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Rollback()
	if err := in.Add(ingestRecords(10, 500)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := in.Flush(at(1 << 20)); err == nil {
		t.Fatal("Flush with a cancelled context succeeded")
	}
	if n, err := in.Commit(); err == nil {
		t.Fatalf("Commit after a failed Flush stored %d records", n)
	}
	if got := chunkDump(t, s); len(got) != 0 {
		t.Errorf("the cache holds %d rows after a failed ingest", len(got))
	}
	// The write lock is free again.
	if _, err := s.AddRecords(context.Background(), []market.Record{rec(poolA, 1, 1)}); err != nil {
		t.Fatal(err)
	}
}
