// Package tui is spotscope's interactive explorer: a bubbletea program over a
// Backend (the cache in production, demo data in tests). Update never does
// IO; every backend call runs in a tea.Cmd and answers with a message that
// carries its request generation, so stale answers are dropped.
package tui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	zone "github.com/lrstanley/bubblezone"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/tui/recommendview"
)

// Minimum terminal size; below it the views cannot show a useful table.
const (
	minWidth  = 60
	minHeight = 16
)

// sparkLen is the number of buckets asked of the backend; the market table
// resamples them to its column width.
const sparkLen = 48

type view int

const (
	viewMarket view = iota
	viewDetail
	viewCompare
	viewVolatility
	viewRecommend
	numViews
)

var viewNames = [numViews]string{"Market", "Detail", "Compare", "Volatility", "Recommend"}

type window struct {
	label string
	d     time.Duration // 0: everything cached
}

var windows = []window{
	{"1d", 24 * time.Hour},
	{"7d", 7 * 24 * time.Hour},
	{"30d", 30 * 24 * time.Hour},
	{"90d", 90 * 24 * time.Hour},
	{"all", 0},
}

// Options tune the program; the zero value is usable.
type Options struct {
	// Context cancels every backend call when done; nil means Background.
	Context context.Context
	// Window is the initial window; 0 uses Info().Window, then 7 days.
	Window time.Duration
	// NoRefresh skips the background refresh at start even when
	// Info().CanRefresh is true.
	NoRefresh bool
	// Recommend is the Recommend tab, built by the caller with
	// recommendview.New; nil shows a placeholder tab.
	Recommend *recommendview.Model
	// Clipboard receives the OSC 52 sequence that copies the Market table,
	// normally the terminal; nil disables copying.
	Clipboard io.Writer
	// ExportDir is where the Market table's CSV files go; "" is the
	// working directory.
	ExportDir string
}

// Model is the root bubbletea model. Build it with New.
type Model struct {
	ctx     context.Context
	backend Backend
	clock   func() time.Time
	opts    Options
	info    Info
	keys    keyMap
	st      styles
	help    help.Model

	width, height int
	view          view
	showHelp      bool

	windowIdx int
	product   string
	regions   []string // shown; a subset of cachedRegions
	picker    regionPicker

	sumGen    int
	sumCancel context.CancelFunc // of the query in flight; a newer one supersedes it
	loading   bool
	loadErr   error
	rows      []explore.Summary
	query     explore.Query // of rows

	status    string
	statusErr bool

	filter  filterState // shared by Market, Volatility, Compare and Recommend
	market  marketView
	detail  detailView
	compare compareView
	vol     volView
	rec     *recommendview.Model // nil: placeholder tab

	refresh refreshState
}

