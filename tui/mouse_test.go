package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	zone "github.com/lrstanley/bubblezone"
)

// zoneAt renders the view and waits for bubblezone's worker to record
// where id was drawn.
func zoneAt(t *testing.T, m Model, id string) *zone.ZoneInfo {
	t.Helper()
	_ = m.View()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if z := zone.Get(id); z != nil && !z.IsZero() {
			return z
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("zone %s never recorded", id)
	return nil
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
