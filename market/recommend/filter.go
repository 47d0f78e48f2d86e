package recommend

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/spotscope/spotscope/market"
)

// stage is one filter with the message that explains an empty result in terms
// of what was left before it.
type stage struct {
	name string
	keep func(Candidate) bool
	why  func(in []Candidate) *NoMatchError
}

// specStages are the filters that need only the instance type, so Build can
// run them on the catalog before asking for prices.
func specStages(p Profile) []stage {
	where := func(in []Candidate) string { return "in " + regionsOf(in) }
	arch := p.Arch
	return []stage{
		{"spot", func(c Candidate) bool { return c.Spec.SpotSupported }, func(in []Candidate) *NoMatchError {
			return noMatch("spot", "none of the %d instance types %s supports spot (%s)", distinctTypes(in), where(in), examples(in))
		}},
		{FlagVCPUs, func(c Candidate) bool { return c.Spec.VCPUs >= max(1, p.VCPUs) }, func(in []Candidate) *NoMatchError {
			return noMatch(FlagVCPUs, "no instance type %s has >= %d vCPUs; the largest has %g", where(in), p.VCPUs, maxOf(in, func(c Candidate) float64 { return float64(c.Spec.VCPUs) }))
		}},
		{FlagMemory, func(c Candidate) bool { return c.Spec.MemoryGiB() >= p.MemoryGiB }, func(in []Candidate) *NoMatchError {
			return noMatch(FlagMemory, "no instance type %s with >= %d vCPUs has >= %g GiB of memory; the largest has %g GiB", where(in), p.VCPUs, p.MemoryGiB, maxOf(in, func(c Candidate) float64 { return c.Spec.MemoryGiB() }))
		}},
		{FlagArch, func(c Candidate) bool { return arch == "" || arch == "any" || c.Spec.HasArch(arch) }, func(in []Candidate) *NoMatchError {
			return noMatch(FlagArch, "no instance type %s with >= %d vCPUs and >= %g GiB runs %s", where(in), p.VCPUs, p.MemoryGiB, arch)
		}},
		{FlagGPUs, func(c Candidate) bool { return gpuFits(c.Spec, p) }, func(in []Candidate) *NoMatchError {
			return noMatch(FlagGPUs, "no cached type %s that meets the vCPU, memory and architecture constraints has %s; %s", where(in), gpuNeedWords(p), gpuSupply(in))
		}},
		{FlagEFA, func(c Candidate) bool { return !p.EFA || c.Spec.EFA }, func(in []Candidate) *NoMatchError {
			return noMatch(FlagEFA, "no cached type %s that meets the size and GPU constraints supports EFA (%d did before it, e.g. %s)", where(in), distinctTypes(in), examples(in))
		}},
		{FlagPrevGen, func(c Candidate) bool { return p.PreviousGen || c.Spec.CurrentGeneration }, func(in []Candidate) *NoMatchError {
			return noMatch(FlagPrevGen, "every matching type %s is previous generation (%s); add --%s to allow them", where(in), examples(in), FlagPrevGen)
		}},
		{FlagBurstable, func(c Candidate) bool { return p.Burstable || !c.Spec.IsBurstable() }, func(in []Candidate) *NoMatchError {
			return noMatch(FlagBurstable, "every matching type %s is burstable (%s), which throttles or bills CPU credits under sustained load; add --%s to allow them", where(in), examples(in), FlagBurstable)
		}},
		{FlagFamilies, func(c Candidate) bool { return len(p.Families) == 0 || matchAny(p.Families, c.InstanceType) }, func(in []Candidate) *NoMatchError {
			return noMatch(FlagFamilies, "no instance type %s that meets the size constraints matches --families %s (%d did before it, e.g. %s)", where(in), strings.Join(p.Families, ","), distinctTypes(in), examples(in))
		}},
		{FlagExclude, func(c Candidate) bool { return !matchAny(p.Exclude, c.InstanceType) }, func(in []Candidate) *NoMatchError {
			return noMatch(FlagExclude, "--exclude %s removes every remaining instance type %s (%s)", strings.Join(p.Exclude, ","), where(in), examples(in))
		}},
	}
}

