package recommendview

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/tui/theme"
)

// field indexes the form. The order is the tab order and the reading order of
// the grid, so related inputs (size, then shape of the job) stay together.
type field int

const (
	fProfile field = iota // named-profile picker (cycler)
	fVCPUs
	fMemory
	fArch // cycler
	fGPUs
	fGPUModel
	fFamilies
	fExclude
	fCount
	fNodes
	fWork
	fHours
	fCheckpoint
	fRestart
	fMaxPrice
	fRegions
	fProduct
	numFields
)

type fieldSpec struct {
	label       string
	placeholder string // an empty field means the same as its placeholder
	width       int
	cycler      bool
}

var specs = [numFields]fieldSpec{
	fProfile:    {label: "Profile", cycler: true, width: 12},
	fRegions:    {label: "Regions", placeholder: "default", width: 12},
	fVCPUs:      {label: "vCPUs", placeholder: "1", width: 6},
	fMemory:     {label: "Memory GiB", placeholder: "0", width: 6},
	fArch:       {label: "Arch", cycler: true, width: 6},
	fGPUs:       {label: "GPUs", placeholder: "0", width: 6},
	fGPUModel:   {label: "GPU model", placeholder: "any", width: 12},
	fFamilies:   {label: "Families", placeholder: "all", width: 12},
	fExclude:    {label: "Exclude", placeholder: "none", width: 12},
	fCount:      {label: "Count", placeholder: "1", width: 6},
	fNodes:      {label: "Nodes", placeholder: "none", width: 6},
	fWork:       {label: "Work", placeholder: "none", width: 12},
	fHours:      {label: "Hours", placeholder: "1", width: 6},
	fCheckpoint: {label: "Checkpoint", placeholder: "none", width: 6},
	fRestart:    {label: "Restart", placeholder: recommend.FormatDuration(recommend.DefaultRestart), width: 6},
	fMaxPrice:   {label: "Max $/h", placeholder: "none", width: 6},
	fProduct:    {label: "Product", placeholder: market.LinuxUNIX, width: 12},
}

var archs = []string{"x86_64", "arm64", "any"}

// customProfile labels the picker entry for the defaults the tab started with.
const customProfile = "(default)"

type form struct {
	inputs   [numFields]textinput.Model // only text fields are used
	archIdx  int
	names    []string // picker entries; names[0] is customProfile
	nameIdx  int
	profiles map[string]recommend.Profile
	modified bool // fields edited since the named profile was loaded

	// base carries what the form does not show (regions, window): the
	// named profile's when one is loaded, else the defaults.
	base     recommend.Profile
	defaults recommend.Profile
}

func newForm(defaults recommend.Profile) form {
	var f form
	for i := range f.inputs {
		if specs[i].cycler {
			continue
		}
		ti := textinput.New()
		ti.Prompt = ""
		ti.Placeholder = specs[i].placeholder
		ti.Width = specs[i].width
		ti.CharLimit = 200
		// A blinking cursor means a tick message per half second for the
		// whole session and non-deterministic goldens; static is enough.
		ti.Cursor.SetMode(cursor.CursorStatic)
		ti.PlaceholderStyle = ti.PlaceholderStyle.Foreground(theme.Muted)
		f.inputs[i] = ti
	}
	p := &f.inputs[fProduct]
	p.SetSuggestions(market.KnownProducts)
	p.ShowSuggestions = true
	// Tab moves between fields, so accepting a suggestion needs another key.
	p.KeyMap.AcceptSuggestion = key.NewBinding(key.WithKeys("right", "ctrl+f"))
	f.names = []string{customProfile}
	f.defaults, f.base = defaults, defaults
	f.load(defaults)
	return f
}

func (f *form) setProfiles(ps map[string]recommend.Profile) {
	f.profiles = ps
	f.names = []string{customProfile}
	for n := range ps {
		f.names = append(f.names, n)
	}
	sort.Strings(f.names[1:])
	f.nameIdx = 0
	f.modified = false
}

// cycle moves a cycler field by d; for the picker it also loads the profile,
// since choosing a profile is only useful if its values land in the fields.
func (f *form) cycle(fl field, d int) {
	switch fl {
	case fArch:
		f.archIdx = (f.archIdx + d + len(archs)) % len(archs)
	case fProfile:
		if len(f.names) <= 1 {
			return
		}
		f.nameIdx = (f.nameIdx + d + len(f.names)) % len(f.names)
		f.modified = false
		p := f.defaults
		if f.nameIdx > 0 {
			p = f.profiles[f.names[f.nameIdx]]
			p.Name = f.names[f.nameIdx]
		}
		f.base = p
		f.load(p)
	}
}

