package ec2fake

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

func escape(b *bytes.Buffer, s string) {
	if strings.ContainsAny(s, `<>&'"`) {
		xml.EscapeText(b, []byte(s))
		return
	}
	b.WriteString(s)
}

// filter is one Filter.N: a name and values, any of which may match.
type filter struct {
	name   string
	values []string
}

// listParam returns Prefix.1, Prefix.2, ... in index order. The SDK numbers
// from 1 without gaps, but order by the number rather than trust that.
func listParam(form url.Values, prefix string) []string {
	type kv struct {
		n int
		v string
	}
	var items []kv
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok || len(vs) == 0 {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil {
			continue
		}
		items = append(items, kv{n, vs[0]})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// parseFilters reads Filter.N.Name / Filter.N.Value.M and refuses names
// outside allowed, as EC2 does.
func parseFilters(form url.Values, allowed ...string) ([]filter, *apiError) {
	idx := map[int]bool{}
	for k := range form {
		rest, ok := strings.CutPrefix(k, "Filter.")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil {
			return nil, invalidParam("malformed filter parameter %s", k)
		}
		idx[n] = true
	}
	nums := make([]int, 0, len(idx))
	for n := range idx {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	var out []filter
	for _, n := range nums {
		p := fmt.Sprintf("Filter.%d", n)
		name := form.Get(p + ".Name")
		if name == "" {
			return nil, invalidParam("The filter %s has no Name", p)
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			return nil, invalidParam("The filter '%s' is invalid", name)
		}
		vals := listParam(form, p+".Value")
		if len(vals) == 0 {
			return nil, invalidParam("The filter '%s' has no values", name)
		}
		out = append(out, filter{name, vals})
	}
	return out, nil
}

// matchAny reports whether s matches any of the EC2 filter patterns.
func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if wildcard(p, s) {
			return true
		}
	}
	return false
}

// wildcard matches EC2 filter values: '*' is any run of characters, '?' any
// one character, and a backslash escapes the next character. Unlike
// path.Match, '*' crosses '/', which "Linux/*" needs.
func wildcard(pattern, s string) bool {
	// Iterative matcher with backtracking to the last '*'.
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			c := pattern[p]
			switch {
			case c == '*':
				starP, starI = p, i
				p++
				continue
			case c == '?':
				p++
				i++
				continue
			case c == '\\' && p+1 < len(pattern):
				if pattern[p+1] == s[i] {
					p += 2
					i++
					continue
				}
			case c == s[i]:
				p++
				i++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starI++
		p, i = starP+1, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
