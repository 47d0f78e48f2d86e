package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market/awsapi"
	"github.com/spotscope/spotscope/market/doctor"
	"github.com/spotscope/spotscope/tui/output"
)

func newDoctorCmd(g *globals) *cobra.Command {
	var arch archiveFlags
	var archiveLoc string
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check region, credentials, IAM permissions, data sources, cache and terminal",
		Long: `Check everything spotscope depends on and print how to fix what fails: the region and
where it came from, the credentials' source (never the secret), each IAM action (with
DryRun where EC2 offers it), the Spot Advisor and Price List endpoints, the cache and the
terminal, and, with an archive configured (--archive or $SPOTSCOPE_ARCHIVE), the S3
actions export and import need on it. The exit status is 1 when a check fails.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			region := ""
			if len(g.regions) > 0 {
				region = g.regions[0]
			}
			cfg, _ := awsapi.LoadConfig(ctx, awsapi.Options{Profile: g.profile, Region: region})
			deps := doctor.Deps{AWS: cfg, AdvisorURL: g.io.getenv("SPOTSCOPE_ADVISOR_URL"), Now: g.io.now}
			if region != "" {
				deps.RegionSource = "--region flag"
			}
			if dir, err := g.cacheDirectory(); err == nil {
				deps.CachePath = filepath.Join(dir, cache.FileName)
			}
			if archiveLoc == "" {
				archiveLoc = g.io.getenv(ArchiveEnv)
			}
			if archiveLoc != "" {
				deps.Archive, deps.ArchiveProbe = archiveLoc, arch.probe(g, archiveLoc)
			}
			term := doctor.DetectTerminal(os.Stdout, g.io.getenv)
			deps.Terminal = &term
			rep := doctor.Run(ctx, deps)
			var err error
			if g.format == output.JSON {
				err = output.Write(g.io.out, output.JSON, output.Report{JSON: rep})
			} else {
				err = rep.Write(g.io.out)
			}
			if err != nil {
				return err
			}
			if !rep.OK() {
				return errChecksFailed
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&archiveLoc, "archive", "", "also check access to this archive (directory or s3://BUCKET/PREFIX; default $"+ArchiveEnv+")")
	arch.register(cmd)
	return cmd
}

type checksFailed struct{}

func (checksFailed) Error() string { return "some checks failed (see the fixes above)" }

var errChecksFailed error = checksFailed{}
