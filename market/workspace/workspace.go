// Package workspace is one run's view of the market: the cache, the clock,
// the regions and, when allowed, AWS. It answers the read questions (prices,
// statistics, history) that the CLI, the TUI and the MCP server ask, fetching
// first what the cache lacks, so that no answer is computed in two places.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/demo"
)

// BadInput marks an error in what the user asked (a flag, a tool argument):
// the CLI exits 2 on it, the MCP server returns it as a tool error.
type BadInput struct{ Err error }

func (e BadInput) Error() string { return e.Err.Error() }
func (e BadInput) Unwrap() error { return e.Err }

// Badf formats a BadInput.
func Badf(format string, a ...any) error { return BadInput{fmt.Errorf(format, a...)} }

// IsBadInput reports whether err is (or wraps) a BadInput.
func IsBadInput(err error) bool {
	var b BadInput
	return errors.As(err, &b)
}

// Options say where the cache is and how the workspace may reach AWS.
type Options struct {
	// Dir is the cache directory (see CacheDir); the demo keeps its own file.
	Dir     string
	Demo    bool
	Offline bool
	// Regions asked for; empty means the SDK's own resolution (AWS_REGION,
	// the profile's region).
	Regions []string
	Profile string
	// MaxAge is how old cached data may be before a read fetches again.
	MaxAge time.Duration
	Now    func() time.Time
	Getenv func(string) string
	// Notes receives one-line remarks for the user ("using cached data: ...");
	// Progress and OnFetch, when set, watch fetches.
	Notes    io.Writer
	Progress func(awsapi.Progress)
	OnFetch  func(awsapi.Summary, error)
	// ReadOnly opens the cache for reading only (see openStore); it
	// implies Offline, as a fetch would have nowhere to write.
	ReadOnly bool
}

// Workspace is what one command run, TUI session or MCP server works with.
type Workspace struct {
	Store   *cache.Store
	Now     func() time.Time
	Regions []string
	Demo    bool
	Offline bool

	opts Options

	// mu guards the lazily loaded config and advisor data: the TUI and the
	// MCP server ask for them from several goroutines at once.
	mu      sync.Mutex
	cfg     *aws.Config
	cfgErr  error
	adv     *advisor.Data
	advProv advisor.Provenance

	lastFetch *FetchRun // guarded by mu
}

// CacheDir is the directory a run's cache lives in: dir when set, else the
// default (SPOTSCOPE_CACHE_DIR or the user cache directory); the demo keeps
// its own file in a subdirectory, so `--demo cache path|reset` act on it.
func CacheDir(dir string, demoData bool) (string, error) {
	if dir == "" {
		d, err := cache.DefaultDir()
		if err != nil {
			return "", fmt.Errorf("no cache directory: %w (set --cache-dir or SPOTSCOPE_CACHE_DIR)", err)
		}
		dir = d
	}
	if demoData {
		dir = filepath.Join(dir, "demo")
	}
	return dir, nil
}

// Open opens the workspace. With Demo it opens (and on first use fills) a
// separate demo cache, so demo data never mixes with real history.
func Open(ctx context.Context, o Options) (*Workspace, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.Notes == nil {
		o.Notes = io.Discard
	}
	w := &Workspace{Now: o.Now, Offline: o.Offline, opts: o}
	var err error
	if o.Demo {
		if err := checkDemoRegions(o.Regions); err != nil {
			return nil, err
		}
		w.Demo, w.Offline = true, true
		w.Now = demo.End
		w.Regions = []string{demo.Region}
		if w.Store, err = openDemoCache(ctx, o.Dir, o.Notes); err != nil {
			return nil, err
		}
		if o.ReadOnly {
			w.Store, err = reopenReadOnly(ctx, w.Store, o.Dir)
		}
		return w, err
	}
	if w.Store, err = openStore(ctx, o.Dir, o.ReadOnly); err != nil {
		return nil, err
	}
	w.Offline = w.Offline || o.ReadOnly
	w.Regions = o.Regions
	if len(w.Regions) == 0 {
		// The SDK's own resolution (AWS_REGION, AWS_DEFAULT_REGION, the
		// profile's region) reads only local files and the environment.
		if cfg, err := w.AWSConfig(ctx); err == nil && cfg.Region != "" {
			w.Regions = []string{cfg.Region}
		}
	}
	return w, nil
}

// Close closes the cache.
func (w *Workspace) Close() error {
	if w == nil || w.Store == nil {
		return nil
	}
	return w.Store.Close()
}

// Notes is where remarks for the user go.
func (w *Workspace) Notes() io.Writer { return w.opts.Notes }

