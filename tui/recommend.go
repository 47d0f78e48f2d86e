package tui

import tea "github.com/charmbracelet/bubbletea"

// recUpdate hands a message to the Recommend tab. The tab is a value type;
// the root keeps a pointer to a private copy so Model stays cheap to copy
// and a nil pointer means "no tab".
func (m Model) recUpdate(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.rec == nil {
		return m, nil
	}
	r, c := m.rec.Update(msg)
	m.rec = &r
	return m, c
}
