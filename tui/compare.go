package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
)

// compareView charts the types marked in Market together, each by its
// cheapest AZ, in $/h or $/vCPU-h.
type compareView struct {
	pools     []explore.Summary
	hidden    int // marked types the filter hides
	perVCPU   bool
	gen       int
	loading   bool
	err       error
	series    seriesMsg
	chart     chartState
	viewStats []market.Stats // of pools over the zoomed view; nil when not zoomed
	od        []refLine      // of pools: the type's On-Demand $/h once known (value 0: not yet, or none)
	odEst     []float64      // of pools: the type's estimate from its AZs, when the backend has no price
	w, h      int
}

func newCompareView() compareView { return compareView{} }

var compareCols = []tcol{
	{"TYPE", 14, false, 10}, {"AZ", 12, false, 8}, {"vCPU", 4, true, 7}, {"GiB", 6, true, 5},
	{"LAST", 8, true, 9}, {"$/vCPU·h", 9, true, 9}, {"TWAP", 8, true, 6}, {"CV", 6, true, 6},
	{"CHG/D", 6, true, 3}, {"SAVE", 5, true, 4}, {"INTR", 6, false, 8},
}

// reloadCompare picks the cheapest pool of every marked type and fetches
// their series; it runs on entering the view and on new summaries.
func (m Model) reloadCompare() (Model, tea.Cmd) {
	c := m.compare
	best := map[typeKey]*explore.Summary{}
	seen := map[typeKey]bool{}
	azs := map[typeKey][]explore.Summary{} // every AZ of a marked type, for the On-Demand estimate
	for i := range m.rows {
		s := &m.rows[i]
		k := keyOf(s)
		if !m.market.marks[k] {
			continue
		}
		seen[k] = true
		azs[k] = append(azs[k], *s)
		if m.market.match != nil && !m.market.match(s) {
			continue
		}
		if b, ok := best[k]; !ok || cheaper(s, b) {
			best[k] = s
		}
	}
	c.pools = c.pools[:0:0]
	c.hidden = len(seen) - len(best)
	for _, s := range best {
		c.pools = append(c.pools, *s)
	}
	sort.Slice(c.pools, func(i, j int) bool {
		if c.pools[i].Region != c.pools[j].Region {
			return c.pools[i].Region < c.pools[j].Region
		}
		return c.pools[i].InstanceType < c.pools[j].InstanceType
	})
	c.gen++
	c.err = nil
	c.chart = chartState{w: c.chart.w, h: c.chart.h}
	c.loading = len(c.pools) > 0
	c.od = nil
	c.odEst = make([]float64, len(c.pools))
	for i, s := range c.pools {
		c.odEst[i] = estimateOnDemand(azs[keyOf(&s)])
	}
	m.compare = c
	if len(c.pools) == 0 || m.query.End.IsZero() {
		return m, nil
	}
	pools := make([]market.Pool, len(c.pools))
	for i, s := range c.pools {
		pools[i] = s.Pool
	}
	return m, tea.Batch(loadSeries(m.ctx, m.backend, c.gen, forCompare, pools, m.query.End.Add(-m.query.Window), m.query.End),
		loadOnDemand(m.ctx, m.backend, forCompare, c.gen, pools))
}

// onOnDemand takes the types' On-Demand prices (or their estimates) and
// redraws the chart with them.
func (c compareView) onOnDemand(msg onDemandMsg, st styles) compareView {
	if msg.gen != c.gen || len(msg.answers) != len(c.pools) {
		return c
	}
	c.od = make([]refLine, len(c.pools))
	for i, a := range msg.answers {
		c.od[i] = onDemandLine(a, c.odEst[i])
	}
	return c.build(st)
}

func (c compareView) onSeries(msg seriesMsg, st styles) compareView {
	c.loading = false
	c.err = msg.err
	c.series = msg
	return c.build(st)
}

// build turns the fetched series into chart lines, divided by vCPUs in the
// per-vCPU view (types without a catalog entry stay per instance).
func (c compareView) build(st styles) compareView {
	msg := c.series
	if msg.err != nil || len(msg.series) != len(c.pools) {
		return c
	}
	sets := make([]chartSet, len(c.pools))
	refs := make([]refLine, len(c.pools)) // in the chart's unit
	for i, s := range c.pools {
		scale := 1.0
		if c.perVCPU && s.HasSpec && s.Spec.VCPUs > 0 {
			scale = float64(s.Spec.VCPUs)
		}
		sets[i] = chartSet{name: s.Region + "/" + s.InstanceType, label: s.InstanceType + " " + s.AvailabilityZone, short: s.InstanceType,
			points: stepPoints(msg.series[i], msg.start, msg.end, scale)}
		if i < len(c.od) {
			refs[i] = c.od[i]
			refs[i].value /= scale
		}
	}
	vs, ve := c.chart.vStart, c.chart.vEnd
	zoomed := c.chart.ok && c.chart.zoomed()
	c.chart = c.chart.setData(sets, msg.start, msg.end)
	c.chart.setRefs = refs
	if zoomed {
		c.chart.vStart, c.chart.vEnd = vs, ve
	}
	return c.zoomStats().setSize(c.w, c.h, st)
}