// New builds the program's model. clock is the program's "now" (the demo end
// in demo mode and in tests); nil means time.Now.
func New(b Backend, clock func() time.Time, opts Options) Model {
	if clock == nil {
		clock = time.Now
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if zone.DefaultManager == nil {
		zone.NewGlobal()
	}
	info := b.Info()
	m := Model{
		ctx: ctx, backend: b, clock: clock, opts: opts, info: info,
		keys: newKeyMap(), st: newStyles(), help: help.New(),
		product: info.Product, regions: append([]string(nil), info.Regions...),
	}
	if opts.Recommend != nil {
		r := *opts.Recommend
		m.rec = &r
	}
	if m.product == "" {
		m.product = market.LinuxUNIX
	}
	m.windowIdx = 1
	want := opts.Window
	if want == 0 {
		want = info.Window
	}
	for i, w := range windows {
		if w.d == want && want != 0 {
			m.windowIdx = i
		}
	}
	m.filter = newFilterState()
	m.market = newMarketView().setMultiRegion(m.multiRegion())
	m.detail = newDetailView()
	m.compare = newCompareView()
	m.vol = newVolView()
	m.refresh = newRefreshState(info.Regions)
	// Init cannot change the model, so the first query's generation and
	// the refresh state are set here.
	m.sumGen, m.loading = 1, true
	m.refresh.active = info.CanRefresh && !opts.NoRefresh
	return m
}

// Run starts the program on the terminal and blocks until the user quits.
// The caller sets lipgloss.SetHasDarkBackground before, so the program never
// queries the terminal itself.
func Run(ctx context.Context, b Backend, clock func() time.Time, opts Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts.Context = ctx
	p := tea.NewProgram(New(b, clock, opts), tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx))
	_, err := p.Run()
	if err == tea.ErrProgramKilled && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Init loads the first summaries and starts the background refresh.
func (m Model) Init() tea.Cmd {
	// With a Previewer the summaries start once the preview is in: on two
	// cores, running both at once would delay the first frame for the
	// sake of the second.
	// The pending Info waits for the preview too.
	var cmds []tea.Cmd
	if p, ok := m.backend.(Previewer); ok {
		cmds = append(cmds, loadPreview(m.ctx, p, m.sumGen, m.newQuery()))
	} else {
		cmds = append(cmds, loadSummaries(m.ctx, m.backend, m.sumGen, m.newQuery()), m.waitInfo())
	}
	if m.refresh.active {
		cmds = append(cmds, startRefresh(m.ctx, m.backend, m.regions))
	}
	if m.rec != nil {
		cmds = append(cmds, m.rec.Init())
	}
	return tea.Batch(cmds...)
}

func (m Model) window() window { return windows[m.windowIdx] }

// windowDur resolves "all" to the cached range, so the query and the chart
// both cover every record without guessing.
func (m Model) windowDur(end time.Time) time.Duration {
	if d := m.window().d; d != 0 {
		return d
	}
	if !m.info.DataFrom.IsZero() && m.info.DataFrom.Before(end) {
		return end.Sub(m.info.DataFrom) + time.Minute
	}
	return 365 * 24 * time.Hour
}

// windowEnd is where the windows end: now, or the shown regions' newest
// covered time when the cache was last fetched before that.
func (m Model) windowEnd() time.Time {
	end := m.clock()
	if newest := m.coveredTo(); !newest.IsZero() && newest.Before(end) {
		return newest
	}
	return end
}

// coveredTo is the newest covered time of the shown regions.
func (m Model) coveredTo() time.Time {
	var newest time.Time
	for _, r := range m.regions {
		if t := m.info.CoveredTo[r]; t.After(newest) {
			newest = t
		}
	}
	return newest
}

func (m Model) newQuery() explore.Query {
	end := m.windowEnd()
	return explore.Query{
		Regions:  append([]string(nil), m.regions...),
		Products: []string{m.product},
		Window:   m.windowDur(end),
		End:      end,
		SparkLen: sparkLen,
	}
}

// reload asks for fresh summaries; the answer replaces rows only if no newer
// reload started meanwhile.
func (m Model) reload() (Model, tea.Cmd) {
	m.sumGen++
	m.loading = true
	// Cancelling the superseded query is bookkeeping, not IO: its answer
	// would be dropped by the generation check anyway, this only stops it
	// burning CPU on the backend.
	if m.sumCancel != nil {
		m.sumCancel()
	}
	var ctx context.Context
	ctx, m.sumCancel = context.WithCancel(m.ctx)
	return m, loadSummaries(ctx, m.backend, m.sumGen, m.newQuery())
}

// Update is the program's only state transition.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m.resize(), nil
	case summariesMsg:
		return m.onSummaries(msg)
	case previewMsg:
		return m.onPreview(msg)
	case seriesMsg:
		return m.onSeries(msg), nil
	case onDemandMsg:
		return m.onOnDemand(msg), nil
	case exportedMsg:
		return m.onExported(msg), nil
	case refreshMsg:
		return m.onRefresh(msg)
	case infoMsg:
		return m.onInfo(msg)
	case tea.KeyMsg:
		// bubbletea v1 delivers runes read together (fast typing, tmux
		// send-keys, key repeat) as one message: "ww" would match no
		// binding. Outside a paste, handle them one key at a time.
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			var cmds []tea.Cmd
			var cur tea.Model = m
			for _, r := range msg.Runes {
				var c tea.Cmd
				cur, c = cur.(Model).onKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
				cmds = append(cmds, c)
			}
			return cur, tea.Batch(cmds...)
		}
		return m.onKey(msg)
	case tea.MouseMsg:
		return m.onMouse(msg)
	}
	// The recommend tab's results arrive as its own messages, also while
	// another tab shows.
	return m.recUpdate(msg)
}

