package cache

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

// writeBatches is what a fetch does: batches of records for several pools,
// each batch one AddRecords call. Batch b writes hours [b*per, (b+1)*per)
// of every pool, so a reader can check it never sees half a batch.
func writeBatches(ctx context.Context, s *Store, tag string, batches, per int) error {
	for b := 0; b < batches; b++ {
		var recs []market.Record
		for z := 0; z < 4; z++ {
			p := market.Pool{Region: "eu-west-1", AvailabilityZone: fmt.Sprintf("eu-west-1%c", 'a'+z), InstanceType: tag, Product: market.LinuxUNIX}
			for h := b * per; h < (b+1)*per; h++ {
				recs = append(recs, rec(p, h, float64(h)/100))
			}
		}
		if _, err := s.AddRecords(ctx, recs); err != nil {
			return err
		}
	}
	return nil
}

// checkConsistent reads every pool of tag and fails when the pools disagree
// on how many batches they hold (a torn write) or a series is not whole.
func checkConsistent(ctx context.Context, s *Store, tag string, per int) (int, error) {
	ty, _ := market.NewTypeMatcher([]string{tag})
	counts := map[int]bool{}
	err := s.ScanSeries(ctx, Filter{Types: ty}, at(-1), at(1<<20), func(p market.Pool, ps []market.Point) error {
		if len(ps)%per != 0 {
			return fmt.Errorf("%v: %d points, not whole batches of %d", p, len(ps), per)
		}
		for i, pt := range ps {
			if !pt.Time.Equal(at(i)) {
				return fmt.Errorf("%v: point %d at %v", p, i, pt.Time)
			}
		}
		counts[len(ps)] = true
		return nil
	})
	if err != nil {
		return 0, err
	}
	if len(counts) > 1 {
		return 0, fmt.Errorf("pools disagree on the number of records: %v", counts)
	}
	for n := range counts {
		return n, nil
	}
	return 0, nil
}

func TestTwoStoresOneFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const batches, per = 20, 50
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- writeBatches(ctx, s, fmt.Sprintf("w%d.large", i), batches, per)
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	reads := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		for _, s := range []*Store{a, b} {
			for _, tag := range []string{"w0.large", "w1.large"} {
				if _, err := checkConsistent(ctx, s, tag, per); err != nil {
					t.Fatal(err)
				}
				reads++
			}
		}
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tag := range []string{"w0.large", "w1.large"} {
		n, err := checkConsistent(ctx, a, tag, per)
		if err != nil || n != batches*per {
			t.Errorf("%s: %d records per pool, %v; want %d", tag, n, err, batches*per)
		}
	}
	t.Logf("%d consistent reads during the writes", reads)
}

const helperEnv = "SPOTSCOPE_CACHE_TEST_HELPER"

// TestHelperProcess is not a test: TestSecondProcess runs the test binary
// again with helperEnv set, to write from another process as a cron fetch
// would.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	batches, _ := strconv.Atoi(os.Getenv(helperEnv + "_BATCHES"))
	ctx := context.Background()
	s, err := OpenFile(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := writeBatches(ctx, s, "proc.large", batches, 50); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(4)
	}
	os.Exit(0)
}

func TestSecondProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const batches, per = 30, 50
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+filepath.Join(dir, FileName), helperEnv+"_BATCHES="+strconv.Itoa(batches))
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	// Read and write from this process while the other one writes.
	deadline := time.After(60 * time.Second)
	ours := 0
	for {
		select {
		case err := <-waited:
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out.String())
			}
			n, err := checkConsistent(ctx, s, "proc.large", per)
			if err != nil || n != batches*per {
				t.Fatalf("after helper: %d records per pool, %v; want %d", n, err, batches*per)
			}
			t.Logf("%d batches written here while the helper wrote", ours)
			if n, err := checkConsistent(ctx, s, "here.large", per); err != nil || n != ours*per {
				t.Fatalf("own writes: %d, %v; want %d", n, err, ours*per)
			}
			return
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("helper did not finish\n%s", out.String())
		default:
		}
		if _, err := checkConsistent(ctx, s, "proc.large", per); err != nil {
			t.Fatal(err)
		}
		var recs []market.Record
		for z := 0; z < 4; z++ {
			p := market.Pool{Region: "eu-west-1", AvailabilityZone: fmt.Sprintf("eu-west-1%c", 'a'+z), InstanceType: "here.large", Product: market.LinuxUNIX}
			for h := ours * per; h < (ours+1)*per; h++ {
				recs = append(recs, rec(p, h, 1))
			}
		}
		if _, err := s.AddRecords(ctx, recs); err != nil {
			t.Fatal(err)
		}
		ours++
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// TestConcurrentCreate opens a new cache from several stores at once, as a
// TUI and a cron fetch starting together would: one migrates, the others
// wait on the write lock and find the schema in place.
func TestConcurrentCreate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const n = 4
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, dir)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			_, err = s.AddRecords(ctx, []market.Record{rec(poolA, i, float64(i))})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if pts, _ := s.Series(ctx, poolA, at(0), at(n)); len(pts) != n {
		t.Errorf("%d records, want %d", len(pts), n)
	}
}
