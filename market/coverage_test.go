package market

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func iv(a, b float64) Interval { return Interval{at(a), at(b)} }

// TestComputeStatsCovered checks the contract's coverage rules on series
// computed by hand: statistics integrate over [S', E] ∩ C only.
func TestComputeStatsCovered(t *testing.T) {
	tests := []struct {
		name       string
		points     []Point
		start, end float64
		cov        []Interval
		ok         bool
		want       Stats
	}{
		{
			// A slice [4,6) failed. The next one returned the record in effect
			// at 6, stored at 5, so [5,10) is known; [4,5) is not (other
			// changes may have happened there).
			name:   "a hole in the middle is left out",
			points: pts(-1, 1.0, 5, 2.0),
			start:  0, end: 10, cov: []Interval{iv(-1, 4), iv(6, 10)}, ok: true,
			want: Stats{Start: at(0), End: at(10), CoveredHours: 9, GapHours: 1, Last: 2,
				TWAP: 14.0 / 9, StdDev: math.Sqrt((4*math.Pow(1-14.0/9, 2) + 5*math.Pow(2-14.0/9, 2)) / 9),
				CV: math.Sqrt((4*math.Pow(1-14.0/9, 2)+5*math.Pow(2-14.0/9, 2))/9) / (14.0 / 9), Min: 1, Max: 2, P50: 2, P95: 2,
				Changes: 1, ChangesPerDay: 24.0 / 9, MaxJump: 1},
		},
		{
			// Coverage ends at 6: the price of 4 is not carried to 10.
			name:   "a window past the newest coverage",
			points: pts(-1, 1.0, 4, 3.0),
			start:  0, end: 10, cov: []Interval{iv(-5, 6)}, ok: true,
			want: Stats{Start: at(0), End: at(10), CoveredHours: 6, GapHours: 4, Last: 3,
				TWAP: (4*1.0 + 2*3.0) / 6, StdDev: math.Sqrt((4*math.Pow(1-10.0/6, 2) + 2*math.Pow(3-10.0/6, 2)) / 6),
				CV: math.Sqrt((4*math.Pow(1-10.0/6, 2)+2*math.Pow(3-10.0/6, 2))/6) / (10.0 / 6), Min: 1, Max: 3, P50: 1, P95: 3,
				Changes: 1, ChangesPerDay: 4, MaxJump: 2},
		},
		{
			// The fetch covered [5,10); the record at 2 was in effect at its
			// start, so [2,5) is known too; [0,2) is not.
			name:   "the record in effect before a covered interval extends it",
			points: pts(-3, 9.0, 2, 1.0, 7, 2.0),
			start:  0, end: 10, cov: []Interval{iv(5, 10)}, ok: true,
			want: Stats{Start: at(0), End: at(10), CoveredHours: 8, GapHours: 2, Last: 2,
				TWAP: (5*1.0 + 3*2.0) / 8, StdDev: math.Sqrt((5*math.Pow(1-11.0/8, 2) + 3*math.Pow(2-11.0/8, 2)) / 8),
				CV: math.Sqrt((5*math.Pow(1-11.0/8, 2)+3*math.Pow(2-11.0/8, 2))/8) / (11.0 / 8), Min: 1, Max: 2, P50: 1, P95: 2,
				Changes: 2, ChangesPerDay: 6, MaxJump: 1},
		},
		{
			// The record in effect at 15 is the one at 15: nothing before it
			// is known.
			name:   "nothing of the window was asked about",
			points: pts(-1, 1.0, 15, 2.0),
			start:  0, end: 10, cov: []Interval{iv(15, 30)},
		},
		{
			name:   "no coverage at all",
			points: pts(-1, 1.0),
			start:  0, end: 10,
		},
		{
			name:   "full coverage matches ComputeStats",
			points: pts(-2, 1.0, 4, 2.0, 6, 2.0, 8, 1.0),
			start:  0, end: 10, cov: []Interval{iv(-2, 3), iv(3, 12)}, ok: true,
			want: Stats{Start: at(0), End: at(10), CoveredHours: 10, Last: 1, TWAP: 1.4, StdDev: math.Sqrt(0.24),
				CV: math.Sqrt(0.24) / 1.4, Min: 1, Max: 2, P50: 1, P95: 2, Changes: 2, ChangesPerDay: 4.8, MaxJump: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ComputeStatsCovered(tc.points, at(tc.start), at(tc.end), tc.cov)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			assertStats(t, got, tc.want)
			if math.Abs(got.GapHours-tc.want.GapHours) > 1e-9 {
				t.Errorf("gap_hours = %v, want %v", got.GapHours, tc.want.GapHours)
			}
		})
	}
}

