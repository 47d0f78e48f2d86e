package main

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/tui/progress"
)

// newProgressPrinter shows fetch progress on stderr, a line per region: on a
// terminal a redrawn bar with the pages, the rate and an ETA; otherwise a
// plain line now and then and one when the region is done, so logs of cron
// jobs stay readable. The bar measures the time span whose records are
// stored, the one thing a fetch knows the total of before it ends.
func newProgressPrinter(io stdio) func(awsapi.Progress) {
	// Wall time, not io.now: --now replays the market at a past moment,
	// but rates and ETAs are about this run.
	p := progress.New(io.err, io.errTTY, time.Now)
	if f, ok := io.err.(interface{ Fd() uintptr }); ok && io.errTTY {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			p.Width = w
		}
	}
	done := map[string]bool{}
	return func(ev awsapi.Progress) {
		p.Update(fetchState(ev))
		done[ev.Region] = ev.Done
		for _, d := range done {
			if !d {
				return
			}
		}
		// The summary line follows where the bars were.
		p.Clear()
	}
}

func fetchState(ev awsapi.Progress) progress.State {
	s := progress.State{Key: ev.Region, Done: float64(ev.Pages), Unit: "pages", Finished: ev.Done, Err: ev.Err}
	if ev.SpanTotal > 0 {
		s.Fraction = float64(ev.SpanDone) / float64(ev.SpanTotal)
	}
	notes := []string{commas(int64(ev.Records)) + " records"}
	if ev.NewRecords != ev.Records {
		notes = append(notes, commas(int64(ev.NewRecords))+" new")
	}
	if ev.Retries > 0 {
		notes = append(notes, plural(ev.Retries, "retry"))
	}
	if ev.Throttled > 0 {
		notes = append(notes, fmt.Sprintf("%d throttled", ev.Throttled))
	}
	s.Note = strings.Join(notes, ", ")
	return s
}
