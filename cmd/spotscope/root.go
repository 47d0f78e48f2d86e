package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
	"github.com/spotscope/spotscope/tui/output"
)

// usageError marks bad input: the command exits 2 instead of 1.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// globals are the flags every command shares.
type globals struct {
	io       stdio
	regions  []string
	profile  string
	cacheDir string
	offline  bool
	demo     bool
	maxAge   string
	output   string
	noColor  bool
	nowFlag  string

	format output.Format
	age    time.Duration
}

func newRootCmd(io stdio) *cobra.Command {
	g := &globals{io: io}
	root := &cobra.Command{
		Use:   "spotscope",
		Short: "Explore AWS EC2 Spot prices, volatility and capacity pools in your terminal",
		Long: `spotscope fetches EC2 spot price history into a local cache, computes time-weighted
statistics per capacity pool (instance type x Availability Zone), recommends pools for a
workload and opens an interactive explorer.

Run without a subcommand on a terminal to open the explorer. Without AWS credentials,
--demo explores an embedded, recorded sa-east-1 data set.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return g.validate(cmd)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTUI(cmd, g)
		},
	}
	root.SetIn(io.in)
	root.SetOut(io.out)
	root.SetErr(io.err)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%v (see %s --help)", err, cmd.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.StringSliceVarP(&g.regions, "region", "r", nil, "AWS region(s), repeatable or comma-separated (default: AWS_REGION / profile)")
	pf.StringVar(&g.profile, "profile", "", "AWS shared-config profile (default: AWS_PROFILE)")
	pf.StringVar(&g.cacheDir, "cache-dir", "", "cache directory (default: $SPOTSCOPE_CACHE_DIR, else the user cache dir)")
	pf.BoolVar(&g.offline, "offline", false, "never call AWS: read the cache only")
	pf.BoolVar(&g.demo, "demo", false, "use the embedded demo data (recorded sa-east-1 prices); needs no AWS account")
	pf.StringVar(&g.maxAge, "max-age", "1h", "refresh from AWS when the cached data is older than this")
	pf.StringVarP(&g.output, "output", "o", "", "output format: table, json or csv (default: table; the TUI on a terminal)")
	pf.BoolVar(&g.noColor, "no-color", false, "disable colour (NO_COLOR is respected too)")
	// --now replays the market as of a past moment: reproducible reports,
	// benchmarks and demos on recorded data (with a fake endpoint).
	pf.StringVar(&g.nowFlag, "now", "", "pretend the current time is this RFC 3339 time")
	pf.MarkHidden("now")

	root.AddCommand(
		newFetchCmd(g), newPricesCmd(g), newHistoryCmd(g), newStatsCmd(g), newImportCmd(g), newExportCmd(g),
		newRecommendCmd(g), newCacheCmd(g), newDoctorCmd(g), newVersionCmd(g), newManCmd(), newMCPCmd(g),
	)
	return root
}

func (g *globals) validate(cmd *cobra.Command) error {
	if g.output != "" {
		f, err := output.ParseFormat(g.output)
		if err != nil {
			return usageError{err}
		}
		g.format = f
	} else {
		g.format = output.Table
	}
	age, err := parseDays(g.maxAge)
	if err != nil {
		return usagef("invalid --max-age %q: %v", g.maxAge, err)
	}
	g.age = age
	if g.nowFlag != "" {
		t, err := dataset.ParseWhen(g.nowFlag)
		if err != nil {
			return usagef("--now: %v", err)
		}
		g.io.now = func() time.Time { return t }
	}
	var regions []string
	for _, r := range g.regions {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if err := market.CheckRegion(r); err != nil {
			return usageError{fmt.Errorf("--region %w", err)}
		}
		regions = append(regions, r)
	}
	g.regions = regions
	if g.demo && g.offline {
		g.offline = true
	}
	return nil
}

// parseDays accepts Go durations plus a "d" suffix for days ("7d", "1.5d",
// "36h"), the units people use for price history. The whole string must be
// one finite, non-negative duration.
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := errors.New("want a duration such as 30m, 12h or 7d")
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil || days < 0 || math.IsInf(days, 0) || math.IsNaN(days) || days > 100*365 {
			return 0, bad
		}
		return time.Duration(days * 24 * float64(time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(g.io.out, versionString())
			return err
		},
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}