func (m Model) onSummaries(msg summariesMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.sumGen {
		return m, nil // superseded by a newer query
	}
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		m.setStatus("loading prices: "+msg.err.Error(), true)
		return m, nil
	}
	if m.loadErr != nil {
		m.setStatus("", false) // the failure it reported is over
	}
	m.loadErr = nil
	m = m.setRows(msg.rows, msg.q, msg.index)
	m.vol = m.vol.setRows(m.rows)
	var cmds []tea.Cmd
	var c tea.Cmd
	m, c = m.reloadDetail()
	cmds = append(cmds, c)
	m, c = m.reloadCompare()
	cmds = append(cmds, c)
	return m.resize(), tea.Batch(cmds...)
}

// onPreview shows a preview of the first query until its summaries arrive;
// anything newer (summaries, another query) wins over it. The volatility
// view waits for the statistics, which are all it ranks by.
func (m Model) onPreview(msg previewMsg) (tea.Model, tea.Cmd) {
	info := m.waitInfo() // Init's, whatever became of its query
	if msg.gen != m.sumGen {
		return m, info // a newer query has started its own summaries
	}
	next := tea.Batch(loadSummaries(m.ctx, m.backend, m.sumGen, msg.q), info)
	if msg.err != nil || !m.loading || len(m.rows) > 0 {
		return m, next
	}
	m = m.setRows(msg.rows, msg.q, msg.index)
	return m.resize(), next
}

// waitInfo waits for the pending Info of an InfoWaiter; nil when there is
// none.
func (m Model) waitInfo() tea.Cmd {
	w, ok := m.backend.(InfoWaiter)
	if !ok || !m.info.Pending {
		return nil
	}
	ctx := m.ctx
	return func() tea.Msg { return infoMsg{info: w.WaitInfo(ctx)} }
}

// setRows makes rows the market's data, answering q.
// x, when not nil, is the index of rows the command built.
func (m Model) setRows(rows []explore.Summary, q explore.Query, x *marketIndex) Model {
	m.rows, m.query = rows, q
	m.filter = m.filter.setFamilies(m.rows)
	match := m.filter.matcher()
	m.market.match, m.vol.match = match, match
	m.market.q = q
	m.market = m.market.setIndexed(m.rows, x)
	return m
}

// onInfo takes a new Info (after a refresh, or the pending one at start).
// The "all" window is bounded by the data's range, so it asks again when
// that range arrives.
func (m Model) onInfo(msg infoMsg) (tea.Model, tea.Cmd) {
	from, covered := m.info.DataFrom, m.coveredTo()
	m.info = msg.info
	if m.window().d == 0 && !m.info.DataFrom.Equal(from) {
		return m.reload()
	}
	if c := m.coveredTo(); !c.Equal(covered) && m.query.End.Before(m.clock()) && !m.windowEnd().Equal(m.query.End) {
		return m.reload() // the window was ending at the old coverage
	}
	return m, nil
}

// filterable says the active view applies the program's filter.
func (m Model) filterable() bool {
	switch m.view {
	case viewMarket, viewVolatility, viewCompare:
		return true
	case viewRecommend:
		return m.rec != nil && m.rec.ResultsFocused()
	}
	return false
}

