package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// tcol is a column of the small static tables (stats, compare, ranking).
type tcol struct {
	title string
	width int
	right bool
	prio  int // lowest goes first when the table is too wide
}

// fitCols returns the indices of the columns that fit in w cells, dropping
// the least important first and keeping display order.
func fitCols(cols []tcol, w int) []int {
	keep := make([]int, len(cols))
	for i := range cols {
		keep[i] = i
	}
	for len(keep) > 1 {
		total := 2
		for _, i := range keep {
			total += cols[i].width + 1
		}
		if total <= w {
			break
		}
		low := 0
		for j, i := range keep {
			if cols[i].prio < cols[keep[low]].prio {
				low = j
			}
		}
		keep = append(keep[:low:low], keep[low+1:]...)
	}
	return keep
}

// renderTable draws a header and rows; cellStyle may decorate a cell (it
// gets the padded text). The selected row gets a marker and highlight.
func renderTable(st styles, cols []tcol, rows [][]string, w, selected int, cellStyle func(r, c int, s string) string) string {
	keep := fitCols(cols, w)
	var b strings.Builder
	line := func(cells func(i int) string, marker string) string {
		var lb strings.Builder
		lb.WriteString(marker)
		for _, i := range keep {
			lb.WriteString(cells(i))
			lb.WriteByte(' ')
		}
		return strings.TrimRight(lb.String(), " ")
	}
	b.WriteString(st.colHeader.Render(line(func(i int) string { return pad(cols[i].title, cols[i].width, cols[i].right) }, "  ")))
	for r, row := range rows {
		b.WriteByte('\n')
		sel := r == selected
		marker := "  "
		if sel {
			marker = "▶ "
		}
		txt := line(func(i int) string {
			cell := ""
			if i < len(row) {
				cell = row[i]
			}
			s := pad(cell, cols[i].width, cols[i].right)
			if !sel && cellStyle != nil {
				s = cellStyle(r, i, s)
			}
			return s
		}, marker)
		if sel {
			txt = st.sel.Render(pad(txt, w, false))
		}
		b.WriteString(txt)
	}
	return b.String()
}

// scrollTo keeps a cursor within n rows and the window of height rows that
// shows it: it returns the clamped cursor and the first visible row.
func scrollTo(cursor, offset, n, height int) (int, int) {
	cursor = min(max(cursor, 0), max(n-1, 0))
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+height {
		offset = cursor - height + 1
	}
	return cursor, max(0, min(offset, max(0, n-height)))
}

// navStep is how far a list's navigation key moves its cursor in a list of n
// rows with pages of page rows; nav is false for every other key.
func navStep(msg tea.KeyMsg, k keyMap, page, n int) (step int, nav bool) {
	switch {
	case key.Matches(msg, k.Up):
		return -1, true
	case key.Matches(msg, k.Down):
		return 1, true
	case key.Matches(msg, k.PageUp):
		return -page, true
	case key.Matches(msg, k.PageDown):
		return page, true
	case key.Matches(msg, k.Home):
		return -n, true
	case key.Matches(msg, k.End):
		return n, true
	}
	return 0, false
}
