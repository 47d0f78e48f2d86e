package recommend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckGiven(t *testing.T) {
	for _, tc := range []struct {
		name  string
		p     Profile
		given []string
		want  string // "" = accepted
	}{
		{"nodes 0 given", Profile{}, []string{FlagNodes}, "--nodes must be >= 1"},
		{"nodes 0 not given", Profile{}, nil, ""},
		{"nodes 4", Profile{Nodes: 4}, []string{FlagNodes}, ""},
		{"az share 0", Profile{}, []string{FlagMaxAZShare}, "--max-az-share must be a fraction > 0 and <= 1"},
		{"az share 2", Profile{MaxAZShare: 2}, []string{FlagMaxAZShare}, "--max-az-share must be a fraction"},
		{"az share 1", Profile{MaxAZShare: 1}, []string{FlagMaxAZShare}, ""},
		{"runs 0", Profile{}, []string{FlagRuns}, "--runs must be between 1 and"},
		{"runs too many", Profile{Runs: MaxRuns + 1}, []string{FlagRuns}, "--runs must be between 1 and"},
		{"restart 0", Profile{}, []string{FlagRestart}, "--restart must be > 0"},
		{"restart 5m", Profile{Restart: 5 * time.Minute}, []string{FlagRestart}, ""},
		{"work and hours", Profile{Work: 10, WorkUnit: WorkVCPUHours, Hours: 2}, []string{FlagWork, FlagHours}, "--work and --hours are exclusive"},
		{"hours 0", Profile{}, []string{FlagHours}, "--hours must be > 0"},
		{"count 0", Profile{}, []string{FlagCount}, "--count must be >= 1"},
		{"nothing given", Profile{}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			given := func(f string) bool {
				for _, g := range tc.given {
					if g == f {
						return true
					}
				}
				return false
			}
			err := CheckGiven(tc.p, given)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v; want %q", err, tc.want)
			}
		})
	}
}

func TestNamedProfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "profiles.yaml")
	if err := os.WriteFile(path, []byte("profiles:\n  small-batch:\n    vcpus: 2\n  training:\n    gpus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := NamedProfile(path, "training"); err != nil || p.GPUs != 1 {
		t.Errorf("training: %+v, %v", p, err)
	}
	for _, tc := range []struct{ path, name, want string }{
		{path, "small-bach", `--profile "small-bach": no such profile in ` + path + `; did you mean small-batch?`},
		{path, "inference", `--profile "inference": no such profile in ` + path + ` (have: small-batch, training)`},
		{filepath.Join(dir, "none.yaml"), "x", `has no profiles (see docs/profiles.example.yaml)`},
	} {
		if _, err := NamedProfile(tc.path, tc.name); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.name, err, tc.want)
		}
	}
}
