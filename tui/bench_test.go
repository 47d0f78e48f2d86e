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

// BenchmarkFirstFrame: build the model, size it, run the first query (the
// Init command and what it leads to, as the program would) and render. fake5000
// is 5,000 precomputed summaries (the TUI's own cost); demo computes the
// embedded demo's 419 pools from their records (MemoryBackend, the same
// statistics code as the cache).
func BenchmarkFirstFrame(b *testing.B) {
	fb := newFakeBackend(benchPools, 0)
	for _, c := range []struct {
		name  string
		b     Backend
		clock func() time.Time
	}{
		{"fake5000", fb, func() time.Time { return fakeEnd }},
		{"demo", DemoBackend(), demoClock},
		// A Previewer: the first frame is the preview's; the loop also
		// runs the summaries it leads to.
		{"fake5000-preview", &previewBackend{fakeBackend: fb}, func() time.Time { return fakeEnd }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				m := New(c.b, c.clock, Options{NoRefresh: true})
				nm, _ := m.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
				m = nm.(Model)
				m, _ = run(b, m, m.Init())
				if len(m.rows) == 0 {
					b.Fatal("no rows")
				}
				_ = m.View()
			}
		})
	}
}

// allRegionsModel is the all-regions market of 17 regions (60,010 generated
// pools), loaded and sized.
func allRegionsModel(b *testing.B) Model {
	regions := []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "eu-west-1",
		"eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
		"ap-northeast-3", "ap-southeast-1", "ap-southeast-2"}
	fb := newRegionsBackend(regions, 3530)
	fb.info.Regions = regions
	m := New(fb, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(b, m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m, _ = run(b, m, m.Init())
	if len(m.rows) < 60000 || !m.multiRegion() {
		b.Fatalf("%d rows, multi-region %v", len(m.rows), m.multiRegion())
	}
	return m
}

// BenchmarkAllRegionsSetRows: the market view taking a load of 60,010
// pools (type mode, sorted by last price): its index and first rebuild.
func BenchmarkAllRegionsSetRows(b *testing.B) {
	m := allRegionsModel(b)
	for b.Loop() {
		_ = m.market.setRows(m.rows)
	}
}

// BenchmarkAllRegionsKeypress: the all-regions market of 17 regions (about
// 60,000 pools, pool mode, sorted by region): one arrow key and its frame,
// one re-sort (s) with its frame in pool mode and in type mode, a character
// typed into the filter and deleted, the switch to Volatility (4) when it
// must rank the pools, and (sort-after-load) the first re-sort after the
// rows were loaded again, before any column's order is cached.
func BenchmarkAllRegionsKeypress(b *testing.B) {
	m := allRegionsModel(b)
	m = send(b, m, press("t"))
	b.Run("arrow", func(b *testing.B) {
		mm := m
		down, up := press("down"), press("up")
		i := 0
		for b.Loop() {
			k := down
			if (i/1000)%2 == 1 {
				k = up
			}
			i++
			nm, _ := mm.Update(k)
			mm = nm.(Model)
			_ = mm.View()
		}
	})
	b.Run("sort", func(b *testing.B) {
		mm := m
		for b.Loop() {
			nm, _ := mm.Update(press("s"))
			mm = nm.(Model)
			_ = mm.View()
		}
	})
	b.Run("sort-types", func(b *testing.B) {
		mm := send(b, m, press("t")) // type mode: a row per type, its cheapest AZ
		for b.Loop() {
			nm, _ := mm.Update(press("s"))
			mm = nm.(Model)
			_ = mm.View()
		}
	})
	b.Run("filter", func(b *testing.B) {
		mm := send(b, m, press("/"))
		for b.Loop() {
			nm, _ := mm.Update(press("m"))
			nm, _ = nm.(Model).Update(press("backspace"))
			_ = nm.(Model).View()
		}
	})
	b.Run("volatility-after-load", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			mm := m
			mm.vol = mm.vol.setRows(mm.rows) // stale: the switch ranks
			b.StartTimer()
			nm, _ := mm.Update(press("4"))
			_ = nm.(Model).View()
		}
	})
	b.Run("sort-after-load", func(b *testing.B) {
		mm := m
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			mm.market = mm.market.setRows(mm.rows)
			b.StartTimer()
			nm, _ := mm.Update(press("s"))
			mm = nm.(Model)
			_ = mm.View()
		}
	})
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
