package tui

import "time"

// tick is one labelled position on a chart's time axis.
type tick struct {
	t     time.Time
	label string
}

// tickStep is a round interval for time ticks; months and years are
// calendar steps, the rest fixed durations aligned to UTC midnight (and
// weeks to Mondays: time's zero, 0001-01-01, was one).
type tickStep struct {
	d      time.Duration
	months int
	format string // layout of a tick that starts nothing new
}

var tickSteps = []tickStep{
	{d: time.Hour, format: "15:04"},
	{d: 2 * time.Hour, format: "15:04"},
	{d: 3 * time.Hour, format: "15:04"},
	{d: 6 * time.Hour, format: "15:04"},
	{d: 12 * time.Hour, format: "15:04"},
	{d: 24 * time.Hour, format: "01/02"},
	{d: 2 * 24 * time.Hour, format: "01/02"},
	{d: 7 * 24 * time.Hour, format: "01/02"},
	{d: 14 * 24 * time.Hour, format: "01/02"},
	{months: 1, format: "Jan"},
	{months: 3, format: "Jan"},
	{months: 6, format: "Jan"},
	{months: 12, format: "2006"},
}

// timeTicks picks the smallest round interval whose labels fit in width
// cells between start and end, and labels each tick. A tick that starts a
// new day under hour steps shows the date; one that starts a new year shows
// the year, as does the first tick when the span crosses a year, so a
// reader always knows which year the axis is in.
func timeTicks(start, end time.Time, width int) []tick {
	start, end = start.UTC(), end.UTC()
	if !end.After(start) || width <= 0 {
		return nil
	}
	crosses := start.Year() != end.Year()
	span := end.Sub(start)
	for _, st := range tickSteps {
		d := st.d
		if st.months > 0 {
			d = time.Duration(st.months) * 28 * 24 * time.Hour // the shortest month
		}
		// Cells between two ticks: the longest label and a gap must fit.
		gap := float64(width) * float64(d) / float64(span)
		if gap < 3 || float64(width)/gap > 200 {
			continue
		}
		var out []tick
		longest := 0
		for t := firstTick(start, st); !t.After(end); t = nextTick(t, st) {
			newYear := len(out) > 0 && out[len(out)-1].t.Year() != t.Year()
			l := tickLabel(t, st, len(out) == 0, crosses, newYear)
			longest = max(longest, len(l))
			out = append(out, tick{t: t, label: l})
		}
		if gap >= float64(longest+1) || st.months == 12 {
			return out
		}
	}
	return nil
}

func firstTick(start time.Time, st tickStep) time.Time {
	if st.months == 0 {
		t := start.Truncate(st.d)
		if t.Before(start) {
			t = t.Add(st.d)
		}
		return t
	}
	m := (int(start.Month()) - 1) / st.months * st.months
	t := time.Date(start.Year(), time.Month(m+1), 1, 0, 0, 0, 0, time.UTC)
	for t.Before(start) {
		t = t.AddDate(0, st.months, 0)
	}
	return t
}

func nextTick(t time.Time, st tickStep) time.Time {
	if st.months == 0 {
		return t.Add(st.d)
	}
	return t.AddDate(0, st.months, 0)
}

func tickLabel(t time.Time, st tickStep, first, crosses, newYear bool) string {
	yearly := (first && crosses) || newYear
	switch {
	case st.months == 12:
		return t.Format("2006")
	case st.months > 0:
		if yearly || t.Month() == time.January {
			return t.Format("2006-01")
		}
		return t.Format("Jan")
	case yearly:
		return t.Format("2006-01-02")
	case st.d < 24*time.Hour && t.Hour() == 0:
		return t.Format("01/02")
	}
	return t.Format(st.format)
}
