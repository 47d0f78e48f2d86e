package recommendview

import "github.com/charmbracelet/bubbles/key"

// keyMap holds every binding of the view. Bindings that make no sense in the
// current focus are disabled rather than removed, so help.Model hides them and
// the root app's help bar always matches what the keys do.
type keyMap struct {
	Next      key.Binding
	Prev      key.Binding
	Cycle     key.Binding
	Run       key.Binding
	Up        key.Binding
	Down      key.Binding
	PageUp    key.Binding
	PageDown  key.Binding
	Form      key.Binding
	Alts      key.Binding
	Format    key.Binding
	WriteFile key.Binding
	Copy      key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Next:      key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("S-tab/↑", "prev field")),
		Cycle:     key.NewBinding(key.WithKeys("left", "right", " "), key.WithHelp("←/→", "change")),
		Run:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "recommend")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Form:      key.NewBinding(key.WithKeys("tab", "shift+tab", "e"), key.WithHelp("tab/e", "edit profile")),
		Alts:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "alternatives")),
		Format:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export format")),
		WriteFile: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write file")),
		Copy:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy (OSC 52)")),
	}
}

// ShortHelp lists the keys that act in the current focus (help.KeyMap).
func (m Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.focus == results {
		return []key.Binding{k.Up, k.Down, k.Alts, k.Format, k.WriteFile, k.Copy, k.Form, k.Run}
	}
	if specs[m.focus].cycler {
		return []key.Binding{k.Next, k.Prev, k.Cycle, k.Run}
	}
	return []key.Binding{k.Next, k.Prev, k.Run}
}

// FullHelp groups every key of the tab (help.KeyMap); results keys are
// listed only once there are results to act on.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	groups := [][]key.Binding{{k.Next, k.Prev, k.Cycle, k.Run}}
	if m.hasRows() {
		groups = append(groups,
			[]key.Binding{k.Up, k.Down, k.PageUp, k.PageDown},
			[]key.Binding{k.Alts, k.Form},
			[]key.Binding{k.Format, k.WriteFile, k.Copy})
	}
	return groups
}
