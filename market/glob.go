package market

import (
	"fmt"
	"path"
	"strings"
)

// TypeMatcher matches instance type names against the patterns a user gives:
// exact names ("m5.large") and EC2-style globs ("m7*", "*.xlarge", "c?.large").
// No patterns match everything.
type TypeMatcher struct{ patterns []string }

// NewTypeMatcher validates the patterns, so a malformed glob is reported at
// the flag, not silently matching nothing.
func NewTypeMatcher(patterns []string) (TypeMatcher, error) {
	var ps []string
	for _, p := range patterns {
		for _, part := range strings.Split(p, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if _, err := path.Match(part, ""); err != nil {
				return TypeMatcher{}, fmt.Errorf("invalid instance type pattern %q", part)
			}
			ps = append(ps, part)
		}
	}
	return TypeMatcher{patterns: ps}, nil
}

// Patterns returns the validated patterns, for passing to EC2 filters.
func (m TypeMatcher) Patterns() []string { return m.patterns }

// Literals returns the patterns when every one is an exact name (no glob
// character), so callers can look names up instead of matching them.
func (m TypeMatcher) Literals() ([]string, bool) {
	if m.All() {
		return nil, false
	}
	for _, p := range m.patterns {
		if strings.ContainsAny(p, `*?[\`) {
			return nil, false
		}
	}
	return m.patterns, true
}

// All reports whether the matcher accepts every type.
func (m TypeMatcher) All() bool { return len(m.patterns) == 0 }

// Match reports whether name matches any pattern.
func (m TypeMatcher) Match(name string) bool {
	if len(m.patterns) == 0 {
		return true
	}
	for _, p := range m.patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}