// choiceMatcher is the filter over recommendation choices. Specs come from
// the loaded summaries (the catalog's, with architectures) when the type is
// among them, else from what the choice itself says; nil means no filter.
func (m Model) choiceMatcher() func(recommend.Choice) bool {
	if !m.filter.active() {
		return nil
	}
	specs := map[typeKey]market.InstanceType{}
	for i := range m.rows {
		if m.rows[i].HasSpec {
			specs[keyOf(&m.rows[i])] = m.rows[i].Spec
		}
	}
	mp := m.filter.matchPool()
	return func(c recommend.Choice) bool {
		spec, ok := specs[typeKey{c.Region, c.InstanceType}]
		if !ok {
			spec = market.InstanceType{Name: c.InstanceType, VCPUs: c.VCPUs, MemoryMiB: int64(c.MemoryGiB * 1024)}
		}
		return mp(c.Region, c.InstanceType, c.AvailabilityZone, &spec)
	}
}

// applyFilter re-filters every view after a filter change. Each goes back
// to its top; Compare re-fetches only when it is showing.
func (m Model) applyFilter() (Model, tea.Cmd) {
	match := m.filter.matcher()
	m.market = m.market.setFilter(match)
	m.vol = m.vol.setFilter(match)
	if m.rec != nil {
		r := *m.rec
		r.SetFilter(m.choiceMatcher())
		m.rec = &r
	}
	if m.view == viewCompare {
		return m.reloadCompare()
	}
	return m, nil
}

func (m *Model) setStatus(s string, isErr bool) {
	m.status, m.statusErr = s, isErr
}

