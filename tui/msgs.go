package tui

import (
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
)

// Every answer from the backend carries the generation of the request that
// asked for it; Update drops answers whose generation is no longer current,
// so a slow query for an old window never overwrites a newer one.

type summariesMsg struct {
	gen  int
	q    explore.Query
	rows []explore.Summary
	// index is the market's index of rows, built in the command: for
	// 60,000 pools it is 40-50 ms that Update would otherwise block on.
	index *marketIndex
	err   error
}

// previewMsg is a Previewer's answer to the first query, shown until the
// summaries of the same generation arrive; they are asked for when it
// comes, whether or not it failed.
type previewMsg struct {
	gen   int
	q     explore.Query
	rows  []explore.Summary
	index *marketIndex // as summariesMsg's
	err   error
}

// seriesTarget says which view asked for series.
type seriesTarget int

const (
	forDetail seriesTarget = iota
	forCompare
)

type seriesMsg struct {
	gen        int
	target     seriesTarget
	pools      []market.Pool
	series     [][]market.Point
	start, end time.Time
	err        error
}

// refreshMsg is one progress report or the final result of a background
// refresh; ch delivers the next one.
type refreshMsg struct {
	progress *RefreshProgress
	done     bool
	err      error
	ch       <-chan refreshMsg
}

// onDemandMsg answers the On-Demand lookups of a view: the Detail view's
// type, or every type of the Compare view, in the order asked.
type onDemandMsg struct {
	target  seriesTarget
	gen     int
	answers []onDemandAnswer
}

type onDemandAnswer struct {
	usd       float64
	estimated bool
	err       error
}
