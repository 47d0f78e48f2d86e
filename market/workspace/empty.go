package workspace

import (
	"fmt"
	"strings"

	"github.com/spotscope/spotscope/market/demo"
)

// Empty explains an answer with no rows ("no cached prices match ...")
// without lying about the cache: "fetch first" only when no fetch ran in
// this workspace and none could; after a fetch, what it brought back. what
// names the rows ("prices", "pools with prices in the window").
func (w *Workspace) Empty(what string) string {
	last, fetched := w.LastFetch()
	regions := strings.Join(w.Regions, ", ")
	switch {
	case fetched:
		if last.Err != nil {
			return fmt.Sprintf("no %s: the fetch from AWS failed (%s)", what, OneLine(last.Err))
		}
		if last.Summary.Records == 0 {
			return fmt.Sprintf("no %s: a fetch just ran and AWS returned no price records for this selection in %s "+
				"(not offered there, or no price in the days asked; try another --type or --region)", what, regions)
		}
		return fmt.Sprintf("no %s: a fetch just ran (%d records) but none match the selection in %s", what, last.Summary.Records, regions)
	case w.Demo:
		return fmt.Sprintf("no %s in the demo data (%s, %s to %s)", what, demo.Region,
			demo.Start().Format("2006-01-02"), demo.End().Format("2006-01-02"))
	case w.Offline:
		return fmt.Sprintf("no %s in the cache (offline; fetch first: spotscope fetch --region %s)", what, firstOr(w.Regions, "R"))
	}
	return fmt.Sprintf("no %s: the cache was fetched within --max-age and holds none for this selection in %s", what, regions)
}

func firstOr(s []string, def string) string {
	if len(s) == 0 {
		return def
	}
	return s[0]
}
