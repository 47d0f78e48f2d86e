package market

import "testing"

func TestSuggestions(t *testing.T) {
	known := []string{"m5.large", "m5.xlarge", "m6i.large", "c5.large", "r5.2xlarge", "t3.nano"}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"typo in a size", CheckTypePatterns([]string{"m5.lareg"}, known, ""), "m5.lareg: no such instance type; did you mean m5.large?"},
		{"typo in a family", CheckTypePatterns([]string{"c5.larg"}, known, ""), "c5.larg: no such instance type; did you mean c5.large?"},
		{"far from everything", CheckTypePatterns([]string{"zz9.huge"}, known, ""), "zz9.huge: no such instance type"},
		{"a glob matching nothing", CheckTypePatterns([]string{"m6*", "r9*"}, known, ""), "r9*: matches no instance type; did you mean r5*?"},
		{"globs and names that match", CheckTypePatterns([]string{"m5.*", "t3.nano", "*.large"}, known, ""), ""},
		{"no catalog: cannot judge", CheckTypePatterns([]string{"m5.lareg"}, nil, ""), ""},
		{"region", CheckRegion("us-est-1"), "us-est-1: no such region; did you mean us-east-1 or us-west-1?"},
		{"region with one near name", CheckRegion("eu-wst-3"), "eu-wst-3: no such region; did you mean eu-west-3?"},
		{"known region", CheckRegion("eu-west-3"), ""},
		{"zone", CheckName("availability zone", "sa-east-1d", []string{"sa-east-1a", "sa-east-1b", "sa-east-1c"}, "in sa-east-1"),
			"sa-east-1d: no such availability zone in sa-east-1; did you mean sa-east-1a, sa-east-1b or sa-east-1c?"},
		{"zone far off", CheckName("availability zone", "eu", []string{"sa-east-1a"}, ""), "eu: no such availability zone (known: sa-east-1a)"},
	}
	for _, tc := range tests {
		got := ""
		if tc.err != nil {
			got = tc.err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCanonicalProduct(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"windows", Windows, ""},
		{"LINUX/unix", LinuxUNIX, ""},
		{" suse linux ", SUSE, ""},
		{"Windos", "", "Windos: no such product; did you mean Windows?"},
		{"BSD", "", "BSD: no such product (want one of " + "Linux/UNIX, Red Hat Enterprise Linux, SUSE Linux, Windows, Linux/UNIX (Amazon VPC), Red Hat Enterprise Linux (Amazon VPC), SUSE Linux (Amazon VPC), Windows (Amazon VPC))"},
	}
	for _, tc := range tests {
		got, err := CanonicalProduct(tc.in)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != tc.want || msg != tc.err {
			t.Errorf("CanonicalProduct(%q) = %q, %q; want %q, %q", tc.in, got, msg, tc.want, tc.err)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"m5.lareg", "m5.large", 2}, {"abc", "abc", 0}} {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}
