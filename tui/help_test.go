package tui

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/tui/recommendview"
)

// viewSetup opens a view in a state where its keys have something to act
// on: rows below and above the cursor, a zoomed chart, marked types.
// The Recommend tab's help covers its form and its results, so its keys
// are tried in both.
var viewSetup = map[view][][]string{
	viewMarket:     {{"down", "down"}},
	viewDetail:     {{"/", "r", "5", ".", "l", "a", "r", "g", "e", "enter", "esc", "enter", "+"}},
	viewCompare:    {{" ", " ", " ", "3", "+"}},
	viewVolatility: {{"4", "down", "down"}},
	viewRecommend:  {{"5"}, {"5", "tab", "tab", "tab"}, {"5", "enter"}}, // profile, arch (a cycler), results
}

// keySetup is what a key needs first beyond its view's setup.
var keySetup = map[string][]string{
	"esc":       {"/", "m", "enter"}, // clear filters (Back and Leave act anyway)
	"backspace": {},
	"left":      {"right"}, // collapse an expanded type; pan a zoomed chart
	"h":         {"right"},
	"x":         {" "}, // clear marks
	"up":        {"down"},
	"k":         {"down"},
	"pgup":      {"down"},
}

func helpModel(t *testing.T) Model {
	res := recommend.Result{Region: "sa-east-1", Pools: []recommend.Choice{
		{Region: "sa-east-1", AvailabilityZone: "sa-east-1a", InstanceType: "m5.xlarge", VCPUs: 4, MemoryGiB: 16, Product: "Linux/UNIX", Last: 0.05, Price: 0.05, Instances: 1},
		{Region: "sa-east-1", AvailabilityZone: "sa-east-1c", InstanceType: "c5.xlarge", VCPUs: 4, MemoryGiB: 8, Product: "Linux/UNIX", Last: 0.05, Price: 0.05, Instances: 1},
	}}
	rv := recommendview.New(fixedRecommender{res}, recommendview.Options{Regions: []string{"sa-east-1"}, Now: demoClock})
	return newDemoModel(t, 140, 40, Options{Recommend: &rv, Clipboard: &bytes.Buffer{}, ExportDir: t.TempDir()})
}

// fingerprint is what a key can change: the frame and where it is.
func fingerprint(m Model) string {
	return m.View() + "\x00" + m.status + "\x00" + viewNames[m.view]
}

// keyName turns a binding's key into what press understands.
func keyName(k string) string {
	if k == "space" {
		return " "
	}
	return k
}

// TestHelpKeysAct walks every entry of every view's help and asserts that
// one of its keys does something there: it changes the frame, the status,
// the view, or returns a command (a load, an export, quit).
func TestHelpKeysAct(t *testing.T) {
	base := helpModel(t)
	for v := view(0); v < numViews; v++ {
		var states []Model
		for _, setup := range viewSetup[v] {
			ready := send(t, base, keys(setup...)...)
			if ready.view != v {
				t.Fatalf("setup %v for %s ended in %s", setup, viewNames[v], viewNames[ready.view])
			}
			states = append(states, ready)
		}
		for _, group := range states[len(states)-1].helpGroups() {
			for _, b := range group {
				if !b.Enabled() {
					continue
				}
				if !actsIn(t, states, b) {
					t.Errorf("%s view: help lists %q (%s) but none of %v does anything", viewNames[v], b.Help().Key, b.Help().Desc, b.Keys())
				}
			}
		}
	}
}

func actsIn(t *testing.T, states []Model, b key.Binding) bool {
	for _, ready := range states {
		for _, k := range b.Keys() {
			m := send(t, ready, keys(keySetup[k]...)...)
			before := fingerprint(m)
			nm, cmd := m.Update(press(keyName(k)))
			if cmd != nil || fingerprint(nm.(Model)) != before {
				return true
			}
		}
	}
	return false
}

// TestHelpListsOnlyViewKeys: a key that acts in no view's help is not in
// any; and bindings the view disables are not listed.
func TestHelpListsOnlyViewKeys(t *testing.T) {
	base := helpModel(t)
	for v := view(0); v < numViews; v++ {
		m := send(t, base, keys(viewSetup[v][len(viewSetup[v])-1]...)...)
		m = send(t, m, keys("?")...)
		text := m.View()
		for _, group := range m.helpGroups() {
			for _, b := range group {
				if b.Enabled() && !strings.Contains(text, b.Help().Desc) {
					t.Errorf("%s help does not show %q", viewNames[v], b.Help().Desc)
				}
			}
		}
		all := m.keys.FullHelp()
		for _, group := range all {
			for _, b := range group {
				if !listed(m.helpGroups(), b) && strings.Contains(text, "  "+b.Help().Desc) && b.Help().Desc != "" {
					t.Errorf("%s help shows %q, which the view disables", viewNames[v], b.Help().Desc)
				}
			}
		}
	}
}

func listed(groups [][]key.Binding, b key.Binding) bool {
	for _, g := range groups {
		for _, x := range g {
			if x.Enabled() && x.Help() == b.Help() {
				return true
			}
		}
	}
	return false
}

// TestFootersFit: at 100 columns every view's footer shows whole, with no
// key cut off.
func TestFootersFit(t *testing.T) {
	base := newDemoModel(t, 100, 30, Options{Clipboard: &bytes.Buffer{}})
	for v := view(0); v < numViews; v++ {
		if v == viewRecommend {
			continue // the Recommend tab's own keys are its footer (tui/recommendview)
		}
		m := send(t, base, keys(viewSetup[v][0]...)...)
		lines := strings.Split(m.View(), "\n")
		foot := lines[len(lines)-1]
		if strings.HasSuffix(strings.TrimSpace(foot), "…") || lipgloss.Width(foot) > 100 {
			t.Errorf("%s footer does not fit in 100 columns: %q", viewNames[v], foot)
		}
	}
}

// TestWarningsKeepNamesWhole: the demo banner and the volatility note wrap
// between words at every width, never inside a region, date or variable.
func TestWarningsKeepNamesWhole(t *testing.T) {
	m := newDemoModel(t, 100, 30, Options{})
	for w := minWidth; w <= 200; w++ {
		m = send(t, m, sizeMsg(w, 30))
		note := volNote
		if w < 120 {
			note = volNoteShort
		}
		for _, c := range []struct{ drawn, source string }{{m.bannerLine(), m.bannerText()}, {m.vol.note(m.st), "note: " + note}} {
			var words []string
			for _, l := range strings.Split(c.drawn, "\n") {
				words = append(words, strings.Fields(l)...)
			}
			if got, want := strings.Join(words, " "), strings.Join(strings.Fields(c.source), " "); got != want {
				t.Fatalf("width %d: a word was split:\n got %q\nwant %q", w, got, want)
			}
		}
	}
}
