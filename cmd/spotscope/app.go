package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/workspace"
	"github.com/spotscope/spotscope/tui/output"
)

// app is the workspace one command run works with.
type app = workspace.Workspace

// cacheDirectory is where this run's cache file lives.
func (g *globals) cacheDirectory() (string, error) { return workspace.CacheDir(g.cacheDir, g.demo) }

// open builds the run's workspace from the global flags: progress bars and
// fetch summaries on stderr.
func (g *globals) open(ctx context.Context) (*app, error) {
	dir, err := g.cacheDirectory()
	if err != nil {
		return nil, err
	}
	return workspace.Open(ctx, workspace.Options{
		Dir: dir, Demo: g.demo, Offline: g.offline, Regions: g.regions, Profile: g.profile, MaxAge: g.age,
		Now: g.io.now, Getenv: g.io.getenv, Notes: g.io.err, Progress: newProgressPrinter(g.io),
		OnFetch: func(s awsapi.Summary, err error) { fmt.Fprintln(g.io.err, summaryLine(s, err)) },
	})
}

// productsOrDefault applies the Linux/UNIX default and rejects unknown names.
func productsOrDefault(ps []string) ([]string, error) { return workspace.Products(ps) }

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

// plural and commas are output.Count and output.Commas, short for the many
// messages here.
func plural(n int, noun string) string { return output.Count(n, noun) }
func commas(n int64) string            { return output.Commas(n) }
