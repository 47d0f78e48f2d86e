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
	"github.com/spotscope/spotscope/tui/output"
)

type volMetric int

const (
	metricCV volMetric = iota
	metricChanges
	metricJump
	numMetrics
)

var metricNames = [numMetrics]string{"cv", "changes/day", "max jump"}

func (mt volMetric) of(s *explore.Summary) float64 {
	switch mt {
	case metricChanges:
		return s.Stats.ChangesPerDay
	case metricJump:
		return s.Stats.MaxJump
	}
	return s.Stats.CV
}

func (mt volMetric) format(v float64) string {
	if mt == metricChanges {
		return fmt.Sprintf("%.1f", v)
	}
	return fmtPct(v)
}

// volView ranks pools by price volatility and maps it by family and AZ,
// with the advisor's interruption bucket beside it: price calm is not
// capacity calm, and the view says so.
type volView struct {
	all    []explore.Summary
	match  func(*explore.Summary) bool // the program's filter; nil keeps all
	stale  bool                        // rows or filter changed since the last rank
	index  *marketIndex                // of all: the tie-break order and the ranks rank uses
	ranked []*explore.Summary
	metric volMetric
	cursor int
	offset int
	w, h   int

	families []string
	azs      []string
	cells    map[[2]string]float64
	maxCell  float64
}

func newVolView() volView { return volView{} }

const volNote = "Price volatility is a weak predictor of interruption: since AWS smoothed Spot pricing in 2017, " +
	"prices move slowly while capacity is reclaimed. Read the advisor's interruption bucket (INTR, regional, trailing month) beside it."

const volNoteShort = "price volatility has been a weak predictor of interruption since 2017; read INTR (advisor bucket) beside it."

var volCols = []tcol{
	{"#", 4, true, 3}, {"TYPE", 14, false, 10}, {"AZ", 12, false, 9}, {"CV", 6, true, 8},
	{"CHG/D", 6, true, 7}, {"JUMP", 6, true, 6}, {"LAST", 8, true, 4}, {"INTR", 6, false, 9},
}

// setRows and setFilter only mark the ranking stale: it is redone when the
// view shows (fresh), so a filter keystroke elsewhere does not re-rank
// thousands of pools for a view nobody is looking at.
func (v volView) setRows(all []explore.Summary) volView {
	v.all = all
	v.stale = true
	return v
}

// fresh re-ranks if the rows or the filter changed. x is the market
// view's index of the same rows: its tie-break order and ranks of families
// and AZs make a re-rank of 60,000 pools linear (rank builds its own when x
// indexes other rows).
func (v volView) fresh(x *marketIndex) volView {
	if v.stale {
		v.index = x
		v = v.rank()
	}
	return v
}

// setFilter re-ranks under a new filter, from the top.
func (v volView) setFilter(match func(*explore.Summary) bool) volView {
	v.match = match
	v.cursor, v.offset = 0, 0
	v.stale = true
	return v
}

