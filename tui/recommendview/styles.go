package recommendview

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/spotscope/spotscope/tui/theme"
)

type styles struct {
	title    lipgloss.Style
	label    lipgloss.Style
	focus    lipgloss.Style
	muted    lipgloss.Style
	err      lipgloss.Style
	ok       lipgloss.Style
	warn     lipgloss.Style
	header   lipgloss.Style
	selected lipgloss.Style
	section  lipgloss.Style
}

func defaultStyles() styles {
	return styles{
		title:    lipgloss.NewStyle().Bold(true).Foreground(theme.Accent),
		label:    lipgloss.NewStyle(),
		focus:    lipgloss.NewStyle().Bold(true).Foreground(theme.Accent),
		muted:    lipgloss.NewStyle().Foreground(theme.Muted),
		err:      lipgloss.NewStyle().Foreground(theme.Bad),
		ok:       lipgloss.NewStyle().Foreground(theme.Good),
		warn:     lipgloss.NewStyle().Foreground(theme.Warn),
		header:   lipgloss.NewStyle().Bold(true).Foreground(theme.Muted),
		selected: lipgloss.NewStyle().Bold(true).Background(theme.SelBg),
		section:  lipgloss.NewStyle().Bold(true),
	}
}
