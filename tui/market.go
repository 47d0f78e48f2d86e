package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	zone "github.com/lrstanley/bubblezone"

	"github.com/spotscope/spotscope/market/explore"
	"github.com/spotscope/spotscope/tui/output"
)

// typeKey names an instance type in a region: the unit of grouping, marks
// and comparison.
type typeKey struct{ region, typ string }

func keyOf(s *explore.Summary) typeKey { return typeKey{s.Region, s.InstanceType} }

// column ids, in display order.
type colID int

const (
	colRegion colID = iota // only while several regions show
	colType
	colVCPU
	colMem
	colAZ
	colLast
	colTWAP
	colCV
	colSpark
	colSave
	colIntr
	colGap
	numCols
)

type column struct {
	title string
	width int
	right bool
	prio  int  // columns with the lowest prio go first when narrow
	sort  bool // s cycles through sortable columns
}

var columns = [numCols]column{
	colRegion: {"REGION", 14, false, 7, true},
	colType:   {"TYPE", 15, false, 10, true},
	colVCPU:   {"vCPU", 4, true, 6, true},
	colMem:    {"GiB", 6, true, 5, true},
	colAZ:     {"AZ", 12, false, 9, true},
	colLast:   {"LAST $/h", 9, true, 10, true},
	colTWAP:   {"TWAP", 9, true, 4, true},
	colCV:     {"CV", 6, true, 7, true},
	colSpark:  {"TREND", 0, false, 3, false},
	colSave:   {"SAVE", 5, true, 2, true},
	colIntr:   {"INTR", 6, false, 8, true},
	colGap:    {"GAP", 4, true, 1, true},
}

// marketRow is one line of the table: a pool, or an instance type standing
// for its cheapest AZ, or an AZ of an expanded type.
type marketRow struct {
	s     *explore.Summary
	group bool // a type row (type mode)
	child bool // an AZ under an expanded type
	nAZ   int
}

type marketView struct {
	all   []explore.Summary
	index *marketIndex  // of all: orders reused by every rebuild until the next setRows
	q     explore.Query // of all: the window the gaps are measured against
	rows  []marketRow
	// match is the program's filter (nil keeps all); set it with setFilter or
	// before setRows, which recompute kept, what it keeps of all.
	match func(*explore.Summary) bool
	kept  []bool // nil until the next rebuild
	nKept int    // how many kept says true

	byType   bool
	expanded map[typeKey]bool
	marks    map[typeKey]bool

	sortCol  colID
	sortDesc bool

	cursor  int
	offset  int
	w, h    int
	visible []colID
	sparkW  int
	multi   bool // several regions: show and sort by REGION

	sharedScale bool    // trends on one scale across rows (%)
	amp         float64 // that scale: the largest relative move of the rows shown
}

func newMarketView() marketView {
	return marketView{
		byType:   true,
		expanded: map[typeKey]bool{},
		marks:    map[typeKey]bool{},
		sortCol:  colLast,
	}
}

// setMultiRegion shows the REGION column when rows come from several
// regions, and stops sorting by it when they do not.
func (v marketView) setMultiRegion(on bool) marketView {
	v.multi = on
	if !on && v.sortCol == colRegion {
		v.sortCol = colLast
	}
	if v.w == 0 {
		return v // not sized yet; the first resize lays it out
	}
	return v.setSize(v.w, v.h)
}

// sortable says whether s may cycle to column c.
func (v marketView) sortable(c colID) bool {
	return columns[c].sort && (c != colRegion || v.multi)
}

// setRows takes a new load of rows (v.q already set to its query) and
// indexes it for the rebuilds that follow.
func (v marketView) setRows(all []explore.Summary) marketView { return v.setIndexed(all, nil) }

// setIndexed is setRows with the index of all already built, for v's
// query (nil: build it here).
func (v marketView) setIndexed(all []explore.Summary, x *marketIndex) marketView {
	if !x.of(all) {
		x = newMarketIndex(all, v.q)
	}
	v.all, v.index, v.kept = all, x, nil
	return v.rebuild()
}

// setFilter applies a new filter and goes back to the top: the first row
// after a filter change is the best match, never a row scrolled past.
func (v marketView) setFilter(match func(*explore.Summary) bool) marketView {
	v.match = match
	v.kept = nil
	return v.rebuild().top()
}

func (v marketView) top() marketView {
	v.cursor, v.offset = 0, 0
	return v.clamp()
}

