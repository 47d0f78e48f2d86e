package tui

import (
	"testing"
	"time"
)

func TestTimeTicks(t *testing.T) {
	day := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	cases := []struct {
		name       string
		start, end time.Time
		width      int
		want       []string
	}{
		{"7 days in 60 cells: daily", day(2020, 6, 16, 0).Add(4 * time.Minute), day(2020, 6, 23, 0).Add(4 * time.Minute), 60,
			[]string{"06/17", "06/18", "06/19", "06/20", "06/21", "06/22", "06/23"}},
		{"7 days in 30 cells: every 2 days", day(2020, 6, 16, 0).Add(4 * time.Minute), day(2020, 6, 23, 0).Add(4 * time.Minute), 30,
			[]string{"06/17", "06/19", "06/21", "06/23"}},
		{"a day: 6-hourly with the date at midnight", day(2020, 6, 22, 1), day(2020, 6, 23, 1), 30,
			[]string{"06:00", "12:00", "18:00", "06/23"}},
		{"crossing a year: the year is shown", day(2019, 12, 28, 0), day(2020, 1, 3, 0), 80,
			[]string{"2019-12-28", "12/29", "12/30", "12/31", "2020-01-01", "01/02", "01/03"}},
		{"half a year: monthly", day(2019, 12, 31, 0), day(2020, 6, 23, 0), 60,
			[]string{"2020-01", "Feb", "Mar", "Apr", "May", "Jun"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := timeTicks(c.start, c.end, c.width)
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", labels(got), c.want)
			}
			for i := range got {
				if got[i].label != c.want[i] {
					t.Fatalf("got %v, want %v", labels(got), c.want)
				}
				if got[i].t.Before(c.start) || got[i].t.After(c.end) {
					t.Fatalf("tick %v outside [%v, %v]", got[i].t, c.start, c.end)
				}
			}
		})
	}
	if timeTicks(day(2020, 1, 1, 0), day(2020, 1, 1, 0), 50) != nil {
		t.Fatal("empty span has ticks")
	}
}

func labels(ts []tick) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.label
	}
	return out
}
