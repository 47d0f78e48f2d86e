package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/spotscope/spotscope/market/explore"
)

func fmtDay(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2006-01-02")
}

// fmtPrice keeps four significant decimals for sub-dollar prices, which is
// where spot prices differ, and fewer digits for large ones.
func fmtPrice(p float64) string {
	switch {
	case math.IsNaN(p):
		return "-"
	case p >= 100:
		return fmt.Sprintf("%.2f", p)
	case p >= 10:
		return fmt.Sprintf("%.3f", p)
	default:
		return fmt.Sprintf("%.4f", p)
	}
}

func fmtPct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func fmtMem(gib float64) string {
	if gib == math.Trunc(gib) {
		return fmt.Sprintf("%.0f", gib)
	}
	return fmt.Sprintf("%.1f", gib)
}

// truncate cuts a possibly styled string to w cells.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad left-aligns (or right-aligns) plain text in w cells, cutting with an
// ellipsis when it does not fit.
func pad(s string, w int, right bool) string {
	n := lipgloss.Width(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	if right {
		return strings.Repeat(" ", w-n) + s
	}
	return s + strings.Repeat(" ", w-n)
}

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline renders vals in w cells, scaled to the row's own range so the
// shape shows, but never to less than 5% of the price: a 0.3% wiggle must
// not look like a crash. A flat series is a flat baseline; NaN buckets
// (before the first record) are blank.
func sparkline(vals []float64, w int) string {
	return sparkWith(vals, w, 0)
}

// sparkShared renders vals on a scale shared by every row: each value as its
// deviation from the row's mean, on [-amp, +amp] (amp a fraction, from
// sharedAmp over the rows shown). A 3% move then reads as 3% beside a 30%
// one instead of filling the row.
func sparkShared(vals []float64, w int, amp float64) string {
	return sparkWith(vals, w, math.Max(amp, 0.005))
}

// sharedAmp is the largest relative deviation from its own mean of any row.
func sharedAmp(rows [][]float64) float64 {
	amp := 0.0
	for _, vals := range rows {
		mean, ok := meanOf(vals)
		if !ok || mean <= 0 {
			continue
		}
		for _, v := range vals {
			if !math.IsNaN(v) {
				amp = math.Max(amp, math.Abs(v/mean-1))
			}
		}
	}
	return amp
}

func meanOf(vals []float64) (float64, bool) {
	sum, n := 0.0, 0
	for _, v := range vals {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// sparkWith is sparkline on the row's own scale (amp 0) or the shared one.
func sparkWith(vals []float64, w int, amp float64) string {
	if w <= 0 {
		return ""
	}
	if len(vals) == 0 {
		return strings.Repeat(" ", w)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	mean, _ := meanOf(vals)
	top := float64(len(sparkRunes) - 1)
	var b strings.Builder
	b.Grow(w * 3)
	for i := 0; i < w; i++ {
		// Each cell takes the bucket under its centre, so a short series
		// stretches and a long one is sampled evenly.
		v := vals[min(len(vals)-1, (2*i+1)*len(vals)/(2*w))]
		switch {
		case math.IsNaN(v) || math.IsInf(lo, 0):
			b.WriteByte(' ')
		case amp > 0 && mean > 0:
			// the nudge keeps a flat row (v == mean up to rounding) on one
			// level instead of flickering between the two middle ones
			idx := int(math.Round((v/mean-1+amp)/(2*amp)*top + 1e-9))
			b.WriteRune(sparkRunes[min(max(idx, 0), len(sparkRunes)-1)])
		case hi-lo < 1e-12:
			b.WriteRune(sparkRunes[0])
		default:
			span := math.Max(hi-lo, 0.05*math.Abs(hi))
			idx := int(math.Round((v - lo) / span * top))
			b.WriteRune(sparkRunes[idx])
		}
	}
	return b.String()
}

// fmtAge is a coarse age for the header: freshness at a glance, not a timestamp.
func fmtAge(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

// fmtHours is a covered duration in whole hours.
func fmtHours(h float64) string { return fmt.Sprintf("%.0f", h) }

// gapHours is the summary's gap_hours (stats.md, coverage): time inside the
// pool's window that the cache never asked AWS about. The same figure as
// `spotscope stats`, so the GAP column and the CSV export agree with it.
func gapHours(s *explore.Summary, _ explore.Query) float64 { return s.Stats.GapHours }

// fmtGap shows a gap of an hour or more; shorter ones are the rounding of
// record times, not missing data.
func fmtGap(h float64) string {
	switch {
	case h < 1:
		return ""
	case h < 72:
		return fmt.Sprintf("%.0fh", h)
	default:
		return fmt.Sprintf("%.0fd", h/24)
	}
}