// rebuild filters, groups and sorts. It runs on data, filter and sort
// changes only; cursor moves and View reuse v.rows. Sorted by a column, the
// rows are that column's order of all pools (computed once per load, see
// marketIndex) with the filtered-out pools, and in type mode the pools that
// do not head their type, left out: a linear pass. The order is by the
// column's value, then by pool (poolLess), so it is the same every time.
func (v marketView) rebuild() marketView {
	var keep *explore.Summary
	if s, ok := v.selected(); ok {
		keep = s
	}
	if !v.index.of(v.all) {
		v.index = newMarketIndex(v.all, v.q) // rows set without setRows
		v.kept = nil
	}
	x := v.index
	all := x.all
	if len(v.kept) != len(all) {
		v.kept, v.nKept = make([]bool, len(all)), 0
		for i := range all {
			if v.match == nil || v.match(&all[i]) {
				v.kept[i] = true
				v.nKept++
			}
		}
	}
	in := v.kept
	rows := make([]marketRow, 0, v.nKept)
	order := x.order(v.sortCol)
	if !v.byType {
		order.each(v.sortDesc, func(p int32) {
			if in[p] {
				rows = append(rows, marketRow{s: &all[p]})
			}
		})
	} else {
		// A type stands for its cheapest pool left by the filter.
		head := make([]bool, len(all))
		nAZ := make([]int32, len(x.types))
		for t, g := range x.types {
			first := true
			for _, p := range g.pools {
				if in[p] {
					head[p] = first
					first = false
					nAZ[t]++
				}
			}
		}
		open := make([]bool, len(x.types))
		for k, on := range v.expanded {
			if t, ok := x.typeID(k); ok && on {
				open[t] = true
			}
		}
		order.each(v.sortDesc, func(p int32) {
			if !head[p] {
				return
			}
			t := x.typeOf[p]
			rows = append(rows, marketRow{s: &all[p], group: true, nAZ: int(nAZ[t])})
			if open[t] {
				for _, c := range x.types[t].pools {
					if in[c] {
						rows = append(rows, marketRow{s: &all[c], child: true})
					}
				}
			}
		})
	}
	v.rows = rows
	if v.sharedScale {
		sparks := make([][]float64, len(rows))
		for i, r := range rows {
			sparks[i] = r.s.Spark
		}
		v.amp = sharedAmp(sparks)
	}
	// Keep the cursor on the same pool across re-sorts and reloads.
	if keep != nil {
		for i, r := range rows {
			if r.s.Pool == keep.Pool && (r.group || !v.byType || r.child) {
				v.cursor = i
				break
			}
		}
	}
	return v.clamp()
}

func cheaper(a, b *explore.Summary) bool {
	if a.Stats.Last != b.Stats.Last {
		return a.Stats.Last < b.Stats.Last
	}
	return a.AvailabilityZone < b.AvailabilityZone
}

// Unknown advisor data sorts after every known value in either direction
// would be nicer; sorting it as worst-case keeps "?" away from the top of an
// ascending risk sort, which is the conservative reading.
func bucketKey(s *explore.Summary) float64 {
	if !s.Advisor.Known {
		return 99
	}
	return float64(s.Advisor.Bucket)
}

func savingsKey(s *explore.Summary) float64 {
	if !s.Advisor.Known {
		return -1e9
	}
	return float64(s.Advisor.Savings)
}

func (v marketView) selected() (*explore.Summary, bool) {
	if v.cursor < 0 || v.cursor >= len(v.rows) {
		return nil, false
	}
	return v.rows[v.cursor].s, true
}

func (v marketView) tableHeight() int {
	return max(v.h-1, 1) // column header
}

func (v marketView) clamp() marketView {
	v.cursor, v.offset = scrollTo(v.cursor, v.offset, len(v.rows), v.tableHeight())
	return v
}

func (v marketView) move(d int) marketView {
	v.cursor += d
	return v.clamp()
}

func (v marketView) setSize(w, h int) marketView {
	v.w, v.h = w, h
	// Drop the least important columns until the rest fit, keeping at least
	// 8 cells of trend when it stays.
	ids := make([]colID, 0, numCols)
	for c := colID(0); c < numCols; c++ {
		if c != colRegion || v.multi {
			ids = append(ids, c)
		}
	}
	for {
		fixed := 2 // cursor marker + mark
		for _, c := range ids {
			fixed += columns[c].width + 1
		}
		spark := w - fixed
		hasSpark := false
		for _, c := range ids {
			hasSpark = hasSpark || c == colSpark
		}
		if (!hasSpark && spark >= 0) || (hasSpark && spark >= 8) {
			v.visible = ids
			v.sparkW = 0
			if hasSpark {
				v.sparkW = min(spark, 48)
			}
			break
		}
		low := 0
		for i, c := range ids {
			if columns[c].prio < columns[ids[low]].prio {
				low = i
			}
		}
		ids = append(ids[:low:low], ids[low+1:]...)
	}
	return v.clamp()
}

