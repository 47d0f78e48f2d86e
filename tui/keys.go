package tui

import (
	"github.com/charmbracelet/bubbles/key"
)

// keyMap is the one source of truth for keys: Update matches against it and
// both the footer and the help view render it, so they cannot disagree.
// Bindings that do nothing in the current view are disabled by forView, which
// hides them from help and makes key.Matches ignore them.
type keyMap struct {
	Quit, Help, NextTab, PrevTab, Jump key.Binding
	WindowNext, WindowPrev, Refresh    key.Binding
	Region                             key.Binding

	Up, Down, PageUp, PageDown, Home, End key.Binding
	Open, Expand, Collapse, Back          key.Binding
	Mark, ClearMarks, Mode                key.Binding
	SparkScale, Copy, WriteCSV            key.Binding
	Sort, Reverse, Filter, FilterBar      key.Binding
	ClearFilter                           key.Binding

	ZoomIn, ZoomOut, PanLeft, PanRight, ResetZoom key.Binding
	Cross, CrossMove, CrossJump                   key.Binding
	PerVCPU, Metric                               key.Binding
	Leave                                         key.Binding
}

func newKeyMap() keyMap {
	b := func(keys []string, k, h string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, h))
	}
	return keyMap{
		Quit:       b([]string{"q", "ctrl+c"}, "q", "quit"),
		Help:       b([]string{"?"}, "?", "help"),
		NextTab:    b([]string{"tab"}, "tab", "next view"),
		PrevTab:    b([]string{"shift+tab"}, "shift+tab", "prev view"),
		Jump:       b([]string{"1", "2", "3", "4", "5"}, "1-5", "go to view"),
		WindowNext: b([]string{"w"}, "w/W", "window 1d/7d/30d/90d/all"),
		WindowPrev: b([]string{"W"}, "W", "previous window"),
		Refresh:    b([]string{"r"}, "r", "refresh from AWS"),
		Region:     b([]string{"R"}, "R", "regions"),

		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Home:     b([]string{"home", "g"}, "g", "top"),
		End:      b([]string{"end", "G"}, "G", "bottom"),
		Open:     b([]string{"enter"}, "enter", "chart"),
		Expand:   b([]string{"right", "l"}, "→", "expand type to AZs"),
		Collapse: b([]string{"left", "h"}, "←", "collapse"),
		Back:     b([]string{"esc", "backspace"}, "esc", "back"),

		Mark:        b([]string{" "}, "space", "mark for compare"),
		ClearMarks:  b([]string{"x"}, "x", "clear marks"),
		Mode:        b([]string{"t"}, "t", "pools / types"),
		SparkScale:  b([]string{"%"}, "%", "trend scale: row / shared"),
		Copy:        b([]string{"y"}, "y", "copy table (OSC 52)"),
		WriteCSV:    b([]string{"e"}, "e", "write table as CSV"),
		Sort:        b([]string{"s"}, "s", "sort column"),
		Reverse:     b([]string{"S"}, "S", "reverse sort"),
		Filter:      b([]string{"/"}, "/", "filter"),
		FilterBar:   b([]string{"f"}, "f", "quick filters"),
		ClearFilter: b([]string{"esc"}, "esc", "clear filters"),

		ZoomIn:    b([]string{"+", "=", "pgup"}, "+/pgup", "zoom in"),
		ZoomOut:   b([]string{"-", "pgdown"}, "-/pgdn", "zoom out"),
		PanLeft:   b([]string{"left", "h"}, "←/h", "pan left"),
		PanRight:  b([]string{"right", "l"}, "→/l", "pan right"),
		ResetZoom: b([]string{"z"}, "z", "reset zoom"),
		Cross:     b([]string{"c"}, "c", "crosshair on/off"),
		CrossMove: b([]string{"[", "]"}, "[/]", "move crosshair"),
		CrossJump: b([]string{"{", "}"}, "{/}", "crosshair ×10"),
		PerVCPU:   b([]string{"v"}, "v", "price / per vCPU"),
		Metric:    b([]string{"m"}, "m", "rank by cv/changes/jump"),
		Leave:     b([]string{"esc"}, "esc", "leave tab"),
	}
}

