package market

import "time"

// Interval is a half-open time range [Start, End).
type Interval struct {
	Start, End time.Time
}

// Stats are the statistics of one pool's price series over a window, exactly
// as docs/statistics.md defines them. Prices are USD per instance-hour.
type Stats struct {
	Start         time.Time // effective start S'
	End           time.Time // E
	CoveredHours  float64   // D = E - S'
	Last          float64
	TWAP          float64
	StdDev        float64
	CV            float64
	Min           float64
	Max           float64
	P50           float64
	P95           float64
	Changes       int
	ChangesPerDay float64
	MaxJump       float64
}
