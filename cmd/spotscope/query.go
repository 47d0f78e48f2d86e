package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
	"github.com/spotscope/spotscope/market/workspace"
	"github.com/spotscope/spotscope/tui/output"
)

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// selection is the type/product filter the read commands share.
type selection struct {
	types    []string
	products []string
	matcher  market.TypeMatcher
}

func (s *selection) flags(cmd *cobra.Command) {
	cmd.Flags().StringSliceVarP(&s.types, "type", "t", nil, "instance types or globs (m5.large, 'm7*', '*.xlarge'); repeatable")
	cmd.Flags().StringSliceVarP(&s.products, "product", "p", nil, "product descriptions (default Linux/UNIX); repeatable")
}

func (s *selection) validate() error {
	sel, err := workspace.Select(s.types, s.products)
	if err != nil {
		return err
	}
	s.products, s.matcher = sel.Products, sel.Matcher
	return nil
}

func (s *selection) ask() workspace.Selection {
	return workspace.Selection{Types: s.types, Products: s.products, Matcher: s.matcher}
}

// openRead opens the workspace for a read command, with a region.
func (g *globals) openRead(ctx context.Context) (*app, error) {
	a, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.NeedRegions(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func newPricesCmd(g *globals) *cobra.Command {
	var sel selection
	cmd := &cobra.Command{
		Use:     "prices",
		Short:   "Latest spot price of every pool",
		Example: "  spotscope prices --region us-east-1 --type 'm7*'\n  spotscope prices --demo -t c5.large -o json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sel.validate(); err != nil {
				return err
			}
			a, err := g.openRead(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			rows, err := a.Prices(cmd.Context(), sel.ask())
			if err != nil {
				return err
			}
			type jsonRow struct {
				Region             string  `json:"region"`
				AvailabilityZone   string  `json:"availability_zone"`
				AvailabilityZoneID string  `json:"availability_zone_id"`
				InstanceType       string  `json:"instance_type"`
				Product            string  `json:"product"`
				Price              float64 `json:"price"`
				Timestamp          string  `json:"timestamp"`
			}
			rep := output.Report{
				Columns: []string{"region", "availability_zone", "availability_zone_id", "instance_type", "product", "price", "timestamp"},
				JSON:    []jsonRow{},
				Empty:   a.Empty("cached prices match"),
			}
			for _, r := range rows {
				rep.Rows = append(rep.Rows, []string{r.Region, r.AvailabilityZone, r.AvailabilityZoneID, r.InstanceType, r.Product, market.FormatPrice(r.Price), ts(r.Time)})
				rep.JSON = append(rep.JSON.([]jsonRow), jsonRow{r.Region, r.AvailabilityZone, r.AvailabilityZoneID, r.InstanceType, r.Product, r.Price, ts(r.Time)})
			}
			return output.Write(g.io.out, g.format, rep)
		},
	}
	sel.flags(cmd)
	return cmd
}

func newHistoryCmd(g *globals) *cobra.Command {
	var typ, az, product, since, startS, endS string
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Price records of one instance type, per Availability Zone",
		Long: `Print the price records of one instance type over a window. The first record of each
AZ is the price in effect at the window's start.`,
		Example: "  spotscope history --region us-east-1 --type m5.large --since 7d\n  spotscope history --demo -t c5.large --start 2020-06-01T00:00:00Z --end 2020-06-08T00:00:00Z -o csv",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if typ == "" {
				return usagef("--type is required (one instance type, e.g. m5.large)")
			}
			if since != "" && (startS != "" || endS != "") {
				return usagef("--since and --start/--end exclude each other")
			}
			a, err := g.openRead(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			q := workspace.HistoryQuery{Type: typ, Zone: az, Product: product, End: a.Now()}
			q.Start = q.End.Add(-7 * 24 * time.Hour)
			if since != "" {
				d, err := parseDays(since)
				if err != nil {
					return usagef("invalid --since %q: %v", since, err)
				}
				q.Start = q.End.Add(-d)
			}
			if startS != "" {
				if q.Start, err = dataset.ParseWhen(startS); err != nil {
					return usagef("--start: %v", err)
				}
			}
			if endS != "" {
				if q.End, err = dataset.ParseWhen(endS); err != nil {
					return usagef("--end: %v", err)
				}
			}
			series, err := a.History(cmd.Context(), q)
			if err != nil {
				return err
			}
			type jsonRow struct {
				AvailabilityZone string  `json:"availability_zone"`
				InstanceType     string  `json:"instance_type"`
				Product          string  `json:"product"`
				Timestamp        string  `json:"timestamp"`
				Price            float64 `json:"price"`
			}
			rep := output.Report{
				Columns: []string{"availability_zone", "instance_type", "product", "timestamp", "price"},
				JSON:    []jsonRow{},
				Empty:   a.Empty("cached records of " + typ),
			}
			for _, p := range series {
				for _, pt := range p.Points {
					rep.Rows = append(rep.Rows, []string{p.AvailabilityZone, p.InstanceType, p.Product, ts(pt.Time), market.FormatPrice(pt.Price)})
					rep.JSON = append(rep.JSON.([]jsonRow), jsonRow{p.AvailabilityZone, p.InstanceType, p.Product, ts(pt.Time), pt.Price})
				}
			}
			return output.Write(g.io.out, g.format, rep)
		},
	}
	cmd.Flags().StringVarP(&typ, "type", "t", "", "instance type (required)")
	cmd.Flags().StringVar(&az, "az", "", "one Availability Zone name (default: all)")
	cmd.Flags().StringVarP(&product, "product", "p", "", "product description (default Linux/UNIX)")
	cmd.Flags().StringVar(&since, "since", "", "window back from now, e.g. 7d or 36h (default 7d)")
	cmd.Flags().StringVar(&startS, "start", "", "window start: a date (2020-06-01, midnight UTC) or RFC 3339")
	cmd.Flags().StringVar(&endS, "end", "", "window end: a date or RFC 3339 (default now)")
	return cmd
}

