package awsapi

// A fetch that is stopped halfway and run again asks AWS again for at most
// a fifth of what it had received: coverage is recorded page by page and
// zone by zone. Two ways to stop it: a cancelled context (Ctrl-C), and a
// child process killed with SIGKILL while it writes the real cache, so no
// cleanup code runs at all.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/ec2fake"
)

// resumeReq is about a hundred pages of real records.
var resumeReq = Request{Regions: []string{demo.Region}, Days: 60, Products: []string{market.LinuxUNIX, market.Windows}}

// resumeOptions slow the fake a little so a fetch can be stopped midway;
// the limiter is off so that the plan does not depend on timing.
var resumeOptions = ec2fake.Options{Latency: 3 * time.Millisecond}

func spotPages(srv *ec2fake.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Action == "DescribeSpotPriceHistory" && r.Status == 200 {
			n++
		}
	}
	return n
}

// referencePages is what an uninterrupted fetch asks.
func referencePages(t *testing.T) int {
	e := newE2E(t, resumeOptions)
	e.f.Rate = -1
	if _, err := e.f.Fetch(context.Background(), resumeReq); err != nil {
		t.Fatal(err)
	}
	return spotPages(e.srv)
}

// checkResume checks the second run against the first. Records: of what
// the second run received, the part the store already had was asked again,
// and must be at most a fifth of what the first run stored. Pages, against
// an uninterrupted fetch: beyond what the first run left, the second may
// ask a fifth of the first's pages plus one part-filled last page per
// piece it plans.
func checkResume(t *testing.T, ref, first, second, stored int, sum Summary) {
	t.Helper()
	againRecs := sum.Records - sum.NewRecords
	againPages := first + second - ref
	t.Logf("uninterrupted %d pages; stopped after %d pages (%d records stored), resumed with %d pages in %d pieces: %d records and %d pages asked again",
		ref, first, stored, second, sum.Pieces, againRecs, againPages)
	if first < ref/4 || first > ref*3/4 {
		t.Fatalf("stopped after %d of %d pages: not halfway", first, ref)
	}
	if againRecs*5 > stored {
		t.Errorf("resume received %d records it had, more than a fifth of the %d stored", againRecs, stored)
	}
	if againPages*5 > first+5*sum.Pieces {
		t.Errorf("resume asked %d pages again, more than a fifth of the %d received plus %d part-filled ones", againPages, first, sum.Pieces)
	}
}

func TestE2EResumeAfterCancel(t *testing.T) {
	ref := referencePages(t)
	e := newE2E(t, resumeOptions)
	e.f.Rate = -1
	ctx, cancel := context.WithCancel(context.Background())
	e.f.Progress = func(p Progress) {
		if p.Pages >= ref/2 {
			cancel()
		}
	}
	if _, err := e.f.Fetch(ctx, resumeReq); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	first, stored := spotPages(e.srv), len(e.store.keys())
	e.f.Progress = nil
	sum, err := e.f.Fetch(context.Background(), resumeReq)
	if err != nil {
		t.Fatal(err)
	}
	checkResume(t, ref, first, spotPages(e.srv)-first, stored, sum)
	diffKeys(t, e.store.keys(), demoExpected(inProducts(resumeReq.Products...), resumeReq.Days))
	cov, _ := e.store.Coverage(context.Background(), demo.Region, market.Windows, ScopeAll)
	if len(cov) != 1 || !cov[0].End.Equal(demo.End().Truncate(time.Second)) {
		t.Errorf("coverage after the resume %v", cov)
	}
}

// The child side of TestE2EResumeAfterKill: fetch into the cache at
// $AWSAPI_KILL_CACHE from the fake at $AWSAPI_KILL_URL until killed.
func TestKillHelperProcess(t *testing.T) {
	dir, url := os.Getenv("AWSAPI_KILL_CACHE"), os.Getenv("AWSAPI_KILL_URL")
	if dir == "" {
		t.Skip("only run by TestE2EResumeAfterKill")
	}
	st, err := cache.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	f := &Fetcher{Client: NewClientFactory(testConfig(t, url)), Store: st, Now: demo.End, Rate: -1}
	if _, err := f.Fetch(context.Background(), resumeReq); err != nil {
		t.Fatal(err)
	}
	t.Fatal("the fetch ended before it was killed")
}

func TestE2EResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	ref := referencePages(t)
	// Slower than the in-process test: the child must still be fetching
	// when the parent sees half the pages served.
	srv := ec2fake.NewServer(ec2fake.DemoData(), ec2fake.Options{Latency: 20 * time.Millisecond})
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^TestKillHelperProcess$")
	// The child is killed before its cleanups run: its temporary
	// directories go inside one of ours, which ours removes.
	child.Env = append(os.Environ(), "AWSAPI_KILL_CACHE="+dir, "AWSAPI_KILL_URL="+srv.URL, "TMPDIR="+t.TempDir())
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait on the fake's state, not on a clock.
	for spotPages(srv) < ref/2 {
		time.Sleep(time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	first := spotPages(srv)

	st, err := cache.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f := &Fetcher{Client: NewClientFactory(testConfig(t, srv.URL)), Store: st, Now: demo.End, Rate: -1}
	sum, err := f.Fetch(context.Background(), resumeReq)
	if err != nil {
		t.Fatal(err)
	}
	checkResume(t, ref, first, spotPages(srv)-first, int(info.Records), sum)
	cov, err := st.Coverage(context.Background(), demo.Region, market.LinuxUNIX, ScopeAll)
	if err != nil || len(cov) != 1 {
		t.Errorf("coverage after the resume %v (%v)", cov, err)
	}
}
