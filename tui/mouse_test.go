package tui

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	zone "github.com/lrstanley/bubblezone"
)

var syncZones atomic.Int64

// zoneAt renders the view and returns where id was drawn, once bubblezone's
// worker has stored every zone of that render. The worker reads a buffered
// channel, so a plain Get can answer from an earlier render (a frame with
// another layout put a click one row off on a loaded machine). A sync zone
// orders it: scanned after a render, it is stored once that render's zones
// are; it is deleted only by the cleanup at the end of the next render's
// scan, which runs after that render's zones are stored and keeps them.
func zoneAt(t *testing.T, m Model, id string) *zone.ZoneInfo {
	t.Helper()
	_ = m.View()
	sync := fmt.Sprintf("zone-sync-%d", syncZones.Add(1))
	zone.Scan(zone.Mark(sync, "x"))
	waitZone(t, func() bool { return zone.Get(sync) != nil })
	_ = m.View()
	waitZone(t, func() bool { return zone.Get(sync) == nil })
	z := zone.Get(id)
	if z == nil || z.IsZero() {
		t.Fatalf("zone %s not drawn", id)
	}
	return z
}

func waitZone(t *testing.T, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(patience(t)); !done(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("bubblezone's worker never caught up")
		}
	}
}

func click(z *zone.ZoneInfo) tea.MouseMsg {
	return tea.MouseMsg{X: z.StartX + 1, Y: z.StartY, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress}
}

func TestMouse(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})

	m = send(t, m, tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if m.market.cursor != 3 {
		t.Fatalf("wheel: cursor %d", m.market.cursor)
	}
	m = send(t, m, click(zoneAt(t, m, rowZone(5))))
	if m.market.cursor != m.market.offset+5 {
		t.Fatalf("click selects row: cursor %d", m.market.cursor)
	}
	m = send(t, m, click(zoneAt(t, m, rowZone(5))))
	if m.view != viewDetail || !m.detail.chart.ok {
		t.Fatal("a second click on the selected row opens its chart")
	}

	z := zoneAt(t, m, m.detail.chart.chart.ZoneID())
	m = send(t, m, tea.MouseMsg{X: z.StartX + 20, Y: z.StartY + 3, Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if !m.detail.chart.zoomed() {
		t.Fatal("wheel over the chart zooms in")
	}
	// outside the chart the wheel does nothing
	before := m.detail.chart.vStart
	m = send(t, m, tea.MouseMsg{X: 1, Y: 0, Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if !m.detail.chart.vStart.Equal(before) {
		t.Fatal("wheel outside the chart moved it")
	}

	m = send(t, m, click(zoneAt(t, m, tabZone(viewVolatility))))
	if m.view != viewVolatility {
		t.Fatalf("tab click: view %v", m.view)
	}
}
