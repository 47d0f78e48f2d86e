package dataset

import (
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

func TestSpansCoverage(t *testing.T) {
	t0 := time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)
	h := func(x int) time.Time { return t0.Add(time.Duration(x) * time.Hour) }
	rec := func(az, typ, prod string, at int) market.Record {
		return market.Record{Pool: market.Pool{Region: "sa-east-1", AvailabilityZone: az, InstanceType: typ, Product: prod}, Time: h(at), Price: 0.1}
	}
	var s Spans
	// Newest first, as the AWS CLI prints: each pool's oldest record is the
	// one in effect at the query's start (here somewhere in [-30, 2)).
	for _, r := range []market.Record{
		rec("sa-east-1a", "m5.large", market.LinuxUNIX, 40),
		rec("sa-east-1a", "m5.large", market.LinuxUNIX, 5),
		rec("sa-east-1a", "m5.large", market.LinuxUNIX, -30),
		rec("sa-east-1b", "c5.large", market.LinuxUNIX, 2),
		rec("sa-east-1b", "c5.large", market.LinuxUNIX, -10),
		rec("sa-east-1b", "c5.large", market.Windows, 7), // one record only
	} {
		s.Add(r)
	}
	got := s.Coverage()
	want := []Covered{
		{Region: "sa-east-1", Product: market.LinuxUNIX, Scope: "c5.large,m5.large", Interval: market.Interval{Start: h(2), End: h(40)}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Region != want[i].Region || got[i].Product != want[i].Product || got[i].Scope != want[i].Scope ||
			!got[i].Interval.Start.Equal(want[i].Interval.Start) || !got[i].Interval.End.Equal(want[i].Interval.End) {
			t.Fatalf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseWhen(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2020-06-23", time.Date(2020, 6, 23, 0, 0, 0, 0, time.UTC), false},
		{" 2020-06-23 ", time.Date(2020, 6, 23, 0, 0, 0, 0, time.UTC), false},
		{"2020-06-22T11:40:45Z", time.Date(2020, 6, 22, 11, 40, 45, 0, time.UTC), false},
		{"2020-06-22T11:40:45+02:00", time.Date(2020, 6, 22, 9, 40, 45, 0, time.UTC), false},
		{"2020-06-22T11:40:45", time.Date(2020, 6, 22, 11, 40, 45, 0, time.UTC), false},
		{"2020-13-01", time.Time{}, true},
		{"23/06/2020", time.Time{}, true},
		{"", time.Time{}, true},
	}
	for _, tc := range tests {
		got, err := ParseWhen(tc.in)
		if (err != nil) != tc.err || !got.Equal(tc.want) {
			t.Errorf("ParseWhen(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{"2020-06-23", "2020-06-22T11:40:45Z", "x", "2020-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseWhen(s)
		if err == nil && got.Location() != time.UTC {
			t.Fatalf("ParseWhen(%q) = %v, not UTC", s, got)
		}
	})
}
