package tui

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
)

// filterState is the one filter of the program: the text filter (/) and the
// quick filters (f). Market, Volatility, Compare and the Recommend results
// all apply it, so a filter set in one view holds in the others and the help
// of each says the same thing.
type filterState struct {
	input    textinput.Model
	typing   bool
	fb       filterBar
	families []string // of the rows loaded, for the family quick filter
}

// filterBar holds the quick filters; zero values mean "any".
type filterBar struct {
	focus   bool
	field   int
	vcpuIdx int
	memIdx  int
	archIdx int
	famIdx  int
	product string
}

var (
	vcpuSteps = []int{0, 1, 2, 4, 8, 16, 32, 48, 64, 96}
	memSteps  = []float64{0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512}
	archSteps = []string{"any", "x86_64", "arm64"}
	fbFields  = []string{"vCPU ≥", "GiB ≥", "arch", "family", "product"}
)

func newFilterState() filterState {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "type, family or AZ (globs: m5*, *.xlarge)"
	ti.CharLimit = 64
	// A blinking cursor would keep re-rendering and make goldens flaky.
	ti.Cursor.SetMode(cursor.CursorStatic)
	return filterState{input: ti}
}

func (f filterState) capturing() bool { return f.typing || f.fb.focus }

// active says some filter narrows the rows.
func (f filterState) active() bool { return f.input.Value() != "" || f.fb.active() }

func (fb filterBar) active() bool {
	return fb.vcpuIdx != 0 || fb.memIdx != 0 || fb.archIdx != 0 || fb.famIdx != 0
}

// setFamilies records the families of the loaded rows; a family filter that
// no longer exists is dropped.
func (f filterState) setFamilies(all []explore.Summary) filterState {
	fams := map[string]bool{}
	for i := range all {
		fams[market.Family(all[i].InstanceType)] = true
	}
	cur := f.family()
	f.families = make([]string, 0, len(fams))
	for fam := range fams {
		f.families = append(f.families, fam)
	}
	sort.Strings(f.families)
	f.fb.famIdx = 0
	for i, fam := range f.families {
		if fam == cur {
			f.fb.famIdx = i + 1
		}
	}
	return f
}

func (f filterState) family() string {
	if f.fb.famIdx > 0 && f.fb.famIdx <= len(f.families) {
		return f.families[f.fb.famIdx-1]
	}
	return ""
}

// matchPool is the filter as a predicate over what every view's rows have:
// region, instance type, AZ and, when the catalog knows the type, its spec.
type poolMatcher func(region, instanceType, az string, spec *market.InstanceType) bool

func (f filterState) matchPool() poolMatcher {
	text := strings.ToLower(strings.TrimSpace(f.input.Value()))
	glob := strings.ContainsAny(text, "*?[")
	minCPU := vcpuSteps[f.fb.vcpuIdx]
	minMem := memSteps[f.fb.memIdx]
	arch := archSteps[f.fb.archIdx]
	fam := f.family()
	return func(region, typ, az string, spec *market.InstanceType) bool {
		if text != "" {
			t := strings.ToLower(typ)
			if glob {
				if ok, _ := path.Match(text, t); !ok {
					return false
				}
			} else if !strings.Contains(t, text) && !strings.Contains(strings.ToLower(az), text) {
				return false
			}
		}
		// Types missing from the catalog pass spec filters only when no
		// spec filter is set: hiding them silently would lose pools.
		if minCPU > 0 && (spec == nil || spec.VCPUs < minCPU) {
			return false
		}
		if minMem > 0 && (spec == nil || spec.MemoryGiB() < minMem) {
			return false
		}
		if arch != "any" && (spec == nil || !spec.HasArch(arch)) {
			return false
		}
		if fam != "" && market.Family(typ) != fam {
			return false
		}
		return true
	}
}

// matcher is matchPool over a summary.
func (f filterState) matcher() func(*explore.Summary) bool {
	if !f.active() {
		return nil // every pool: the views skip the call on 60,000 rows
	}
	mp := f.matchPool()
	return func(s *explore.Summary) bool {
		var spec *market.InstanceType
		if s.HasSpec {
			spec = &s.Spec
		}
		return mp(s.Region, s.InstanceType, s.AvailabilityZone, spec)
	}
}

// filterChange says what a key did to the filter.
type filterChange int

