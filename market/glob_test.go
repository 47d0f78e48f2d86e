package market

import (
	"slices"
	"testing"
)

func TestTypeMatcherLiterals(t *testing.T) {
	tests := []struct {
		patterns []string
		want     []string
		ok       bool
	}{
		{nil, nil, false},
		{[]string{"m5.large"}, []string{"m5.large"}, true},
		{[]string{"m5.large,c5.large"}, []string{"m5.large", "c5.large"}, true},
		{[]string{"m5.large", "m5*"}, nil, false},
		{[]string{"c?.large"}, nil, false},
		{[]string{"[cm]5.large"}, nil, false},
	}
	for _, tc := range tests {
		m, err := NewTypeMatcher(tc.patterns)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := m.Literals()
		if ok != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q %v, want %q %v", tc.patterns, got, ok, tc.want, tc.ok)
		}
	}
}
