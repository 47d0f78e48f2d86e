package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
)

func newImportCmd(g *globals) *cobra.Command {
	var zoneMap string
	var arch archiveFlags
	cmd := &cobra.Command{
		Use:   "import FILE... | DIR | s3://BUCKET/PREFIX",
		Short: "Load spot price history collected elsewhere into the cache",
		Long: `Import AWS CLI "aws ec2 describe-spot-price-history" JSON output, or CSV with the columns
AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp (gzip or plain).
The region comes from --region or from each record's AZ name. An import records the span it
covers, so statistics know where its prices are known. Where the cache already covers a
pool's time (a fetch, or an earlier import), the file's records for that time are dropped:
one pool's series never interleaves two sources. This is how archives older than AWS's
90 days get into spotscope.

AZ names differ between accounts; AZ IDs do not. A file recorded in another account should
carry an AvailabilityZoneId column (CSV) or field (JSON), or come with --zone-map, so its
zones are renamed to this account's (known to the cache after one fetch of the region).

With one directory or s3:// URL (or none and $SPOTSCOPE_ARCHIVE set), it reads a
"spotscope export" archive instead: records with AZ IDs, coverage, provenance.`,
		Example: "  spotscope import history-2019.csv.gz\n  aws ec2 describe-spot-price-history --region eu-west-1 > h.json && spotscope import h.json\n" +
			"  spotscope import --zone-map us-east-1a=use1-az4,us-east-1b=use1-az6 other-account.csv\n" +
			"  spotscope import s3://team-bucket/spotscope",
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
			// A typo in a path is bad input, said before the cache opens,
			// not an import that "stopped after 0 new records".
			for _, file := range args {
				if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
					return usagef("%s: no such file", file)
				}
			}
			opts := dataset.Options{}
			if len(g.regions) == 1 {
				opts.Region = g.regions[0]
			}
			var fileIDs map[string]string
			if zoneMap != "" {
				m, err := dataset.ParseZoneMap(zoneMap)
				if err != nil {
					return usagef("--zone-map: %v", err)
				}
				fileIDs = m
			}
			a, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			local, err := cachedZones(cmd.Context(), a)
			if err != nil {
				return err
			}
			for _, file := range args {
				opts.Zones = &dataset.ZoneMap{FileIDs: fileIDs, Local: local}
				res, err := dataset.ImportFile(cmd.Context(), a.Store, file, opts)
				if err != nil {
					return err
				}
				line := fmt.Sprintf("%s: %s records read, %s new", file, commas(int64(res.Read)), commas(int64(res.Added)))
				if res.Known > 0 {
					line += fmt.Sprintf(", %s dropped where the cache already covers the time", commas(int64(res.Known)))
				}
				fmt.Fprintln(g.io.err, line)
				if names := opts.Zones.UntiedNames(); len(names) > 0 {
					fmt.Fprintf(g.io.err, "%s: AZ names %s not tied to AZ IDs (no AvailabilityZoneId in the file, not in --zone-map): "+
						"imported as this account's names\n", file, strings.Join(names, ", "))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&zoneMap, "zone-map", "", "AZ name=ID pairs of the account that recorded the files (us-east-1a=use1-az4,...), or @FILE")
	arch.register(cmd)
	return cmd
}

// cachedZones is this account's AZ map of every region the cache knows.
func cachedZones(ctx context.Context, a *app) (map[string][]market.Zone, error) {
	out := map[string][]market.Zone{}
	for _, r := range market.Regions {
		zs, err := a.Store.Zones(ctx, r)
		if err != nil {
			return nil, err
		}
		if len(zs) > 0 {
			out[r] = zs
		}
	}
	return out, nil
}
