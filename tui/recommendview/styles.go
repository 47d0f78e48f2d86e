package recommendview

import "github.com/charmbracelet/lipgloss"

// Every colour is adaptive so the view reads on light and dark terminals, and
// every colour has a textual twin (▸, ✗, ~, ?, [..]) because NO_COLOR strips
// all SGR, bold included.
var (
	colAccent = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#A99BFF"}
	colMuted  = lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"}
	colError  = lipgloss.AdaptiveColor{Light: "#B00020", Dark: "#FF6B6B"}
	colOK     = lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#6BD68B"}
	colWarn   = lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#E3B341"}
	colSelBG  = lipgloss.AdaptiveColor{Light: "#E4DEFF", Dark: "#3B3363"}
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
		title:    lipgloss.NewStyle().Bold(true).Foreground(colAccent),
		label:    lipgloss.NewStyle(),
		focus:    lipgloss.NewStyle().Bold(true).Foreground(colAccent),
		muted:    lipgloss.NewStyle().Foreground(colMuted),
		err:      lipgloss.NewStyle().Foreground(colError),
		ok:       lipgloss.NewStyle().Foreground(colOK),
		warn:     lipgloss.NewStyle().Foreground(colWarn),
		header:   lipgloss.NewStyle().Bold(true).Foreground(colMuted),
		selected: lipgloss.NewStyle().Bold(true).Background(colSelBG),
		section:  lipgloss.NewStyle().Bold(true),
	}
}
