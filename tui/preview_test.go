package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
)

// previewBackend is a fakeBackend that also previews: each summary's latest
// price, spec and advisor entry, marked Partial, as explore.Preview answers.
type previewBackend struct {
	*fakeBackend
	previewErr error
	previews   int
}

func (b *previewBackend) Preview(_ context.Context, q explore.Query) ([]explore.Summary, error) {
	b.mu.Lock()
	b.previews++
	b.mu.Unlock()
	if b.previewErr != nil {
		return nil, b.previewErr
	}
	var out []explore.Summary
	for _, s := range b.sums {
		if contains(q.Regions, s.Region) {
			out = append(out, explore.Summary{Pool: s.Pool, AvailabilityZoneID: s.AvailabilityZoneID, Spec: s.Spec, HasSpec: s.HasSpec,
				Advisor: s.Advisor, Partial: true, Stats: market.Stats{Start: q.WindowStart(), End: q.End, Last: s.Stats.Last}})
		}
	}
	return out, nil
}

// initMsgs runs Init's commands one step: the preview (or summaries)
// message each returns, without following up what they lead to.
func initMsgs(t *testing.T, m Model) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	var walk func(c tea.Cmd)
	walk = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				walk(c)
			}
		case nil:
		default:
			out = append(out, msg)
		}
	}
	walk(m.Init())
	return out
}

// The first frame of a Previewer shows every pool with its latest price and
// "…" for what is still being computed; the summaries, asked for once the
// preview is in, replace it.
func TestPreviewIsTheFirstFrame(t *testing.T) {
	b := &previewBackend{fakeBackend: newFakeBackend(30, 20)}
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, tea.WindowSizeMsg{Width: 140, Height: 40})
	msgs := initMsgs(t, m)
	if len(msgs) != 1 {
		t.Fatalf("Init asked for %d answers, want the preview alone: %#v", len(msgs), msgs)
	}
	pm, ok := msgs[0].(previewMsg)
	if !ok {
		t.Fatalf("first answer %T, want the preview", msgs[0])
	}
	if len(b.queries) != 0 {
		t.Fatal("the summaries started before the preview was in")
	}
	nm, next := m.Update(pm)
	m = nm.(Model)
	if len(m.rows) != 30 || !m.loading {
		t.Fatalf("after the preview: %d rows, loading %v", len(m.rows), m.loading)
	}
	view := m.View()
	if !strings.Contains(view, "of 30 pools") || !strings.Contains(view, "loading 7d") || !strings.Contains(view, pending) {
		t.Fatalf("preview frame:\n%s", view)
	}
	if !strings.Contains(view, fmtPrice(m.rows[0].Stats.Last)) {
		t.Fatalf("the latest prices are not shown:\n%s", view)
	}
	// The command after the preview is the summaries' query.
	m, _ = run(t, m, next)
	if len(b.queries) != 1 || m.loading || m.rows[0].Partial {
		t.Fatalf("after the summaries: %d queries, loading %v, partial %v", len(b.queries), m.loading, m.rows[0].Partial)
	}
	if strings.Contains(m.View(), pending) {
		t.Fatal("a pending cell is left after the statistics arrived")
	}
}

// A failed preview shows nothing of its own and still starts the summaries.
func TestFailedPreviewStillLoads(t *testing.T) {
	b := &previewBackend{fakeBackend: newFakeBackend(12, 5), previewErr: errors.New("disk on fire")}
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m, _ = run(t, m, m.Init())
	if b.previews != 1 || len(b.queries) != 1 || len(m.rows) != 12 || m.rows[0].Partial || m.loadErr != nil {
		t.Fatalf("previews %d, queries %d, rows %d, err %v", b.previews, len(b.queries), len(m.rows), m.loadErr)
	}
}

