package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/cache/archive"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/dataset"
	"github.com/spotscope/spotscope/market/doctor"
	"github.com/spotscope/spotscope/tui/progress"
)

// ArchiveEnv names the default archive location of export, import and
// doctor.
const ArchiveEnv = "SPOTSCOPE_ARCHIVE"

// archiveFlags are the flags every archive command shares.
type archiveFlags struct {
	pathStyle bool
}

func (f *archiveFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.pathStyle, "s3-path-style", false,
		"address S3 path-style (on anyway when AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL is set)")
}

// open returns the archive location of loc: an S3 prefix through the same
// AWS configuration (credential chain, --profile) as fetch, or a directory.
// open opens the archive location and then the cache it is exported from
// or imported into; close the workspace when done.
func (f *archiveFlags) open(ctx context.Context, g *globals, loc string) (archive.Location, *app, error) {
	l, err := f.location(ctx, g, loc)
	if err != nil {
		return nil, nil, err
	}
	a, err := g.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return l, a, nil
}

func (f *archiveFlags) location(ctx context.Context, g *globals, loc string) (archive.Location, error) {
	if !archive.IsS3(loc) {
		if strings.Contains(loc, "://") {
			return nil, usagef("archive location %q: want a directory or s3://BUCKET/PREFIX", loc)
		}
		// "s3:/bucket" or "S3:bucket" would otherwise be a local directory
		// named "s3:", quietly holding what was meant for the bucket.
		if rest, ok := cutPrefixFold(loc, "s3:"); ok {
			return nil, usagef("archive location %q: did you mean s3://%s?", loc, strings.TrimLeft(rest, "/"))
		}
		return archive.Dir(loc), nil
	}
	if _, _, err := archive.ParseS3(loc); err != nil {
		return nil, usageError{err}
	}
	cfg, err := awsapi.LoadConfig(ctx, awsapi.Options{Profile: g.profile})
	if err != nil {
		return nil, err
	}
	return archive.OpenS3(loc, cfg, archive.S3Options{PathStyle: f.pathStyle})
}

func newExportCmd(g *globals) *cobra.Command {
	var out, since, until string
	var flags archiveFlags
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the cached history as a Parquet archive to a directory or S3",
		Long: `Write the cached spot price history as Hive-partitioned, zstd-compressed Parquet
(region=<region>/month=<YYYY-MM>/part-<checksum>.parquet), with a coverage file and a
manifest, to a directory or an S3 prefix that DuckDB, Athena, Spark and Trino read and
that "spotscope import" reads back. A repeated export writes only the months whose
content changed, merges with what the archive already holds (it never loses history)
and replaces the manifest last, so readers never see half an export.
The location defaults to $SPOTSCOPE_ARCHIVE. S3 uses the AWS credential chain and
--profile; AWS_ENDPOINT_URL_S3 points it at MinIO, Ceph or LocalStack. See docs/archive.md.`,
		Example: "  spotscope export --out s3://team-bucket/spotscope\n  spotscope export --out ./archive --region eu-west-1 --since 30d",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				out = g.io.getenv(ArchiveEnv)
			}
			if out == "" {
				return usagef("export needs --out DIR or s3://BUCKET/PREFIX (or set %s)", ArchiveEnv)
			}
			now := g.io.now()
			var o archive.ExportOptions
			var err error
			if o.Since, err = parseBound(since, now); err != nil {
				return usagef("--since: %v", err)
			}
			if o.Until, err = parseBound(until, now); err != nil {
				return usagef("--until: %v", err)
			}
			if !o.Since.IsZero() && !o.Until.IsZero() && !o.Until.After(o.Since) {
				return usagef("--until (%s) must be after --since (%s)", o.Until.Format(time.RFC3339), o.Since.Format(time.RFC3339))
			}
			ctx := cmd.Context()
			loc, a, err := flags.open(ctx, g, out)
			if err != nil {
				return err
			}
			defer a.Close()
			o.Regions, o.Now, o.CreatedBy = g.regions, g.io.now, "spotscope "+versionString()
			o.Progress = newArchiveProgress(g.io, "export")
			res, err := archive.Export(ctx, a.Store, loc, o)
			if err != nil {
				return fmt.Errorf("export to %s failed (the archive's previous state is intact): %w", out, err)
			}
			fmt.Fprintf(g.io.err, "exported %s records to %s: %s written, %d unchanged (%s); the archive holds %s\n",
				commas(res.Rows), out, plural(res.Written, "partition"), res.Unchanged, humanBytes(res.Bytes), commas(res.Manifest.Rows))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "archive location: a directory or s3://BUCKET/PREFIX (default $"+ArchiveEnv+")")
	cmd.Flags().StringVar(&since, "since", "", "export records from this time (RFC 3339, or back from now: 30d, 36h)")
	cmd.Flags().StringVar(&until, "until", "", "export records before this time (RFC 3339, or back from now)")
	flags.register(cmd)
	return cmd
}

