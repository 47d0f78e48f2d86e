// Package output renders command results for scripts and pipes: an aligned
// table for people, JSON and CSV for programs. Every command builds one Report
// and this package decides nothing about its content, so the three formats
// never drift apart.
package output

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Format is an output format accepted by -o/--output.
type Format string

const (
	Table Format = "table"
	JSON  Format = "json"
	CSV   Format = "csv"
)

// ParseFormat validates the -o flag.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(strings.TrimSpace(s))) {
	case Table:
		return Table, nil
	case JSON:
		return JSON, nil
	case CSV:
		return CSV, nil
	}
	return "", fmt.Errorf("invalid --output %q (want table, json or csv)", s)
}

// Report is one result in every format. Columns are the snake_case field names
// (CSV header, and the table header in upper case); Rows hold full-precision
// values in the same order; JSON is what -o json encodes (typically a struct
// or slice with the same fields).
type Report struct {
	Columns []string
	Rows    [][]string
	JSON    any
	// Display, when set, is what the table shows instead of Rows: rounded
	// for people, while CSV keeps full precision.
	Display [][]string
	// Empty is printed instead of a table with no rows (stderr is the caller's).
	Empty string
}

// Write renders r in format f.
func Write(w io.Writer, f Format, r Report) error {
	switch f {
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r.JSON)
	case CSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(r.Columns); err != nil {
			return err
		}
		if err := cw.WriteAll(r.Rows); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	default:
		if len(r.Rows) == 0 && r.Empty != "" {
			_, err := fmt.Fprintln(w, r.Empty)
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head := make([]string, len(r.Columns))
		for i, c := range r.Columns {
			head[i] = strings.ToUpper(strings.ReplaceAll(c, "_", " "))
		}
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		rows := r.Rows
		if r.Display != nil {
			rows = r.Display
		}
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		return tw.Flush()
	}
}