// NeedRegions reports the usual fix when no region could be resolved.
func (w *Workspace) NeedRegions() error {
	if len(w.Regions) == 0 {
		if w.cfgErr != nil {
			// A broken profile, not a missing region, is the real problem.
			return w.cfgErr
		}
		return Badf("no region: pass --region (e.g. --region us-east-1) or set AWS_REGION")
	}
	return nil
}

// AWSConfig loads the SDK configuration once.
func (w *Workspace) AWSConfig(ctx context.Context) (aws.Config, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cfg == nil && w.cfgErr == nil {
		cfg, err := awsapi.LoadConfig(ctx, awsapi.Options{Profile: w.opts.Profile})
		w.cfg, w.cfgErr = &cfg, err
	}
	if w.cfgErr != nil {
		return aws.Config{}, w.cfgErr
	}
	return *w.cfg, nil
}

// Fetcher returns a fetcher ready to call AWS, after checking that there are
// credentials at all, so a missing setup fails in seconds with a fix.
func (w *Workspace) Fetcher(ctx context.Context) (*awsapi.Fetcher, error) {
	if w.Offline {
		return nil, errors.New("offline: not calling AWS")
	}
	cfg, err := w.AWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := awsapi.CheckCredentials(ctx, cfg); err != nil {
		return nil, err
	}
	return &awsapi.Fetcher{
		Client:   awsapi.NewClientFactory(cfg),
		Store:    w.Store,
		Now:      w.Now,
		Progress: w.opts.Progress,
	}, nil
}

// Refresh brings the cache up to date for a read over the last days of these
// types and products: it fetches when the cache's coverage has a gap, or ends
// more than MaxAge ago; never when offline. When AWS cannot be reached but
// the cache has records for the regions, it notes so and carries on with the
// cache; with nothing cached the error stands.
func (w *Workspace) Refresh(ctx context.Context, types, products []string, days int) error {
	if w.Offline {
		return nil
	}
	now := w.Now()
	from, to := now.Add(-time.Duration(days)*24*time.Hour), now.Add(-w.opts.MaxAge)
	// The fetcher never asks for what AWS no longer keeps (it clamps to
	// the retention with a margin), so neither does this check: a 90-day
	// read would otherwise see a gap at its start and fetch on every run.
	if oldest := awsapi.OldestFetchable(now); from.Before(oldest) {
		from = oldest
	}
	// The fetcher records coverage under the validated patterns, trimmed
	// and split: ask for the same scope, or a covered read fetches again.
	m, err := market.NewTypeMatcher(types)
	if err != nil {
		return BadInput{fmt.Errorf("--type: %w", err)}
	}
	types = m.Patterns()
	scope := awsapi.Scope(types)
	var stale []string
	for _, r := range w.Regions {
		for _, p := range products {
			ok, err := w.Covered(ctx, r, p, scope, from, to)
			if err != nil {
				return err
			}
			if !ok {
				stale = append(stale, r)
				break
			}
		}
	}
	if len(stale) == 0 {
		return nil
	}
	_, err = w.Fetch(ctx, awsapi.Request{Regions: stale, Types: types, Products: products, Days: days})
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	info, ierr := w.Store.Info(ctx)
	if ierr != nil {
		return err
	}
	cached := map[string]bool{}
	for _, ri := range info.Regions {
		cached[ri.Region] = ri.Records > 0
	}
	for _, r := range stale {
		if !cached[r] {
			return err
		}
	}
	fmt.Fprintf(w.opts.Notes, "spotscope: using cached data: %s\n", OneLine(err))
	return nil
}

// Covered reports whether the cache's coverage for the region, product and
// type scope (or for all types) spans [from, to] without a gap.
func (w *Workspace) Covered(ctx context.Context, region, product, scope string, from, to time.Time) (bool, error) {
	var ivs []market.Interval
	for _, sc := range []string{awsapi.ScopeAll, scope} {
		cov, err := w.Store.Coverage(ctx, region, product, sc)
		if err != nil {
			return false, err
		}
		ivs = append(ivs, cov...)
		if sc == scope {
			break
		}
	}
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].Start.Before(ivs[j].Start) })
	cur := from
	for _, iv := range ivs {
		if !iv.Start.After(cur) && iv.End.After(cur) {
			cur = iv.End
		}
	}
	return !cur.Before(to), nil
}

// Fetch runs a fetch (refreshing the catalog first when it is missing or
// old) and reports its summary to OnFetch.
func (w *Workspace) Fetch(ctx context.Context, req awsapi.Request) (awsapi.Summary, error) {
	f, err := w.Fetcher(ctx)
	if err != nil {
		w.noteFetch(FetchRun{Request: req, Err: err})
		return awsapi.Summary{}, err
	}
	return w.FetchWith(ctx, f, req)
}