func (m Model) onKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.String() == "ctrl+c" {
		return m, tea.Quit
	}
	// The Recommend tab uses tab/shift+tab for its own fields and types
	// digits into them, so it gets every key except the ways out: esc
	// leaves the tab, ctrl+c quits, and q, ? and 1-4 act globally only
	// while no text field has focus.
	// A focused text field owns every key, or typing "q" in a filter quits.
	if m.filterable() && !m.showHelp && !m.picker.open && m.filter.capturing() {
		var c tea.Cmd
		var change filterChange
		m.filter, c, change = m.filter.update(msg, m.info.Products)
		switch change {
		case filterRows:
			var fc tea.Cmd
			m, fc = m.applyFilter()
			c = tea.Batch(c, fc)
		case filterProduct:
			m.product = m.filter.fb.product
			var rc tea.Cmd
			m, rc = m.reload()
			c = tea.Batch(c, rc)
		}
		return m.resize(), c
	}
	if m.view == viewRecommend && !m.showHelp && m.rec != nil {
		k := m.viewKeys()
		switch {
		case m.rec.ResultsFocused() && m.filter.active() && key.Matches(msg, k.ClearFilter):
			m.filter = m.filter.clearLayer()
			var c tea.Cmd
			m, c = m.applyFilter()
			return m.resize(), c
		case key.Matches(msg, k.Leave):
			return m.switchView(viewMarket)
		case m.rec.Capturing():
			return m.recUpdate(msg)
		case m.rec.ResultsFocused() && key.Matches(msg, k.Filter):
			m.filter.typing, m.filter.fb.focus = true, false
			c := m.filter.input.Focus()
			return m.resize(), c
		case m.rec.ResultsFocused() && key.Matches(msg, k.FilterBar):
			m.filter.fb.focus, m.filter.typing = true, false
			return m.resize(), nil
		case key.Matches(msg, k.Quit):
			return m, tea.Quit
		case key.Matches(msg, k.Help):
			m.showHelp = true
			return m, nil
		case key.Matches(msg, k.Jump):
			return m.switchView(view(msg.String()[0] - '1'))
		}
		return m.recUpdate(msg)
	}
	k := m.viewKeys()
	if m.picker.open {
		return m.pickerKey(msg, k)
	}
	if m.showHelp {
		switch {
		case key.Matches(msg, k.Quit):
			return m, tea.Quit
		case key.Matches(msg, k.Help), key.Matches(msg, k.Back), msg.String() == "esc":
			m.showHelp = false
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return m, nil
	case key.Matches(msg, k.NextTab):
		return m.switchView((m.view + 1) % numViews)
	case key.Matches(msg, k.PrevTab):
		return m.switchView((m.view + numViews - 1) % numViews)
	case key.Matches(msg, k.Jump):
		return m.switchView(view(msg.String()[0] - '1'))
	case key.Matches(msg, k.Region):
		return m.openPicker(), nil
	case key.Matches(msg, k.WindowNext):
		m.windowIdx = (m.windowIdx + 1) % len(windows)
		return m.reload()
	case key.Matches(msg, k.WindowPrev):
		m.windowIdx = (m.windowIdx + len(windows) - 1) % len(windows)
		return m.reload()
	case key.Matches(msg, k.Refresh) && !m.info.CanRefresh:
		// Offline (the demo, no credentials): r re-reads the cache, which
		// another spotscope may have filled meanwhile.
		m.setStatus("re-read the cache (offline: no AWS refresh)", false)
		var c tea.Cmd
		m, c = m.reload()
		return m, tea.Batch(c, reloadInfo(m.backend))
	case key.Matches(msg, k.Refresh):
		if m.refresh.active {
			m.setStatus("a refresh is already running", false)
			return m, nil
		}
		m.refresh = newRefreshState(m.regions)
		m.refresh.active = true
		m.setStatus("refreshing prices from AWS…", false)
		return m.resize(), startRefresh(m.ctx, m.backend, m.regions)
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.filter.typing, m.filter.fb.focus = true, false
		c := m.filter.input.Focus()
		return m.resize(), c
	case key.Matches(msg, k.FilterBar):
		m.filter.fb.focus, m.filter.typing = true, false
		if m.filter.fb.product == "" {
			m.filter.fb.product = m.product
		}
		return m.resize(), nil
	case m.filter.active() && key.Matches(msg, k.ClearFilter):
		m.filter = m.filter.clearLayer()
		var c tea.Cmd
		m, c = m.applyFilter()
		return m.resize(), c
	}
	switch m.view {
	case viewMarket:
		return m.marketKey(msg, k)
	case viewDetail:
		return m.detailKey(msg, k)
	case viewCompare:
		return m.compareKey(msg, k)
	case viewVolatility:
		return m.volKey(msg, k)
	case viewRecommend:
		return m.recUpdate(msg)
	}
	return m, nil
}

func (m Model) switchView(v view) (tea.Model, tea.Cmd) {
	if v < 0 || v >= numViews {
		return m, nil
	}
	m.view = v
	m.showHelp = false
	var c tea.Cmd
	switch v {
	case viewDetail:
		if m.detail.typ == "" {
			if s, ok := m.market.selected(); ok {
				return m.openDetail(s.Region, s.InstanceType, s.AvailabilityZone)
			}
		}
	case viewCompare:
		m, c = m.reloadCompare()
	}
	return m.resize(), c
}

func (m Model) onMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	if msg.Action == tea.MouseActionPress && msg.Button == tea.MouseButtonLeft {
		for v := view(0); v < numViews; v++ {
			if zone.Get(tabZone(v)).InBounds(msg) {
				return m.switchView(v)
			}
		}
	}
	switch m.view {
	case viewMarket:
		return m.marketMouse(msg)
	case viewDetail, viewCompare:
		return m.chartMouse(msg), nil
	case viewVolatility:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			m.vol = m.vol.move(-3)
		case tea.MouseButtonWheelDown:
			m.vol = m.vol.move(3)
		}
	case viewRecommend:
		return m.recUpdate(msg)
	}
	return m, nil
}

func tabZone(v view) string { return fmt.Sprintf("spotscope-tab-%d", v) }

