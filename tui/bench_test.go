package tui

import (
	"context"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/spotscope/spotscope/market/explore"
)

// Budgets (docs/performance.md): first frame < 150 ms, a market key press
// < 16 ms, opening a chart < 50 ms, all with 5,000 pools.
//
//	go test ./tui/ -run '^$' -bench . -benchmem

const benchPools = 5000

func benchModel(b *testing.B) (Model, *fakeBackend) {
	fb := newFakeBackend(benchPools, 0)
	fb.synth = 2000
	m := New(fb, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(b, m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m, _ = run(b, m, m.Init())
	if len(m.rows) != benchPools {
		b.Fatalf("%d rows", len(m.rows))
	}
	return m, fb
}

// BenchmarkFirstFrame: build the model, size it, take 5,000 summaries and
// render the first frame.
func BenchmarkFirstFrame(b *testing.B) {
	fb := newFakeBackend(benchPools, 0)
	clock := func() time.Time { return fakeEnd }
	for b.Loop() {
		m := New(fb, clock, Options{NoRefresh: true})
		nm, _ := m.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
		m = nm.(Model)
		nm, _ = m.Update(summariesMsg{gen: m.sumGen, q: m.newQuery(), rows: fb.sums})
		_ = nm.(Model).View()
	}
}

// BenchmarkMarketKeypress: one arrow key in the market table (pool mode,
// 5,000 rows) and the frame it causes.
func BenchmarkMarketKeypress(b *testing.B) {
	m, _ := benchModel(b)
	m = send(b, m, press("t"))
	down, up := press("down"), press("up")
	i := 0
	for b.Loop() {
		k := down
		if (i/1000)%2 == 1 {
			k = up
		}
		i++
		nm, _ := m.Update(k)
		m = nm.(Model)
		_ = m.View()
	}
}

// BenchmarkOpenChart: enter on a type with three AZs of 2,000 records each:
// the series load (in-memory), the chart build and the frame.
func BenchmarkOpenChart(b *testing.B) {
	m, _ := benchModel(b)
	for b.Loop() {
		nm, c := m.Update(press("enter"))
		mm, _ := run(b, nm.(Model), c)
		if !mm.detail.chart.ok {
			b.Fatal("chart not drawn")
		}
		_ = mm.View()
	}
}

// BenchmarkFilterKeystroke: one character typed into the filter re-filters
// and re-sorts 5,000 pools.
func BenchmarkFilterKeystroke(b *testing.B) {
	m, _ := benchModel(b)
	m = send(b, m, press("/"))
	for b.Loop() {
		nm, _ := m.Update(press("m"))
		nm, _ = nm.(Model).Update(press("backspace"))
		_ = nm.(Model).View()
	}
}

// BenchmarkDemoSummaries: the in-memory backend over the embedded demo data
// (419 Linux pools), for the default and the widest window.
func BenchmarkDemoSummaries(b *testing.B) {
	db := DemoBackend()
	for _, w := range []struct {
		name string
		d    time.Duration
	}{{"7d", 7 * 24 * time.Hour}, {"all", demoClock().Sub(db.Info().DataFrom) + time.Minute}} {
		b.Run(w.name, func(b *testing.B) {
			q := explore.Query{Regions: db.Info().Regions, Window: w.d, End: demoClock(), SparkLen: sparkLen}
			for b.Loop() {
				if _, err := db.Summaries(context.Background(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