// load puts a profile's values into the fields, in the same syntax parse reads.
func (f *form) load(p recommend.Profile) {
	set := func(fl field, s string) { f.inputs[fl].SetValue(s) }
	set(fRegions, strings.Join(p.Regions, ","))
	set(fGPUModel, strings.Join(p.GPUModels, ","))
	set(fNodes, intStr(p.Nodes))
	work := ""
	if p.Work > 0 {
		work = recommend.FormatWork(p.Work, p.WorkUnit)
	}
	set(fWork, work)
	set(fVCPUs, intStr(p.VCPUs))
	set(fMemory, floatStr(p.MemoryGiB))
	set(fGPUs, intStr(p.GPUs))
	set(fFamilies, strings.Join(p.Families, ","))
	set(fExclude, strings.Join(p.Exclude, ","))
	set(fCount, intStr(p.Count))
	set(fHours, floatStr(p.Hours))
	set(fCheckpoint, durStr(p.Checkpoint))
	set(fRestart, durStr(p.Restart))
	set(fMaxPrice, floatStr(p.MaxPrice))
	set(fProduct, p.Product)
	f.archIdx = 0
	for i, a := range archs {
		if a == p.Arch || (p.Arch == "" && a == "any") {
			f.archIdx = i
		}
	}
}

func intStr(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func floatStr(v float64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func durStr(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return recommend.FormatDuration(d)
}

// parse reads the fields into a profile. base supplies what the form does not
// show (regions, window, name). The first problem is returned as a one-line
// error naming the field, so the user knows where to look.
func (f *form) parse(base recommend.Profile) (recommend.Profile, error) {
	p := base
	val := func(fl field) string { return strings.TrimSpace(f.inputs[fl].Value()) }
	var err error
	if p.VCPUs, err = parseInt(val(fVCPUs)); err != nil {
		return p, fieldErr(fVCPUs, err)
	}
	if v := val(fMemory); v != "" {
		if p.MemoryGiB, err = recommend.ParseMemoryGiB(v); err != nil {
			return p, fieldErr(fMemory, err)
		}
	} else {
		p.MemoryGiB = 0
	}
	if p.GPUs, err = parseInt(val(fGPUs)); err != nil {
		return p, fieldErr(fGPUs, err)
	}
	p.Arch = archs[f.archIdx]
	if rs := splitList(val(fRegions), "default"); len(rs) > 0 {
		p.Regions = rs
	}
	p.GPUModels = splitList(val(fGPUModel), "any")
	if v := val(fNodes); !strings.EqualFold(v, "none") {
		if p.Nodes, err = parseInt(v); err != nil {
			return p, fieldErr(fNodes, err)
		}
	} else {
		p.Nodes = 0
	}
	p.Work, p.WorkUnit = 0, ""
	if v := val(fWork); v != "" && !strings.EqualFold(v, "none") {
		if p.Work, p.WorkUnit, err = recommend.ParseWork(v); err != nil {
			return p, fieldErr(fWork, errors.New(strings.Replace(err.Error(), "invalid --work ", "invalid ", 1)))
		}
	}
	p.Families = splitList(val(fFamilies), "all")
	p.Exclude = splitList(val(fExclude), "none")
	if p.Count, err = parseInt(val(fCount)); err != nil {
		return p, fieldErr(fCount, err)
	}
	if p.Hours, err = parseHours(val(fHours)); err != nil {
		return p, fieldErr(fHours, err)
	}
	if p.Checkpoint, err = parseDur(val(fCheckpoint)); err != nil {
		return p, fieldErr(fCheckpoint, err)
	}
	if p.Restart, err = parseDur(val(fRestart)); err != nil {
		return p, fieldErr(fRestart, err)
	}
	if val(fRestart) != "" && p.Restart == 0 {
		return p, fieldErr(fRestart, fmt.Errorf("a restart is never free (leave empty for %s)", recommend.FormatDuration(recommend.DefaultRestart)))
	}
	mp := strings.TrimPrefix(val(fMaxPrice), "$")
	if strings.EqualFold(mp, "none") {
		mp = ""
	}
	if p.MaxPrice, err = parseFloat(mp); err != nil {
		return p, fieldErr(fMaxPrice, err)
	}
	p.Product = val(fProduct)
	if f.nameIdx > 0 && !f.modified {
		p.Name = f.names[f.nameIdx]
	} else {
		p.Name = ""
	}
	if err := p.Validate(); err != nil {
		// Validate names CLI flags; here there are no dashes to type.
		return p, errors.New(strings.Replace(err.Error(), "--", "", 1))
	}
	return p, nil
}

func fieldErr(fl field, err error) error {
	return fmt.Errorf("%s: %v", strings.ToLower(specs[fl].label), err)
}

func parseInt(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	if n < 0 {
		return 0, fmt.Errorf("%d is negative", n)
	}
	return n, nil
}

func parseFloat(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%s is negative", s)
	}
	return v, nil
}

// parseHours and parseDur treat an empty field as its placeholder, which the
// recommend parsers (written for flags, where empty is a mistake) refuse.
func parseHours(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	return recommend.ParseHours(s)
}

func parseDur(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return recommend.ParseDuration(s)
}

func splitList(s, emptyWord string) []string {
	if strings.EqualFold(s, emptyWord) {
		return nil
	}
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}