// chrome renders the lines above and below the active view; resize and View
// measure them instead of hard-coding heights.
func (m Model) top() string {
	lines := []string{m.headerLine(), m.tabsLine()}
	if m.info.Demo {
		lines = append(lines, m.bannerLine())
	}
	if r := m.refresh.view(m.st, m.width); r != "" {
		lines = append(lines, r)
	}
	if f := m.filter.view(m.st, m.width); f != "" && m.filterable() && !m.showHelp {
		lines = append(lines, f)
	}
	return strings.Join(lines, "\n")
}

func (m Model) bottom() string {
	k := m.viewKeys()
	h := m.help
	h.Width = m.width
	var help string
	if m.view == viewRecommend && m.rec != nil {
		short := m.rec.ShortHelp()
		if m.rec.ResultsFocused() {
			short = append(short, k.Filter)
		}
		help = h.ShortHelpView(append(short, k.Leave, k.Help, k.Quit))
	} else {
		help = h.ShortHelpView(k.footer(m.view))
	}
	// help.ShortHelpView overflows when even its "…" does not fit (bubbles
	// v1.0.0 shouldAddItem), so cut it here.
	return m.statusLine() + "\n" + truncate(help, m.width)
}

// contentSize is what is left for the active view.
func (m Model) contentSize() (int, int) {
	h := m.height - lipgloss.Height(m.top()) - lipgloss.Height(m.bottom())
	return m.width, max(h, 1)
}

func (m Model) resize() Model {
	if m.width == 0 {
		return m
	}
	m.help.Width = m.width
	w, h := m.contentSize()
	m.market = m.market.setSize(w, h)
	m.detail = m.detail.setSize(w, h, m.st)
	m.compare = m.compare.setSize(w, h, m.st)
	m.vol = m.vol.setSize(w, h)
	if m.view == viewVolatility {
		m.vol = m.vol.fresh(m.market.index)
	}
	if m.rec != nil {
		r := *m.rec
		r.SetSize(w, h)
		m.rec = &r
	}
	return m
}

// View renders the whole screen. zone.Scan strips the mouse-zone markers and
// records where they were, so clicks can be mapped back to tabs and rows.
func (m Model) View() string {
	if m.width == 0 {
		return "loading spotscope…"
	}
	if m.width < minWidth || m.height < minHeight {
		return fmt.Sprintf("terminal too small (need %dx%d, have %dx%d)\nresize the window or press q to quit",
			minWidth, minHeight, m.width, m.height)
	}
	w, h := m.contentSize()
	var body string
	switch {
	case m.picker.open:
		body = m.pickerView(w, h)
	case m.showHelp:
		body = m.helpView(w, h)
	case m.view == viewMarket:
		body = m.market.view(m.st, m.loading && len(m.rows) == 0, m.refresh.active)
	case m.view == viewDetail:
		body = m.detail.view(m.st, w, h)
	case m.view == viewCompare:
		body = m.compare.view(m.st, w, h)
	case m.view == viewVolatility:
		body = m.vol.view(m.st)
	case m.view == viewRecommend:
		if m.rec != nil {
			body = m.rec.View()
		} else {
			body = m.st.muted.Render("The recommend view (tui/recommendview) is not wired in yet.\n" +
				"Use `spotscope recommend` on the command line meanwhile.")
		}
	}
	body = lipgloss.NewStyle().Width(w).Height(h).MaxHeight(h).MaxWidth(w).Render(body)
	return zone.Scan(m.top() + "\n" + body + "\n" + m.bottom())
}

// helpGroups are the help view's columns: every key the view handles.
func (m Model) helpGroups() [][]key.Binding {
	k := m.viewKeys()
	if m.view == viewRecommend && m.rec != nil {
		return append(m.rec.FullHelp(), []key.Binding{k.Filter, k.FilterBar, k.ClearFilter}, []key.Binding{k.Leave, k.Jump, k.Help, k.Quit})
	}
	return k.FullHelp()
}

