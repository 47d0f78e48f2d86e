package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/spotscope/spotscope/market"
)

// openDemoDetail charts r5.large, which has three AZs in the demo.
func openDemoDetail(t *testing.T, w, h int) Model {
	t.Helper()
	m := newDemoModel(t, w, h, Options{})
	m = send(t, m, keys("/", "r", "5", ".", "l", "a", "r", "g", "e", "enter", "enter")...)
	if m.view != viewDetail || !m.detail.chart.ok || len(m.detail.chart.sets) != 3 {
		t.Fatalf("detail not charted: view %v ok %v sets %d", m.view, m.detail.chart.ok, len(m.detail.chart.sets))
	}
	return m
}

// chartRows is the drawn chart without its legend, hint and table.
func chartRows(m Model) string { return m.detail.chart.drawn }

func TestChartMarkersMatchLegend(t *testing.T) {
	m := openDemoDetail(t, 140, 40)
	legend := m.detail.chart.legend(m.st, 1000)
	for i := range m.detail.chart.sets {
		mark := seriesMarks[i]
		if !strings.Contains(legend, mark) {
			t.Fatalf("legend %q lacks %s", legend, mark)
		}
		// each line carries its own marker at least three times
		if n := strings.Count(chartRows(m), mark); n < 3 {
			t.Fatalf("marker %s appears %d times on the chart:\n%s", mark, n, chartRows(m))
		}
	}
}

func TestChartRoundTicks(t *testing.T) {
	m := openDemoDetail(t, 140, 40)
	lines := strings.Split(chartRows(m), "\n")
	axis := lines[len(lines)-1]
	// the 7-day demo window at 140 columns ticks every 12 hours
	for _, want := range []string{"06/17", "06/18", "06/22", "12:00"} {
		if !strings.Contains(axis, want) {
			t.Fatalf("axis %q lacks %s", axis, want)
		}
	}
}

func TestCrosshairReadout(t *testing.T) {
	m := openDemoDetail(t, 140, 40)
	m = send(t, m, keys("c")...)
	c := m.detail.chart
	if c.cross.IsZero() {
		t.Fatal("c did not turn the crosshair on")
	}
	v := m.View()
	if !strings.Contains(v, c.cross.UTC().Format("2006-01-02 15:04Z")) {
		t.Fatalf("no readout time in:\n%s", v)
	}
	for _, s := range c.sets {
		p, ok := s.valueAt(c.cross)
		if !ok || !strings.Contains(v, s.short+" "+fmtPrice(p)) {
			t.Fatalf("readout lacks %s %s:\n%s", s.short, fmtPrice(p), v)
		}
	}
	if !strings.Contains(chartRows(m), "┊") {
		t.Fatal("no crosshair line on the chart")
	}
	before := c.cross
	m = send(t, m, keys("]")...)
	if !m.detail.chart.cross.After(before) {
		t.Fatal("] did not move the crosshair right")
	}
	m = send(t, m, keys("{")...)
	if !m.detail.chart.cross.Before(before) {
		t.Fatal("{ did not move the crosshair 10 columns left")
	}
	m = send(t, m, keys("c")...)
	if !m.detail.chart.cross.IsZero() || strings.Contains(m.View(), "┊") {
		t.Fatal("c did not turn the crosshair off")
	}
}