// parseBound reads a time bound: RFC 3339, or a duration back from now;
// empty is no bound.
func parseBound(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := dataset.ParseTime(s); err == nil {
		return t, nil
	}
	d, err := parseDays(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2020-06-01T00:00:00Z) nor a duration (30d, 36h)", s)
	}
	return now.Add(-d).UTC(), nil
}

// archiveLocation returns the archive an import's arguments name: one
// s3:// URL or one directory, or $SPOTSCOPE_ARCHIVE without arguments.
// Anything else is a file import.
func archiveLocation(g *globals, args []string) (string, bool) {
	if len(args) == 0 {
		loc := g.io.getenv(ArchiveEnv)
		return loc, loc != ""
	}
	if len(args) != 1 {
		return "", false
	}
	if archive.IsS3(args[0]) {
		return args[0], true
	}
	fi, err := os.Stat(args[0])
	if _, s3ish := cutPrefixFold(args[0], "s3:"); s3ish && err != nil {
		return args[0], true // a mistyped s3:// URL: the location check says so
	}
	return args[0], err == nil && fi.IsDir()
}

// runArchiveImport is `spotscope import DIR|s3://BUCKET/PREFIX`.
func (f *archiveFlags) runImport(cmd *cobra.Command, g *globals, loc string) error {
	if g.demo {
		return usagef("import writes to your cache; it cannot run with --demo")
	}
	if len(g.regions) > 0 {
		return usagef("an archive import takes every region the archive holds; drop --region")
	}
	ctx := cmd.Context()
	l, a, err := f.open(ctx, g, loc)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := archive.Import(ctx, a.Store, l, archive.ImportOptions{Source: loc, Now: g.io.now, Progress: newArchiveProgress(g.io, "import")})
	if err != nil && res.Partitions > 0 {
		return fmt.Errorf("import stopped after %s (%s new records): %w", plural(res.Partitions, "whole partition"), commas(int64(res.New)), err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(g.io.err, "%s: %s records read from %s, %s new\n", loc, commas(res.Rows), plural(res.Partitions, "partition"), commas(int64(res.New)))
	return nil
}

// newArchiveProgress shows an export's or import's partitions as fetch
// shows its pages: a bar with the rate and an ETA on a terminal, a few plain
// lines otherwise (the summary line follows).
func newArchiveProgress(io stdio, verb string) func(archive.Progress) {
	// Wall time, not io.now: rates and ETAs are about this run.
	p := progress.New(io.err, io.errTTY, time.Now)
	return func(ev archive.Progress) {
		done := ev.Done == ev.Total
		p.Update(progress.State{Key: verb, Done: float64(ev.Done), Total: float64(ev.Total), Unit: "partitions",
			Note: commas(ev.Rows) + " records", Finished: done})
		if done {
			p.Clear()
		}
	}
}

// probe tries the actions export and import need on loc, for doctor.
func (f *archiveFlags) probe(g *globals, loc string) doctor.ArchiveProbe {
	return func(ctx context.Context) []doctor.ArchiveAccess {
		l, err := f.location(ctx, g, loc)
		if err != nil {
			return []doctor.ArchiveAccess{{Action: "location", Err: err}}
		}
		s3loc, ok := l.(*archive.S3)
		if !ok {
			// A directory: can export create and replace files there?
			err := l.Put(ctx, ".spotscope-access-probe", []byte("spotscope doctor\n"))
			if err == nil {
				err = l.Delete(ctx, []string{".spotscope-access-probe"})
			}
			return []doctor.ArchiveAccess{{Action: "write", Err: err}}
		}
		var out []doctor.ArchiveAccess
		for _, r := range s3loc.CheckAccess(ctx) {
			out = append(out, doctor.ArchiveAccess{Action: r.Action, Err: r.Err})
		}
		return out
	}
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}
