package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

func TestFirstLoadUsesClockAndDefaultWindow(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	if !m.query.End.Equal(demoClock()) || m.query.Window != 7*24*time.Hour {
		t.Fatalf("query end %v window %v, want demo end and 7d", m.query.End, m.query.Window)
	}
	v := m.View()
	for _, want := range []string{"sa-east-1", "Linux/UNIX", "7d 2020-06-16..2020-06-23",
		"demo data: sa-east-1, 2019-12-31 .. 2020-06-23 (recorded AWS prices). Connect AWS: set AWS_PROFILE or run aws configure.",
		"TYPE", "LAST", "TREND", "INTR"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
}

func TestStaleSummariesAreDropped(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	n := len(m.rows)
	nm, cmd := m.Update(press("w")) // 30d: generation moves on
	m = nm.(Model)
	stale := summariesMsg{gen: m.sumGen - 1, rows: nil}
	nm, _ = m.Update(stale)
	m = nm.(Model)
	if len(m.rows) != n {
		t.Fatalf("stale answer replaced rows: %d -> %d", n, len(m.rows))
	}
	m, _ = run(t, m, cmd)
	if m.query.Window != 30*24*time.Hour || m.loading {
		t.Fatalf("window %v loading %v after w", m.query.Window, m.loading)
	}
}

func TestWindowKeysCycle(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	want := []string{"30d", "90d", "all", "1d", "7d"}
	for _, w := range want {
		m = send(t, m, press("w"))
		if m.window().label != w {
			t.Fatalf("window %s, want %s", m.window().label, w)
		}
	}
	m = send(t, m, press("w"), press("w"), press("w")) // all
	if got := m.query.End.Add(-m.query.Window); got.After(m.info.DataFrom) {
		t.Fatalf("all window starts %v, after first record %v", got, m.info.DataFrom)
	}
	m = send(t, m, press("W"))
	if m.window().label != "90d" {
		t.Fatalf("W: %s", m.window().label)
	}
}

func TestMarketNavigationSortAndModes(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	if !m.market.byType {
		t.Fatal("type mode is the default")
	}
	first, _ := m.market.selected()
	m = send(t, m, keys("down", "down")...)
	if m.market.cursor != 2 {
		t.Fatalf("cursor %d", m.market.cursor)
	}
	// sorted by last price ascending
	for i := 1; i < len(m.market.rows); i++ {
		if m.market.rows[i].s.Stats.Last < m.market.rows[i-1].s.Stats.Last {
			t.Fatalf("row %d not sorted by last", i)
		}
	}
	m = send(t, m, press("S"))
	if m.market.rows[0].s.Stats.Last < m.market.rows[len(m.market.rows)-1].s.Stats.Last {
		t.Fatal("S did not reverse")
	}
	m = send(t, m, press("s")) // next sortable column after LAST: TWAP
	if m.market.sortCol != colTWAP || !strings.Contains(m.View(), "TWAP↓") {
		t.Fatalf("sort column %v", m.market.sortCol)
	}
	m = send(t, m, press("t"))
	if m.market.byType || len(m.market.rows) != len(m.rows) {
		t.Fatalf("pool mode shows %d of %d pools", len(m.market.rows), len(m.rows))
	}
	m = send(t, m, keys("t", "g")...)
	if s, _ := m.market.selected(); s == nil || first == nil {
		t.Fatal("no selection")
	}
}

func TestExpandCollapseType(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	// find a type with several AZs
	for i, r := range m.market.rows {
		if r.group && r.nAZ > 1 {
			m.market.cursor = i
			break
		}
	}
	before := len(m.market.rows)
	nAZ := m.market.rows[m.market.cursor].nAZ
	m = send(t, m, press("right"))
	if len(m.market.rows) != before+nAZ {
		t.Fatalf("expand: %d rows, want %d", len(m.market.rows), before+nAZ)
	}
	if !strings.Contains(m.View(), "└") {
		t.Fatal("children not drawn")
	}
	m = send(t, m, press("down"), press("left"))
	if len(m.market.rows) != before || !m.market.rows[m.market.cursor].group {
		t.Fatal("collapse from a child should land on its type")
	}
}

func TestFilterTypingOwnsKeys(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	m = send(t, m, keys("/", "m", "5", "q")...) // q must not quit
	if !m.filter.typing || m.filter.input.Value() != "m5q" {
		t.Fatalf("filter %q typing %v", m.filter.input.Value(), m.filter.typing)
	}
	m = send(t, m, press("backspace"), press("."), press("enter"))
	if m.filter.typing {
		t.Fatal("enter should leave the filter")
	}
	for _, r := range m.market.rows {
		if !strings.Contains(r.s.InstanceType, "m5.") {
			t.Fatalf("filter m5. let %s through", r.s.InstanceType)
		}
	}
	if len(m.market.rows) == 0 {
		t.Fatal("filter m5. matched nothing")
	}
	m = send(t, m, keys("/", "esc")...)
	if m.filter.input.Value() != "" {
		t.Fatal("esc in the filter clears it")
	}
	// globs
	m = send(t, m, keys("/", "c", "5", "*", ".", "x", "l", "a", "r", "g", "e", "enter")...)
	for _, r := range m.market.rows {
		if r.s.InstanceType != "c5.xlarge" && r.s.InstanceType != "c5d.xlarge" && r.s.InstanceType != "c5n.xlarge" && r.s.InstanceType != "c5a.xlarge" {
			t.Fatalf("glob c5*.xlarge let %s through", r.s.InstanceType)
		}
	}
	nm, cmd := m.Update(press("q"))
	if cmd == nil || cmd() != tea.Quit() {
		t.Fatal("q after the filter closed should quit")
	}
	_ = nm
}

func TestQuickFilterBar(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	// vCPU >= 4 (two steps up from 0: 1, 2, 4)
	m = send(t, m, keys("f", "up", "up", "up")...)
	for _, r := range m.market.rows {
		if r.s.Spec.VCPUs < 4 {
			t.Fatalf("vCPU filter let %s (%d) through", r.s.InstanceType, r.s.Spec.VCPUs)
		}
	}
	// arch field: arm64 has no pools in sa-east-1 2020 data, x86_64 has all
	m = send(t, m, keys("right", "right", "up")...)
	if len(m.market.rows) == 0 {
		t.Fatal("x86_64 filter removed everything")
	}
	// product field: cycles and reloads with the new product
	m = send(t, m, keys("right", "right", "up")...)
	if m.product == "Linux/UNIX" || m.query.Products[0] != m.product {
		t.Fatalf("product %q query %v", m.product, m.query.Products)
	}
	m = send(t, m, press("enter"))
	if m.filter.fb.focus || !strings.Contains(m.View(), "vCPU ≥ 4") {
		t.Fatal("filter bar should close and stay visible while active")
	}
	m = send(t, m, press("esc"))
	if m.filter.fb.active() {
		t.Fatal("esc clears quick filters")
	}
}

func TestMarkAndCompare(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	m = send(t, m, keys(" ", " ", " ")...)
	if len(m.market.marks) != 3 {
		t.Fatalf("%d marks", len(m.market.marks))
	}
	m = send(t, m, press("3"))
	if m.view != viewCompare || len(m.compare.pools) != 3 || !m.compare.chart.ok {
		t.Fatalf("compare: view %v pools %d chart %v", m.view, len(m.compare.pools), m.compare.chart.ok)
	}
	before := m.compare.chart.drawn
	m = send(t, m, press("v"))
	if !m.compare.perVCPU || m.compare.chart.drawn == before || !strings.Contains(m.View(), "per vCPU-hour") {
		t.Fatal("v should switch to per-vCPU prices")
	}
	m = send(t, m, press("x"))
	if len(m.market.marks) != 0 || !strings.Contains(m.View(), "Nothing to compare") {
		t.Fatal("x clears marks")
	}
}

func TestDetailChartZoomPanAndWindow(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	m = send(t, m, press("enter"))
	if m.view != viewDetail || !m.detail.chart.ok {
		t.Fatalf("enter opens the chart: view %v ok %v err %v", m.view, m.detail.chart.ok, m.detail.err)
	}
	c := m.detail.chart
	if !c.start.Equal(demoClock().Add(-7*24*time.Hour)) || !c.end.Equal(demoClock()) {
		t.Fatalf("chart range %v..%v", c.start, c.end)
	}
	if len(c.sets) != len(m.detail.pools) {
		t.Fatalf("%d datasets for %d AZs", len(c.sets), len(m.detail.pools))
	}
	m = send(t, m, press("+"))
	if got := m.detail.chart.vEnd.Sub(m.detail.chart.vStart); got != 84*time.Hour {
		t.Fatalf("zoom in: view %v", got)
	}
	m = send(t, m, press("left"))
	if !m.detail.chart.vStart.Equal(c.start.Add(21 * time.Hour)) {
		t.Fatalf("pan left: view starts %v", m.detail.chart.vStart)
	}
	if !strings.Contains(m.View(), "showing 3.5d of 7.0d") {
		t.Fatal("zoom state not shown")
	}
	m = send(t, m, press("z"))
	if m.detail.chart.zoomed() {
		t.Fatal("z resets zoom")
	}
	m = send(t, m, press("w")) // 30d reloads the chart
	if !m.detail.chart.start.Equal(demoClock().Add(-30 * 24 * time.Hour)) {
		t.Fatalf("window change did not reload the chart: %v", m.detail.chart.start)
	}
	m = send(t, m, press("esc"))
	if m.view != viewMarket {
		t.Fatal("esc goes back to market")
	}
}

func TestStepPoints(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	pts := stepPoints(marketPoints{{t0.Add(-time.Hour), 1}, {t0.Add(time.Hour), 2}}.conv(), t0, t0.Add(2*time.Hour), 1)
	want := []float64{1, 1, 2, 2}
	if len(pts) != len(want) {
		t.Fatalf("%d points", len(pts))
	}
	for i, p := range pts {
		if p.Value != want[i] {
			t.Fatalf("point %d = %v", i, p.Value)
		}
	}
	if !pts[0].Time.Equal(t0) || !pts[3].Time.Equal(t0.Add(2*time.Hour)) {
		t.Fatal("clipping to the window")
	}
}

func TestVolatilityView(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	m = send(t, m, press("4"))
	v := m.View()
	for _, want := range []string{"weak predictor of interruption", "2017", "INTR", "family", "ranked by cv"} {
		if !strings.Contains(v, want) {
			t.Errorf("volatility view lacks %q", want)
		}
	}
	for i := 1; i < len(m.vol.ranked); i++ {
		if m.vol.ranked[i].Stats.CV > m.vol.ranked[i-1].Stats.CV {
			t.Fatal("not ranked by cv")
		}
	}
	m = send(t, m, press("m"))
	if m.vol.metric != metricChanges || !strings.Contains(m.View(), "ranked by changes/day") {
		t.Fatal("m switches the metric")
	}
	m = send(t, m, press("enter"))
	if m.view != viewDetail {
		t.Fatal("enter charts the ranked pool")
	}
}

func TestHelpListsKeysPerView(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	m = send(t, m, press("?"))
	v := m.View()
	for _, want := range []string{"mark for compare", "sort column", "quick filters", "window 1d/7d/30d/90d/all", "quit"} {
		if !strings.Contains(v, want) {
			t.Errorf("market help lacks %q", want)
		}
	}
	if strings.Contains(v, "per vCPU") || strings.Contains(v, "zoom in") {
		t.Error("market help shows chart-only keys")
	}
	m = send(t, m, press("?"), press("3"), press("?"))
	if v := m.View(); !strings.Contains(v, "per vCPU") || strings.Contains(v, "sort column") {
		t.Error("compare help wrong")
	}
	m = send(t, m, press("esc"))
	if m.showHelp {
		t.Error("esc closes help")
	}
}

func TestTabsAndTooSmall(t *testing.T) {
	m := newDemoModel(t, 100, 30, Options{})
	for i, want := range []view{viewDetail, viewCompare, viewVolatility, viewRecommend, viewMarket} {
		m = send(t, m, press("tab"))
		if m.view != want {
			t.Fatalf("tab %d: view %v", i, m.view)
		}
	}
	m = send(t, m, press("shift+tab"))
	if m.view != viewRecommend || !strings.Contains(m.View(), "not wired in") {
		t.Fatal("shift+tab / recommend placeholder")
	}
	m = send(t, m, tea.WindowSizeMsg{Width: 50, Height: 12})
	if v := m.View(); !strings.Contains(v, "terminal too small (need 60x16, have 50x12)") {
		t.Fatalf("too small: %q", v)
	}
	m = send(t, m, tea.WindowSizeMsg{Width: 60, Height: 16})
	for _, v := range []string{"1", "2", "3", "4"} {
		m = send(t, m, press(v))
		if got := m.View(); strings.Contains(got, "too small") || lineCount(got) > 16 {
			t.Fatalf("view %s at 60x16: %d lines", v, lineCount(got))
		}
	}
}

func lineCount(s string) int { return strings.Count(s, "\n") + 1 }

func TestEveryViewFitsTheTerminal(t *testing.T) {
	for _, size := range [][2]int{{60, 16}, {100, 30}, {140, 40}, {200, 60}} {
		m := newDemoModel(t, size[0], size[1], Options{})
		m = send(t, m, keys(" ", " ")...)
		for _, k := range []string{"1", "enter", "3", "4", "5", "?"} {
			m = send(t, m, press(k))
			v := m.View()
			if lineCount(v) != size[1] {
				t.Errorf("%dx%d after %q: %d lines", size[0], size[1], k, lineCount(v))
			}
			for i, l := range strings.Split(v, "\n") {
				if w := lineWidth(l); w > size[0] {
					t.Errorf("%dx%d after %q: line %d is %d wide", size[0], size[1], k, i, w)
					break
				}
			}
		}
	}
}

func TestBackendErrorsShowInStatus(t *testing.T) {
	b := newFakeBackend(30, 50)
	b.sumErr = errors.New("database is locked")
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m, _ = run(t, m, m.Init())
	if v := m.View(); !strings.Contains(v, "database is locked") {
		t.Fatal("error not in the status line")
	}
}

func TestRefreshProgressAndFailure(t *testing.T) {
	b := newFakeBackend(30, 50)
	b.info.CanRefresh = true
	b.refresh = func(_ context.Context, p func(RefreshProgress)) error {
		p(RefreshProgress{Region: "us-east-1", Done: 3, Total: 6})
		p(RefreshProgress{Region: "us-east-1", Done: 3, Total: 6, Err: errors.New("RequestLimitExceeded")})
		return errors.New("1 region failed")
	}
	m := New(b, func() time.Time { return fakeEnd }, Options{})
	m = send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if !m.refresh.active || !strings.Contains(m.View(), "refreshing from AWS") {
		t.Fatal("refresh should start at once")
	}
	m, quit := run(t, m, m.Init())
	if quit {
		t.Fatal("a failed refresh must not quit")
	}
	if m.refresh.active || !strings.Contains(m.View(), "refresh failed: 1 region failed") {
		t.Fatalf("status %q", m.status)
	}
	if len(m.rows) == 0 {
		t.Fatal("cached rows should stay")
	}
	if len(b.queries) < 2 {
		t.Fatal("summaries should reload after a refresh")
	}
}

func TestRefreshBarView(t *testing.T) {
	r := newRefreshState([]string{"us-east-1", "eu-west-1"})
	r.active = true
	r.by["us-east-1"] = RefreshProgress{Region: "us-east-1", Done: 5, Total: 10}
	v := r.view(newStyles(), 100)
	if !strings.Contains(v, "us-east-1") || !strings.Contains(v, "5/10") || !strings.Contains(v, "eu-west-1") || !strings.Contains(v, "waiting") {
		t.Fatal(v)
	}
}

func TestGroupedRunesAreSeparateKeys(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	m = send(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ww")})
	if m.window().label != "90d" {
		t.Fatalf("\"ww\" left window %s, want 90d", m.window().label)
	}
}

func TestRefreshPanelIsBounded(t *testing.T) {
	regions := []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-south-1"}
	r := newRefreshState(regions)
	r.active = true
	r.by["us-east-1"] = RefreshProgress{Region: "us-east-1", Done: 4, Total: 4}
	r.by["us-east-2"] = RefreshProgress{Region: "us-east-2", Done: 1, Total: 4, Err: errThrottled}
	r.by["us-west-1"] = RefreshProgress{Region: "us-west-1", Done: 2, Total: 4}
	v := r.view(newStyles(), 100)
	if n := lineCount(v); n != 1+maxBars {
		t.Fatalf("%d lines:\n%s", n, v)
	}
	if !strings.Contains(v, "us-west-1") || !strings.Contains(v, "1 regions done, 1 failed, 2 more waiting") {
		t.Fatal(v)
	}
}

func TestHeaderShowsPriceAge(t *testing.T) {
	b := newFakeBackend(30, 20)
	b.info.PricesAsOf = fakeEnd.Add(-3 * time.Hour)
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, tea.WindowSizeMsg{Width: 140, Height: 40})
	if !strings.Contains(m.headerLine(), "(3h old)") {
		t.Fatal(m.headerLine())
	}
}

func TestSupersededQueryIsCancelled(t *testing.T) {
	b := newFakeBackend(30, 20)
	b.block = make(chan struct{})
	defer close(b.block)
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m, first := m.reload()
	m, _ = m.reload()
	done := make(chan tea.Msg, 1)
	go func() { done <- first() }()
	select {
	case msg := <-done:
		if sm := msg.(summariesMsg); !errors.Is(sm.err, context.Canceled) || sm.gen == m.sumGen {
			t.Fatalf("first query: gen %d err %v", sm.gen, sm.err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("superseded query still blocked")
	}
}

// TestEmptyCacheWhileRefreshing: on a first run the table is empty until the
// refresh lands; it must say prices are on their way, not that none exist.
func TestEmptyCacheWhileRefreshing(t *testing.T) {
	b := newFakeBackend(0, 0)
	b.info.CanRefresh = true
	b.refresh = func(context.Context, func(RefreshProgress)) error { return nil }
	m := New(b, func() time.Time { return fakeEnd }, Options{})
	m = send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = send(t, m, summariesMsg{gen: m.sumGen, q: m.newQuery()})
	if v := m.View(); !strings.Contains(v, "fetching them from AWS") {
		t.Fatalf("empty table during the first refresh:\n%s", v)
	}
	m.refresh.active = false
	if v := m.View(); !strings.Contains(v, "no pools in this window") {
		t.Fatalf("empty table without a refresh:\n%s", v)
	}
}
