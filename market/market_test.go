package market

import (
	"strings"
	"testing"
)

func TestParsePrice(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"0.034500", 0.0345, false},
		{"0.000000", 0, false},
		{" 1.676000 ", 1.676, false},
		{"", 0, true},
		{"-0.1", 0, true},
		{"NaN", 0, true},
		{"abc", 0, true},
		{"1e400", 0, true},
	}
	for _, tc := range tests {
		got, err := ParsePrice(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParsePrice(%q) = %v, %v; want %v, err=%v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
	if FormatPrice(0.0345) != "0.034500" {
		t.Errorf("FormatPrice = %s", FormatPrice(0.0345))
	}
}

func FuzzParsePrice(f *testing.F) {
	for _, s := range []string{"0.034500", "0.000000", "-1", "1e9", "NaN", "Inf", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParsePrice(s)
		if err == nil && (v < 0 || v != v || v > 1e6) {
			t.Fatalf("ParsePrice(%q) accepted %v", s, v)
		}
	})
}

func TestTypeMatcher(t *testing.T) {
	tests := []struct {
		patterns []string
		name     string
		want     bool
	}{
		{nil, "m5.large", true},
		{[]string{"m5.large"}, "m5.large", true},
		{[]string{"m5.large"}, "m5.xlarge", false},
		{[]string{"m7*"}, "m7g.large", true},
		{[]string{"m7*"}, "m6i.large", false},
		{[]string{"*.xlarge"}, "c5.xlarge", true},
		{[]string{"*.xlarge"}, "c5.2xlarge", false},
		{[]string{"c5.large, r5*"}, "r5d.large", true},
		{[]string{"c?.large"}, "c5.large", true},
	}
	for _, tc := range tests {
		m, err := NewTypeMatcher(tc.patterns)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Match(tc.name); got != tc.want {
			t.Errorf("%v.Match(%q) = %v, want %v", tc.patterns, tc.name, got, tc.want)
		}
	}
	if _, err := NewTypeMatcher([]string{"m5[.large"}); err == nil || !strings.Contains(err.Error(), "m5[.large") {
		t.Errorf("malformed glob: err = %v", err)
	}
}

func FuzzTypeMatcher(f *testing.F) {
	f.Add("m7*", "m7g.large")
	f.Add("[", "x")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		m, err := NewTypeMatcher([]string{pattern})
		if err == nil {
			m.Match(name)
		}
	})
}

func TestRegionOfZone(t *testing.T) {
	tests := map[string]string{
		"sa-east-1a":       "sa-east-1",
		"us-west-2-lax-1a": "us-west-2",
		"ap-southeast-1c":  "ap-southeast-1",
		"us-east-1":        "",
		"mars-1a":          "",
	}
	for az, want := range tests {
		got, err := RegionOfZone(az)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("RegionOfZone(%q) = %q, %v; want %q", az, got, err, want)
		}
	}
	if ValidateRegion("us-east-1") != nil || ValidateRegion("us-esat-1") == nil {
		t.Error("ValidateRegion")
	}
	if Family("m5.large") != "m5" || Family("weird") != "weird" {
		t.Error("Family")
	}
}
