package tui

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
	"github.com/spotscope/spotscope/market/ondemand"
)

// detailView charts one instance type: a line per AZ and the statistics of
// every AZ over the same window.
type detailView struct {
	region, typ, product string
	focusAZ              string
	pools                []explore.Summary
	series               [][]market.Point // of pools, as loaded, for the zoomed statistics
	viewStats            []market.Stats   // of pools over the zoomed view; nil when not zoomed
	od                   refLine          // the On-Demand reference, once known
	gen                  int
	loading              bool
	err                  error
	chart                chartState
	w, h                 int
}

func newDetailView() detailView { return detailView{} }

var statCols = []tcol{
	{"AZ", 12, false, 10}, {"AZ ID", 9, false, 1}, {"LAST", 8, true, 9}, {"TWAP", 8, true, 8},
	{"STDDEV", 9, true, 3}, {"CV", 6, true, 7}, {"MIN", 8, true, 6}, {"MAX", 8, true, 6},
	{"P50", 8, true, 4}, {"P95", 8, true, 5}, {"CHG", 5, true, 2}, {"CHG/D", 6, true, 6},
	{"JUMP", 6, true, 5}, {"HOURS", 7, true, 1}, {"GAP", 5, true, 2},
}

func (m Model) openDetail(region, typ, az string) (tea.Model, tea.Cmd) {
	d := m.detail
	d.region, d.typ, d.focusAZ, d.product = region, typ, az, m.product
	d.chart = chartState{}
	d.od = refLine{}
	m.detail = d
	m.view = viewDetail
	var c tea.Cmd
	m, c = m.reloadDetail()
	return m.resize(), c
}

// reloadDetail fetches the series of every AZ of the detail's type for the
// current window; it runs on open and whenever the summaries change.
func (m Model) reloadDetail() (Model, tea.Cmd) {
	d := m.detail
	if d.typ == "" || m.query.End.IsZero() {
		return m, nil
	}
	d.pools = d.pools[:0:0]
	for _, s := range m.rows {
		if s.Region == d.region && s.InstanceType == d.typ {
			d.pools = append(d.pools, s)
		}
	}
	d.gen++
	d.err = nil
	d.loading = len(d.pools) > 0
	d.series, d.viewStats = nil, nil
	m.detail = d
	if len(d.pools) == 0 {
		return m, nil
	}
	pools := make([]market.Pool, len(d.pools))
	for i, s := range d.pools {
		pools[i] = s.Pool
	}
	start := m.query.End.Add(-m.query.Window)
	return m, tea.Batch(loadSeries(m.ctx, m.backend, d.gen, forDetail, pools, start, m.query.End),
		loadOnDemand(m.ctx, m.backend, forDetail, d.gen, []market.Pool{{Region: d.region, Product: d.product, InstanceType: d.typ}}))
}

// onOnDemand takes an On-Demand answer for the view that asked.
func (m Model) onOnDemand(msg onDemandMsg) Model {
	if msg.target == forCompare {
		m.compare = m.compare.onOnDemand(msg, m.st)
		return m
	}
	d := m.detail
	if msg.gen != d.gen || len(msg.answers) != 1 {
		return m
	}
	d.od = onDemandLine(msg.answers[0], estimateOnDemand(d.pools))
	d.chart.ref = d.od
	m.detail = d.setSize(d.w, d.h, m.st)
	return m
}

// onDemandLine is the backend's On-Demand price, or when it has none the
// estimate (from the advisor's savings; 0: none), labelled as one.
func onDemandLine(a onDemandAnswer, estimate float64) refLine {
	switch {
	case a.err == nil && a.usd > 0:
		if a.estimated {
			return refLine{label: "On-Demand est.", value: a.usd, est: true}
		}
		return refLine{label: "On-Demand", value: a.usd}
	case estimate > 0:
		return refLine{label: "On-Demand est.", value: estimate, est: true}
	}
	return refLine{}
}