// priceStages need the pool's statistics.
func priceStages(p Profile) []stage {
	where := func(in []Candidate) string { return "in " + regionsOf(in) }
	return []stage{
		{"price-data", func(c Candidate) bool { return c.HasStats }, func(in []Candidate) *NoMatchError {
			return noMatch("price-data", "no %s price data in the %s window for the %d matching instance types %s (fetch history first)", p.Product, FormatDuration(p.Window), distinctTypes(in), where(in))
		}},
		{"price", func(c Candidate) bool { return c.Stats.Last > 0 || c.Stats.TWAP > 0 }, func(in []Candidate) *NoMatchError {
			return noMatch("price", "every matching pool %s has price 0.000000 over the window; no usable price", where(in))
		}},
		{FlagMaxPrice, func(c Candidate) bool { return p.MaxPrice == 0 || effectivePrice(c) <= p.MaxPrice }, func(in []Candidate) *NoMatchError {
			best := in[0]
			for _, c := range in {
				if effectivePrice(c) < effectivePrice(best) {
					best = c
				}
			}
			return noMatch(FlagMaxPrice, "no matching pool %s has a last price <= $%g/h; the cheapest is %s in %s at $%.6f/h", where(in), p.MaxPrice, best.InstanceType, best.AvailabilityZone, effectivePrice(best))
		}},
	}
}

// gpuFits reports whether a type has the GPUs the profile asks for: at least
// p.GPUs of them, of one of p.GPUModels (case-insensitive), each with at
// least p.GPUMemoryGiB.
func gpuFits(t market.InstanceType, p Profile) bool {
	if t.GPUs < p.GPUs {
		return false
	}
	if len(p.GPUModels) == 0 && p.GPUMemoryGiB == 0 {
		return true
	}
	if t.GPUs == 0 {
		return false
	}
	if len(p.GPUModels) > 0 && !GPUModelMatches(p.GPUModels, t.GPUName) {
		return false
	}
	return t.GPUMemoryGiBEach() >= p.GPUMemoryGiB-1e-9
}

// GPUModelMatches reports whether a catalog GPU name is one of the models,
// ignoring case.
func GPUModelMatches(models []string, name string) bool {
	for _, m := range models {
		if strings.EqualFold(strings.TrimSpace(m), name) {
			return true
		}
	}
	return false
}

func gpuNeedWords(p Profile) string {
	s := fmt.Sprintf(">= %d GPUs", max(1, p.GPUs))
	if len(p.GPUModels) > 0 {
		s += " of model " + strings.Join(p.GPUModels, " or ")
	}
	if p.GPUMemoryGiB > 0 {
		s += fmt.Sprintf(" with >= %g GiB each", p.GPUMemoryGiB)
	}
	return s
}

// gpuSupply says what GPU types there are, most GPUs first: "2 types have
// 8 A100, 3 types have 8 V100".
func gpuSupply(in []Candidate) string {
	type key struct {
		n    int
		name string
	}
	types := map[key]map[string]bool{}
	for _, c := range in {
		if c.Spec.GPUs == 0 {
			continue
		}
		k := key{c.Spec.GPUs, c.Spec.GPUName}
		if types[k] == nil {
			types[k] = map[string]bool{}
		}
		types[k][c.InstanceType] = true
	}
	if len(types) == 0 {
		return "none has a GPU"
	}
	keys := make([]key, 0, len(types))
	for k := range types {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].n != keys[j].n {
			return keys[i].n > keys[j].n
		}
		return keys[i].name < keys[j].name
	})
	var parts []string
	for _, k := range keys[:min(3, len(keys))] {
		n := len(types[k])
		word := "types have"
		if n == 1 {
			word = "type has"
		}
		parts = append(parts, fmt.Sprintf("%d %s %d %s", n, word, k.n, k.name))
	}
	return strings.Join(parts, ", ")
}

