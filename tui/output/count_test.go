package output

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "instance", "1 instance"}, {0, "pool", "0 pools"}, {3, "region", "3 regions"},
		{2, "retry", "2 retries"}, {2, "day", "2 days"}, {1500, "record", "1,500 records"},
		{-1234567, "step", "-1,234,567 steps"},
	} {
		if got := Count(c.n, c.noun); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}
