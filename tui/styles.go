package tui

import "github.com/charmbracelet/lipgloss"

// Colours adapt to light and dark terminals. Meaning never rests on colour
// alone (NO_COLOR strips it): the cursor row has a marker, marks a "*", and
// risk buckets print their label.
var (
	colAccent = lipgloss.AdaptiveColor{Light: "#5A3FD6", Dark: "#9D8CFF"}
	colMuted  = lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"}
	colGood   = lipgloss.AdaptiveColor{Light: "#16803C", Dark: "#4ADE80"}
	colWarn   = lipgloss.AdaptiveColor{Light: "#A16207", Dark: "#FACC15"}
	colBad    = lipgloss.AdaptiveColor{Light: "#B91C1C", Dark: "#F87171"}
	colSelBg  = lipgloss.AdaptiveColor{Light: "#E4DEFF", Dark: "#312A5C"}
	colBanner = lipgloss.AdaptiveColor{Light: "#FFF4CC", Dark: "#3D3415"}
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
		title:     s().Bold(true).Foreground(colAccent),
		tabActive: s().Bold(true).Foreground(colAccent).Underline(true),
		tab:       s().Foreground(colMuted),
		header:    s().Foreground(colMuted),
		muted:     s().Foreground(colMuted),
		status:    s().Foreground(colMuted),
		errText:   s().Foreground(colBad),
		banner:    s().Background(colBanner),
		colHeader: s().Bold(true),
		sel:       s().Background(colSelBg),
		marked:    s().Foreground(colAccent).Bold(true),
		good:      s().Foreground(colGood),
		warn:      s().Foreground(colWarn),
		bad:       s().Foreground(colBad),
		accent:    s().Foreground(colAccent),
		box:       s().Border(lipgloss.RoundedBorder()).BorderForeground(colMuted).Padding(0, 1),
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
