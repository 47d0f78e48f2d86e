package recommendview

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/tui/output"
)

// Below these the form alone does not fit; one line says so instead of a
// garbled layout.
const (
	minWidth  = 60
	minHeight = 16
)

const (
	cellWidth   = 30 // one form cell: marker, label, widest field and a gap
	labelWidth  = 11
	panelMinW   = 40 // reasons beside the table only if this much is left
	maxNoteRows = 3
)

type layout struct {
	tooSmall   bool
	compact    bool // the form is one summary line, to leave room for results
	formCols   int
	formRows   int
	beside     bool // reasons panel right of the table
	panelW     int
	tableRows  int // visible data rows
	reasonRows int // lines for the reasons panel when below (title included)
	noteRows   int
	cols       []column
}

func (m Model) layout() layout {
	var l layout
	if m.w < minWidth || m.h < minHeight {
		l.tooSmall = true
		return l
	}
	l.formCols = max(1, min(int(numFields), m.w/cellWidth))
	l.formRows = (int(numFields) + l.formCols - 1) / l.formCols
	// Reading results on a short terminal matters more than seeing every
	// field; the form comes back as soon as the focus does.
	if m.focus == results && m.h < l.formRows+20 {
		l.compact = true
		l.formRows = 1
	}
	// title, form, form message, section title, table header, status
	fixed := 1 + l.formRows + 1 + 1 + 1 + 1
	if m.result != nil {
		fixed++ // the plan line
	}
	rows := m.rows()
	notes := len(m.noteLines())
	l.noteRows = min(notes, maxNoteRows)
	rest := m.h - fixed - l.noteRows
	l.cols = fitColumns(m.columns(), rows, m.w-2)
	tw := tableWidth(l.cols, rows)
	if m.w-tw-3 >= panelMinW {
		l.beside = true
		l.panelW = m.w - tw - 3
		// Lines the table and the reasons beside it leave empty go to
		// the notes, which say what the numbers rest on.
		content := len(rows)
		if len(rows) > 0 {
			content = max(content, len(m.reasonLines(rows[min(m.cursor, len(rows)-1)], l.panelW))-1)
		}
		extra := max(0, min(notes-l.noteRows, rest-content))
		l.noteRows += extra
		l.tableRows = max(rest-extra, 1)
		return l
	}
	l.panelW = m.w
	panel := 0
	if len(rows) > 0 {
		panel = len(m.reasonLines(rows[min(m.cursor, len(rows)-1)], l.panelW))
	}
	need := max(len(rows), 1)
	if need+panel <= rest {
		l.reasonRows = panel
	} else {
		// Short of room: a few table rows first (the cursor scrolls), then
		// as much of the reasons as fits.
		l.reasonRows = min(panel, max(rest-min(need, 4), 0))
	}
	l.tableRows = max(rest-l.reasonRows, 1)
	if spare := rest - need - l.reasonRows; spare > 0 {
		extra := min(notes-l.noteRows, spare)
		l.noteRows += extra
		l.tableRows = max(l.tableRows-extra, 1)
	}
	return l
}

// noteLines are the result's notes wrapped to the width, each line marked.
func (m Model) noteLines() []string {
	if m.result == nil {
		return nil
	}
	var out []string
	for _, n := range m.result.Notes {
		for i, line := range wrap(n, max(m.w-2, 10)) {
			if i == 0 {
				out = append(out, "! "+line)
			} else {
				out = append(out, "  "+line)
			}
		}
	}
	return out
}

// View renders the tab in exactly the size given to SetSize (before it, a
// one-line placeholder).
func (m Model) View() string {
	if m.w == 0 || m.h == 0 {
		return "Recommend: waiting for the terminal size…"
	}
	l := m.layout()
	if l.tooSmall {
		return truncate(fmt.Sprintf("too small: %dx%d, need %dx%d", m.w, m.h, minWidth, minHeight), m.w)
	}
	var lines []string
	lines = append(lines, m.titleLine())
	lines = append(lines, m.formLines(l)...)
	lines = append(lines, m.formMessage())
	lines = append(lines, m.resultLines(l)...)
	for len(lines) < m.h-1 {
		lines = append(lines, "")
	}
	lines = lines[:m.h-1]
	lines = append(lines, m.statusLine())
	for i, s := range lines {
		lines[i] = lipgloss.NewStyle().MaxWidth(m.w).Render(s)
	}
	return strings.Join(lines, "\n")
}