func TestCrosshairMouse(t *testing.T) {
	m := openDemoDetail(t, 140, 40)
	z := zoneAt(t, m, m.detail.chart.chart.ZoneID())
	x := z.StartX + 40
	nm, _ := m.Update(tea.MouseMsg{X: x, Y: z.StartY + 3, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	m = nm.(Model)
	c := m.detail.chart
	if c.cross.IsZero() {
		t.Fatal("a click did not place the crosshair")
	}
	if got := c.canvasX(c.col(c.cross)); got != 40 {
		t.Fatalf("crosshair at canvas column %d, clicked 40", got)
	}
}

func TestZoomedStatistics(t *testing.T) {
	m := openDemoDetail(t, 140, 40)
	if !strings.Contains(m.View(), "statistics over the whole 7.0d window") {
		t.Fatal("unzoomed caption missing")
	}
	m = send(t, m, keys("+", "+", "right")...)
	d := m.detail
	if d.viewStats == nil {
		t.Fatal("zoom did not recompute statistics")
	}
	v := m.View()
	if !strings.Contains(v, "statistics over the zoomed") {
		t.Fatalf("zoomed caption missing:\n%s", v)
	}
	for i, pts := range d.series {
		want, _ := market.ComputeStats(pts, d.chart.vStart, d.chart.vEnd)
		if d.viewStats[i] != want {
			t.Fatalf("%s: zoomed stats %+v, want %+v", d.pools[i].AvailabilityZone, d.viewStats[i], want)
		}
		if !strings.Contains(v, fmtHours(want.CoveredHours)) {
			t.Fatalf("table does not show the zoomed covered hours %s", fmtHours(want.CoveredHours))
		}
	}
	m = send(t, m, keys("z")...)
	if m.detail.viewStats != nil || !strings.Contains(m.View(), "whole 7.0d window") {
		t.Fatal("z did not bring back the window's statistics")
	}
}

func TestOnDemandReferenceLine(t *testing.T) {
	// the backend's price
	b := newFakeBackend(30, 50)
	b.onDemand = map[string]float64{}
	for _, s := range b.sums {
		b.onDemand[s.InstanceType] = s.Stats.Last * 1.2
	}
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, sizeMsg(140, 40))
	m, _ = run(t, m, m.Init())
	m = send(t, m, keys("enter")...)
	d := m.detail
	want := b.onDemand[d.typ]
	if d.od.value != want || d.od.label != "On-Demand" {
		t.Fatalf("reference %+v, want On-Demand %v", d.od, want)
	}
	if !strings.Contains(m.View(), "On-Demand "+fmtPrice(want)) || !strings.Contains(d.chart.drawn, "╌") {
		t.Fatalf("no On-Demand line:\n%s", m.View())
	}

	// the demo has no price list: the advisor estimate, labelled
	m = openDemoDetail(t, 140, 40)
	if m.detail.od.label != "On-Demand est." || m.detail.od.value <= 0 {
		t.Fatalf("demo reference %+v", m.detail.od)
	}
	if !strings.Contains(m.View(), "On-Demand est.") {
		t.Fatal("the estimate is not labelled in the legend")
	}
}

func TestCompareZoomedStatistics(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	m = send(t, m, keys(" ", " ", "3")...)
	if !strings.Contains(m.View(), "statistics over the whole 7.0d window") {
		t.Fatalf("unzoomed caption missing:\n%s", m.View())
	}
	m = send(t, m, keys("+", "+")...)
	c := m.compare
	if c.viewStats == nil || !strings.Contains(m.View(), "statistics over the zoomed") {
		t.Fatal("zoom did not recompute the compare statistics")
	}
	for i, pts := range c.series.series {
		want, _ := market.ComputeStats(pts, c.chart.vStart, c.chart.vEnd)
		if c.viewStats[i] != want {
			t.Fatalf("%s: %+v, want %+v", c.pools[i].InstanceType, c.viewStats[i], want)
		}
	}
}

// Compare draws each marked type's On-Demand price as its own line, in $/h
// or per vCPU, from the backend or (c5.large here) the advisor estimate.
func TestCompareOnDemandLines(t *testing.T) {
	b := compareOnDemandBackend().(*fakeBackend)
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, sizeMsg(140, 40))
	m, _ = run(t, m, m.Init())
	m = send(t, m, keys(" ", " ", " ", "3")...)
	c := m.compare
	if len(c.pools) != 3 || len(c.chart.setRefs) != 3 {
		t.Fatalf("%d pools, %d reference lines", len(c.pools), len(c.chart.setRefs))
	}
	for i, s := range c.pools {
		r := c.chart.setRefs[i]
		want, est := b.onDemand[s.InstanceType], false
		if s.InstanceType == "c5.large" {
			want, est = c.odEst[i], true
		}
		if want <= 0 || r.value != want || r.est != est {
			t.Fatalf("%s: reference %+v, want %v (estimate %v)", s.InstanceType, r, want, est)
		}
	}
	// at 80 columns the types lose their AZ so the prices still fit
	for _, w := range []int{140, 80} {
		l := c.chart.legend(m.st, w)
		if !strings.Contains(l, "╌ On-Demand") || !strings.Contains(l, fmtPrice(c.odEst[0])+" est.") || lineWidth(l) > w {
			t.Fatalf("legend at %d columns: %q", w, l)
		}
		for _, r := range c.chart.setRefs {
			if !strings.Contains(l, fmtPrice(r.value)) {
				t.Fatalf("legend at %d columns lacks %s: %q", w, fmtPrice(r.value), l)
			}
		}
	}
	// every line's marker sits on its reference line's row
	for i := range c.pools {
		if !strings.Contains(c.chart.drawn, "╌"+string(seriesMark(i))+"╌") {
			t.Fatalf("no dashed line with %c:\n%s", seriesMark(i), c.chart.drawn)
		}
	}

	m = send(t, m, keys("v")...)
	for i, s := range m.compare.pools {
		if got, want := m.compare.chart.setRefs[i].value, c.chart.setRefs[i].value/float64(s.Spec.VCPUs); got != want {
			t.Fatalf("%s per vCPU: reference %v, want %v", s.InstanceType, got, want)
		}
	}

	// an answer for an older set of marks is dropped
	stale := m.compare.onOnDemand(onDemandMsg{target: forCompare, gen: m.compare.gen - 1,
		answers: []onDemandAnswer{{usd: 9}, {usd: 9}, {usd: 9}}}, m.st)
	if stale.chart.setRefs[0].value == 9 {
		t.Fatal("a stale On-Demand answer replaced the current one")
	}
}