// estimateOnDemand is the ondemand package's rule for a price list that
// cannot be reached: the median spot price over the AZs divided by one
// minus the advisor's savings. 0 when the advisor does not know the type
// or the product is not Linux (the advisor's savings are Linux's).
func estimateOnDemand(pools []explore.Summary) float64 {
	var prices []float64
	savings := -1
	for _, s := range pools {
		if s.Product != market.LinuxUNIX || !s.Advisor.Known || s.Stats.Last <= 0 {
			continue
		}
		prices = append(prices, s.Stats.Last)
		savings = s.Advisor.Savings
	}
	if len(prices) == 0 || savings < 0 {
		return 0
	}
	sort.Float64s(prices)
	med := prices[len(prices)/2]
	if len(prices)%2 == 0 {
		med = (prices[len(prices)/2-1] + prices[len(prices)/2]) / 2
	}
	return ondemand.EstimateFromSpot(med, savings)
}

// zoomStats recomputes the statistics over the zoomed view, so the table
// under a zoomed chart describes what the chart shows.
func (d detailView) zoomStats() detailView {
	d.viewStats = nil
	if !d.chart.zoomed() || len(d.series) != len(d.pools) {
		return d
	}
	d.viewStats = make([]market.Stats, len(d.pools))
	for i, pts := range d.series {
		st, _ := market.ComputeStats(pts, d.chart.vStart, d.chart.vEnd)
		d.viewStats[i] = st
	}
	return d
}

func (m Model) onSeries(msg seriesMsg) Model {
	switch msg.target {
	case forDetail:
		if msg.gen != m.detail.gen {
			return m
		}
		d := m.detail
		d.loading = false
		d.err = msg.err
		if msg.err == nil {
			sets := make([]chartSet, len(msg.pools))
			for i, p := range msg.pools {
				label := p.AvailabilityZone
				if id := d.pools[i].AvailabilityZoneID; id != "" {
					label += " (" + id + ")"
				}
				sets[i] = chartSet{name: p.AvailabilityZone, label: label, short: p.AvailabilityZone, points: stepPoints(msg.series[i], msg.start, msg.end, 1)}
			}
			d.chart = d.chart.setData(sets, msg.start, msg.end)
			d.chart.ref = d.od
			d.series = msg.series
		}
		m.detail = d.zoomStats().setSize(d.w, d.h, m.st)
	case forCompare:
		if msg.gen != m.compare.gen {
			return m
		}
		m.compare = m.compare.onSeries(msg, m.st)
	}
	if msg.err != nil {
		m.setStatus("loading series: "+msg.err.Error(), true)
	}
	return m
}

func (d detailView) chartHeight(h int) int {
	return max(4, h-4-(len(d.pools)+1)) // title, legend, hint, caption; table
}

func (d detailView) setSize(w, h int, st styles) detailView {
	d.w, d.h = w, h
	d.chart = d.chart.resize(w, d.chartHeight(h)).draw(st)
	return d
}

func (m Model) detailKey(msg tea.KeyMsg, k keyMap) (tea.Model, tea.Cmd) {
	d := m.detail
	c, handled := chartKeys(d.chart, msg, k)
	if handled {
		d.chart = c.draw(m.st)
		m.detail = d.zoomStats()
		return m, nil
	}
	if key.Matches(msg, k.Back) {
		m.view = viewMarket
		return m.resize(), nil
	}
	return m, nil
}

// chartKeys applies zoom and pan keys; the chart always has focus in the
// chart views, where no table competes for the arrows.
func chartKeys(c chartState, msg tea.KeyMsg, k keyMap) (chartState, bool) {
	switch {
	case key.Matches(msg, k.ZoomIn):
		return c.zoom(0.5), true
	case key.Matches(msg, k.ZoomOut):
		return c.zoom(2), true
	case key.Matches(msg, k.PanLeft):
		return c.pan(-0.25), true
	case key.Matches(msg, k.PanRight):
		return c.pan(0.25), true
	case key.Matches(msg, k.ResetZoom):
		c.vStart, c.vEnd = c.start, c.end
		return c, true
	case key.Matches(msg, k.Cross):
		return c.toggleCross(), true
	case key.Matches(msg, k.CrossMove):
		if msg.String() == "[" {
			return c.moveCross(-1), true
		}
		return c.moveCross(1), true
	case key.Matches(msg, k.CrossJump):
		if msg.String() == "{" {
			return c.moveCross(-10), true
		}
		return c.moveCross(10), true
	}
	return c, false
}