// forView returns a copy with only the bindings that act in v enabled.
func (k keyMap) forView(v view, canRefresh bool) keyMap {
	on := func(b *key.Binding, enabled bool) { b.SetEnabled(enabled) }
	market := v == viewMarket
	chart := v == viewDetail || v == viewCompare
	list := market || v == viewVolatility
	on(&k.WindowNext, v != viewRecommend)
	on(&k.WindowPrev, v != viewRecommend) // listed under WindowNext in help
	if !canRefresh {
		k.Refresh.SetHelp("r", "re-read the cache")
	}
	on(&k.Refresh, v != viewRecommend)
	on(&k.Region, v != viewRecommend)
	on(&k.Up, list || v == viewRecommend)
	on(&k.Down, list || v == viewRecommend)
	on(&k.PageUp, list)
	on(&k.PageDown, list)
	on(&k.Home, list)
	on(&k.End, list)
	on(&k.Open, list)
	on(&k.Expand, market)
	on(&k.Collapse, market)
	on(&k.Back, chart)
	on(&k.Mark, market)
	on(&k.ClearMarks, market || v == viewCompare)
	on(&k.Mode, market)
	on(&k.SparkScale, market)
	on(&k.Copy, market)
	on(&k.WriteCSV, market)
	on(&k.Sort, market)
	on(&k.Reverse, market)
	filtered := list || v == viewCompare || v == viewRecommend
	on(&k.Filter, filtered)
	on(&k.FilterBar, filtered)
	on(&k.ClearFilter, filtered)
	on(&k.ZoomIn, chart)
	on(&k.ZoomOut, chart)
	on(&k.PanLeft, chart)
	on(&k.PanRight, chart)
	on(&k.ResetZoom, chart)
	on(&k.Cross, chart)
	on(&k.CrossMove, chart)
	on(&k.CrossJump, chart)
	on(&k.PerVCPU, v == viewCompare)
	on(&k.Metric, v == viewVolatility)
	on(&k.Leave, v == viewRecommend)
	return k
}

// viewKeys are the bindings that act in the program's current view. The
// Recommend placeholder (no tab wired in) acts on nothing but the global
// keys.
func (m Model) viewKeys() keyMap {
	k := m.keys.forView(m.view, m.info.CanRefresh)
	if m.view == viewRecommend && m.rec == nil {
		for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Filter, &k.FilterBar, &k.ClearFilter, &k.Leave} {
			b.SetEnabled(false)
		}
	}
	return k
}

// footer is a view's short help: the keys a user needs next, with short
// descriptions, so it fits in 100 columns; ? lists the rest.
func (k keyMap) footer(v view) []key.Binding {
	short := func(b key.Binding, desc string) key.Binding {
		b.SetHelp(b.Help().Key, desc)
		return b
	}
	common := []key.Binding{short(k.WindowNext, "window"), short(k.Region, "regions"), k.Help, k.Quit}
	var keys []key.Binding
	switch v {
	case viewMarket:
		keys = []key.Binding{k.Open, short(k.Expand, "AZs"), short(k.Mark, "mark"), short(k.Sort, "sort"), k.Filter}
	case viewDetail, viewCompare:
		pan := k.PanRight
		pan.SetHelp("←/→", "pan")
		zoom := k.ZoomIn
		zoom.SetHelp("+/-", "zoom")
		keys = []key.Binding{k.Back, zoom, pan, short(k.Cross, "crosshair")}
		if v == viewCompare {
			keys = append(keys, short(k.PerVCPU, "$/vCPU"), k.Filter)
		}
		common = []key.Binding{short(k.WindowNext, "window"), k.Help, k.Quit}
	case viewVolatility:
		keys = []key.Binding{k.Open, short(k.Metric, "metric"), k.Filter, short(k.FilterBar, "quick filters")}
	default:
		common = []key.Binding{k.NextTab, k.Help, k.Quit}
	}
	return append(keys, common...)
}

// FullHelp is the help view, one column per concern.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.NextTab, k.PrevTab, k.Jump, k.WindowNext, k.Region, k.Refresh, k.Help, k.Quit},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Open, k.Expand, k.Collapse, k.Back},
		{k.Mark, k.ClearMarks, k.Mode, k.Sort, k.Reverse, k.Filter, k.FilterBar, k.ClearFilter, k.SparkScale, k.Copy, k.WriteCSV},
		{k.ZoomIn, k.ZoomOut, k.PanLeft, k.PanRight, k.ResetZoom, k.Cross, k.CrossMove, k.CrossJump, k.PerVCPU, k.Metric},
	}
}