// A preview that arrives after a newer query started (the window changed)
// is dropped: it neither shows nor starts a second set of summaries.
func TestStalePreviewIsDropped(t *testing.T) {
	b := &previewBackend{fakeBackend: newFakeBackend(12, 5)}
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, tea.WindowSizeMsg{Width: 140, Height: 40})
	pm := initMsgs(t, m)[0].(previewMsg)
	m = send(t, m, press("w")) // the next window: its own summaries
	queries := len(b.queries)
	nm, next := m.Update(pm)
	m, _ = run(t, nm.(Model), next)
	if len(b.queries) != queries || m.rows[0].Partial {
		t.Fatalf("stale preview: queries %d -> %d, partial %v", queries, len(b.queries), m.rows[0].Partial)
	}
}

// The preview frame as a user sees it while the statistics are computed.
func TestGoldenPreview(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {140, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			b := &previewBackend{fakeBackend: newFakeBackend(30, 20)}
			b.block = make(chan struct{})
			defer close(b.block)
			m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]))
			waitText(t, tm, "of 30 pools")
			tm.Send(press("ctrl+c"))
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(patience(t))).(Model)
			teatest.RequireEqualOutput(t, []byte(fm.View()))
		})
	}
}

// A cache last fetched before now ends its windows at its newest covered
// time, as `spotscope stats` does; a newer coverage (a refresh) moves them.
func TestWindowEndsAtCoverage(t *testing.T) {
	b := newFakeBackend(12, 5)
	stale := fakeEnd.Add(-30 * 24 * time.Hour)
	b.info.CoveredTo = map[string]time.Time{"us-east-1": stale, "eu-west-1": fakeEnd}
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m, _ = run(t, m, m.Init())
	if len(b.queries) != 1 || !b.queries[0].End.Equal(stale) || !m.query.End.Equal(stale) {
		t.Fatalf("first query ends %v, want the coverage's %v", b.queries[0].End, stale)
	}
	if !strings.Contains(m.View(), fmtDay(stale)) {
		t.Fatal("the header does not show the window's real end")
	}
	info := b.info
	info.CoveredTo = map[string]time.Time{"us-east-1": fakeEnd.Add(-time.Hour)}
	m = send(t, m, infoMsg{info: info})
	if len(b.queries) != 2 || !b.queries[1].End.Equal(fakeEnd.Add(-time.Hour)) {
		t.Fatalf("after newer coverage: %d queries, last ends %v", len(b.queries), b.queries[len(b.queries)-1].End)
	}
	// Coverage past the clock leaves the windows ending now.
	info.CoveredTo = map[string]time.Time{"us-east-1": fakeEnd.Add(time.Hour)}
	m = send(t, m, infoMsg{info: info})
	if n := len(b.queries); n != 3 || !b.queries[2].End.Equal(fakeEnd) {
		t.Fatalf("coverage past now: %d queries, last ends %v", n, b.queries[n-1].End)
	}
	m = send(t, m, infoMsg{info: info})
	if len(b.queries) != 3 {
		t.Fatal("an unchanged Info asked again")
	}
}

// Counts in the footers take thousands separators, as the CLI's do.
func TestFooterCountsHaveSeparators(t *testing.T) {
	m := New(newFakeBackend(5000, 0), func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m, _ = run(t, m, m.Init())
	m = send(t, m, press("t")) // a row per pool
	if v := m.View(); !strings.Contains(v, "1/5,000 · 5,000 pools of 5,000 pools") {
		t.Fatalf("market footer:\n%s", v[strings.LastIndex(v[:len(v)-1], "\n"):])
	}
	m = send(t, m, press("4"))
	if v := m.View(); !strings.Contains(v, "/5,000 pools · ranked by") {
		t.Fatal("volatility footer lacks the separator")
	}
}

// The market's index of a load is built by the command that loaded the
// rows, not in Update: the message carries it and the view keeps it.
func TestLoadIndexIsBuiltOffUpdate(t *testing.T) {
	b := newFakeBackend(50, 0)
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, tea.WindowSizeMsg{Width: 140, Height: 40})
	msg := loadSummaries(m.ctx, b, m.sumGen, m.newQuery())().(summariesMsg)
	if msg.index == nil || !msg.index.of(msg.rows) {
		t.Fatal("the command did not index its rows")
	}
	nm, _ := m.Update(msg)
	if got := nm.(Model).market.index; got != msg.index {
		t.Fatal("Update rebuilt the index the command had built")
	}
}
