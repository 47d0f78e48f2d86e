package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

type infoMsg struct{ info Info }

// refreshState tracks the background refresh per region. The bars are drawn
// with ViewAs, statically: the fetch itself paces the updates, so no
// animation frames are needed.
type refreshState struct {
	active  bool
	regions []string
	by      map[string]RefreshProgress
	bar     progress.Model
}

func newRefreshState(regions []string) refreshState {
	return refreshState{
		regions: append([]string(nil), regions...),
		by:      map[string]RefreshProgress{},
		// the bar follows lipgloss's profile, so NO_COLOR and --no-color
		// reach it too (progress.New would read the terminal's own)
		bar: progress.New(progress.WithDefaultGradient(), progress.WithoutPercentage(),
			progress.WithColorProfile(lipgloss.ColorProfile())),
	}
}

func (m Model) onRefresh(msg refreshMsg) (tea.Model, tea.Cmd) {
	if msg.progress != nil {
		p := *msg.progress
		if !m.refresh.active {
			m.refresh.active = true
		}
		by := make(map[string]RefreshProgress, len(m.refresh.by)+1)
		for k, v := range m.refresh.by {
			by[k] = v
		}
		by[p.Region] = p
		m.refresh.by = by
		if !contains(m.refresh.regions, p.Region) {
			m.refresh.regions = append(append([]string(nil), m.refresh.regions...), p.Region)
		}
		if p.Err != nil {
			m.setStatus(fmt.Sprintf("refresh %s: %v", p.Region, p.Err), true)
		}
		return m.resize(), waitRefresh(msg.ch)
	}
	if !msg.done {
		return m, nil
	}
	m.refresh.active = false
	if msg.err != nil {
		m.setStatus("refresh failed: "+msg.err.Error()+" (showing cached prices)", true)
	} else if !m.statusErr {
		m.setStatus("prices refreshed "+m.clock().UTC().Format("15:04 UTC"), false)
	}
	b := m.backend
	m2, c := m.resize().reload()
	return m2, tea.Batch(c, func() tea.Msg { return infoMsg{b.Info()} })
}

// maxBars bounds the refresh panel; with more regions the finished ones
// are summarised in one line so the table keeps its rows.
const maxBars = 4

// view shows a bar per region while a refresh runs, and nothing after.
func (r refreshState) view(st styles, width int) string {
	if !r.active {
		return ""
	}
	nameW := 0
	for _, reg := range r.regions {
		nameW = max(nameW, len(reg))
	}
	bar := r.bar
	bar.Width = max(10, min(40, width-nameW-30))
	shown := r.regions
	var done, failed, waiting int
	if len(r.regions) > maxBars {
		// running regions first, then waiting ones
		shown = nil
		for _, reg := range r.regions {
			p, ok := r.by[reg]
			switch {
			case ok && p.Err != nil:
				failed++
			case ok && p.Total > 0 && p.Done >= p.Total:
				done++
			case ok && len(shown) < maxBars-1:
				shown = append(shown, reg)
			default:
				waiting++
			}
		}
		for _, reg := range r.regions {
			if _, ok := r.by[reg]; !ok && len(shown) < maxBars-1 {
				shown = append(shown, reg)
				waiting--
			}
		}
	}
	var lines []string
	for _, reg := range shown {
		p, ok := r.by[reg]
		pct, tail := 0.0, "waiting"
		if ok {
			if p.Total > 0 {
				pct = float64(p.Done) / float64(p.Total)
			}
			tail = fmt.Sprintf("%d/%d", p.Done, p.Total)
			if p.Err != nil {
				tail = st.errText.Render("failed")
			} else if p.Total > 0 && p.Done >= p.Total {
				tail += " done"
			}
		}
		lines = append(lines, truncate(fmt.Sprintf("%-*s %s %s", nameW, reg, bar.ViewAs(pct), tail), width))
	}
	if len(r.regions) > maxBars {
		lines = append(lines, st.muted.Render(fmt.Sprintf("%d regions done, %d failed, %d more waiting", done, failed, max(waiting, 0))))
	}
	return st.muted.Render("refreshing from AWS (r is busy; q still quits)") + "\n" + strings.Join(lines, "\n")
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
