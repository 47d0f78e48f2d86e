package main

import (
	"testing"
	"time"
)

func TestParseDays(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7d", 7 * 24 * time.Hour, true},
		{"1.5d", 36 * time.Hour, true},
		{"36h", 36 * time.Hour, true},
		{"30m", 30 * time.Minute, true},
		{" 180d ", 180 * 24 * time.Hour, true},
		{"0d", 0, true},
		{"7xyzd", 0, false},
		{"NaNd", 0, false},
		{"Infd", 0, false},
		{"-1d", 0, false},
		{"-5h", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"d", 0, false},
	}
	for _, tc := range tests {
		got, err := parseDays(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseDays(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseDays(f *testing.F) {
	for _, s := range []string{"7d", "1.5d", "36h", "NaNd", "1e300d", "-0d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseDays(s); err == nil && d < 0 {
			t.Fatalf("parseDays(%q) = %v", s, d)
		}
	})
}