func (m Model) chartMouse(msg tea.MouseMsg) Model {
	if m.view == viewDetail {
		m.detail.chart = m.detail.chart.mouse(msg, m.st)
		m.detail = m.detail.zoomStats()
	} else {
		m.compare.chart = m.compare.chart.mouse(msg, m.st)
		m.compare = m.compare.zoomStats()
	}
	return m
}

func (d detailView) view(st styles, w, h int) string {
	if d.typ == "" {
		return st.muted.Render("Pick a pool or type in Market (enter) to chart it here.")
	}
	var b strings.Builder
	title := st.title.Render(d.typ) + "  " + d.region + " · " + d.product
	if len(d.pools) > 0 {
		s := d.pools[0]
		if s.HasSpec {
			title += fmt.Sprintf(" · %d vCPU · %s GiB · %s", s.Spec.VCPUs, fmtMem(s.Spec.MemoryGiB()), strings.Join(s.Spec.Architectures, ","))
		}
		if s.Advisor.Known {
			title += " · interruptions " + st.bucketStyle(s.Advisor.Bucket).Render(s.Advisor.Label) +
				fmt.Sprintf(" · saves %d%% vs On-Demand", s.Advisor.Savings)
		} else {
			title += " · interruptions ? (no advisor data)"
		}
	}
	b.WriteString(truncate(title, w) + "\n")
	if len(d.pools) == 0 {
		b.WriteString(st.muted.Render("no price data for " + d.typ + " in this window"))
		return b.String()
	}
	chart, ready := d.chart.section(st, w, d.err, d.loading, " · +/- zoom · ←/→ pan · z reset · wheel/drag · esc back")
	b.WriteString(chart)
	if !ready {
		return b.String()
	}
	rows := make([][]string, len(d.pools))
	sel := -1
	caption := "statistics over the whole " + fmtSpan(d.chart.end.Sub(d.chart.start)) + " window"
	if d.viewStats != nil {
		caption = fmt.Sprintf("statistics over the zoomed %s, %s .. %s (z resets)", fmtSpan(d.chart.vEnd.Sub(d.chart.vStart)),
			d.chart.vStart.UTC().Format("01/02 15:04"), d.chart.vEnd.UTC().Format("01/02 15:04"))
	}
	b.WriteString(truncate(st.muted.Render(caption), w) + "\n")
	span := d.chart.end.Sub(d.chart.start).Hours()
	if d.viewStats != nil {
		span = d.chart.vEnd.Sub(d.chart.vStart).Hours()
	}
	for i, s := range d.pools {
		x := s.Stats
		if d.viewStats != nil {
			x = d.viewStats[i]
		}
		rows[i] = []string{s.AvailabilityZone, s.AvailabilityZoneID, fmtPrice(x.Last), fmtPrice(x.TWAP),
			fmtPrice(x.StdDev), fmtPct(x.CV), fmtPrice(x.Min), fmtPrice(x.Max), fmtPrice(x.P50), fmtPrice(x.P95),
			fmt.Sprint(x.Changes), fmt.Sprintf("%.1f", x.ChangesPerDay), fmtPct(x.MaxJump), fmtHours(x.CoveredHours),
			fmtGap(math.Max(0, span-x.CoveredHours))}
		if s.AvailabilityZone == d.focusAZ {
			sel = i
		}
	}
	// colour each AZ's name like its line, so the table reads as a legend
	style := func(r, c int, s string) string {
		if c == 0 {
			return lipgloss.NewStyle().Foreground(seriesColors[r%len(seriesColors)]).Render(s)
		}
		return s
	}
	b.WriteString(renderTable(st, statCols, rows, w, sel, style))
	return b.String()
}
