package workspace

import (
	"time"

	"github.com/spotscope/spotscope/market/explore"
)

// StatsRow is one pool's statistics as every front end writes them: the
// CLI's `stats -o json|csv` rows and the MCP stats tool's pools. One type,
// so the field names cannot drift between them. Each row carries its
// window and as-of time, so a row read alone says what it covers.
type StatsRow struct {
	Region             string  `json:"region"`
	AvailabilityZone   string  `json:"availability_zone"`
	AvailabilityZoneID string  `json:"availability_zone_id"`
	InstanceType       string  `json:"instance_type"`
	Product            string  `json:"product"`
	Last               float64 `json:"last" jsonschema:"the price in effect at window_end, USD per instance-hour"`
	TWAP               float64 `json:"twap" jsonschema:"time-weighted average price over the covered time"`
	StdDev             float64 `json:"stddev" jsonschema:"time-weighted standard deviation"`
	CV                 float64 `json:"cv" jsonschema:"stddev / twap"`
	Min                float64 `json:"min"`
	Max                float64 `json:"max"`
	P50                float64 `json:"p50" jsonschema:"time-weighted median"`
	P95                float64 `json:"p95" jsonschema:"time-weighted 95th percentile"`
	Changes            int     `json:"changes" jsonschema:"price changes inside the window"`
	ChangesPerDay      float64 `json:"changes_per_day" jsonschema:"changes per covered day"`
	MaxJump            float64 `json:"max_jump" jsonschema:"the largest relative change between consecutive prices"`
	CoveredHours       float64 `json:"covered_hours" jsonschema:"hours of the window the statistics cover"`
	GapHours           float64 `json:"gap_hours" jsonschema:"hours inside the window the cache never asked AWS about (not in the statistics)"`
	WindowStart        string  `json:"window_start" jsonschema:"the window start, RFC 3339"`
	WindowEnd          string  `json:"window_end" jsonschema:"the window end, RFC 3339"`
	AsOf               string  `json:"as_of" jsonschema:"when the answer was computed, RFC 3339 (the demo: the end of its recording)"`
}

// Row is one pool of the answer as a StatsRow.
func (a StatsAnswer) Row(s explore.Summary) StatsRow {
	st := s.Stats
	return StatsRow{
		Region: s.Region, AvailabilityZone: s.AvailabilityZone, AvailabilityZoneID: s.AvailabilityZoneID,
		InstanceType: s.InstanceType, Product: s.Product,
		Last: st.Last, TWAP: st.TWAP, StdDev: st.StdDev, CV: st.CV, Min: st.Min, Max: st.Max, P50: st.P50, P95: st.P95,
		Changes: st.Changes, ChangesPerDay: st.ChangesPerDay, MaxJump: st.MaxJump, CoveredHours: st.CoveredHours, GapHours: st.GapHours,
		WindowStart: RFC3339(a.WindowStart), WindowEnd: RFC3339(a.WindowEnd), AsOf: RFC3339(a.AsOf),
	}
}

// RFC3339 writes t in UTC as the JSON answers do, "" for the zero time.
func RFC3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
