// Package theme is the explorer's one palette, shared by the root app and
// its tabs so every view uses the same colours. Each colour adapts to light
// and dark terminals; meaning never rests on colour alone, because NO_COLOR
// strips all of it.
package theme

import "github.com/charmbracelet/lipgloss"

var (
	Accent = lipgloss.AdaptiveColor{Light: "#5A3FD6", Dark: "#9D8CFF"}
	Muted  = lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"}
	Good   = lipgloss.AdaptiveColor{Light: "#16803C", Dark: "#4ADE80"}
	Warn   = lipgloss.AdaptiveColor{Light: "#A16207", Dark: "#FACC15"}
	Bad    = lipgloss.AdaptiveColor{Light: "#B91C1C", Dark: "#F87171"}
	SelBg  = lipgloss.AdaptiveColor{Light: "#E4DEFF", Dark: "#312A5C"}
	Banner = lipgloss.AdaptiveColor{Light: "#FFF4CC", Dark: "#3D3415"}
)
