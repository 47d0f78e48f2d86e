package tui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
)

// Queries are bounded so a wedged backend shows an error instead of a
// spinner forever; refresh gets longer because it talks to AWS.
const (
	queryTimeout   = 2 * time.Minute
	refreshTimeout = 30 * time.Minute
)

func loadSummaries(ctx context.Context, b Backend, gen int, q explore.Query) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, queryTimeout)
		defer cancel()
		rows, err := b.Summaries(ctx, q)
		return summariesMsg{gen: gen, q: q, rows: rows, index: newMarketIndex(rows, q), err: err}
	}
}

// loadPreview asks a Previewer for the first frame's rows. A failed preview
// shows nothing: the summaries that follow it report the error.
func loadPreview(ctx context.Context, p Previewer, gen int, q explore.Query) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, queryTimeout)
		defer cancel()
		rows, err := p.Preview(ctx, q)
		return previewMsg{gen: gen, q: q, rows: rows, index: newMarketIndex(rows, q), err: err}
	}
}

func loadSeries(ctx context.Context, b Backend, gen int, target seriesTarget, pools []market.Pool, start, end time.Time) tea.Cmd {
	pools = append([]market.Pool(nil), pools...)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, queryTimeout)
		defer cancel()
		msg := seriesMsg{gen: gen, target: target, pools: pools, start: start, end: end}
		for _, p := range pools {
			pts, err := b.Series(ctx, p, start, end)
			if err != nil {
				msg.err = fmt.Errorf("%s: %w", p, err)
				return msg
			}
			msg.series = append(msg.series, pts)
		}
		return msg
	}
}

// loadOnDemand asks the On-Demand price of each pool's type (its AZ does
// not matter), one after the other, and answers them together so a chart
// gets all its reference lines in one redraw.
func loadOnDemand(ctx context.Context, b Backend, target seriesTarget, gen int, pools []market.Pool) tea.Cmd {
	pools = append([]market.Pool(nil), pools...)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, queryTimeout)
		defer cancel()
		msg := onDemandMsg{target: target, gen: gen, answers: make([]onDemandAnswer, len(pools))}
		for i, p := range pools {
			a := &msg.answers[i]
			a.usd, a.estimated, a.err = b.OnDemand(ctx, p.Region, p.Product, p.InstanceType)
		}
		return msg
	}
}

// reloadInfo asks the backend for its Info again, off the update loop.
func reloadInfo(b Backend) tea.Cmd {
	return func() tea.Msg { return infoMsg{info: b.Info()} }
}

// startRefresh runs Backend.Refresh of regions in its own goroutine and
// turns its progress callbacks into a chain of messages: each message
// carries the channel, and Update asks for the next one with waitRefresh.
func startRefresh(ctx context.Context, b Backend, regions []string) tea.Cmd {
	regions = append([]string(nil), regions...)
	return func() tea.Msg {
		ch := make(chan refreshMsg, 64)
		go func() {
			defer close(ch)
			ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
			defer cancel()
			err := b.Refresh(ctx, regions, func(p RefreshProgress) {
				select {
				case ch <- refreshMsg{progress: &p}:
				case <-ctx.Done():
				}
			})
			select {
			case ch <- refreshMsg{done: true, err: err}:
			case <-ctx.Done():
			}
		}()
		return next(ch)
	}
}

func waitRefresh(ch <-chan refreshMsg) tea.Cmd {
	return func() tea.Msg { return next(ch) }
}

func next(ch <-chan refreshMsg) tea.Msg {
	m, ok := <-ch
	if !ok {
		return nil
	}
	m.ch = ch
	return m
}
