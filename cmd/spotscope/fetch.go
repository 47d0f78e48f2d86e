package main

import (
	"fmt"
	"math"
	"time"

	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/tui/output"
)

func newFetchCmd(g *globals) *cobra.Command {
	var types, products []string
	var days, burst int
	var rate float64
	cmd := &cobra.Command{
		Use:   "fetch",
		Short: "Fetch spot price history from AWS into the cache",
		Long: `Fetch DescribeSpotPriceHistory for the regions, instance types and products, every page,
into the local cache. Only what the cache lacks is asked for; history older than AWS's
90 days stays in the cache. Ctrl-C stops cleanly and the next fetch continues.`,
		Example: `  spotscope fetch --region us-east-1 --days 30
  spotscope fetch -r eu-west-1,eu-central-1 --type 'm7*' --type c7g.xlarge
  spotscope fetch --region us-east-1 --product Windows --product Linux/UNIX`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !(rate > 0) || math.IsInf(rate, 0) || burst < 1 {
				return usagef("--rate and --burst must be positive (EC2 refills about 20 requests/s per region with a burst of 100)")
			}
			if days < 1 || days > awsapi.MaxDays {
				return usagef("--days %d: must be between 1 and %d (AWS keeps %d days of spot price history)", days, awsapi.MaxDays, awsapi.MaxDays)
			}
			typeMatcher, err := market.NewTypeMatcher(types)
			if err != nil {
				return usageError{fmt.Errorf("--type: %w", err)}
			}
			ps, err := productsOrDefault(products)
			if err != nil {
				return err
			}
			if g.demo {
				return usagef("fetch calls AWS; it cannot run with --demo")
			}
			if g.offline {
				return usagef("fetch calls AWS; it cannot run with --offline")
			}
			a, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.NeedRegions(); err != nil {
				return err
			}
			f, err := a.Fetcher(cmd.Context())
			if err != nil {
				return err
			}
			f.Rate, f.Burst = rate, burst
			if err := a.EnsureCatalog(cmd.Context(), f, a.Regions); err != nil {
				return err
			}
			// A typo would fetch nothing and look like an empty market.
			if err := a.CheckTypes(cmd.Context(), typeMatcher.Patterns()); err != nil {
				return err
			}
			sum, err := f.Fetch(cmd.Context(), awsapi.Request{Regions: a.Regions, Types: types, Products: ps, Days: days})
			fmt.Fprintln(g.io.err, summaryLine(sum, err))
			if err != nil {
				return err
			}
			reason := sum.EmptyReason()
			if reason != "" {
				// An empty fetch is not a failure, but a user who expected
				// prices needs to know why there are none.
				fmt.Fprintf(g.io.err, "spotscope: nothing stored: %s\n", reason)
			}
			if g.format == output.Table {
				return nil
			}
			return output.Write(g.io.out, g.format, fetchReport(sum, reason))
		},
	}
	cmd.Flags().StringSliceVarP(&types, "type", "t", nil, "instance types or globs (m5.large, 'm7*', '*.xlarge'); repeatable")
	cmd.Flags().StringSliceVarP(&products, "product", "p", nil, "product descriptions (default Linux/UNIX); repeatable")
	cmd.Flags().IntVar(&days, "days", 90, "how many days back to fetch (at most 90)")
	cmd.Flags().Float64Var(&rate, "rate", awsapi.DefaultRate, "requests per second per region (client-side token bucket)")
	cmd.Flags().IntVar(&burst, "burst", awsapi.DefaultBurst, "token bucket burst per region")
	return cmd
}

// fetchReport is the machine-readable summary of a fetch.
func fetchReport(sum awsapi.Summary, reason string) output.Report {
	start, end := sum.Window.Start.UTC().Format(time.RFC3339), sum.Window.End.UTC().Format(time.RFC3339)
	return output.Report{
		Columns: []string{"regions", "pages", "records", "new_records", "retries", "throttled", "pieces", "failed_pieces",
			"window_start", "window_end", "empty_reason", "elapsed_seconds"},
		Rows: [][]string{{fmt.Sprint(sum.Regions), fmt.Sprint(sum.Pages), fmt.Sprint(sum.Records), fmt.Sprint(sum.NewRecords),
			fmt.Sprint(sum.Retries), fmt.Sprint(sum.Throttled), fmt.Sprint(sum.Pieces), fmt.Sprint(sum.Failed),
			start, end, reason, fmt.Sprintf("%.3f", sum.Elapsed.Seconds())}},
		JSON: struct {
			Regions        int     `json:"regions"`
			Pages          int     `json:"pages"`
			Records        int     `json:"records"`
			NewRecords     int     `json:"new_records"`
			Retries        int     `json:"retries"`
			Throttled      int     `json:"throttled"`
			Pieces         int     `json:"pieces"`
			FailedPieces   int     `json:"failed_pieces"`
			WindowStart    string  `json:"window_start"`
			WindowEnd      string  `json:"window_end"`
			EmptyReason    string  `json:"empty_reason,omitempty"`
			ElapsedSeconds float64 `json:"elapsed_seconds"`
		}{sum.Regions, sum.Pages, sum.Records, sum.NewRecords, sum.Retries, sum.Throttled, sum.Pieces, sum.Failed,
			start, end, reason, sum.Elapsed.Round(time.Millisecond).Seconds()},
	}
}
