package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// regionPicker chooses which cached regions the views show: one region, or
// all of them at once (the market table then gets a REGION column).
// Choice 0 is "all regions"; choice i is choices()[i-1].
type regionPicker struct {
	open   bool
	cursor int
}

// cachedRegions are the picker's regions: the cached ones, else the ones
// shown at start.
func (m Model) cachedRegions() []string {
	if len(m.info.Cached) > 0 {
		return m.info.Cached
	}
	return m.info.Regions
}

// multiRegion says the views show more than one region, so rows must say
// which one they are.
func (m Model) multiRegion() bool { return len(m.regions) > 1 }

// regionLabel is the header's account of the regions shown.
func (m Model) regionLabel() string {
	all := m.cachedRegions()
	switch {
	case len(m.regions) == 0:
		return "no regions"
	case len(m.regions) > 1 && len(m.regions) == len(all):
		return fmt.Sprintf("all %d regions", len(all))
	case len(m.regions) > 3:
		return fmt.Sprintf("%d regions", len(m.regions))
	}
	return strings.Join(m.regions, ",")
}

func (m Model) openPicker() Model {
	m.picker = regionPicker{open: true}
	all := m.cachedRegions()
	if len(m.regions) == 1 {
		for i, r := range all {
			if r == m.regions[0] {
				m.picker.cursor = i + 1
			}
		}
	}
	return m
}

// pickerKey handles keys while the picker is open; enter applies the choice
// and reloads, esc keeps the regions shown.
func (m Model) pickerKey(msg tea.KeyMsg, k keyMap) (tea.Model, tea.Cmd) {
	all := m.cachedRegions()
	n := len(all) + 1
	switch {
	case key.Matches(msg, k.Quit) && msg.String() == "ctrl+c":
		return m, tea.Quit
	case msg.String() == "esc" || key.Matches(msg, k.Region):
		m.picker.open = false
		return m, nil
	case key.Matches(msg, k.Up):
		m.picker.cursor = (m.picker.cursor + n - 1) % n
	case key.Matches(msg, k.Down):
		m.picker.cursor = (m.picker.cursor + 1) % n
	case key.Matches(msg, k.Home):
		m.picker.cursor = 0
	case key.Matches(msg, k.End):
		m.picker.cursor = n - 1
	case msg.String() == "enter":
		m.picker.open = false
		if m.picker.cursor == 0 {
			m.regions = append([]string(nil), all...)
		} else {
			m.regions = []string{all[m.picker.cursor-1]}
		}
		m.market = m.market.setMultiRegion(m.multiRegion())
		m.setStatus("showing "+m.regionLabel(), false)
		return m.reload()
	}
	return m, nil
}

// pickerView lists the choices with the current one marked.
func (m Model) pickerView(w, h int) string {
	all := m.cachedRegions()
	var b strings.Builder
	b.WriteString(m.st.title.Render("Regions") + m.st.muted.Render("   ↑/↓ choose · enter show · esc cancel") + "\n\n")
	shown := map[string]bool{}
	for _, r := range m.regions {
		shown[r] = true
	}
	line := func(i int, label string, on bool) string {
		mark := "  "
		if on {
			mark = "✓ "
		}
		s := mark + label
		if i == m.picker.cursor {
			return m.st.sel.Render(pad("▶ "+s, min(w, 40), false))
		}
		return "  " + s
	}
	rows := []string{line(0, fmt.Sprintf("all cached regions (%d)", len(all)), len(all) > 1 && len(m.regions) == len(all))}
	for i, r := range all {
		rows = append(rows, line(i+1, r, shown[r] && len(m.regions) == 1))
	}
	// Scroll so the cursor stays visible when 17 regions do not fit.
	avail := max(1, h-2)
	_, off := scrollTo(m.picker.cursor, max(0, m.picker.cursor-avail+1), len(rows), avail)
	end := min(len(rows), off+avail)
	b.WriteString(strings.Join(rows[off:end], "\n"))
	return lipgloss.NewStyle().MaxWidth(w).Render(b.String())
}
