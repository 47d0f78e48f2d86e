package market

import (
	"math"
	"math/rand"
	"sort"
	"testing"
	"time"
)

var t0 = time.Date(2020, 4, 1, 0, 0, 0, 0, time.UTC)

func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

func pts(hp ...float64) []Point {
	var ps []Point
	for i := 0; i < len(hp); i += 2 {
		ps = append(ps, Point{Time: at(hp[i]), Price: hp[i+1]})
	}
	return ps
}

func TestComputeStatsHandComputed(t *testing.T) {
	tests := []struct {
		name       string
		points     []Point
		start, end float64 // hours from t0
		ok         bool
		want       Stats
	}{
		{
			name:   "steps with an observation that is not a change",
			points: pts(-2, 1.0, 4, 2.0, 6, 2.0, 8, 1.0),
			start:  0, end: 10, ok: true,
			want: Stats{Start: at(0), End: at(10), CoveredHours: 10, Last: 1, TWAP: 1.4, StdDev: math.Sqrt(0.24),
				CV: math.Sqrt(0.24) / 1.4, Min: 1, Max: 2, P50: 1, P95: 2, Changes: 2, ChangesPerDay: 4.8, MaxJump: 1},
		},
		{
			name:   "no record before start: effective start is the first record",
			points: pts(2, 0.5, 7, 0.25),
			start:  0, end: 10, ok: true,
			want: Stats{Start: at(2), End: at(10), CoveredHours: 8, Last: 0.25, TWAP: 0.40625, StdDev: math.Sqrt(0.0146484375),
				CV: math.Sqrt(0.0146484375) / 0.40625, Min: 0.25, Max: 0.5, P50: 0.5, P95: 0.5, Changes: 1, ChangesPerDay: 3, MaxJump: 0.5},
		},
		{
			name:   "zero price is real and never divided by",
			points: pts(-1, 0, 5, 0.1),
			start:  0, end: 10, ok: true,
			want: Stats{Start: at(0), End: at(10), CoveredHours: 10, Last: 0.1, TWAP: 0.05, StdDev: 0.05, CV: 1,
				Min: 0, Max: 0.1, P50: 0, P95: 0.1, Changes: 1, ChangesPerDay: 2.4, MaxJump: 0},
		},
		{
			name:   "single record before the window",
			points: pts(-5, 0.3),
			start:  0, end: 24, ok: true,
			want: Stats{Start: at(0), End: at(24), CoveredHours: 24, Last: 0.3, TWAP: 0.3, Min: 0.3, Max: 0.3, P50: 0.3, P95: 0.3},
		},
		{
			name:   "all zero: cv is 0, not NaN",
			points: pts(-5, 0, 3, 0),
			start:  0, end: 24, ok: true,
			want: Stats{Start: at(0), End: at(24), CoveredHours: 24},
		},
		{
			name:   "record after the end is ignored",
			points: pts(-1, 0.1, 12, 0.9),
			start:  0, end: 10, ok: true,
			want: Stats{Start: at(0), End: at(10), CoveredHours: 10, Last: 0.1, TWAP: 0.1, Min: 0.1, Max: 0.1, P50: 0.1, P95: 0.1},
		},
		{
			name:   "only record exactly at the end: zero covered time",
			points: pts(10, 0.2),
			start:  0, end: 10, ok: true,
			want: Stats{Start: at(10), End: at(10), Last: 0.2, TWAP: 0.2, Min: 0.2, Max: 0.2, P50: 0.2, P95: 0.2},
		},
		{
			name:   "a change exactly at the end counts and sets last",
			points: pts(-1, 0.1, 10, 0.2),
			start:  0, end: 10, ok: true,
			want: Stats{Start: at(0), End: at(10), CoveredHours: 10, Last: 0.2, TWAP: 0.1, Min: 0.1, Max: 0.2, P50: 0.1, P95: 0.1,
				Changes: 1, ChangesPerDay: 2.4, MaxJump: 1},
		},
		{name: "no record at or before the end", points: pts(11, 0.1), start: 0, end: 10},
		{name: "empty series", start: 0, end: 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ComputeStats(tc.points, at(tc.start), at(tc.end))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			assertStats(t, got, tc.want)
		})
	}
}