// GPUModels lists the GPU names a catalog has, sorted, for the error that
// names a model no cached type has.
func GPUModels(types []market.InstanceType) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range types {
		if t.GPUs > 0 && t.GPUName != "" && !seen[strings.ToLower(t.GPUName)] {
			seen[strings.ToLower(t.GPUName)] = true
			out = append(out, t.GPUName)
		}
	}
	sort.Strings(out)
	return out
}

func effectivePrice(c Candidate) float64 {
	if c.Stats.Last > 0 {
		return c.Stats.Last
	}
	return c.Stats.TWAP
}

// runStages keeps the candidates every stage keeps. It filters indices, not
// the (large) candidates, and copies the survivors once.
func runStages(in []Candidate, stages []stage) ([]Candidate, error) {
	idx := make([]int, len(in))
	for i := range in {
		idx[i] = i
	}
	for _, s := range stages {
		next := idx[:0:0]
		for _, i := range idx {
			if s.keep(in[i]) {
				next = append(next, i)
			}
		}
		if len(next) == 0 {
			return nil, s.why(pick(in, idx))
		}
		idx = next
	}
	return pick(in, idx), nil
}

func pick(in []Candidate, idx []int) []Candidate {
	out := make([]Candidate, len(idx))
	for j, i := range idx {
		out[j] = in[i]
	}
	return out
}

// Filter keeps the candidates that meet the profile (defaults applied) and
// have a usable price. With none left it returns a *NoMatchError naming the
// first constraint that emptied the list.
func Filter(cands []Candidate, p Profile) ([]Candidate, []string, error) {
	p = p.WithDefaults()
	if len(cands) == 0 {
		rs := "the selected regions"
		if len(p.Regions) > 0 {
			rs = strings.Join(p.Regions, ", ")
		}
		return nil, nil, noMatch("catalog", "no candidates: no instance types or pools are known in %s (fetch the catalog and history first)", rs)
	}
	prod := cands
	if slices.ContainsFunc(cands, func(c Candidate) bool { return c.Product != "" && c.Product != p.Product }) {
		prod = make([]Candidate, 0, len(cands))
		for _, c := range cands {
			if c.Product == "" || c.Product == p.Product {
				prod = append(prod, c)
			}
		}
	}
	if len(prod) == 0 {
		return nil, nil, noMatch(FlagProduct, "no candidate pool sells %s in %s", p.Product, regionsOf(cands))
	}
	kept, err := runStages(prod, append(specStages(p), priceStages(p)...))
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	if n := len(cands) - len(kept); n > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d pools meet the profile", len(kept), len(cands)))
	}
	return kept, notes, nil
}

// matchAny matches a glob against the type name and its family, so "m5",
// "m5*" and "m5.*" all select m5.large.
func matchAny(globs []string, typ string) bool {
	fam := market.Family(typ)
	for _, g := range globs {
		if ok, _ := path.Match(g, typ); ok {
			return true
		}
		if ok, _ := path.Match(g, fam); ok {
			return true
		}
	}
	return false
}

func regionsOf(in []Candidate) string {
	set := map[string]bool{}
	for _, c := range in {
		set[c.Region] = true
	}
	var rs []string
	for r := range set {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return strings.Join(rs, ", ")
}

func maxOf(in []Candidate, f func(Candidate) float64) float64 {
	m := 0.0
	for _, c := range in {
		m = max(m, f(c))
	}
	return m
}

func distinctTypes(in []Candidate) int {
	set := map[string]bool{}
	for _, c := range in {
		set[c.InstanceType] = true
	}
	return len(set)
}

func examples(in []Candidate) string {
	set := map[string]bool{}
	var names []string
	for _, c := range in {
		if !set[c.InstanceType] {
			set[c.InstanceType] = true
			names = append(names, c.InstanceType)
		}
	}
	sort.Strings(names)
	if len(names) > 3 {
		return strings.Join(names[:3], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}
