package archive

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market/demo"
)

func TestRoundTripDemoDir(t *testing.T) {
	ctx := context.Background()
	src := demoStore(t)
	want := takeSnapshot(t, src)
	loc := Dir(t.TempDir())
	res, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != want.Records || res.Manifest.Rows != want.Records || res.Written != res.Partitions || res.Partitions == 0 {
		t.Fatalf("export: %+v, want %d rows in fresh partitions", res, want.Records)
	}
	dst := openStore(t)
	ir, err := Import(ctx, dst, loc, ImportOptions{Source: string(loc), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if ir.New != int(want.Records) || ir.Rows != want.Records {
		t.Fatalf("import: %+v, want %d new", ir, want.Records)
	}
	sameSnapshot(t, takeSnapshot(t, dst), want)
	t.Logf("%d records, %d partitions, %d bytes: %.2f bytes/record", res.Rows, res.Partitions, res.Bytes, float64(res.Bytes)/float64(res.Rows))
}

// A region bigger than one transaction is stored a few whole partitions
// per transaction: the chunks that straddle two transactions are merged,
// and the cache ends up the same as from one transaction; a second
// import adds nothing.
func TestImportAcrossTransactions(t *testing.T) {
	ctx := context.Background()
	src := demoStore(t)
	want := takeSnapshot(t, src)
	loc := Dir(t.TempDir())
	if _, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	defer func(n int64) { importBatch = n }(importBatch)
	importBatch = want.Records / 4
	dst := openStore(t)
	ir, err := Import(ctx, dst, loc, ImportOptions{Source: string(loc), Now: fixedNow})
	if err != nil || ir.New != int(want.Records) || ir.Rows != want.Records || ir.Partitions != len(ir.Manifest.Partitions) {
		t.Fatalf("import: %+v, %v; want %d new", ir, err, want.Records)
	}
	sameSnapshot(t, takeSnapshot(t, dst), want)
	again, err := Import(ctx, dst, loc, ImportOptions{Source: string(loc), Now: fixedNow})
	if err != nil || again.New != 0 || again.Rows != want.Records {
		t.Fatalf("second import: %+v, %v; want 0 new", again, err)
	}
	sameSnapshot(t, takeSnapshot(t, dst), want)
}

// An export from a cache that pruned old history keeps the archive's
// history: months are merged, never replaced by less.
func TestExportFromAPrunedCacheLosesNothing(t *testing.T) {
	ctx := context.Background()
	src := demoStore(t)
	loc := Dir(t.TempDir())
	first, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Prune(ctx, time.Date(2020, 3, 15, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2020, 4, 2, 0, 0, 0, 0, time.UTC)
	addRecord(t, src, at)
	res, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 1 || res.Manifest.Rows != first.Manifest.Rows+1 {
		t.Fatalf("second export: %+v (archive rows %d, before %d)", res, res.Manifest.Rows, first.Manifest.Rows)
	}
	full := demoStore(t)
	addRecord(t, full, at)
	dst := openStore(t)
	if _, err := Import(ctx, dst, loc, ImportOptions{Source: "x", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	want := takeSnapshot(t, full)
	got := takeSnapshot(t, dst)
	// Coverage is the union; the pruned cache's is a subset of the full one.
	want.Coverage, got.Coverage = nil, nil
	sameSnapshot(t, got, want)
}

func TestExportWindowAndRegions(t *testing.T) {
	ctx := context.Background()
	src := demoStore(t)
	loc := Dir(t.TempDir())
	since := time.Date(2020, 2, 10, 0, 0, 0, 0, time.UTC)
	until := time.Date(2020, 4, 1, 0, 0, 0, 0, time.UTC)
	res, err := Export(ctx, src, loc, ExportOptions{Since: since, Until: until, Regions: []string{"sa-east-1"}, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	var months []string
	for _, p := range res.Manifest.Partitions {
		months = append(months, p.Month)
		if p.First.Before(since) || !p.Last.Before(until) {
			t.Errorf("partition %s spans %s..%s outside the window", p.Month, p.First, p.Last)
		}
	}
	if !reflect.DeepEqual(months, []string{"2020-02", "2020-03"}) {
		t.Errorf("months %v", months)
	}
	var want int64
	for _, r := range demo.AllRecords() {
		if !r.Time.Before(since) && r.Time.Before(until) {
			want++
		}
	}
	if res.Manifest.Rows != want {
		t.Errorf("rows %d, want %d", res.Manifest.Rows, want)
	}
	dst := openStore(t)
	if _, err := Import(ctx, dst, loc, ImportOptions{Source: "x", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	cov, _ := dst.AllCoverage(ctx)
	for _, c := range cov {
		if !c.Start.Equal(since) || !c.End.Equal(until) {
			t.Errorf("coverage %v not clipped to the window", c)
		}
	}
	// Another region selects nothing and leaves the archive as it was.
	other, err := Export(ctx, src, loc, ExportOptions{Regions: []string{"eu-west-1"}, Now: fixedNow})
	if err != nil || other.Written != 0 || other.Manifest.Rows != want {
		t.Errorf("export of an absent region: %+v, %v", other, err)
	}
}

// failingDir fails every Put after the first n, like a disk filling up or
// a killed process.
type failingDir struct {
	Dir
	mu sync.Mutex // export writes months concurrently
	n  int
}

func (f *failingDir) Put(ctx context.Context, key string, data []byte) error {
	f.mu.Lock()
	fail := f.n <= 0
	f.n--
	f.mu.Unlock()
	if fail {
		return errors.New("no space left on device")
	}
	return f.Dir.Put(ctx, key, data)
}

func TestInterruptedDirExportKeepsThePreviousManifest(t *testing.T) {
	ctx := context.Background()
	src := demoStore(t)
	loc := Dir(t.TempDir())
	if _, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	want := takeSnapshot(t, src)
	manifest, _ := loc.Get(ctx, ManifestKey)
	addRecord(t, src, time.Date(2020, 1, 5, 0, 0, 0, 0, time.UTC))
	addRecord(t, src, time.Date(2020, 5, 5, 0, 0, 0, 0, time.UTC))
	// One changed month is written, the other fails.
	if _, err := Export(ctx, src, &failingDir{Dir: loc, n: 1}, ExportOptions{Now: fixedNow}); err == nil {
		t.Fatal("no error")
	}
	if now, _ := loc.Get(ctx, ManifestKey); string(now) != string(manifest) {
		t.Fatal("manifest changed")
	}
	dst := openStore(t)
	if _, err := Import(ctx, dst, loc, ImportOptions{Source: "x"}); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, takeSnapshot(t, dst), want)
	// The next export completes (the failed one's file has the same
	// content-addressed name, so it is simply rewritten) and removes the
	// two replaced versions.
	res, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil || res.Written != 2 || res.Removed != 2 {
		t.Fatalf("export after the failure: %+v, %v (want 2 written, 2 replaced)", res, err)
	}
	keys, _ := loc.List(ctx)
	if len(keys) != len(res.Manifest.Partitions)+2 {
		t.Errorf("files %v, want the manifest, the coverage and %d partitions", keys, len(res.Manifest.Partitions))
	}
}

// A partition file that vanished (a concurrent export's clean-up, a manual
// delete) is rewritten by the next export even though the cache did not
// change.
func TestExportRepairsAMissingPartition(t *testing.T) {
	ctx := context.Background()
	src := demoStore(t)
	loc := Dir(t.TempDir())
	res, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	gone := res.Manifest.Partitions[2].Path
	if err := loc.Delete(ctx, []string{gone}); err != nil {
		t.Fatal(err)
	}
	again, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil || again.Written != 1 {
		t.Fatalf("repair: %+v, %v", again, err)
	}
	if _, err := loc.Get(ctx, gone); err != nil {
		t.Fatalf("%s not rewritten: %v", gone, err)
	}
}

func TestImportProgressEndsOnlyWhenStored(t *testing.T) {
	ctx := context.Background()
	loc, m := exportedDir(t)
	dst := openStore(t)
	var seen []Progress
	_, err := Import(ctx, dst, loc, ImportOptions{Source: "x", Progress: func(p Progress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	n := len(m.Partitions)
	if len(seen) != n+1 || seen[0].Done != 0 || seen[n].Done != n || seen[n].Rows != m.Rows {
		t.Fatalf("progress %+v, want 0..%d partitions ending with %d rows", seen, n, m.Rows)
	}
	for i := 1; i < n; i++ {
		if seen[i].Done != i || seen[i].Total != n || seen[i].Rows <= seen[i-1].Rows {
			t.Errorf("step %d: %+v", i, seen[i])
		}
	}
}