// FetchWith is Fetch with a fetcher the caller has tuned (rate, progress).
func (w *Workspace) FetchWith(ctx context.Context, f *awsapi.Fetcher, req awsapi.Request) (awsapi.Summary, error) {
	if err := w.EnsureCatalog(ctx, f, req.Regions); err != nil {
		w.noteFetch(FetchRun{Request: req, Err: err})
		return awsapi.Summary{}, err
	}
	sum, err := f.Fetch(ctx, req)
	w.noteFetch(FetchRun{Request: req, Summary: sum, Err: err})
	if w.opts.OnFetch != nil {
		w.opts.OnFetch(sum, err)
	}
	return sum, err
}

// EnsureCatalog refreshes the instance-type catalog and AZ map of regions
// that have none or a week-old one: they change rarely, and the AZ map is
// what splits a history fetch into parallel pieces.
func (w *Workspace) EnsureCatalog(ctx context.Context, f *awsapi.Fetcher, regions []string) error {
	var need []string
	for _, r := range regions {
		types, at, err := w.Store.InstanceTypes(ctx, r)
		if err != nil {
			return err
		}
		if len(types) == 0 || w.Now().Sub(at) > 7*24*time.Hour {
			need = append(need, r)
		}
	}
	if len(need) == 0 {
		return nil
	}
	return f.FetchCatalog(ctx, need)
}

// Advisor loads the Spot Advisor data once: live when allowed, else cached,
// else the embedded snapshot, with its provenance.
func (w *Workspace) Advisor(ctx context.Context) (*advisor.Data, advisor.Provenance) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.adv == nil {
		w.adv, w.advProv = w.loadAdvisor(ctx, w.Offline)
	}
	return w.adv, w.advProv
}

// ReloadAdvisor asks for the live advisor data and swaps it in. The load
// runs without the lock, so views reading the current data never wait on
// the network.
func (w *Workspace) ReloadAdvisor(ctx context.Context) {
	d, prov := w.loadAdvisor(ctx, w.Offline)
	w.mu.Lock()
	w.adv, w.advProv = d, prov
	w.mu.Unlock()
}

// PreloadCachedAdvisor sets the advisor data from the cache or the embedded
// snapshot without touching the network, for a start that must not wait on
// it (the TUI's first frame); a refresh brings the live data later.
func (w *Workspace) PreloadCachedAdvisor(ctx context.Context) {
	d, prov := w.loadAdvisor(ctx, true)
	w.mu.Lock()
	w.adv, w.advProv = d, prov
	w.mu.Unlock()
}

func (w *Workspace) loadAdvisor(ctx context.Context, offline bool) (*advisor.Data, advisor.Provenance) {
	if w.Demo {
		return advisor.Embedded(), advisor.EmbeddedProvenance(w.Now())
	}
	d, prov, err := advisor.Load(ctx, advisor.Source{
		URL: w.opts.Getenv("SPOTSCOPE_ADVISOR_URL"), Store: w.Store, Offline: offline, Now: w.Now,
	})
	if err != nil || d == nil {
		d, prov = advisor.Embedded(), advisor.EmbeddedProvenance(w.Now())
	}
	return d, prov
}

// openDemoCache opens the demo cache, importing the embedded records the first
// time (or after an interrupted first time: the import is idempotent).
func openDemoCache(ctx context.Context, dir string, notes io.Writer) (*cache.Store, error) {
	st, err := cache.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	// The fingerprint, not the record count: counting would decompress
	// every record on each warm start. The suffix makes caches prepared
	// before the demo recorded its coverage prepare again.
	want := demo.Fingerprint() + "+coverage"
	if got, _, ok, err := st.Doc(ctx, "demo:records"); err == nil && ok && string(got) == want {
		return st, nil
	}
	all := demo.AllRecords()
	fmt.Fprintln(notes, "spotscope: preparing the demo cache (first run only)...")
	for i := 0; i < len(all); i += 50000 {
		if _, err := st.AddRecords(ctx, all[i:min(i+50000, len(all))]); err != nil {
			st.Close()
			return nil, err
		}
	}
	end := demo.End()
	for _, c := range demoCoverage(all) {
		if err := st.AddCoverage(ctx, c.Region, c.Product, c.Scope, c.Interval); err != nil {
			st.Close()
			return nil, err
		}
	}
	if err := st.PutZones(ctx, demo.Region, demo.Zones(), end); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.PutInstanceTypes(ctx, demo.Region, demo.Catalog(), end); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.PutDoc(ctx, "demo:records", []byte(want), end); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}
