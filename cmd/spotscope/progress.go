package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spotscope/spotscope/market/awsapi"
)

// newProgressPrinter shows fetch progress on stderr: one redrawn line with a
// bar per region on a terminal, and one plain line per finished region
// otherwise, so logs of cron jobs stay readable.
func newProgressPrinter(io stdio) func(awsapi.Progress) {
	state := map[string]awsapi.Progress{}
	return func(p awsapi.Progress) {
		state[p.Region] = p
		if !io.errTTY {
			if p.Done {
				status := "done"
				if p.Err != nil {
					status = "failed: " + oneLine(p.Err)
				}
				fmt.Fprintf(io.err, "%s: %s, %s, %s records (%s new), %s\n",
					p.Region, status, plural(p.Pages, "page"), commas(int64(p.Records)), commas(int64(p.NewRecords)), plural(p.Retries, "retry"))
			}
			return
		}
		regions := make([]string, 0, len(state))
		for r := range state {
			regions = append(regions, r)
		}
		sort.Strings(regions)
		var parts []string
		for _, r := range regions {
			s := state[r]
			parts = append(parts, fmt.Sprintf("%s %s %d/%d", r, bar(s.PiecesDone, s.PiecesTotal, 12), s.PiecesDone, s.PiecesTotal))
		}
		total := awsapi.Progress{}
		for _, s := range state {
			total.Pages += s.Pages
			total.Records += s.Records
			total.Retries += s.Retries
		}
		line := fmt.Sprintf("%s  %s, %s records, %s", strings.Join(parts, "  "), plural(total.Pages, "page"), commas(int64(total.Records)), plural(total.Retries, "retry"))
		fmt.Fprintf(io.err, "\r\x1b[2K%s", line)
		allDone := true
		for _, s := range state {
			allDone = allDone && s.Done
		}
		if allDone {
			fmt.Fprint(io.err, "\r\x1b[2K")
		}
	}
}

func bar(done, total, width int) string {
	if total <= 0 {
		return "[" + strings.Repeat("·", width) + "]"
	}
	n := done * width / total
	return "[" + strings.Repeat("█", n) + strings.Repeat("·", width-n) + "]"
}