func assertStats(t *testing.T, got, want Stats) {
	t.Helper()
	if !got.Start.Equal(want.Start) || !got.End.Equal(want.End) {
		t.Errorf("window = [%v, %v], want [%v, %v]", got.Start, got.End, want.Start, want.End)
	}
	if got.Changes != want.Changes {
		t.Errorf("changes = %d, want %d", got.Changes, want.Changes)
	}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"covered_hours", got.CoveredHours, want.CoveredHours}, {"last", got.Last, want.Last},
		{"twap", got.TWAP, want.TWAP}, {"stddev", got.StdDev, want.StdDev}, {"cv", got.CV, want.CV},
		{"min", got.Min, want.Min}, {"max", got.Max, want.Max}, {"p50", got.P50, want.P50}, {"p95", got.P95, want.P95},
		{"changes_per_day", got.ChangesPerDay, want.ChangesPerDay}, {"max_jump", got.MaxJump, want.MaxJump},
	} {
		if math.IsNaN(f.got) || math.Abs(f.got-f.want) > 1e-9*math.Max(1, math.Abs(f.want)) {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
}

// TestComputeStatsAgainstSampling checks the closed-form walk against a
// brute-force reference: on series whose steps fall on whole seconds, sampling
// p(t) once per second is exact, so both must agree to rounding.
func TestComputeStatsAgainstSampling(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	sec := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for iter := 0; iter < 300; iter++ {
		var ps []Point
		tm := -rng.Intn(50)
		for k := rng.Intn(12); k >= 0; k-- {
			ps = append(ps, Point{Time: sec(tm), Price: float64(rng.Intn(5)) / 4})
			tm += 1 + rng.Intn(40)
		}
		start, end := 0, 1+rng.Intn(300)
		got, ok := ComputeStats(ps, sec(start), sec(end))

		// Reference: p(t) for every second in [S', E).
		priceAt := func(s int) (float64, bool) {
			v, found := 0.0, false
			for _, p := range ps {
				if !p.Time.After(sec(s)) {
					v, found = p.Price, true
				}
			}
			return v, found
		}
		effStart := start
		if _, found := priceAt(start); !found {
			effStart = -1
			for _, p := range ps {
				if p.Time.After(sec(start)) && !p.Time.After(sec(end)) {
					effStart = int(p.Time.Sub(t0) / time.Second)
					break
				}
			}
		}
		if effStart < 0 {
			if ok {
				t.Fatalf("iter %d: ok with no record at or before end", iter)
			}
			continue
		}
		if !ok {
			t.Fatalf("iter %d: not ok, want stats", iter)
		}
		var samples []float64
		for s := effStart; s < end; s++ {
			v, _ := priceAt(s)
			samples = append(samples, v)
		}
		if len(samples) == 0 {
			continue // zero covered time: covered by the hand-computed cases
		}
		var sum float64
		for _, v := range samples {
			sum += v
		}
		twap := sum / float64(len(samples))
		var sq float64
		for _, v := range samples {
			sq += (v - twap) * (v - twap)
		}
		sorted := append([]float64(nil), samples...)
		sort.Float64s(sorted)
		q := func(q float64) float64 {
			for i, v := range sorted {
				if float64(i+1)/float64(len(sorted)) >= q-1e-12 && (i+1 == len(sorted) || sorted[i+1] != v) {
					return v
				}
			}
			return sorted[len(sorted)-1]
		}
		if math.Abs(got.TWAP-twap) > 1e-9 || math.Abs(got.StdDev-math.Sqrt(sq/float64(len(samples)))) > 1e-9 {
			t.Fatalf("iter %d: twap/stddev = %v/%v, want %v/%v", iter, got.TWAP, got.StdDev, twap, math.Sqrt(sq/float64(len(samples))))
		}
		if got.P50 != q(0.5) || got.P95 != q(0.95) {
			t.Fatalf("iter %d: p50/p95 = %v/%v, want %v/%v (series %v, window %d..%d)", iter, got.P50, got.P95, q(0.5), q(0.95), ps, start, end)
		}
		if got.Min > got.P50 || got.P50 > got.P95 || got.P95 > got.Max || got.TWAP < got.Min-1e-12 || got.TWAP > got.Max+1e-12 {
			t.Fatalf("iter %d: order violated: %+v", iter, got)
		}
	}
}

func BenchmarkComputeStats90d(b *testing.B) {
	// A busy pool: a change every 3 hours for 90 days.
	var ps []Point
	for i := 0; i < 720; i++ {
		ps = append(ps, Point{Time: at(float64(i * 3)), Price: 0.1 + float64(i%7)/100})
	}
	b.ReportAllocs()
	for b.Loop() {
		ComputeStats(ps, at(0), at(2160))
	}
}