func (m Model) helpView(w, h int) string {
	hm := m.help
	hm.Width = w
	hm.ShowAll = true
	title := m.st.title.Render("Keys — "+viewNames[m.view]+" view") + m.st.muted.Render("   (? or esc to close)")
	groups := m.helpGroups()
	notes := m.st.muted.Render("Quick filters (f): ←/→ field, ↑/↓ value, 0 reset field, enter done. Filter (/): substring or glob (m5*, *.xlarge).\n" +
		"Mouse: click a tab or row (again to chart it), wheel scrolls the table and zooms a chart, drag pans it.")
	return title + "\n\n" + hm.FullHelpView(groups) + "\n\n" + notes
}

func (m Model) headerLine() string {
	sep := m.st.muted.Render(" │ ")
	regions := m.regionLabel()
	win := m.window().label
	if m.query.Window > 0 {
		win += " " + fmtDay(m.query.End.Add(-m.query.Window)) + ".." + fmtDay(m.query.End)
	}
	prices := "prices: never fetched"
	switch {
	case m.info.Pending:
		prices = "prices …"
	case !m.info.PricesAsOf.IsZero():
		prices = "prices " + m.info.PricesAsOf.UTC().Format("2006-01-02 15:04Z")
		if age := m.clock().Sub(m.info.PricesAsOf); age >= time.Minute {
			prices += " (" + fmtAge(age) + " old)"
		}
	case m.info.Demo:
		prices = "prices: demo"
	}
	base := []string{m.st.title.Render("spotscope"), regions, m.product, win, prices}
	// The advisor's provenance goes first when space is short, its date
	// before its mode; the price freshness stays.
	a := m.info.Advisor
	var tries [][]string
	if a.Mode != "" {
		adv := "advisor " + a.Mode
		if !a.AsOf.IsZero() {
			tries = append(tries, append(base[:len(base):len(base)], adv+" "+a.AsOf.UTC().Format("2006-01-02")))
		}
		tries = append(tries, append(base[:len(base):len(base)], adv))
	}
	tries = append(tries, base)
	for _, parts := range tries {
		if s := strings.Join(parts, sep); lipgloss.Width(s) <= m.width {
			return s
		}
	}
	return truncate(strings.Join(base, sep), m.width)
}

func (m Model) tabsLine() string {
	var b strings.Builder
	for v := view(0); v < numViews; v++ {
		label := fmt.Sprintf(" %d %s ", v+1, viewNames[v])
		if v == m.view {
			label = m.st.tabActive.Render(fmt.Sprintf("[%d %s]", v+1, viewNames[v]))
		} else {
			label = m.st.tab.Render(label)
		}
		b.WriteString(zone.Mark(tabZone(v), label))
		b.WriteString(" ")
	}
	return truncate(b.String(), m.width)
}

func (m Model) bannerText() string {
	return fmt.Sprintf("demo data: %s, %s .. %s (recorded AWS prices). Connect AWS: set AWS_PROFILE or run aws configure.",
		strings.Join(m.info.Regions, ","), fmtDay(m.info.DataFrom), fmtDay(m.info.DataTo))
}

func (m Model) bannerLine() string {
	// wraps rather than truncates: the instruction at the end matters most
	return m.st.banner.Width(m.width).Render(m.bannerText())
}

func (m Model) statusLine() string {
	var left string
	switch {
	case m.status != "" && m.statusErr:
		left = m.st.errText.Render("! " + m.status)
	case m.loading:
		left = m.st.muted.Render("loading " + m.window().label + " …")
	case m.status != "":
		left = m.st.status.Render(m.status)
	}
	right := ""
	switch m.view {
	case viewMarket:
		right = m.market.summary()
	case viewCompare:
		right = fmt.Sprintf("%d marked", len(m.market.marks))
	case viewVolatility:
		right = m.vol.summary()
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return truncate(left+" "+right, m.width)
	}
	return left + strings.Repeat(" ", gap) + m.st.muted.Render(right)
}
