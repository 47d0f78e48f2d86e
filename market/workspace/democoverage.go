package workspace

import (
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
)

// demoSecondCapture is where the demo's second recording starts (see
// market/demo/data/SOURCE.md): the two captures are separate sources, and
// the day between them was never asked about.
var demoSecondCapture = time.Date(2020, 3, 31, 0, 0, 0, 0, time.UTC)

// demoCoverage is what the demo's two captures answer for, each on its own.
func demoCoverage(all []market.Record) []dataset.Covered {
	var first, second dataset.Spans
	for _, r := range all {
		if r.Time.Before(demoSecondCapture) {
			first.Add(r)
		} else {
			second.Add(r)
		}
	}
	return append(first.Coverage(), second.Coverage()...)
}
