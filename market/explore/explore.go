// Package explore turns cached price series into per-pool summaries: the
// statistics, a sparkline of the window, the instance type's specification and
// the advisor's interruption bucket. The CLI's stats command and the TUI's
// market views both read the market through it.
package explore

import (
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
)

// Query selects pools and the window to summarise.
type Query struct {
	Regions  []string
	Products []string           // empty: Linux/UNIX
	Types    market.TypeMatcher // zero: all
	Zones    []string           // AZ names; empty: all
	Window   time.Duration      // E - S
	End      time.Time          // E; callers pass their clock's now
	SparkLen int                // buckets in Summary.Spark; 0: none
}

// Summary is one pool over the query's window.
type Summary struct {
	market.Pool
	AvailabilityZoneID string
	Spec               market.InstanceType // zero unless HasSpec
	HasSpec            bool
	Stats              market.Stats
	Spark              []float64 // time-weighted mean price per equal bucket of the window; NaN before the first record
	Advisor            advisor.Entry
}
