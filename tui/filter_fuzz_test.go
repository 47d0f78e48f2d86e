package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/spotscope/spotscope/market"
)

// FuzzFilterText: whatever a user types into the filter, matching never
// panics, a plain word (no glob characters) keeps exactly the pools whose
// type or AZ contains it, and a bad glob ("[") matches nothing rather than
// everything.
func FuzzFilterText(f *testing.F) {
	for _, s := range []string{"m5", "m5*", "*.xlarge", "[", "[a-", "sa-east-1a", "\\", "", "  c6g  ", "?5.*"} {
		f.Add(s)
	}
	pools := []struct{ typ, az string }{{"m5.large", "sa-east-1a"}, {"c6g.xlarge", "us-east-1b"}, {"x2iedn.32xlarge", "eu-west-1c"}}
	f.Fuzz(func(t *testing.T, text string) {
		fs := newFilterState()
		fs.input.SetValue(text)
		match := fs.matchPool()
		spec := market.InstanceType{VCPUs: 4, MemoryMiB: 8192, Architectures: []string{"x86_64"}}
		for _, p := range pools {
			got := match("r", p.typ, p.az, &spec)
			q := strings.ToLower(strings.TrimSpace(fs.input.Value()))
			if !strings.ContainsAny(q, "*?[") {
				want := strings.Contains(p.typ, q) || strings.Contains(p.az, q)
				if got != want {
					t.Fatalf("filter %q on %s/%s: %v, want %v", text, p.typ, p.az, got, want)
				}
			}
		}
		// and through the program: typing it never panics
		m := New(newFakeBackend(6, 0), nil, Options{NoRefresh: true})
		m = send(t, m, sizeMsg(100, 30))
		m, _ = run(t, m, m.Init())
		m = send(t, m, press("/"))
		m = send(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text), Paste: true})
		_ = m.View()
	})
}
