package mcpserver

import (
	"time"

	"github.com/spotscope/spotscope/market"
)

// Downsample bounds a step-function series over [start, end] to at most
// maxPoints points (maxPoints >= 3). It cuts the window into maxPoints/3
// equal buckets and keeps, per bucket, the points with the lowest and the
// highest price and the last point, in time order. So the downsampled
// series has the same minimum and maximum as the original, reaches each
// extreme when the original did, and holds the exact price at the end of
// every bucket; what it drops are the moves in between. The first point may
// lie before start (the price in effect there): it belongs to the first
// bucket. A series that already fits is returned as it is.
func Downsample(pts []market.Point, start, end time.Time, maxPoints int) []market.Point {
	if len(pts) <= maxPoints || maxPoints < 3 || !start.Before(end) {
		return pts
	}
	buckets := maxPoints / 3
	span := end.Sub(start)
	bucket := func(t time.Time) int {
		if !t.After(start) {
			return 0
		}
		b := int(float64(t.Sub(start)) / float64(span) * float64(buckets))
		return min(b, buckets-1)
	}
	out := make([]market.Point, 0, maxPoints)
	for i := 0; i < len(pts); {
		b := bucket(pts[i].Time)
		lo, hi, last := i, i, i
		j := i
		for ; j < len(pts) && bucket(pts[j].Time) == b; j++ {
			if pts[j].Price < pts[lo].Price {
				lo = j
			}
			if pts[j].Price > pts[hi].Price {
				hi = j
			}
			last = j
		}
		keep := []int{min(lo, hi), max(lo, hi), last}
		for k, idx := range keep {
			if k > 0 && idx == keep[k-1] {
				continue
			}
			out = append(out, pts[idx])
		}
		i = j
	}
	return out
}
