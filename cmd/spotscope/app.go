package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/demo"
)

// app is what one command run works with: the cache, the clock, the regions
// and, when needed and allowed, AWS.
type app struct {
	g       *globals
	store   *cache.Store
	now     func() time.Time
	regions []string
	demo    bool
	offline bool

	// mu guards the lazily loaded config and advisor data: the TUI asks for
	// them from several commands at once.
	mu      sync.Mutex
	cfg     *aws.Config
	cfgErr  error
	adv     *advisor.Data
	advProv advisor.Provenance
}

// cacheDirectory is where this run's cache file lives: the demo keeps its
// own file in a subdirectory, so `--demo cache path|reset` act on it.
func (g *globals) cacheDirectory() (string, error) {
	dir := g.cacheDir
	if dir == "" {
		d, err := cache.DefaultDir()
		if err != nil {
			return "", err
		}
		dir = d
	}
	if g.demo {
		dir = filepath.Join(dir, "demo")
	}
	return dir, nil
}

// open builds the app. With --demo it opens (and on first use fills) a
// separate demo cache, so demo data never mixes with real history.
func (g *globals) open(ctx context.Context) (*app, error) {
	a := &app{g: g, now: g.io.now, offline: g.offline}
	dir, err := g.cacheDirectory()
	if err != nil {
		return nil, fmt.Errorf("no cache directory: %w (set --cache-dir or SPOTSCOPE_CACHE_DIR)", err)
	}
	if g.demo {
		a.demo, a.offline = true, true
		a.now = demo.End
		a.regions = []string{demo.Region}
		if a.store, err = openDemoCache(ctx, dir, g.io); err != nil {
			return nil, err
		}
		return a, nil
	}
	if a.store, err = cache.Open(ctx, dir); err != nil {
		return nil, err
	}
	a.regions = g.regions
	if len(a.regions) == 0 {
		// The SDK's own resolution (AWS_REGION, AWS_DEFAULT_REGION, the
		// profile's region) reads only local files and the environment.
		if cfg, err := a.awsConfig(ctx); err == nil && cfg.Region != "" {
			a.regions = []string{cfg.Region}
		}
	}
	return a, nil
}

func (a *app) Close() error {
	if a == nil || a.store == nil {
		return nil
	}
	return a.store.Close()
}

// needRegions reports the usual fix when no region could be resolved.
func (a *app) needRegions() error {
	if len(a.regions) == 0 {
		if a.cfgErr != nil {
			// A broken profile, not a missing region, is the real problem.
			return a.cfgErr
		}
		return usagef("no region: pass --region (e.g. --region us-east-1) or set AWS_REGION")
	}
	return nil
}

func (a *app) awsConfig(ctx context.Context) (aws.Config, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cfg == nil && a.cfgErr == nil {
		cfg, err := awsapi.LoadConfig(ctx, awsapi.Options{Profile: a.g.profile})
		a.cfg, a.cfgErr = &cfg, err
	}
	if a.cfgErr != nil {
		return aws.Config{}, a.cfgErr
	}
	return *a.cfg, nil
}

// fetcher returns a fetcher ready to call AWS, after checking that there are
// credentials at all, so a missing setup fails in seconds with a fix.
func (a *app) fetcher(ctx context.Context) (*awsapi.Fetcher, error) {
	if a.offline {
		return nil, errors.New("offline: not calling AWS")
	}
	cfg, err := a.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := awsapi.CheckCredentials(ctx, cfg); err != nil {
		return nil, err
	}
	return &awsapi.Fetcher{
		Client:   awsapi.NewClientFactory(cfg),
		Store:    a.store,
		Now:      a.now,
		Progress: newProgressPrinter(a.g.io),
	}, nil
}