func (m Model) titleLine() string {
	regions := strings.Join(m.baseProfile().Regions, ",")
	if regions == "" {
		regions = "default region"
	}
	left := m.st.title.Render("Recommend") + m.st.muted.Render(" · "+regions)
	var right string
	switch {
	case m.running:
		right = m.spin.View() + " recommending…"
	case m.result != nil:
		right = m.st.muted.Render("as of " + m.resultAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	gap := max(1, m.w-lipgloss.Width(left)-lipgloss.Width(right))
	return left + strings.Repeat(" ", gap) + right
}

func (m Model) formLines(l layout) []string {
	if l.compact {
		return []string{m.formSummary()}
	}
	out := make([]string, l.formRows)
	for i := 0; i < int(numFields); i++ {
		r := i / l.formCols
		out[r] += m.formCell(field(i))
	}
	return out
}

func (m Model) formCell(f field) string {
	sp := specs[f]
	focused := m.focus == f
	marker := "  "
	label := m.st.label
	if focused {
		marker = "▸ "
		label = m.st.focus
	}
	var val string
	switch {
	case f == fProfile:
		name := m.form.names[m.form.nameIdx]
		if m.form.modified && m.form.nameIdx > 0 {
			name += "*"
		}
		val = cycler(name, sp.width, len(m.form.names) > 1)
	case f == fArch:
		val = cycler(archs[m.form.archIdx], sp.width, true)
	default:
		val = "[" + lipgloss.NewStyle().Width(sp.width+1).Render(m.form.inputs[f].View()) + "]"
	}
	cell := marker + label.Render(padRight(sp.label, labelWidth)) + " " + val
	return lipgloss.NewStyle().Width(cellWidth).Render(cell)
}

func (m Model) formSummary() string {
	var parts []string
	for f := field(0); f < numFields; f++ {
		var v string
		switch f {
		case fProfile:
			v = m.form.names[m.form.nameIdx]
			if m.form.modified && m.form.nameIdx > 0 {
				v += "*"
			}
		case fArch:
			v = archs[m.form.archIdx]
		default:
			if v = m.form.inputs[f].Value(); v == "" {
				v = specs[f].placeholder
			}
		}
		parts = append(parts, specs[f].label+" "+v)
	}
	return m.st.muted.Render(truncate("  "+strings.Join(parts, " · "), m.w))
}

func cycler(v string, w int, arrows bool) string {
	v = padRight(truncate(v, w+1), w+1)
	if !arrows {
		return " " + v + " "
	}
	return "‹" + v + "›"
}

func (m Model) formMessage() string {
	if m.formErr != nil {
		return m.st.err.Render("✗ " + m.formErr.Error())
	}
	if m.focus < numFields && specs[m.focus].cycler {
		return m.st.muted.Render("  ←/→ change · enter recommend")
	}
	return ""
}

func (m Model) resultLines(l layout) []string {
	switch {
	case m.err != nil:
		msg := m.err.Error()
		var nm *recommend.NoMatchError
		if errors.As(m.err, &nm) {
			return []string{m.st.section.Render("No pool matches this profile"), m.st.err.Render("✗ " + msg)}
		}
		return []string{m.st.section.Render("Recommendation failed"), m.st.err.Render("✗ " + msg)}
	case m.result == nil && m.running:
		return []string{"", m.spin.View() + " recommending…"}
	case m.result == nil:
		return []string{"", m.st.muted.Render("Fill in the profile and press enter to recommend capacity pools.")}
	}
	res := m.result
	rows := m.rows()
	instances := 0
	for _, c := range res.Pools {
		instances += c.Instances
	}
	title := fmt.Sprintf("Recommended: %s in %s of %s · expected $%.2f total",
		output.Count(instances, "instance"), output.Count(len(res.Pools), "pool"), output.Count(res.Candidates, "candidate"), res.ExpectedTotalCost)
	toggle := "a: alternatives"
	if m.showAlts {
		title = fmt.Sprintf("Alternatives: %d ranked", len(res.Alternatives))
		toggle = "a: recommended set"
	}
	if len(rows) > l.tableRows {
		title += fmt.Sprintf(" · rows %d-%d", m.offset+1, min(m.offset+l.tableRows, len(rows)))
	}
	title = m.st.section.Render(title) + m.st.muted.Render(" ("+toggle+")")

	table := m.tableLines(l, rows)
	table = append([]string{m.planLine()}, table...)
	var panel []string
	if len(rows) > 0 {
		panel = m.reasonLines(rows[m.cursor], l.panelW)
	}
	var out []string
	out = append(out, title)
	if l.beside {
		tw := 0
		for _, s := range table {
			tw = max(tw, lipgloss.Width(s))
		}
		for i := 0; i < max(len(table), len(panel)); i++ {
			var left, right string
			if i < len(table) {
				left = table[i]
			}
			if i < len(panel) {
				right = panel[i]
			}
			if i >= 1+l.tableRows && right == "" {
				break
			}
			out = append(out, padRight(left, tw)+" │ "+right)
		}
	} else {
		out = append(out, table...)
		if l.reasonRows > 0 {
			out = append(out, panel[:min(len(panel), l.reasonRows)]...)
		}
	}
	notes := m.noteLines()
	for i := 0; i < l.noteRows; i++ {
		n := notes[i]
		if i == l.noteRows-1 && len(notes) > l.noteRows {
			more := fmt.Sprintf(" (+%d more lines)", len(notes)-l.noteRows)
			n = truncate(n, m.w-lipgloss.Width(more)) + more
		}
		out = append(out, m.st.warn.Render(truncate(n, m.w)))
	}
	return out
}

// planLine is the whole workload against On-Demand: the answer to "what will
// it cost on spot, and how much later will it finish?".
func (m Model) planLine() string {
	res := m.result
	pl := res.Plan
	od := "OD ?"
	if pl.OnDemandCost != nil {
		est := ""
		if pl.OnDemandEstimated {
			est = " est"
		}
		od = fmt.Sprintf("OD%s $%.2f %.1fh", est, *pl.OnDemandCost, pl.OnDemandHours)
	}
	// Most telling first: a narrow terminal cuts the end of the line.
	s := fmt.Sprintf("Plan: %s · spot $%.2f %.1fh", od, pl.ExpectedCost, pl.ExpectedHours)
	if pl.Savings != nil {
		s += fmt.Sprintf(" (saves %.0f%%)", 100**pl.Savings)
	}
	s += fmt.Sprintf(" · p50 $%.2f %.1fh · p95 $%.2f %.1fh", pl.CostP50, pl.HoursP50, pl.CostP95, pl.HoursP95)
	if pl.PNoInterruption != nil {
		s += fmt.Sprintf(" · no interruption %.0f%%", 100**pl.PNoInterruption)
	}
	s += fmt.Sprintf(" · at %gx $%.2f · %s, %s %s", res.SensitivityMultiple, pl.PessimisticCost, res.Mode, res.Region, res.Architecture)
	return m.st.section.Render(truncate(s, m.w))
}

func (m Model) reasonLines(c recommend.Choice, w int) []string {
	out := []string{m.st.section.Render(truncate(fmt.Sprintf("Why %s in %s", c.InstanceType, c.AvailabilityZone), w))}
	if len(c.Reasons) == 0 {
		return append(out, m.st.muted.Render("  no reasons recorded"))
	}
	fw, vw, ew := 0, 0, 0
	for _, r := range c.Reasons {
		fw = max(fw, lipgloss.Width(r.Factor))
		vw = max(vw, lipgloss.Width(r.Value))
		ew = max(ew, lipgloss.Width(r.Effect))
	}
	// The effect is the point of the line, so the value is what wraps.
	vw = min(vw, max(12, w-2-fw-2-ew-2))
	for _, r := range c.Reasons {
		vals := wrap(r.Value, vw)
		for i, v := range vals {
			f, e := r.Factor, r.Effect
			if i > 0 {
				f, e = "", ""
			}
			line := "  " + padRight(f, fw) + "  " + padRight(v, vw) + "  " + e
			out = append(out, truncate(strings.TrimRight(line, " "), w))
		}
	}
	return out
}

// wrap breaks plain text into lines of at most w cells, at spaces when it can.
func wrap(s string, w int) []string {
	if lipgloss.Width(s) <= w {
		return []string{s}
	}
	var out []string
	for _, l := range strings.Split(lipgloss.NewStyle().Width(w).Render(s), "\n") {
		out = append(out, strings.TrimRight(l, " "))
	}
	return out
}

func padRight(s string, w int) string {
	if d := w - lipgloss.Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

func padLeft(s string, w int) string {
	if d := w - lipgloss.Width(s); d > 0 {
		return strings.Repeat(" ", d) + s
	}
	return s
}

// truncate cuts plain (unstyled) text to w cells with an ellipsis.
func truncate(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	rs := []rune(s)
	for len(rs) > 0 && lipgloss.Width(string(rs))+1 > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

func (m Model) statusLine() string {
	left := m.st.muted.Render("export: " + formats[m.format].name)
	if m.status == "" {
		return left
	}
	st := m.st.ok
	mark := "✓ "
	if m.statusErr {
		st, mark = m.st.err, "✗ "
	}
	return left + m.st.muted.Render(" · ") + st.Render(mark+m.status)
}

// --- table ---

type column struct {
	title string
	right bool
	prio  int // columns with the highest prio go first when the width is short
	cell  func(i int, c recommend.Choice) string
}

func (m Model) columns() []column {
	cols := []column{
		{title: "Type", prio: 0, cell: func(_ int, c recommend.Choice) string { return c.InstanceType }},
		{title: "AZ", prio: 0, cell: func(_ int, c recommend.Choice) string { return c.AvailabilityZone }},
		{title: "AZ ID", prio: 3, cell: func(_ int, c recommend.Choice) string { return orQ(c.AvailabilityZoneID) }},
	}
	if m.result != nil && len(m.result.Regions) > 1 {
		cols = append(cols, column{title: "Region", prio: 1, cell: func(_ int, c recommend.Choice) string { return c.Region }})
	}
	if m.result != nil && m.result.Profile.GPUs > 0 {
		cols = append(cols,
			column{title: "GPU", prio: 1, cell: func(_ int, c recommend.Choice) string { return fmt.Sprintf("%dx%s", c.GPUs, c.GPUName) }},
			column{title: "$/GPU-h", right: true, prio: 0, cell: func(_ int, c recommend.Choice) string {
				return fmt.Sprintf("%.4f", c.ExpectedCostPerGPUHour)
			}})
	}
	if m.showAlts {
		cols = append(cols, column{title: "Rank", right: true, prio: 1, cell: func(i int, _ recommend.Choice) string { return "#" + strconv.Itoa(i+1) }})
	} else {
		cols = append(cols, column{title: "Share", right: true, prio: 0, cell: func(_ int, c recommend.Choice) string {
			return fmt.Sprintf("%d %3.0f%%", c.Instances, c.Share*100)
		}})
	}
	cols = append(cols,
		column{title: "Last", right: true, prio: 1, cell: func(_ int, c recommend.Choice) string { return price(c.Last) }},
		column{title: "TWAP", right: true, prio: 2, cell: func(_ int, c recommend.Choice) string { return price(c.TWAP) }},
		column{title: "CV", right: true, prio: 2, cell: func(_ int, c recommend.Choice) string { return fmt.Sprintf("%.3f", c.CV) }},
		column{title: "Interr.", prio: 1, cell: func(_ int, c recommend.Choice) string {
			if !c.Interruption.Known {
				return "?"
			}
			return c.Interruption.Bucket
		}},
		column{title: "Place", right: true, prio: 2, cell: func(_ int, c recommend.Choice) string {
			if c.PlacementScore == nil {
				return "?"
			}
			return strconv.Itoa(*c.PlacementScore)
		}},
		column{title: "On-Demand", right: true, prio: 1, cell: func(_ int, c recommend.Choice) string {
			if c.OnDemand == nil {
				return "?"
			}
			if c.OnDemandEstimated {
				return "~" + price(*c.OnDemand)
			}
			return price(*c.OnDemand)
		}},
		column{title: "$/vCPU-h", right: true, prio: 0, cell: func(_ int, c recommend.Choice) string {
			return fmt.Sprintf("%.5f", c.ExpectedCostPerVCPUHour)
		}},
		column{title: "Job $", right: true, prio: 1, cell: func(_ int, c recommend.Choice) string {
			return fmt.Sprintf("%.2f", c.ExpectedJobCost)
		}},
		// The cost at the pessimistic rate; * marks a pool that trades
		// places with another listed one there.
		column{title: "@3x $", right: true, prio: 3, cell: func(_ int, c recommend.Choice) string {
			if c.RankFlips {
				return fmt.Sprintf("%.2f*", c.PessimisticJobCost)
			}
			return fmt.Sprintf("%.2f", c.PessimisticJobCost)
		}},
		column{title: "Score", right: true, prio: 0, cell: func(_ int, c recommend.Choice) string {
			return fmt.Sprintf("%.5f", c.Score)
		}},
	)
	return cols
}

func price(v float64) string { return fmt.Sprintf("%.4f", v) }

func orQ(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

const colGap = 2

func colWidths(cols []column, rows []recommend.Choice) []int {
	ws := make([]int, len(cols))
	for j, c := range cols {
		ws[j] = lipgloss.Width(c.title)
		for i, r := range rows {
			ws[j] = max(ws[j], lipgloss.Width(c.cell(i, r)))
		}
	}
	return ws
}

func tableWidth(cols []column, rows []recommend.Choice) int {
	w := 2 // cursor marker
	for _, cw := range colWidths(cols, rows) {
		w += cw + colGap
	}
	return w - colGap
}

// fitColumns drops the least important columns, rightmost first, until the
// table fits in w.
func fitColumns(cols []column, rows []recommend.Choice, w int) []column {
	for tableWidth(cols, rows) > w {
		drop, worst := -1, 0
		for j, c := range cols {
			if c.prio > 0 && c.prio >= worst {
				drop, worst = j, c.prio
			}
		}
		if drop < 0 {
			break
		}
		cols = append(cols[:drop:drop], cols[drop+1:]...)
	}
	return cols
}

func (m Model) tableLines(l layout, rows []recommend.Choice) []string {
	if len(rows) == 0 {
		what := "no pools in the recommended set"
		if m.showAlts {
			what = "no alternatives"
		}
		if m.keep != nil {
			// The set exists; the host's filter hides it.
			what += " match the filter (esc clears it)"
		}
		return []string{m.st.muted.Render("  " + what)}
	}
	cols := l.cols
	ws := colWidths(cols, rows)
	cellsOf := func(get func(j int) string) string {
		parts := make([]string, len(cols))
		for j, c := range cols {
			if c.right {
				parts[j] = padLeft(get(j), ws[j])
			} else {
				parts[j] = padRight(get(j), ws[j])
			}
		}
		return strings.Join(parts, strings.Repeat(" ", colGap))
	}
	out := []string{m.st.header.Render("  " + cellsOf(func(j int) string { return cols[j].title }))}
	end := min(len(rows), m.offset+l.tableRows)
	for i := m.offset; i < end; i++ {
		line := cellsOf(func(j int) string { return cols[j].cell(i, rows[i]) })
		if i == m.cursor && m.focus == results {
			out = append(out, m.st.selected.Render("▸ "+line))
		} else if i == m.cursor {
			out = append(out, "› "+line)
		} else {
			out = append(out, "  "+line)
		}
	}
	return out
}