// zoomStats recomputes the table's statistics over the zoomed view, as the
// Detail view does.
func (c compareView) zoomStats() compareView {
	c.viewStats = nil
	if !c.chart.zoomed() || len(c.series.series) != len(c.pools) {
		return c
	}
	c.viewStats = make([]market.Stats, len(c.pools))
	for i, pts := range c.series.series {
		c.viewStats[i], _ = market.ComputeStats(pts, c.chart.vStart, c.chart.vEnd)
	}
	return c
}

func (c compareView) setSize(w, h int, st styles) compareView {
	c.w, c.h = w, h
	ch := max(4, h-4-(len(c.pools)+1)) // title, legend, hint, caption; table
	c.chart = c.chart.resize(w, ch).draw(st)
	return c
}

func (m Model) compareKey(msg tea.KeyMsg, k keyMap) (tea.Model, tea.Cmd) {
	c := m.compare
	if ch, ok := chartKeys(c.chart, msg, k); ok {
		c.chart = ch.draw(m.st)
		m.compare = c.zoomStats()
		return m, nil
	}
	switch {
	case key.Matches(msg, k.PerVCPU):
		c.perVCPU = !c.perVCPU
		m.compare = c.build(m.st)
	case key.Matches(msg, k.ClearMarks):
		m.market.marks = map[typeKey]bool{}
		return m.reloadCompare()
	case key.Matches(msg, k.Back):
		m.view = viewMarket
		return m.resize(), nil
	}
	return m, nil
}

func (c compareView) view(st styles, w, h int) string {
	if len(c.pools) == 0 && c.hidden > 0 {
		return st.muted.Render(fmt.Sprintf("The filter hides all %d marked types (esc clears it).", c.hidden))
	}
	if len(c.pools) == 0 {
		return st.muted.Render("Nothing to compare yet: mark instance types with space in Market (1), then come back.\n" +
			"Each type is charted by its cheapest AZ; v switches between $/h and $/vCPU-h.")
	}
	var b strings.Builder
	unit := "$ per instance-hour"
	if c.perVCPU {
		unit = "$ per vCPU-hour"
	}
	b.WriteString(truncate(st.title.Render("Compare")+fmt.Sprintf("  %d types, cheapest AZ each · %s", len(c.pools), unit), w) + "\n")
	chart, ready := c.chart.section(st, w, c.err, c.loading, " · v $/h ↔ $/vCPU-h · +/- zoom · ←/→ pan · x clear marks")
	b.WriteString(chart)
	if !ready {
		return b.String()
	}
	caption := "statistics over the whole " + fmtSpan(c.chart.end.Sub(c.chart.start)) + " window"
	if c.viewStats != nil {
		caption = fmt.Sprintf("statistics over the zoomed %s, %s .. %s (z resets)", fmtSpan(c.chart.vEnd.Sub(c.chart.vStart)),
			c.chart.vStart.UTC().Format("01/02 15:04"), c.chart.vEnd.UTC().Format("01/02 15:04"))
	}
	b.WriteString(truncate(st.muted.Render(caption), w) + "\n")
	rows := make([][]string, len(c.pools))
	for i, s := range c.pools {
		x := s.Stats
		if c.viewStats != nil {
			x = c.viewStats[i]
		}
		vcpu, mem, per := "?", "?", "?"
		if s.HasSpec {
			vcpu, mem = fmt.Sprint(s.Spec.VCPUs), fmtMem(s.Spec.MemoryGiB())
			if s.Spec.VCPUs > 0 {
				per = fmtPrice(x.Last / float64(s.Spec.VCPUs))
			}
		}
		save, intr := "?", "?"
		if s.Advisor.Known {
			save, intr = fmt.Sprintf("%d%%", s.Advisor.Savings), s.Advisor.Label
		}
		rows[i] = []string{s.InstanceType, s.AvailabilityZone, vcpu, mem, fmtPrice(x.Last), per,
			fmtPrice(x.TWAP), fmtPct(x.CV), fmt.Sprintf("%.1f", x.ChangesPerDay), save, intr}
	}
	style := func(r, col int, s string) string {
		switch col {
		case 0:
			return lipgloss.NewStyle().Foreground(seriesColors[r%len(seriesColors)]).Render(s)
		case 10:
			if c.pools[r].Advisor.Known {
				return st.bucketStyle(c.pools[r].Advisor.Bucket).Render(s)
			}
		}
		return s
	}
	b.WriteString(renderTable(st, compareCols, rows, w, -1, style))
	return b.String()
}
