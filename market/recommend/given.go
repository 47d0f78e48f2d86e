package recommend

import (
	"fmt"
	"strings"

	"github.com/spotscope/spotscope/market"
)

// CheckGiven reports a value given explicitly (given(flag) is true) that
// the profile's "zero means the default" rule would otherwise turn silently
// into the default, or that contradicts another given value. The CLI and
// the MCP server both call it after reading their input, so the same
// mistake gets the same sentence; Validate checks the merged profile after.
func CheckGiven(p Profile, given func(flag string) bool) error {
	switch {
	case given(FlagNodes) && p.Nodes < 1:
		return fmt.Errorf("--%s must be >= 1 (instances one coupled job needs at once)", FlagNodes)
	case given(FlagMaxAZShare) && !(p.MaxAZShare > 0 && p.MaxAZShare <= 1):
		return fmt.Errorf("--%s must be a fraction > 0 and <= 1 (e.g. 0.5)", FlagMaxAZShare)
	case given(FlagRuns) && (p.Runs < 1 || p.Runs > MaxRuns):
		return fmt.Errorf("--%s must be between 1 and %d", FlagRuns, MaxRuns)
	case given(FlagRestart) && p.Restart == 0:
		return fmt.Errorf("--%s must be > 0: a restart is never free (default %s)", FlagRestart, FormatDuration(DefaultRestart))
	case given(FlagWork) && given(FlagHours):
		return fmt.Errorf("--%s and --%s are exclusive: --work is the whole queue, --hours one job's length", FlagWork, FlagHours)
	case given(FlagHours) && p.Hours <= 0:
		return fmt.Errorf("--%s must be > 0 (the job's length on one instance)", FlagHours)
	case given(FlagCount) && p.Count <= 0:
		return fmt.Errorf("--%s must be >= 1", FlagCount)
	}
	return nil
}

// NamedProfile looks a workload profile up by name in the profiles file at
// path, for --profile: a name the file lacks is an error naming the closest
// profile, or those the file has.
func NamedProfile(path, name string) (Profile, error) {
	all, err := LoadProfiles(path)
	if err != nil {
		return Profile{}, err
	}
	if p, ok := all[name]; ok {
		return p, nil
	}
	names := ProfileNames(all)
	if len(names) == 0 {
		return Profile{}, fmt.Errorf("--profile %q: %s has no profiles (see docs/profiles.example.yaml)", name, path)
	}
	hint := market.DidYouMean(market.Closest(name, names, 3))
	if hint == "" {
		hint = fmt.Sprintf(" (have: %s)", strings.Join(names, ", "))
	}
	return Profile{}, fmt.Errorf("--profile %q: no such profile in %s%s", name, path, hint)
}
