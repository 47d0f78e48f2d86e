// Package advisor reads the AWS Spot Instance Advisor data: per region, OS and
// instance type, the trailing-month interruption-frequency bucket and the
// savings over On-Demand. The data is regional, not per AZ.
package advisor

import "time"

// Entry is what the advisor says about one (region, OS, instance type).
type Entry struct {
	Known   bool   // false when the advisor has no row: shown as unknown, never guessed
	Bucket  int    // index into the advisor's ranges, 0 (<5%) .. 4 (>20%)
	Label   string // "<5%", "5-10%", ...
	MinPct  int    // lower bound of the bucket, percent per month
	MaxPct  int    // upper bound of the bucket, percent per month
	Savings int    // percent saved over On-Demand; may be negative
}

// Provenance says where the data in use came from, so every view can state it.
type Provenance struct {
	Mode   string    // "live", "cached" or "embedded"
	AsOf   time.Time // when it was fetched (live/cached) or snapshotted (embedded)
	Source string    // URL or "embedded snapshot 2025-06"
}
