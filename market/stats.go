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
	CoveredHours  float64   // D = |[S', E] ∩ C|
	GapHours      float64   // |[S', E]| - D: time inside the window the cache never asked about
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

// ComputeStats computes the statistics of one pool's series over [start,
// end], taking the whole window as covered (the caller knows every price in
// it). See ComputeStatsCovered.
func ComputeStats(points []Point, start, end time.Time) (s Stats, ok bool) {
	return computeStats(points, start, end, nil, true)
}

// ComputeStatsCovered computes the statistics of one pool's series over
// [start, end] ∩ C, where C is cov (the intervals the cache asked AWS about,
// as recorded) each extended back to the record in effect at its start.
// Records at or before start are allowed (the last of them is the price in
// effect at start) and records after end are ignored.
//
// It enforces its own preconditions: points need not be sorted (they are
// sorted by time; of two records at one timestamp the later in the slice
// wins, as in the cache), and ok is false when start is after end, a price
// is not a finite non-negative number, no record is at or before end, or no
// time of the window is known. No result is NaN or a negative duration.
//
// A series is a step function: each record's price holds until the next
// record. Averages and quantiles are weighted by how long each price held,
// never by how many records carried it, and only over known time.
func ComputeStatsCovered(points []Point, start, end time.Time, cov []Interval) (s Stats, ok bool) {
	return computeStats(points, start, end, cov, false)
}

func computeStats(points []Point, start, end time.Time, cov []Interval, all bool) (s Stats, ok bool) {
	if end.Before(start) {
		return Stats{}, false
	}
	points, ok = normalize(points)
	if !ok {
		return Stats{}, false
	}
	var ext []Interval
	if !all {
		// From the whole series, records after the end included: a
		// covered interval that starts after the window extends back only
		// to its own record in effect, which may lie after the window too.
		ext = KnownSpans(points, cov)
	}
	n := len(points)
	for n > 0 && points[n-1].Time.After(end) {
		n--
	}
	if n == 0 {
		return Stats{}, false
	}
	points = points[:n]
	// i0 is the record in effect at the effective start.
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
	var known []Interval
	if all {
		known = Clip([]Interval{{effStart, end}}, effStart, end)
	} else {
		known = Clip(ext, effStart, end)
		if len(known) == 0 && !Contains(ext, end) {
			// Not one instant of the window was asked about.
			return Stats{}, false
		}
	}
	s.Start, s.End = effStart, end
	d := Total(known).Seconds()
	s.CoveredHours = d / 3600
	s.GapHours = max(end.Sub(effStart).Seconds()-d, 0) / 3600
	// The last price is the one in effect at the end of the known time: a
	// price is not carried across a gap at the window's end.
	lastAt := end
	if len(known) > 0 {
		lastAt = known[len(known)-1].End
	}
	s.Last = priceAt(points, lastAt)

	// Walk the steps once: each step is (price, known seconds it held).
	steps := make([]step, 0, n-i0)
	cur := points[i0].Price
	from := effStart
	k := 0 // first known span that may overlap the current step
	held := func(a, b time.Time) float64 {
		var secs float64
		for k < len(known) && !known[k].End.After(a) {
			k++
		}
		for j := k; j < len(known) && known[j].Start.Before(b); j++ {
			lo, hi := known[j].Start, known[j].End
			if lo.Before(a) {
				lo = a
			}
			if hi.After(b) {
				hi = b
			}
			if hi.After(lo) {
				secs += hi.Sub(lo).Seconds()
			}
		}
		return secs
	}
	s.Min, s.Max = s.Last, s.Last
	addStep := func(price float64, to time.Time) {
		if secs := held(from, to); secs > 0 {
			steps = append(steps, step{price, secs})
			s.Min, s.Max = math.Min(s.Min, price), math.Max(s.Max, price)
		}
	}
	for _, p := range points[i0+1:] {
		if p.Price == cur {
			// An observation, not a change: the step goes on.
			continue
		}
		addStep(cur, p.Time)
		s.Changes++
		if cur != 0 {
			// A step from zero has no relative size; it counts as a change
			// but cannot be a jump.
			if j := math.Abs(p.Price/cur - 1); j > s.MaxJump {
				s.MaxJump = j
			}
		}
		cur, from = p.Price, p.Time
	}
	addStep(cur, end)

	if d <= 0 || len(steps) == 0 {
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

// normalize returns points sorted by time with one record per timestamp
// (the later in the slice wins), copying only when the input is not already
// so. ok is false when a price is not finite and non-negative (ParsePrice's
// range), which would turn every statistic into NaN.
func normalize(points []Point) ([]Point, bool) {
	clean := true
	for i, p := range points {
		if !(p.Price >= 0 && p.Price <= 1e6) {
			return nil, false
		}
		if i > 0 && !points[i-1].Time.Before(p.Time) {
			clean = false
		}
	}
	if clean {
		return points, true
	}
	out := append([]Point(nil), points...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	w := 0
	for _, p := range out {
		if w > 0 && out[w-1].Time.Equal(p.Time) {
			out[w-1] = p
			continue
		}
		out[w] = p
		w++
	}
	return out[:w], true
}

// priceAt is p(t) for sorted points with at least one record at or before t.
func priceAt(points []Point, t time.Time) float64 {
	i := sort.Search(len(points), func(i int) bool { return points[i].Time.After(t) })
	if i == 0 {
		return points[0].Price
	}
	return points[i-1].Price
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
