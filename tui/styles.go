package tui

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/spotscope/spotscope/tui/theme"
)

// seriesColors give each AZ or compared type its own colour; the legend
// also names them, so the chart still reads without colour.
var seriesColors = []lipgloss.AdaptiveColor{
	{Light: "#1D4ED8", Dark: "#60A5FA"},
	{Light: "#C2410C", Dark: "#FB923C"},
	{Light: "#15803D", Dark: "#4ADE80"},
	{Light: "#A21CAF", Dark: "#E879F9"},
	{Light: "#0E7490", Dark: "#22D3EE"},
	{Light: "#B91C1C", Dark: "#F87171"},
	{Light: "#4D7C0F", Dark: "#A3E635"},
	{Light: "#6D28D9", Dark: "#A78BFA"},
}

// seriesMarks distinguish datasets without colour, in the legend.
var seriesMarks = []string{"●", "■", "▲", "◆", "★", "✚", "▼", "○"}

type styles struct {
	title, tabActive, tab, header, muted, status, errText, banner lipgloss.Style
	colHeader, sel, marked, good, warn, bad, accent, box          lipgloss.Style
}

func newStyles() styles {
	s := lipgloss.NewStyle
	return styles{
		title:     s().Bold(true).Foreground(theme.Accent),
		tabActive: s().Bold(true).Foreground(theme.Accent).Underline(true),
		tab:       s().Foreground(theme.Muted),
		header:    s().Foreground(theme.Muted),
		muted:     s().Foreground(theme.Muted),
		status:    s().Foreground(theme.Muted),
		errText:   s().Foreground(theme.Bad),
		banner:    s().Background(theme.Banner),
		colHeader: s().Bold(true),
		sel:       s().Background(theme.SelBg),
		marked:    s().Foreground(theme.Accent).Bold(true),
		good:      s().Foreground(theme.Good),
		warn:      s().Foreground(theme.Warn),
		bad:       s().Foreground(theme.Bad),
		accent:    s().Foreground(theme.Accent),
		box:       s().Border(lipgloss.RoundedBorder()).BorderForeground(theme.Muted).Padding(0, 1),
	}
}

// bucketStyle colours an advisor interruption bucket from calm to wild.
func (st styles) bucketStyle(bucket int) lipgloss.Style {
	switch {
	case bucket <= 0:
		return st.good
	case bucket <= 2:
		return st.warn
	default:
		return st.bad
	}
}