func (m Model) marketKey(msg tea.KeyMsg, k keyMap) (tea.Model, tea.Cmd) {
	v := m.market
	step, nav := navStep(msg, k, max(1, v.tableHeight()-1), len(v.rows))
	switch {
	case nav:
		v = v.move(step)
	case key.Matches(msg, k.Open), key.Matches(msg, k.Expand):
		if v.cursor >= len(v.rows) {
			break
		}
		r := v.rows[v.cursor]
		// → expands a collapsed type; on anything else it charts, like enter
		if key.Matches(msg, k.Expand) && r.group && r.nAZ > 1 && !v.expanded[keyOf(r.s)] {
			v.expanded = copyKeys(v.expanded)
			v.expanded[keyOf(r.s)] = true
			m.market = v.rebuild()
			return m, nil
		}
		m.market = v
		return m.openDetail(r.s.Region, r.s.InstanceType, r.s.AvailabilityZone)
	case key.Matches(msg, k.Collapse):
		if s, ok := v.selected(); ok && v.byType && v.expanded[keyOf(s)] {
			v.expanded = copyKeys(v.expanded)
			delete(v.expanded, keyOf(s))
			v = v.rebuild()
			// land on the type row rather than on a vanished child
			for i, r := range v.rows {
				if r.group && keyOf(r.s) == keyOf(s) {
					v.cursor = i
				}
			}
			v = v.clamp()
		}
	case key.Matches(msg, k.Mark):
		if s, ok := v.selected(); ok {
			v.marks = copyKeys(v.marks)
			if v.marks[keyOf(s)] {
				delete(v.marks, keyOf(s))
			} else {
				v.marks[keyOf(s)] = true
			}
			v = v.move(1)
		}
	case key.Matches(msg, k.ClearMarks):
		v.marks = map[typeKey]bool{}
	case key.Matches(msg, k.Copy):
		if m.opts.Clipboard == nil {
			m.setStatus("no clipboard: press e to write a CSV file", true)
			return m, nil
		}
		return m, copyMarketCmd(m.opts.Clipboard, v.rows, v.q)
	case key.Matches(msg, k.WriteCSV):
		return m, writeMarketCmd(m.opts.ExportDir, m.clock(), m.exportLabel(), v.rows, v.q)
	case key.Matches(msg, k.SparkScale):
		v.sharedScale = !v.sharedScale
		v = v.rebuild()
	case key.Matches(msg, k.Mode):
		v.byType = !v.byType
		v = v.rebuild()
	case key.Matches(msg, k.Sort):
		for {
			v.sortCol = (v.sortCol + 1) % numCols
			if v.sortable(v.sortCol) {
				break
			}
		}
		v = v.rebuild().top()
	case key.Matches(msg, k.Reverse):
		v.sortDesc = !v.sortDesc
		v = v.rebuild().top()
	}
	m.market = v
	return m, nil
}

func (m Model) marketMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	v := m.market
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		v = v.move(-3)
	case tea.MouseButtonWheelDown:
		v = v.move(3)
	case tea.MouseButtonLeft:
		if msg.Action != tea.MouseActionPress {
			break
		}
		th := v.tableHeight()
		for i := v.offset; i < min(len(v.rows), v.offset+th); i++ {
			if zone.Get(rowZone(i - v.offset)).InBounds(msg) {
				if v.cursor == i {
					m.market = v
					r := v.rows[i]
					return m.openDetail(r.s.Region, r.s.InstanceType, r.s.AvailabilityZone)
				}
				v.cursor = i
				v = v.clamp()
				break
			}
		}
	}
	m.market = v
	return m, nil
}

func rowZone(i int) string { return fmt.Sprintf("spotscope-row-%d", i) }

func copyKeys(in map[typeKey]bool) map[typeKey]bool {
	out := make(map[typeKey]bool, len(in)+1)
	for k, v := range in {
		out[k] = v
	}
	return out
}

func (v marketView) summary() string {
	unit := "pools"
	n := len(v.rows)
	if v.byType {
		unit = "types"
		n = 0
		for _, r := range v.rows {
			if r.group {
				n++
			}
		}
	}
	dir := "↑"
	if v.sortDesc {
		dir = "↓"
	}
	pos := ""
	if len(v.rows) > 0 {
		pos = output.Commas(int64(v.cursor+1)) + "/" + output.Commas(int64(len(v.rows))) + " · "
	}
	scale := ""
	if v.sharedScale {
		scale = " · trends on a shared scale"
	}
	return fmt.Sprintf("%s%s %s of %s pools · sort %s %s%s", pos, output.Commas(int64(n)), unit, output.Commas(int64(len(v.all))), strings.ToLower(columns[v.sortCol].title), dir, scale)
}

