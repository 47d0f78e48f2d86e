package tui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
	"github.com/spotscope/spotscope/tui/clipboard"
	"github.com/spotscope/spotscope/tui/output"
)

// exportedMsg reports a copy or a file written.
type exportedMsg struct {
	status string
	err    error
}

// marketReport is the Market table as shown (filtered, sorted; a type row
// stands for its cheapest AZ) in the columns of `spotscope stats -o csv`,
// then what the table adds: specs, the advisor, the window and its gap.
func marketReport(rows []marketRow, q explore.Query) output.Report {
	rep := output.Report{Columns: []string{"region", "availability_zone", "availability_zone_id", "instance_type", "product",
		"last", "twap", "stddev", "cv", "min", "max", "p50", "p95", "changes", "changes_per_day", "max_jump", "covered_hours",
		"gap_hours", "window_start", "window_end", "vcpus", "memory_gib", "interruption", "savings_pct"}}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	ws, we := windowOf(q)
	for _, r := range rows {
		s := r.s
		st := s.Stats
		vcpu, mem := "", ""
		if s.HasSpec {
			vcpu, mem = strconv.Itoa(s.Spec.VCPUs), num(s.Spec.MemoryGiB())
		}
		intr, save := "", ""
		if s.Advisor.Known {
			intr, save = s.Advisor.Label, strconv.Itoa(s.Advisor.Savings)
		}
		rep.Rows = append(rep.Rows, []string{s.Region, s.AvailabilityZone, s.AvailabilityZoneID, s.InstanceType, s.Product,
			market.FormatPrice(st.Last), num(st.TWAP), num(st.StdDev), num(st.CV), market.FormatPrice(st.Min), market.FormatPrice(st.Max),
			market.FormatPrice(st.P50), market.FormatPrice(st.P95), strconv.Itoa(st.Changes), num(st.ChangesPerDay), num(st.MaxJump),
			num(st.CoveredHours), num(gapHours(s, q)), ws, we, vcpu, mem, intr, save})
	}
	return rep
}

func windowOf(q explore.Query) (string, string) {
	if q.End.IsZero() {
		return "", ""
	}
	return q.WindowStart().UTC().Format(time.RFC3339), q.End.UTC().Format(time.RFC3339)
}

func marketCSV(rows []marketRow, q explore.Query) ([]byte, error) {
	var buf bytes.Buffer
	err := output.Write(&buf, output.CSV, marketReport(rows, q))
	return buf.Bytes(), err
}

// copyMarketCmd puts the table on the clipboard with OSC 52.
func copyMarketCmd(w io.Writer, rows []marketRow, q explore.Query) tea.Cmd {
	return func() tea.Msg {
		data, err := marketCSV(rows, q)
		if err == nil {
			err = clipboard.Copy(w, data)
		}
		if err != nil {
			return exportedMsg{err: err}
		}
		return exportedMsg{status: fmt.Sprintf("copied %d rows as CSV (%d bytes) via OSC 52", len(rows), len(data))}
	}
}

// writeMarketCmd writes the table to a new CSV file in dir ("" is the
// working directory), never over an existing one.
func writeMarketCmd(dir string, now time.Time, label string, rows []marketRow, q explore.Query) tea.Cmd {
	return func() tea.Msg {
		data, err := marketCSV(rows, q)
		if err != nil {
			return exportedMsg{err: err}
		}
		name := fmt.Sprintf("spotscope-market-%s-%s.csv", label, now.UTC().Format("20060102-150405"))
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return exportedMsg{err: err}
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return exportedMsg{err: err}
		}
		return exportedMsg{status: fmt.Sprintf("wrote %d rows to %s", len(rows), path)}
	}
}

// exportLabel names the regions in a file name.
func (m Model) exportLabel() string {
	if len(m.regions) == 1 {
		return m.regions[0]
	}
	return fmt.Sprintf("%d-regions", len(m.regions))
}

func (m Model) onExported(msg exportedMsg) Model {
	if msg.err != nil {
		m.setStatus("export: "+msg.err.Error(), true)
	} else {
		m.setStatus(msg.status, false)
	}
	return m
}
