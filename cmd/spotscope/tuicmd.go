package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/explore"
	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/tui"
	"github.com/spotscope/spotscope/tui/recommendview"
)

// runTUI opens the explorer. Plain `spotscope` with neither credentials nor a
// cache falls back to the demo, so a first run always shows something real.
func runTUI(cmd *cobra.Command, g *globals) error {
	if g.output != "" {
		return usagef("the explorer has no --output; use a subcommand such as prices, stats or recommend with -o %s", g.output)
	}
	if !g.io.inTTY || !g.io.outTTY {
		return usagef("not a terminal: the explorer needs one; use a subcommand (prices, stats, history, recommend; see --help)")
	}
	ctx := cmd.Context()
	a, err := g.open(ctx)
	if err != nil {
		return err
	}
	if !a.Demo {
		has, err := a.Store.HasRecords(ctx)
		if err != nil {
			a.Close()
			return err
		}
		if !has {
			if _, err := a.Fetcher(ctx); err != nil {
				fmt.Fprintf(g.io.err, "spotscope: %s\nspotscope: starting the demo (recorded sa-east-1 prices) instead\n", oneLine(err))
				a.Close()
				g.demo = true
				d, err := g.open(ctx)
				if err != nil {
					return err
				}
				a = d
			}
		}
	}
	defer a.Close()
	if !a.Demo {
		if err := a.NeedRegions(); err != nil {
			return err
		}
	}
	if g.noColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	// Ask the terminal once, before the program owns its input.
	lipgloss.SetHasDarkBackground(termenv.HasDarkBackground())

	// The first frame must not wait for work it can do without. The advisor
	// data (from the cache or the embedded snapshot: parsing it is the
	// biggest step of a warm start) loads while the first query scans the
	// cache, and the cache's ranges for the header are read meanwhile too;
	// the background refresh fetches the live advisor file later.
	b := newCacheBackend(ctx, a)
	rv := recommendview.New(recommender{a: a}, recommendview.Options{
		// the CLI's defaults (recommend's), so the form and `spotscope
		// recommend` answer the same question when nothing is set
		Defaults:  recommend.Profile{}.WithDefaults(),
		Regions:   a.Regions,
		Clipboard: os.Stdout,
		Now:       a.Now,
	})
	err = tui.Run(ctx, b, a.Now, tui.Options{Context: ctx, Recommend: &rv, Clipboard: os.Stdout})
	b.stop()
	<-b.infoReady // its reads end before the deferred Close
	return err
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// cacheBackend is the TUI's view of the cache and AWS.
type cacheBackend struct {
	a         *app
	kick      chan struct{} // closed when the background loads may start
	kickOnce  sync.Once
	stopped   atomic.Bool   // the TUI has ended: skip loads not yet begun
	advReady  chan struct{} // closed once the cached advisor data is loaded
	infoReady chan struct{} // closed once the first full Info is read
	mu        sync.Mutex
	info      tui.Info
}

// newCacheBackend loads the advisor data and then the Info in the
// background, once the first frame's preview is in (or the summaries or the
// Info are asked for): parsing the advisor file is the biggest step of a
// warm start, and on two cores it would halve the preview's share. Info is
// Pending until WaitInfo can answer.
func newCacheBackend(ctx context.Context, a *app) *cacheBackend {
	b := &cacheBackend{a: a, kick: make(chan struct{}), advReady: make(chan struct{}), infoReady: make(chan struct{})}
	b.info = tui.Info{Regions: a.Regions, Product: market.LinuxUNIX, Products: market.KnownProducts[:4], Demo: a.Demo,
		CanRefresh: !a.Offline, Pending: true, CoveredTo: b.coveredTo(ctx)}
	go func() {
		select {
		case <-b.kick:
		case <-ctx.Done():
		}
		if !b.stopped.Load() {
			a.PreloadCachedAdvisor(ctx)
		}
		close(b.advReady)
		if !b.stopped.Load() {
			b.loadInfo(ctx)
		}
		close(b.infoReady)
	}()
	return b
}

// coveredTo reads each region's newest covered time; an error leaves the
// windows ending now, as before the cache could say.
func (b *cacheBackend) coveredTo(ctx context.Context) map[string]time.Time {
	ends, err := b.a.Store.CoverageEnds(ctx)
	if err != nil {
		return nil
	}
	return ends
}

// startLoads lets the background loads begin.
func (b *cacheBackend) startLoads() { b.kickOnce.Do(func() { close(b.kick) }) }

// stop ends the background work at exit: loads not yet begun are skipped.
func (b *cacheBackend) stop() {
	b.stopped.Store(true)
	b.startLoads()
}

// WaitInfo implements tui.InfoWaiter.
func (b *cacheBackend) WaitInfo(ctx context.Context) tui.Info {
	b.startLoads()
	select {
	case <-b.infoReady:
	case <-ctx.Done():
	}
	return b.Info()
}

func (b *cacheBackend) Info() tui.Info {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.info
}

// loadInfo reads what the header shows from the cache: the data's range and
// when prices were last fetched. It runs at start and after each refresh.
func (b *cacheBackend) loadInfo(ctx context.Context) {
	a := b.a
	_, prov := a.Advisor(ctx)
	info := tui.Info{Regions: a.Regions, Product: market.LinuxUNIX, Products: market.KnownProducts[:4], Demo: a.Demo,
		Advisor: prov, CanRefresh: !a.Offline, CoveredTo: b.coveredTo(ctx)}
	if in, err := a.Store.Info(ctx); err == nil {
		// Every region with records is a picker choice, so the bounds of
		// the "all" window span them all.
		for _, r := range in.Regions {
			if r.Records == 0 {
				continue
			}
			info.Cached = append(info.Cached, r.Region)
			if info.DataFrom.IsZero() || r.Oldest.Before(info.DataFrom) {
				info.DataFrom = r.Oldest
			}
			info.DataTo = later(info.DataTo, r.Newest)
			if slices.Contains(a.Regions, r.Region) {
				info.PricesAsOf = later(info.PricesAsOf, r.LastFetch)
			}
		}
	}
	// A configured region not fetched yet is still a choice.
	for _, r := range a.Regions {
		if !slices.Contains(info.Cached, r) {
			info.Cached = append(info.Cached, r)
		}
	}
	slices.Sort(info.Cached)
	if a.Demo {
		// The demo's prices are as of the end of the recording.
		info.PricesAsOf = info.DataTo
	}
	b.mu.Lock()
	b.info = info
	b.mu.Unlock()
}

func (b *cacheBackend) Summaries(ctx context.Context, q explore.Query) ([]explore.Summary, error) {
	b.startLoads()
	select {
	case <-b.advReady:
		adv, _ := b.a.Advisor(ctx)
		return explore.Summaries(ctx, b.a.Store, adv, q)
	default:
	}
	// The first query: scan while the advisor data loads, then look each
	// pool up as explore.Summaries would have.
	rows, err := explore.Summaries(ctx, b.a.Store, nil, q)
	if err != nil {
		return nil, err
	}
	select {
	case <-b.advReady:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	adv, _ := b.a.Advisor(ctx)
	if adv != nil {
		for i := range rows {
			p := rows[i].Pool
			rows[i].Advisor = adv.Lookup(p.Region, advisor.OSOf(p.Product), p.InstanceType)
		}
	}
	return rows, nil
}

// Preview implements tui.Previewer: the first frame's rows from each pool's
// latest record, with the advisor's entries if its data has loaded already.
func (b *cacheBackend) Preview(ctx context.Context, q explore.Query) ([]explore.Summary, error) {
	defer b.startLoads()
	var adv *advisor.Data
	select {
	case <-b.advReady:
		adv, _ = b.a.Advisor(ctx)
	default:
	}
	return explore.Preview(ctx, b.a.Store, adv, q)
}

func (b *cacheBackend) Series(ctx context.Context, p market.Pool, start, end time.Time) ([]market.Point, error) {
	return b.a.Store.Series(ctx, p, start, end)
}

// OnDemand answers from the same session the Recommend tab uses: the
// cached or live price list, else its estimate, flagged as one.
func (b *cacheBackend) OnDemand(ctx context.Context, region, product, instanceType string) (float64, bool, error) {
	s, err := recommendSession(ctx, b.a, false, recommend.Profile{})
	if err != nil {
		return 0, false, err
	}
	od, err := s.OnDemand(ctx, region, product, instanceType)
	if err != nil || !od.Known {
		return 0, false, err
	}
	return od.Price, od.Estimated, nil
}

// Refresh fetches the regions the TUI shows, which the region picker may
// have changed from the configured ones.
func (b *cacheBackend) Refresh(ctx context.Context, regions []string, progress func(tui.RefreshProgress)) error {
	f, err := b.a.Fetcher(ctx)
	if err != nil {
		return err
	}
	if err := b.a.EnsureCatalog(ctx, f, regions); err != nil {
		return err
	}
	f.Progress = func(p awsapi.Progress) {
		progress(tui.RefreshProgress{Region: p.Region, Done: p.PiecesDone, Total: p.PiecesTotal, Err: p.Err})
	}
	_, err = f.Fetch(ctx, awsapi.Request{Regions: regions, Products: b.cachedProducts(ctx, regions), Days: awsapi.MaxDays})
	b.a.ReloadAdvisor(ctx)
	b.loadInfo(ctx)
	return err
}

// cachedProducts are the products to refresh: Linux/UNIX, which the views
// open on, and every product the cache already holds for these regions, so
// a Windows history fetched once keeps being refreshed.
func (b *cacheBackend) cachedProducts(ctx context.Context, regions []string) []string {
	have := map[string]bool{market.LinuxUNIX: true}
	if latest, err := b.a.Store.Latest(ctx, cache.Filter{Regions: regions}); err == nil {
		for _, p := range latest {
			have[p.Product] = true
		}
	}
	var out []string
	for _, p := range market.KnownProducts {
		if have[p] {
			out = append(out, p)
		}
	}
	return out
}

// recommender serves the Recommend tab from the same session as the CLI.
type recommender struct{ a *app }

func (r recommender) Recommend(ctx context.Context, p recommend.Profile) (recommend.Result, error) {
	if len(p.Regions) == 0 {
		p.Regions = r.a.Regions
	}
	s, err := recommendSession(ctx, r.a, false, p)
	if err != nil {
		return recommend.Result{}, err
	}
	return s.Recommend(ctx, p, recommend.Options{})
}

func (r recommender) Profiles() (map[string]recommend.Profile, error) {
	path, err := recommend.ProfilesPath()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return map[string]recommend.Profile{}, nil
	}
	return recommend.LoadProfiles(path)
}