// refreshing says a fetch from AWS is under way, so an empty table is
// "not yet", not "nothing".
func (v marketView) view(st styles, loading, refreshing bool) string {
	var b strings.Builder
	b.WriteString(v.headerRow(st))
	if loading {
		b.WriteString("\n" + st.muted.Render("loading prices…"))
		return b.String()
	}
	if len(v.rows) == 0 {
		msg := "no pools in this window"
		if refreshing {
			msg = "no prices cached yet: fetching them from AWS…"
		}
		if len(v.all) > 0 {
			msg = "no pools match the filters (esc clears them)"
		}
		b.WriteString("\n" + st.muted.Render(msg))
		return b.String()
	}
	end := min(len(v.rows), v.offset+v.tableHeight())
	for i := v.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(zone.Mark(rowZone(i-v.offset), v.rowView(st, v.rows[i], i == v.cursor)))
	}
	return b.String()
}

func (v marketView) headerRow(st styles) string {
	var b strings.Builder
	b.WriteString("  ")
	for _, c := range v.visible {
		col := columns[c]
		w := col.width
		if c == colSpark {
			w = v.sparkW
		}
		t := col.title
		if c == v.sortCol {
			if v.sortDesc {
				t += "↓"
			} else {
				t += "↑"
			}
		}
		b.WriteString(pad(t, w, col.right))
		b.WriteByte(' ')
	}
	return st.colHeader.Render(strings.TrimRight(b.String(), " "))
}

func (v marketView) rowView(st styles, r marketRow, selected bool) string {
	s := r.s
	var b strings.Builder
	b.Grow(v.w + 32)
	if selected {
		b.WriteString("▶")
	} else {
		b.WriteString(" ")
	}
	if v.marks[keyOf(s)] && !r.child {
		b.WriteString("*")
	} else {
		b.WriteString(" ")
	}
	for _, c := range v.visible {
		col := columns[c]
		var cell string
		switch c {
		case colRegion:
			cell = s.Region
		case colType:
			switch {
			case r.child:
				cell = "  └"
			case r.group && r.nAZ > 1:
				sign := "▸"
				if v.expanded[keyOf(s)] {
					sign = "▾"
				}
				cell = sign + s.InstanceType
			case r.group:
				cell = " " + s.InstanceType
			default:
				cell = s.InstanceType
			}
		case colVCPU:
			cell = "?"
			if s.HasSpec {
				cell = fmt.Sprint(s.Spec.VCPUs)
			}
		case colMem:
			cell = "?"
			if s.HasSpec {
				cell = fmtMem(s.Spec.MemoryGiB())
			}
		case colAZ:
			cell = s.AvailabilityZone
			if r.group && r.nAZ > 1 {
				cell = fmt.Sprintf("%s+%d", s.AvailabilityZone, r.nAZ-1)
			}
		case colLast:
			cell = fmtPrice(s.Stats.Last)
		case colTWAP, colCV, colSpark, colGap:
			if s.Partial {
				cell = pending
				break
			}
			cell = v.statCell(c, s)
		case colSave:
			cell = "?"
			switch {
			case s.Advisor.Known:
				cell = fmt.Sprintf("%d%%", s.Advisor.Savings)
			case s.Partial:
				cell = pending
			}
		case colIntr:
			cell = "?"
			switch {
			case s.Advisor.Known:
				cell = s.Advisor.Label
			case s.Partial:
				cell = pending
			}
		}
		w := col.width
		if c == colSpark {
			w = v.sparkW
		}
		cell = pad(cell, w, col.right)
		if c == colGap && !selected {
			cell = st.warn.Render(cell)
		}
		if c == colIntr && !selected && !r.child {
			if s.Advisor.Known {
				cell = st.bucketStyle(s.Advisor.Bucket).Render(cell)
			} else {
				cell = st.muted.Render(cell)
			}
		}
		b.WriteString(cell)
		b.WriteByte(' ')
	}
	line := strings.TrimRight(b.String(), " ")
	if selected {
		return st.sel.Render(pad(line, v.w, false))
	}
	if r.child {
		return st.muted.Render(line)
	}
	return line
}

// pending fills a cell of a Partial row (explore.Preview) until the
// statistics arrive.
const pending = "…"

// statCell is a computed statistic's cell.
func (v marketView) statCell(c colID, s *explore.Summary) string {
	switch c {
	case colTWAP:
		return fmtPrice(s.Stats.TWAP)
	case colCV:
		return fmtPct(s.Stats.CV)
	case colSpark:
		if v.sharedScale {
			return sparkShared(s.Spark, v.sparkW, v.amp)
		}
		return sparkline(s.Spark, v.sparkW)
	case colGap:
		return fmtGap(gapHours(s, v.q))
	}
	return ""
}
