package workspace

import (
	"context"
	"errors"

	"github.com/spotscope/spotscope/cache"
)

// openStore opens the cache in dir, read-only when asked. A read-only open
// of a directory without a cache first creates the empty file (schema, no
// data), so a reader started before the first fetch answers "nothing cached"
// instead of failing to start.
func openStore(ctx context.Context, dir string, readOnly bool) (*cache.Store, error) {
	if !readOnly {
		return cache.Open(ctx, dir)
	}
	st, err := cache.OpenReadOnly(ctx, dir)
	if !errors.Is(err, cache.ErrNoCache) {
		return st, err
	}
	if st, err = cache.Open(ctx, dir); err != nil {
		return nil, err
	}
	return reopenReadOnly(ctx, st, dir)
}

// reopenReadOnly closes a writable store and opens the same cache read-only.
func reopenReadOnly(ctx context.Context, st *cache.Store, dir string) (*cache.Store, error) {
	if err := st.Close(); err != nil {
		return nil, err
	}
	return cache.OpenReadOnly(ctx, dir)
}

// ForRegions is a view of w that asks about other regions. It shares w's
// cache, clock, options, AWS configuration and advisor data, so each MCP
// tool call (or TUI request) can name its own regions without changing w's.
// Close the parent, not the view.
func (w *Workspace) ForRegions(ctx context.Context, regions []string) *Workspace {
	adv, prov := w.Advisor(ctx)
	w.mu.Lock()
	cfg, cfgErr := w.cfg, w.cfgErr
	w.mu.Unlock()
	return &Workspace{
		Store: w.Store, Now: w.Now, Regions: regions, Demo: w.Demo, Offline: w.Offline, opts: w.opts,
		cfg: cfg, cfgErr: cfgErr, adv: adv, advProv: prov,
	}
}
