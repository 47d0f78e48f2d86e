package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/tui/output"
)

func newCacheCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Inspect and maintain the local price cache",
	}
	info := &cobra.Command{
		Use:   "info",
		Short: "Path, size, regions, pools, records and freshness of the cache",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			in, err := a.Store.Info(cmd.Context())
			if err != nil {
				return err
			}
			if g.format != output.Table {
				return output.Write(g.io.out, g.format, cacheInfoReport(in))
			}
			w := g.io.out
			fmt.Fprintf(w, "path:      %s\nsize:      %s\nschema:    v%d\npools:     %s\nrecords:   %s\n", in.Path, humanBytes(in.SizeBytes), in.SchemaVersion, commas(int64(in.Pools)), commas(in.Records))
			if in.Records > 0 {
				fmt.Fprintf(w, "oldest:    %s\nnewest:    %s\n", ts(in.Oldest), ts(in.Newest))
			}
			fmt.Fprintln(w)
			return output.Write(w, output.Table, cacheInfoReport(in))
		},
	}
	var olderThan string
	prune := &cobra.Command{
		Use:   "prune",
		Short: "Drop records older than a cutoff (each pool keeps the price in effect at it)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := parseDays(olderThan)
			if err != nil || d <= 0 {
				return usagef("invalid --older-than %q: want a duration such as 180d", olderThan)
			}
			if g.demo {
				return usagef("the demo data is read-only; prune works on your own cache")
			}
			a, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			n, err := a.Store.Prune(cmd.Context(), a.Now().Add(-d))
			if err != nil {
				return err
			}
			fmt.Fprintf(g.io.out, "pruned %s records older than %s\n", commas(n), ts(a.Now().Add(-d)))
			return nil
		},
	}
	prune.Flags().StringVar(&olderThan, "older-than", "", "cutoff age, e.g. 180d (required)")
	reset := &cobra.Command{
		Use:   "reset",
		Short: "Move the cache file aside (it is never deleted) so the next run starts fresh",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := g.cacheDirectory()
			if err != nil {
				return err
			}
			path := filepath.Join(dir, cache.FileName)
			if _, err := os.Stat(path); os.IsNotExist(err) {
				fmt.Fprintf(g.io.out, "no cache at %s; nothing to reset\n", path)
				return nil
			}
			moved, err := cache.Reset(path, g.io.now())
			if err != nil {
				return err
			}
			fmt.Fprintf(g.io.out, "moved %s to %s\n", path, moved)
			return nil
		},
	}
	path := &cobra.Command{
		Use:   "path",
		Short: "Print the cache file's path",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := g.cacheDirectory()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(g.io.out, filepath.Join(dir, cache.FileName))
			return err
		},
	}
	cmd.AddCommand(info, prune, reset, path)
	return cmd
}

func cacheInfoReport(in cache.Info) output.Report {
	type regionRow struct {
		Region    string `json:"region"`
		Pools     int    `json:"pools"`
		Records   int64  `json:"records"`
		Oldest    string `json:"oldest"`
		Newest    string `json:"newest"`
		LastFetch string `json:"last_fetch"`
	}
	type doc struct {
		Path          string      `json:"path"`
		SizeBytes     int64       `json:"size_bytes"`
		SchemaVersion int         `json:"schema_version"`
		Pools         int         `json:"pools"`
		Records       int64       `json:"records"`
		Oldest        string      `json:"oldest"`
		Newest        string      `json:"newest"`
		Regions       []regionRow `json:"regions"`
	}
	d := doc{Path: in.Path, SizeBytes: in.SizeBytes, SchemaVersion: in.SchemaVersion, Pools: in.Pools, Records: in.Records,
		Oldest: ts(in.Oldest), Newest: ts(in.Newest), Regions: []regionRow{}}
	rep := output.Report{Columns: []string{"region", "pools", "records", "oldest", "newest", "last_fetch"}, Empty: "(no regions cached yet)"}
	for _, r := range in.Regions {
		row := regionRow{r.Region, r.Pools, r.Records, ts(r.Oldest), ts(r.Newest), ts(r.LastFetch)}
		d.Regions = append(d.Regions, row)
		rep.Rows = append(rep.Rows, []string{row.Region, fmt.Sprint(row.Pools), fmt.Sprint(row.Records), row.Oldest, row.Newest, row.LastFetch})
	}
	rep.JSON = d
	return rep
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
