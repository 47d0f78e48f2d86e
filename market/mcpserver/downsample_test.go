package mcpserver

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

var d0 = time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)

func pt(min int, price float64) market.Point {
	return market.Point{Time: d0.Add(time.Duration(min) * time.Minute), Price: price}
}

func TestDownsampleKeepsMinMaxLastPerBucket(t *testing.T) {
	end := d0.Add(60 * time.Minute)
	for _, tc := range []struct {
		name string
		in   []market.Point
		max  int
		want []market.Point
	}{
		{"fits: unchanged", []market.Point{pt(-5, 1), pt(10, 2)}, 3, []market.Point{pt(-5, 1), pt(10, 2)}},
		// Two buckets of 30 minutes; the first point is the price in
		// effect at the start and belongs to the first bucket.
		{"two buckets", []market.Point{pt(-5, 5), pt(5, 1), pt(10, 9), pt(20, 4), pt(35, 3), pt(40, 3), pt(50, 7), pt(55, 6)}, 6,
			[]market.Point{pt(5, 1), pt(10, 9), pt(20, 4), pt(35, 3), pt(50, 7), pt(55, 6)}},
		// The max comes before the min; the last is also the max.
		{"order and duplicates", []market.Point{pt(0, 9), pt(10, 1), pt(20, 2), pt(25, 3), pt(40, 4), pt(45, 5), pt(50, 8)}, 6,
			[]market.Point{pt(0, 9), pt(10, 1), pt(25, 3), pt(40, 4), pt(50, 8)}},
		{"one bucket", []market.Point{pt(0, 2), pt(10, 1), pt(20, 3), pt(30, 2)}, 3, []market.Point{pt(10, 1), pt(20, 3), pt(30, 2)}},
	} {
		got := Downsample(tc.in, d0, end, tc.max)
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: point %d is %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}

// On random series: at most maxPoints points, a subsequence of the input,
// the same extremes, and the exact price at every bucket's end.
func TestDownsampleProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		span := time.Duration(1+r.IntN(30*24)) * time.Hour
		end := d0.Add(span)
		var pts []market.Point
		at := d0.Add(-time.Duration(r.IntN(3600)) * time.Second)
		for at.Before(end) {
			pts = append(pts, market.Point{Time: at, Price: float64(r.IntN(1000)) / 1e4})
			at = at.Add(time.Duration(1+r.IntN(int(span/time.Second)/50+1)) * time.Second)
		}
		maxPoints := 3 + r.IntN(60)
		got := Downsample(pts, d0, end, maxPoints)
		if len(got) > max(maxPoints, len(pts)) || (len(pts) > maxPoints && len(got) > maxPoints) {
			t.Fatalf("series %d: %d points from %d at max %d", n, len(got), len(pts), maxPoints)
		}
		j := 0
		for _, g := range got {
			for j < len(pts) && pts[j] != g {
				j++
			}
			if j == len(pts) {
				t.Fatalf("series %d: %v is not from the input, in order", n, g)
			}
		}
		lo, hi := extremes(pts)
		glo, ghi := extremes(got)
		if lo != glo || hi != ghi || got[len(got)-1] != pts[len(pts)-1] {
			t.Fatalf("series %d: min/max/last %v/%v/%v, want %v/%v/%v", n, glo, ghi, got[len(got)-1], lo, hi, pts[len(pts)-1])
		}
		if len(pts) <= maxPoints {
			continue
		}
		buckets := maxPoints / 3
		for b := 1; b <= buckets; b++ {
			edge := d0.Add(time.Duration(float64(span) * float64(b) / float64(buckets)))
			// Just before the edge: floating-point bucket maths may put
			// a point exactly on it in either bucket.
			at := edge.Add(-time.Millisecond)
			if want, have := priceAt(pts, at), priceAt(got, at); want != have {
				t.Fatalf("series %d: price at the end of bucket %d is %v, want %v", n, b, have, want)
			}
		}
	}
}

func extremes(pts []market.Point) (lo, hi float64) {
	lo, hi = pts[0].Price, pts[0].Price
	for _, p := range pts {
		lo, hi = min(lo, p.Price), max(hi, p.Price)
	}
	return lo, hi
}

func priceAt(pts []market.Point, t time.Time) float64 {
	p := -1.0
	for _, q := range pts {
		if q.Time.After(t) {
			break
		}
		p = q.Price
	}
	return p
}
