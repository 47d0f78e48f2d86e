package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
)

func newImportCmd(g *globals) *cobra.Command {
	var arch archiveFlags
	cmd := &cobra.Command{
		Use:   "import FILE... | DIR | s3://BUCKET/PREFIX",
		Short: "Load spot price history collected elsewhere into the cache",
		Long: `Import AWS CLI "aws ec2 describe-spot-price-history" JSON output, or CSV with the columns
AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp (gzip or plain).
The region comes from --region or from each record's AZ name. Records already cached are
kept as they are (an import never overrides what AWS answered), so importing twice is
harmless. This is how archives older than AWS's 90 days
get into spotscope.
With one directory or s3:// URL (or none and $SPOTSCOPE_ARCHIVE set), it reads a
"spotscope export" archive instead: records with AZ IDs, coverage, provenance.`,
		Example: "  spotscope import history-2019.csv.gz\n  aws ec2 describe-spot-price-history --region eu-west-1 > h.json && spotscope import h.json",
		RunE: func(cmd *cobra.Command, args []string) error {
			if loc, ok := archiveLocation(g, args); ok {
				return arch.runImport(cmd, g, loc)
			}
			if len(args) == 0 {
				return usagef("import needs at least one FILE")
			}
			if len(g.regions) > 1 {
				return usagef("import takes at most one --region, got %d", len(g.regions))
			}
			if g.demo {
				return usagef("import writes to your cache; it cannot run with --demo")
			}
			opts := dataset.Options{}
			if len(g.regions) == 1 {
				opts.Region = g.regions[0]
			}
			a, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			for _, file := range args {
				var batch []market.Record
				read, added := 0, 0
				flush := func() error {
					n, err := a.store.ImportRecords(cmd.Context(), batch)
					added += n
					batch = batch[:0]
					return err
				}
				err := dataset.ReadFile(file, opts, func(r market.Record) error {
					batch = append(batch, r)
					read++
					if len(batch) == 50000 {
						return flush()
					}
					return nil
				})
				if err == nil {
					err = flush()
				}
				if err != nil {
					return fmt.Errorf("import stopped after %d new records: %w", added, err)
				}
				fmt.Fprintf(g.io.err, "%s: %s records read, %s new\n", file, commas(int64(read)), commas(int64(added)))
			}
			return nil
		},
	}
	arch.register(cmd)
	return cmd
}