// TestComputeStatsPreconditions: input that breaks the series' invariants
// is repaired (sorted, deduplicated) or refused, never turned into NaN.
func TestComputeStatsPreconditions(t *testing.T) {
	sorted := pts(-2, 1.0, 4, 2.0, 8, 1.0)
	want, _ := ComputeStats(sorted, at(0), at(10))
	tests := []struct {
		name       string
		points     []Point
		start, end float64
		ok         bool
		want       Stats
	}{
		{name: "unsorted input is sorted", points: pts(8, 1.0, -2, 1.0, 4, 2.0), start: 0, end: 10, ok: true, want: want},
		{name: "a duplicate record is one record", points: pts(-2, 1.0, 4, 2.0, 4, 2.0, 8, 1.0), start: 0, end: 10, ok: true, want: want},
		{
			// Of two prices at one time the later in the slice wins, as in
			// the cache: 9.0 is overwritten by 2.0.
			name: "two prices at one timestamp: the later wins", points: pts(-2, 1.0, 4, 9.0, 8, 1.0, 4, 2.0),
			start: 0, end: 10, ok: true, want: want,
		},
		{name: "start after end", points: sorted, start: 10, end: 0},
		{name: "NaN price", points: []Point{{at(-1), math.NaN()}}, start: 0, end: 10},
		{name: "negative price", points: []Point{{at(-1), -1}}, start: 0, end: 10},
		{name: "infinite price", points: []Point{{at(-1), math.Inf(1)}}, start: 0, end: 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]Point(nil), tc.points...)
			got, ok := ComputeStats(tc.points, at(tc.start), at(tc.end))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			for i := range in {
				if in[i] != tc.points[i] && !math.IsNaN(in[i].Price) {
					t.Fatalf("input modified at %d", i)
				}
			}
			if ok {
				assertStats(t, got, tc.want)
			}
		})
	}
}

// FuzzComputeStats: whatever the series, window and coverage, the result is
// either not ok or free of NaN, negative durations and broken order.
func FuzzComputeStats(f *testing.F) {
	f.Add([]byte{0, 10, 4, 20, 8, 10}, int16(0), int16(10), []byte{0, 4, 6, 10})
	f.Add([]byte{8, 1, 8, 2, 0, 0}, int16(5), int16(-5), []byte{})
	f.Add([]byte{3, 0, 3, 255}, int16(3), int16(3), []byte{3, 3})
	f.Fuzz(func(t *testing.T, series []byte, start, end int16, covB []byte) {
		var ps []Point
		for i := 0; i+1 < len(series); i += 2 {
			// Hours in [-64, 64), prices in [0, 2.55] with zeros.
			ps = append(ps, Point{Time: at(float64(int8(series[i]) / 2)), Price: float64(series[i+1]) / 100})
		}
		var cov []Interval
		for i := 0; i+1 < len(covB); i += 2 {
			cov = append(cov, iv(float64(int8(covB[i])/2), float64(int8(covB[i+1])/2)))
		}
		s0, e0 := at(float64(start)/256), at(float64(end)/256)
		for _, all := range []bool{true, false} {
			var s Stats
			var ok bool
			if all {
				s, ok = ComputeStats(ps, s0, e0)
			} else {
				s, ok = ComputeStatsCovered(ps, s0, e0, cov)
			}
			if !ok {
				continue
			}
			for name, v := range map[string]float64{"covered": s.CoveredHours, "gap": s.GapHours, "last": s.Last, "twap": s.TWAP,
				"stddev": s.StdDev, "cv": s.CV, "min": s.Min, "max": s.Max, "p50": s.P50, "p95": s.P95,
				"changes_per_day": s.ChangesPerDay, "max_jump": s.MaxJump} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("%s = %v (all=%v) for %v [%v, %v] cov %v", name, v, all, ps, s0, e0, cov)
				}
			}
			if s.End.Before(s.Start) || s.Start.Before(s0) {
				t.Fatalf("window [%v, %v] outside [%v, %v]", s.Start, s.End, s0, e0)
			}
			if span := s.End.Sub(s.Start).Hours(); math.Abs(s.CoveredHours+s.GapHours-span) > 1e-6 {
				t.Fatalf("covered %v + gap %v != span %v", s.CoveredHours, s.GapHours, span)
			}
			if s.Min > s.P50+1e-12 || s.P50 > s.P95+1e-12 || s.P95 > s.Max+1e-12 || s.TWAP < s.Min-1e-9 || s.TWAP > s.Max+1e-9 {
				t.Fatalf("order violated: %+v", s)
			}
			if all && s.GapHours != 0 {
				t.Fatalf("gap %v with full coverage", s.GapHours)
			}
		}
	})
}