// rank orders the pools by the metric, largest first, equal values by pool
// (poolLess): a stable radix sort of the pools in poolLess order.
func (v volView) rank() volView {
	v.stale = false
	if !v.index.of(v.all) {
		v.index = newMarketIndex(v.all, explore.Query{})
	}
	x := v.index
	mt := v.metric
	// One pass over the summaries in memory order reads what the rank
	// needs; the passes in poolLess order then touch only these slices.
	keep := make([]bool, len(v.all))
	vals := make([]float64, len(v.all))
	keys := make([]uint64, len(v.all))
	metric := x.metrics[mt]
	for i := range v.all {
		if x.covered[i] && (v.match == nil || v.match(&v.all[i])) {
			keep[i], vals[i] = true, metric[i]
			keys[i] = ^floatOrder(vals[i]) // descending
		}
	}
	ps := make([]int32, 0, len(v.all))
	for _, p := range x.byPool {
		if keep[p] {
			ps = append(ps, p)
		}
	}
	ps = radixSort(ps, keys)
	v.ranked = make([]*explore.Summary, len(ps))
	for i, p := range ps {
		v.ranked[i] = &v.all[p]
	}
	// grid: mean metric per family and AZ, cells numbered by their ranks
	fam := x.families()
	nAZ := len(x.az.names)
	sum := make([]float64, len(fam.names)*nAZ)
	n := make([]int32, len(sum))
	for _, p := range ps {
		k := int(fam.ofType[x.typ.of[p]])*nAZ + int(x.az.of[p])
		sum[k] += vals[p]
		n[k]++
	}
	v.cells = map[[2]string]float64{}
	v.maxCell = 0
	famScore := map[string]float64{}
	fams, azs := map[string]bool{}, map[string]bool{}
	for k, s := range sum {
		if n[k] == 0 {
			continue
		}
		key := [2]string{fam.names[k/nAZ], x.az.names[k%nAZ]}
		val := s / float64(n[k])
		v.cells[key] = val
		v.maxCell = math.Max(v.maxCell, val)
		famScore[key[0]] = math.Max(famScore[key[0]], val)
		fams[key[0]], azs[key[1]] = true, true
	}
	v.families = v.families[:0:0]
	for f := range fams {
		v.families = append(v.families, f)
	}
	sort.Slice(v.families, func(i, j int) bool {
		a, b := famScore[v.families[i]], famScore[v.families[j]]
		if a != b {
			return a > b
		}
		return v.families[i] < v.families[j]
	})
	v.azs = v.azs[:0:0]
	for a := range azs {
		v.azs = append(v.azs, a)
	}
	sort.Strings(v.azs)
	return v.clamp()
}

func (v volView) setSize(w, h int) volView {
	v.w, v.h = w, h
	return v.clamp()
}

func (v volView) wide() bool { return v.w >= 120 }

// note is the caveat, shortened on narrow terminals so the ranking keeps
// its rows; both forms say the same thing.
func (v volView) note(st styles) string {
	text := volNote
	if v.w < 120 {
		text = volNoteShort
	}
	return lipgloss.NewStyle().Width(v.w).Render(st.warn.Render("note: ") + st.muted.Render(text))
}

func (v volView) listHeight() int {
	avail := v.h - lipgloss.Height(v.note(styles{})) - 1 // note + title
	if !v.wide() {
		avail = avail / 2
	}
	return max(1, avail-1) // table header
}

func (v volView) clamp() volView {
	v.cursor, v.offset = scrollTo(v.cursor, v.offset, len(v.ranked), v.listHeight())
	return v
}

func (v volView) move(d int) volView {
	v.cursor += d
	return v.clamp()
}

func (m Model) volKey(msg tea.KeyMsg, k keyMap) (tea.Model, tea.Cmd) {
	v := m.vol
	step, nav := navStep(msg, k, max(1, v.listHeight()-1), len(v.ranked))
	switch {
	case key.Matches(msg, k.Metric):
		v.metric = (v.metric + 1) % numMetrics
		v.cursor, v.offset = 0, 0
		v = v.rank()
	case nav:
		v = v.move(step)
	case key.Matches(msg, k.Open):
		if v.cursor < len(v.ranked) {
			s := v.ranked[v.cursor]
			m.vol = v
			return m.openDetail(s.Region, s.InstanceType, s.AvailabilityZone)
		}
	}
	m.vol = v
	return m, nil
}

func (v volView) summary() string {
	if len(v.ranked) == 0 {
		return ""
	}
	return output.Commas(int64(v.cursor+1)) + "/" + output.Commas(int64(len(v.ranked))) + " pools · ranked by " + metricNames[v.metric]
}

func (v volView) view(st styles) string {
	var b strings.Builder
	note := v.note(st)
	b.WriteString(note + "\n")
	if len(v.ranked) == 0 {
		b.WriteString(st.muted.Render("no pools with data in this window"))
		return b.String()
	}
	title := st.title.Render("Volatility") + fmt.Sprintf("  ranked by %s (m switches: cv, changes/day, max jump)", metricNames[v.metric])
	b.WriteString(truncate(title, v.w) + "\n")
	listW, gridW := v.w, v.w
	if v.wide() {
		listW = min(74, v.w/2+8)
		gridW = v.w - listW - 2
	}
	list := v.listView(st, listW)
	gridH := v.h - lipgloss.Height(note) - 1
	if !v.wide() {
		gridH -= lipgloss.Height(list) + 1
	}
	grid := v.gridView(st, gridW, gridH)
	if v.wide() {
		b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, list, "  ", grid))
	} else {
		b.WriteString(list + "\n\n" + grid)
	}
	return b.String()
}