// refresh brings the cache up to date for a read command: it fetches when
// the cache's coverage of the last days (for these types and products) has a
// gap, or ends more than --max-age ago; never when offline. When AWS cannot be
// reached but the cache has records for the regions, it says so and carries
// on with the cache; with nothing cached the error stands.
func (a *app) refresh(ctx context.Context, types, products []string, days int) error {
	if a.offline {
		return nil
	}
	now := a.now()
	from, to := now.Add(-time.Duration(days)*24*time.Hour), now.Add(-a.g.age)
	// The fetcher records coverage under the validated patterns, trimmed
	// and split: ask for the same scope, or a covered read fetches again.
	m, err := market.NewTypeMatcher(types)
	if err != nil {
		return usageError{fmt.Errorf("--type: %w", err)}
	}
	types = m.Patterns()
	scope := awsapi.Scope(types)
	var stale []string
	for _, r := range a.regions {
		for _, p := range products {
			ok, err := a.covered(ctx, r, p, scope, from, to)
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
	err = a.fetch(ctx, awsapi.Request{Regions: stale, Types: types, Products: products, Days: days}, false)
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	info, ierr := a.store.Info(ctx)
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
	fmt.Fprintf(a.g.io.err, "spotscope: using cached data: %s\n", oneLine(err))
	return nil
}

// covered reports whether the cache's coverage for the region, product and
// type scope (or for all types) spans [from, to] without a gap.
func (a *app) covered(ctx context.Context, region, product, scope string, from, to time.Time) (bool, error) {
	var ivs []market.Interval
	for _, sc := range []string{awsapi.ScopeAll, scope} {
		cov, err := a.store.Coverage(ctx, region, product, sc)
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

// fetch runs a fetch with progress on stderr and a one-line summary.
func (a *app) fetch(ctx context.Context, req awsapi.Request, quiet bool) error {
	f, err := a.fetcher(ctx)
	if err != nil {
		return err
	}
	if err := a.ensureCatalog(ctx, f, req.Regions); err != nil {
		return err
	}
	sum, err := f.Fetch(ctx, req)
	if !quiet || err != nil {
		fmt.Fprintln(a.g.io.err, summaryLine(sum, err))
	}
	return err
}

// ensureCatalog refreshes the instance-type catalog and AZ map of regions
// that have none or a week-old one: they change rarely, and the AZ map is
// what splits a history fetch into parallel pieces.
func (a *app) ensureCatalog(ctx context.Context, f *awsapi.Fetcher, regions []string) error {
	var need []string
	for _, r := range regions {
		types, at, err := a.store.InstanceTypes(ctx, r)
		if err != nil {
			return err
		}
		if len(types) == 0 || a.now().Sub(at) > 7*24*time.Hour {
			need = append(need, r)
		}
	}
	if len(need) == 0 {
		return nil
	}
	return f.FetchCatalog(ctx, need)
}

func summaryLine(s awsapi.Summary, err error) string {
	// On failure the error line that follows says why and what to do.
	status := "fetched"
	if err != nil {
		status = "stopped"
	}
	return fmt.Sprintf("%s: %s new records (%s received) from %s in %s, %s (%d throttled), %s",
		status, commas(int64(s.NewRecords)), commas(int64(s.Records)), plural(s.Regions, "region"), plural(s.Pages, "page"),
		plural(s.Retries, "retry"), s.Throttled, s.Elapsed.Round(100*time.Millisecond))
}

// plural spells a count with its noun: "1 region", "3 regions", "2 retries".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%s %sies", commas(int64(n)), strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%s %ss", commas(int64(n)), noun)
}

// advisorData loads the Spot Advisor data once per run: live when allowed,
// else cached, else the embedded snapshot, with its provenance.
func (a *app) advisorData(ctx context.Context) (*advisor.Data, advisor.Provenance) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.adv == nil {
		a.adv, a.advProv = a.loadAdvisor(ctx, a.offline)
	}
	return a.adv, a.advProv
}

// reloadAdvisor asks for the live advisor data and swaps it in. The load
// runs without the lock, so views reading the current data never wait on
// the network.
func (a *app) reloadAdvisor(ctx context.Context) {
	d, prov := a.loadAdvisor(ctx, a.offline)
	a.mu.Lock()
	a.adv, a.advProv = d, prov
	a.mu.Unlock()
}

func (a *app) loadAdvisor(ctx context.Context, offline bool) (*advisor.Data, advisor.Provenance) {
	if a.demo {
		return advisor.Embedded(), advisor.EmbeddedProvenance(a.now())
	}
	d, prov, err := advisor.Load(ctx, advisor.Source{
		URL: a.g.io.getenv("SPOTSCOPE_ADVISOR_URL"), Store: a.store, Offline: offline, Now: a.now,
	})
	if err != nil || d == nil {
		d, prov = advisor.Embedded(), advisor.EmbeddedProvenance(a.now())
	}
	return d, prov
}

// preloadCachedAdvisor sets the advisor data from the cache or the embedded
// snapshot without touching the network, for a start that must not wait on
// it (the TUI's first frame); a refresh brings the live data later.
func (a *app) preloadCachedAdvisor(ctx context.Context) {
	d, prov := a.loadAdvisor(ctx, true)
	a.mu.Lock()
	a.adv, a.advProv = d, prov
	a.mu.Unlock()
}

// openDemoCache opens the demo cache, importing the embedded records the first
// time (or after an interrupted first time: the import is idempotent).
func openDemoCache(ctx context.Context, dir string, io stdio) (*cache.Store, error) {
	st, err := cache.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	// The fingerprint, not the record count: counting would decompress
	// every record on each warm start.
	want := demo.Fingerprint()
	if got, _, ok, err := st.Doc(ctx, "demo:records"); err == nil && ok && string(got) == want {
		return st, nil
	}
	all := demo.AllRecords()
	fmt.Fprintln(io.err, "spotscope: preparing the demo cache (first run only)...")
	for i := 0; i < len(all); i += 50000 {
		if _, err := st.AddRecords(ctx, all[i:min(i+50000, len(all))]); err != nil {
			st.Close()
			return nil, err
		}
	}
	end := demo.End()
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

func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// productsOrDefault applies the Linux/UNIX default and rejects unknown names.
func productsOrDefault(ps []string) ([]string, error) {
	if len(ps) == 0 {
		return []string{market.LinuxUNIX}, nil
	}
	for _, p := range ps {
		ok := false
		for _, k := range market.KnownProducts {
			ok = ok || p == k
		}
		if !ok {
			return nil, usagef("--product: unknown product %q (want one of %q)", p, market.KnownProducts)
		}
	}
	return ps, nil
}