func newStatsCmd(g *globals) *cobra.Command {
	var sel selection
	var window, atS string
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Time-weighted price statistics per pool",
		Long: `One row per capacity pool with the statistics defined in docs/statistics.md: last, twap,
stddev, cv, min, max, p50, p95, changes, changes_per_day, max_jump and covered_hours.
Prices are averaged over time, never over records.`,
		Example: "  spotscope stats --region us-east-1 --type 'c7*' --window 30d\n  spotscope stats --demo --window 7d -o csv",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sel.validate(); err != nil {
				return err
			}
			w, err := parseDays(window)
			if err != nil || w <= 0 {
				return usagef("invalid --window %q: want a duration such as 7d, 30d or 36h", window)
			}
			var at time.Time
			if atS != "" {
				if at, err = dataset.ParseWhen(atS); err != nil {
					return usagef("--at: %v", err)
				}
			}
			a, err := g.openRead(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			ans, err := a.Stats(cmd.Context(), workspace.StatsQuery{Selection: sel.ask(), Window: w, At: at})
			if err != nil {
				return err
			}
			if ans.Unknown > 0 {
				why := "imported before spotscope recorded coverage? import the file again, or fetch"
				if !ans.NewestCovered.IsZero() && !ans.WindowStart.Before(ans.NewestCovered) {
					why = "the cache's coverage ends at " + ts(ans.NewestCovered) + "; fetch, or move --at"
					if a.Demo {
						why = "the demo's recording ends at " + ts(ans.NewestCovered) + "; move --at"
					}
				}
				fmt.Fprintf(g.io.err, "spotscope: %d pools have records but no covered time in the window, so no statistics (%s)\n", ans.Unknown, why)
			}
			if g.format == output.Table {
				fmt.Fprintf(g.io.out, "window %s to %s (as of %s)\n", ts(ans.WindowStart), ts(ans.WindowEnd), ts(ans.AsOf))
			}
			rep := statsReport(ans, g.format == output.Table)
			rep.Empty = a.Empty("pools with prices in the window") + " (widen --window, or move --at)"
			return output.Write(g.io.out, g.format, rep)
		},
	}
	sel.flags(cmd)
	cmd.Flags().StringVar(&window, "window", "30d", "window length, e.g. 7d, 30d, 36h")
	cmd.Flags().StringVar(&atS, "at", "", "window end: a date (2020-06-23, midnight UTC) or RFC 3339 (default: now, or the newest covered time of recorded data)")
	return cmd
}

// statsReport renders a stats answer. JSON and CSV carry the window and
// as-of time on every row, so a row read alone says what it covers; the
// table states them once above (the caller prints that line) and shows
// the gap column only.
func statsReport(ans workspace.StatsAnswer, table bool) output.Report {
	rep := output.Report{
		Columns: []string{"region", "availability_zone", "availability_zone_id", "instance_type", "product", "last", "twap", "stddev", "cv",
			"min", "max", "p50", "p95", "changes", "changes_per_day", "max_jump", "covered_hours", "gap_hours"},
	}
	if !table {
		rep.Columns = append(rep.Columns, "window_start", "window_end", "as_of")
	}
	rows := []workspace.StatsRow{}
	for _, s := range ans.Pools {
		r := ans.Row(s)
		rows = append(rows, r)
		row := []string{r.Region, r.AvailabilityZone, r.AvailabilityZoneID, r.InstanceType, r.Product,
			num(r.Last), num(r.TWAP), num(r.StdDev), num(r.CV), num(r.Min), num(r.Max), num(r.P50), num(r.P95),
			strconv.Itoa(r.Changes), num(r.ChangesPerDay), num(r.MaxJump), num(r.CoveredHours), num(r.GapHours)}
		if !table {
			row = append(row, r.WindowStart, r.WindowEnd, r.AsOf)
		}
		rep.Rows = append(rep.Rows, row)
		gap := "-"
		if r.GapHours > 0 {
			gap = fmt.Sprintf("%.1f", r.GapHours)
		}
		rep.Display = append(rep.Display, []string{r.Region, r.AvailabilityZone, r.AvailabilityZoneID, r.InstanceType, r.Product,
			market.FormatPrice(r.Last), fmt.Sprintf("%.6f", r.TWAP), fmt.Sprintf("%.6f", r.StdDev), fmt.Sprintf("%.2f%%", 100*r.CV),
			market.FormatPrice(r.Min), market.FormatPrice(r.Max), market.FormatPrice(r.P50), market.FormatPrice(r.P95),
			strconv.Itoa(r.Changes), fmt.Sprintf("%.3f", r.ChangesPerDay), fmt.Sprintf("%.2f%%", 100*r.MaxJump), fmt.Sprintf("%.1f", r.CoveredHours), gap})
	}
	rep.JSON = rows
	return rep
}