func TestKnownSpans(t *testing.T) {
	got := KnownSpans(pts(1, 0.1, 5, 0.2), []Interval{iv(3, 4), iv(8, 9), iv(0, 0.5)})
	want := []Interval{iv(0, 0.5), iv(1, 4), iv(5, 9)}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
			t.Fatalf("span %d = %v, want %v", i, got[i], want[i])
		}
	}
	if d := Total(got); d != 7*time.Hour+30*time.Minute {
		t.Fatalf("total = %v", d)
	}
}

func TestScopedCoverage(t *testing.T) {
	c := NewScopedCoverage(map[string][]Interval{
		"*":                {iv(0, 2)},
		"m5.large,c5.*":    {iv(4, 6)},
		"r5.xlarge":        {iv(8, 9)},
		"t3.nano,t3.micro": {iv(10, 11)},
		"[bad":             {iv(20, 30)},
		"c5.large,[bad2":   {iv(40, 50)},
	})
	tests := []struct {
		typ  string
		want []Interval
	}{
		{"m5.large", []Interval{iv(0, 2), iv(4, 6)}},
		{"c5.xlarge", []Interval{iv(0, 2), iv(4, 6)}},
		{"r5.xlarge", []Interval{iv(0, 2), iv(8, 9)}},
		{"t3.nano", []Interval{iv(0, 2), iv(10, 11)}},
		{"t3.micro", []Interval{iv(0, 2), iv(10, 11)}},
		{"t3.small", []Interval{iv(0, 2)}},
	}
	for _, tc := range tests {
		got := c.For(tc.typ)
		if len(got) != len(tc.want) {
			t.Fatalf("%s: got %v, want %v", tc.typ, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Fatalf("%s: got %v, want %v", tc.typ, got, tc.want)
			}
		}
	}
	if e := c.NewestEnd(); !e.Equal(at(11)) {
		t.Fatalf("newest end = %v, want %v (unparsable scopes claim nothing)", e, at(11))
	}
}

// The fetcher records per-zone coverage ("*@zone") where one zone ran ahead
// of the others; a pool counts it only for its own zone.
func TestScopedCoverageByZone(t *testing.T) {
	c := NewScopedCoverage(map[string][]Interval{
		"*":                   {iv(0, 2)},
		"*@us-east-1a":        {iv(0, 5)},
		"m5.large@us-east-1b": {iv(6, 7)},
	})
	tests := []struct {
		typ, zone string
		want      []Interval
	}{
		{"m5.large", "us-east-1a", []Interval{iv(0, 5)}},
		{"m5.large", "us-east-1b", []Interval{iv(0, 2), iv(6, 7)}},
		{"c5.large", "us-east-1b", []Interval{iv(0, 2)}},
		{"m5.large", "", []Interval{iv(0, 2)}},
	}
	for _, tc := range tests {
		got := c.ForPool(tc.typ, tc.zone)
		if len(got) != len(tc.want) {
			t.Fatalf("%s in %q: got %v, want %v", tc.typ, tc.zone, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Fatalf("%s in %q: got %v, want %v", tc.typ, tc.zone, got, tc.want)
			}
		}
	}
	if got := c.For("m5.large"); len(got) != 1 || got[0] != iv(0, 2) {
		t.Fatalf("region-level coverage of m5.large = %v, want only %v", got, iv(0, 2))
	}
}

// Literal scopes are looked up by name; the answer must be the one matching
// every scope would give, for every type, zone and mix of scopes.
func TestScopedCoverageIndexAgreesWithMatching(t *testing.T) {
	byScope := map[string][]Interval{
		"*@us-east-1a":                 {iv(0, 1)},
		"m5*":                          {iv(2, 3)},
		"m5.large":                     {iv(4, 5)},
		"m5.large,c5.large":            {iv(6, 7)},
		"c5.large@us-east-1b":          {iv(8, 9)},
		"c?.large,r5.large":            {iv(10, 11)},
		"r5.large@us-east-1a":          {iv(12, 13)},
		"r5.large,m5.large@us-east-1b": {iv(14, 15)},
	}
	c := NewScopedCoverage(byScope)
	for _, typ := range []string{"m5.large", "m5.xlarge", "c5.large", "c6.large", "r5.large", "t3.nano"} {
		for _, zone := range []string{"", "us-east-1a", "us-east-1b", "us-east-1c"} {
			var want []Interval
			for sc, ivs := range byScope {
				patterns, z, _ := strings.Cut(sc, "@")
				m, _ := NewTypeMatcher([]string{patterns})
				if (z == "" || z == zone && zone != "") && m.Match(typ) {
					want = append(want, ivs...)
				}
			}
			want = MergeIntervals(want)
			if got := c.ForPool(typ, zone); !slices.Equal(got, want) {
				t.Errorf("%s in %q: got %v, want %v", typ, zone, got, want)
			}
		}
	}
}
