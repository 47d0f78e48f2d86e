package market

import (
	"fmt"
	"sort"
	"strings"
)

// Closest returns up to n candidates nearest to name by edit distance
// (case-insensitive), the ties at the smallest distance, keeping only those close enough to be
// a plausible typo: at most a third of the longer name's letters wrong, and
// never more than 3.
func Closest(name string, candidates []string, n int) []string {
	type scored struct {
		s string
		d int
	}
	lname := strings.ToLower(name)
	var best []scored
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		d := editDistance(lname, strings.ToLower(c))
		limit := min(max(len(name), len(c))/3, 3)
		if d <= max(limit, 1) {
			best = append(best, scored{c, d})
		}
	}
	sort.Slice(best, func(i, j int) bool {
		if best[i].d != best[j].d {
			return best[i].d < best[j].d
		}
		return best[i].s < best[j].s
	})
	// Only the nearest: a second-best name is noise next to the best.
	var out []string
	for _, b := range best[:min(n, len(best))] {
		if b.d == best[0].d {
			out = append(out, b.s)
		}
	}
	return out
}

// DidYouMean formats suggestions for the end of a one-line error:
// "; did you mean m5.large?" or "; did you mean m5.large or m6.large?", and
// "" when there are none.
func DidYouMean(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return "; did you mean " + names[0] + "?"
	}
	return "; did you mean " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1] + "?"
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (instance types, zones and regions are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// CheckRegion is ValidateRegion with the closest region names in the
// error: "us-est-1: no such region; did you mean us-east-1?".
func CheckRegion(r string) error {
	if regionSet[r] {
		return nil
	}
	hint := DidYouMean(Closest(r, Regions, 3))
	if hint == "" {
		hint = " (want a region name such as us-east-1)"
	}
	return fmt.Errorf("%s: no such region%s", r, hint)
}

// CanonicalProduct returns the known product description equal to p
// ignoring case ("windows" is Windows), or an error naming the closest.
func CanonicalProduct(p string) (string, error) {
	p = strings.TrimSpace(p)
	for _, k := range KnownProducts {
		if strings.EqualFold(p, k) {
			return k, nil
		}
	}
	hint := DidYouMean(Closest(p, KnownProducts, 2))
	if hint == "" {
		hint = fmt.Sprintf(" (want one of %s)", strings.Join(KnownProducts, ", "))
	}
	return "", fmt.Errorf("%s: no such product%s", p, hint)
}

// CheckTypePatterns reports the first pattern that matches none of the
// known instance types, with the closest names: for an exact name the
// nearest types, for a glob the nearest families of its literal prefix.
// in, when set, says where the names are known ("in sa-east-1"). With no
// known types it cannot judge and returns nil.
func CheckTypePatterns(patterns []string, known []string, in string) error {
	if len(known) == 0 {
		return nil
	}
	for _, p := range patterns {
		m, err := NewTypeMatcher([]string{p})
		if err != nil {
			return err
		}
		hit := false
		for _, k := range known {
			if m.Match(k) {
				hit = true
				break
			}
		}
		if hit {
			continue
		}
		if !strings.ContainsAny(p, "*?[") {
			return fmt.Errorf("%s: no such instance type%s%s", p, space(in), DidYouMean(Closest(p, known, 3)))
		}
		// A glob: suggest families near its literal prefix ("m9*" → m5*).
		lit := p[:strings.IndexAny(p, "*?[")]
		fam := strings.TrimSuffix(lit, ".")
		fams := map[string]bool{}
		for _, k := range known {
			fams[Family(k)] = true
		}
		var sugg []string
		if fam != "" && !strings.Contains(fam, ".") {
			for _, f := range Closest(fam, SortedKeys(fams), 3) {
				sugg = append(sugg, f+strings.TrimPrefix(p, fam))
			}
		}
		return fmt.Errorf("%s: matches no instance type%s%s", p, space(in), DidYouMean(sugg))
	}
	return nil
}

// CheckName reports a name (an AZ, say) that is not among the known ones,
// with the closest: "sa-east-1d: no such availability zone; did you mean
// sa-east-1a?". in is as for CheckTypePatterns. With no known names it
// cannot judge and returns nil.
func CheckName(what, name string, known []string, in string) error {
	if len(known) == 0 {
		return nil
	}
	for _, k := range known {
		if k == name {
			return nil
		}
	}
	hint := DidYouMean(Closest(name, known, 3))
	if hint == "" {
		hint = fmt.Sprintf(" (known: %s)", strings.Join(known, ", "))
	}
	return fmt.Errorf("%s: no such %s%s%s", name, what, space(in), hint)
}

func space(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}
