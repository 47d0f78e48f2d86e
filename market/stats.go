package market

import (
	"math"
	"sort"
	"time"
)

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

// ComputeStats computes the statistics of one pool's series over [start, end].
// points must be sorted by time ascending; records at or before start are
// allowed (the last of them is the price in effect at start) and records
// after end are ignored. ok is false when no record is at or before end: the
// pool has no price in the window.
//
// A series is a step function: each record's price holds until the next
// record. Averages and quantiles are weighted by how long each price held,
// never by how many records carried it.
func ComputeStats(points []Point, start, end time.Time) (s Stats, ok bool) {
	// i0 is the record in effect at the effective start.
	n := len(points)
	for n > 0 && points[n-1].Time.After(end) {
		n--
	}
	if n == 0 {
		return Stats{}, false
	}
	points = points[:n]
	i0 := -1
	for i, p := range points {
		if p.Time.After(start) {
			break
		}
		i0 = i
	}
	effStart := start
	if i0 < 0 {
		i0 = 0
		effStart = points[0].Time
	}
	s.Start, s.End = effStart, end
	d := end.Sub(effStart).Seconds()
	s.CoveredHours = d / 3600
	s.Last = points[n-1].Price

	// Walk the steps once: each step is (price, seconds it held).
	steps := make([]step, 0, n-i0)
	cur := points[i0].Price
	from := effStart
	s.Min, s.Max = cur, cur
	for _, p := range points[i0+1:] {
		if p.Price == cur {
			// An observation, not a change: the step goes on.
			continue
		}
		steps = append(steps, step{cur, p.Time.Sub(from).Seconds()})
		s.Changes++
		if cur != 0 {
			// A step from zero has no relative size; it counts as a change
			// but cannot be a jump.
			if j := math.Abs(p.Price/cur - 1); j > s.MaxJump {
				s.MaxJump = j
			}
		}
		cur, from = p.Price, p.Time
		s.Min, s.Max = math.Min(s.Min, cur), math.Max(s.Max, cur)
	}
	steps = append(steps, step{cur, end.Sub(from).Seconds()})

	if d <= 0 {
		// A single instant: the time-weighted figures are the price then.
		s.TWAP, s.P50, s.P95 = s.Last, s.Last, s.Last
		return s, true
	}
	var area float64
	for _, st := range steps {
		area += st.price * st.secs
	}
	s.TWAP = area / d
	var sq float64
	for _, st := range steps {
		dev := st.price - s.TWAP
		sq += dev * dev * st.secs
	}
	s.StdDev = math.Sqrt(sq / d)
	if s.TWAP != 0 {
		s.CV = s.StdDev / s.TWAP
	}
	s.ChangesPerDay = float64(s.Changes) / (d / 86400)
	s.P50, s.P95 = quantiles(steps, d)
	return s, true
}

type step struct {
	price float64
	secs  float64
}

// quantiles returns the time-weighted p50 and p95: the smallest step price x
// such that the share of time the price was <= x reaches q. It reorders steps.
func quantiles(steps []step, total float64) (p50, p95 float64) {
	sort.Slice(steps, func(i, j int) bool { return steps[i].price < steps[j].price })
	var acc float64
	p50, p95 = math.NaN(), math.NaN()
	for i, st := range steps {
		acc += st.secs
		// Equal prices form one value: only judge at the last of a run.
		if i+1 < len(steps) && steps[i+1].price == st.price {
			continue
		}
		frac := acc / total
		if math.IsNaN(p50) && frac >= 0.5-1e-12 {
			p50 = st.price
		}
		if frac >= 0.95-1e-12 {
			p95 = st.price
			break
		}
	}
	last := steps[len(steps)-1].price
	if math.IsNaN(p50) {
		p50 = last
	}
	if math.IsNaN(p95) {
		p95 = last
	}
	return p50, p95
}
