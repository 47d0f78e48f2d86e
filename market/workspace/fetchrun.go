package workspace

import "github.com/spotscope/spotscope/market/awsapi"

// FetchRun is one fetch this workspace ran, so an answer can tell "the cache
// is empty" from "AWS just answered with nothing".
type FetchRun struct {
	Request awsapi.Request
	Summary awsapi.Summary
	Err     error
}

// LastFetch returns the latest fetch this workspace ran (or tried to); ok is
// false when it has run none.
func (w *Workspace) LastFetch() (run FetchRun, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lastFetch == nil {
		return FetchRun{}, false
	}
	return *w.lastFetch, true
}

func (w *Workspace) noteFetch(run FetchRun) {
	w.mu.Lock()
	w.lastFetch = &run
	w.mu.Unlock()
}