func (v volView) listView(st styles, w int) string {
	end := min(len(v.ranked), v.offset+v.listHeight())
	rows := make([][]string, 0, end-v.offset)
	for i := v.offset; i < end; i++ {
		s := v.ranked[i]
		intr := "?"
		if s.Advisor.Known {
			intr = s.Advisor.Label
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), s.InstanceType, s.AvailabilityZone, fmtPct(s.Stats.CV),
			fmt.Sprintf("%.1f", s.Stats.ChangesPerDay), fmtPct(s.Stats.MaxJump), fmtPrice(s.Stats.Last), intr})
	}
	style := func(r, c int, txt string) string {
		if c == 7 {
			s := v.ranked[v.offset+r]
			if s.Advisor.Known {
				return st.bucketStyle(s.Advisor.Bucket).Render(txt)
			}
			return st.muted.Render(txt)
		}
		return txt
	}
	return renderTable(st, volCols, rows, w, v.cursor-v.offset, style)
}

var shades = []string{" ", "░", "▒", "▓", "█"}

// gridView is a family x AZ heat map: a shade for the eye and the value for
// the record, wildest families first.
func (v volView) gridView(st styles, w, h int) string {
	famW, cellW := 8, 8
	for _, a := range v.azs {
		cellW = min(max(cellW, len(a)), 12)
	}
	maxAZ := max(1, (w-famW)/(cellW+1))
	azs := v.azs
	if len(azs) > maxAZ {
		azs = azs[:maxAZ]
	}
	var b strings.Builder
	b.WriteString(st.colHeader.Render(pad("family", famW, false)))
	for _, a := range azs {
		b.WriteString(" " + st.colHeader.Render(pad(a, cellW, true)))
	}
	b.WriteString("\n" + st.muted.Render(fmt.Sprintf("mean %s per family and AZ; denser is wilder", metricNames[v.metric])))
	rowsAvail := max(1, h-2)
	fams := v.families
	more := 0
	if len(fams) > rowsAvail {
		more = len(fams) - (rowsAvail - 1)
		fams = fams[:rowsAvail-1]
	}
	for _, f := range fams {
		b.WriteString("\n" + pad(f, famW, false))
		for _, a := range azs {
			val, ok := v.cells[[2]string{f, a}]
			if !ok {
				b.WriteString(" " + st.muted.Render(pad("-", cellW, true)))
				continue
			}
			lvl := 0
			if v.maxCell > 0 {
				lvl = int(math.Ceil(val / v.maxCell * float64(len(shades)-1)))
			}
			lvl = min(max(lvl, 0), len(shades)-1)
			cell := shades[lvl] + pad(v.metric.format(val), cellW-1, true)
			sty := st.good
			switch {
			case lvl >= 4:
				sty = st.bad
			case lvl >= 2:
				sty = st.warn
			}
			b.WriteString(" " + sty.Render(cell))
		}
	}
	if more > 0 {
		b.WriteString("\n" + st.muted.Render(fmt.Sprintf("… %d calmer families not shown", more)))
	}
	return b.String()
}

// poolLess orders pools by type, AZ, region and product without building
// their strings: ranking 60,000 pools sorts on it.
func poolLess(a, b market.Pool) bool {
	switch {
	case a.InstanceType != b.InstanceType:
		return a.InstanceType < b.InstanceType
	case a.AvailabilityZone != b.AvailabilityZone:
		return a.AvailabilityZone < b.AvailabilityZone
	case a.Region != b.Region:
		return a.Region < b.Region
	}
	return a.Product < b.Product
}