const (
	filterSame    filterChange = iota // focus moved, nothing to redo
	filterRows                        // the rows to show changed
	filterProduct                     // the product changed: a new query
)

// update handles keys while the text input or the quick-filter bar has
// focus.
func (f filterState) update(msg tea.KeyMsg, products []string) (filterState, tea.Cmd, filterChange) {
	if f.typing {
		switch msg.String() {
		case "esc":
			f.typing = false
			f.input.Reset()
			f.input.Blur()
			return f, nil, filterRows
		case "enter", "down", "up":
			f.typing = false
			f.input.Blur()
			return f, nil, filterSame
		}
		before := f.input.Value()
		var c tea.Cmd
		f.input, c = f.input.Update(msg)
		if f.input.Value() == before {
			return f, c, filterSame
		}
		return f, c, filterRows
	}
	fb := &f.fb
	step := 0
	switch msg.String() {
	case "esc", "enter", "f":
		fb.focus = false
		return f, nil, filterSame
	case "left", "h", "shift+tab":
		fb.field = (fb.field + len(fbFields) - 1) % len(fbFields)
		return f, nil, filterSame
	case "right", "l", "tab":
		fb.field = (fb.field + 1) % len(fbFields)
		return f, nil, filterSame
	case "up", "k", "+", "=":
		step = 1
	case "down", "j", "-":
		step = -1
	case "backspace", "delete", "0":
		switch fb.field {
		case 0:
			fb.vcpuIdx = 0
		case 1:
			fb.memIdx = 0
		case 2:
			fb.archIdx = 0
		case 3:
			fb.famIdx = 0
		}
		return f, nil, filterRows
	default:
		return f, nil, filterSame
	}
	cycle := func(i, n int) int { return ((i+step)%n + n) % n }
	switch fb.field {
	case 0:
		fb.vcpuIdx = cycle(fb.vcpuIdx, len(vcpuSteps))
	case 1:
		fb.memIdx = cycle(fb.memIdx, len(memSteps))
	case 2:
		fb.archIdx = cycle(fb.archIdx, len(archSteps))
	case 3:
		fb.famIdx = cycle(fb.famIdx, len(f.families)+1)
	case 4:
		if len(products) < 2 {
			return f, nil, filterSame
		}
		i := 0
		for j, p := range products {
			if p == fb.product {
				i = j
			}
		}
		fb.product = products[cycle(i, len(products))]
		return f, nil, filterProduct
	}
	return f, nil, filterRows
}

// clearLayer clears the text filter, or when there is none the quick
// filters: esc peels one layer at a time.
func (f filterState) clearLayer() filterState {
	if f.input.Value() != "" {
		f.input.Reset()
	} else {
		f.fb = filterBar{product: f.fb.product}
	}
	return f
}

// view is the lines shown above a filtered view's table: the text filter
// and the quick-filter bar, each only while in use. "" when neither is.
func (f filterState) view(st styles, w int) string {
	var lines []string
	if f.typing || f.input.Value() != "" {
		if f.typing {
			lines = append(lines, f.input.View())
		} else {
			lines = append(lines, truncate(st.muted.Render("filter: ")+f.input.Value()+st.muted.Render("  (/ edit, esc clear)"), w))
		}
	}
	if f.fb.focus || f.fb.active() {
		lines = append(lines, f.barView(st, w))
	}
	return strings.Join(lines, "\n")
}

func (f filterState) barView(st styles, w int) string {
	fam := f.family()
	if fam == "" {
		fam = "any"
	}
	prod := f.fb.product
	if prod == "" {
		prod = "default"
	}
	vals := []string{
		fmt.Sprint(vcpuSteps[f.fb.vcpuIdx]),
		fmtMem(memSteps[f.fb.memIdx]),
		archSteps[f.fb.archIdx],
		fam,
		prod,
	}
	var parts []string
	for i, name := range fbFields {
		s := name + " " + vals[i]
		if f.fb.focus && i == f.fb.field {
			s = st.sel.Render("[" + s + "]")
		} else {
			s = " " + s + " "
		}
		parts = append(parts, s)
	}
	hint := ""
	if f.fb.focus {
		hint = st.muted.Render("  ←→ field ↑↓ value 0 reset enter done")
	}
	return truncate(st.muted.Render("filters:")+strings.Join(parts, ""), w-lipgloss.Width(hint)) + hint
}
