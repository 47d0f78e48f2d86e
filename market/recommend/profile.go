package recommend

import (
	"encoding/json"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spotscope/spotscope/market"
)

// Defaults applied by WithDefaults.
const (
	DefaultWindow = 30 * 24 * time.Hour
	DefaultCount  = 1
	DefaultHours  = 1.0
	// MaxHours bounds the job length so exp(lambda*T) stays finite and a typo
	// ("8000000") is reported instead of printing astronomical costs.
	MaxHours = 10000.0
	// DefaultRestart is what an interruption costs in wall time before the
	// job resumes: a replacement instance (about 2-5 minutes), booting and
	// pulling the image, and loading the checkpoint. Never zero: a restart
	// is never free.
	DefaultRestart = 10 * time.Minute
	// DefaultMaxAZShare keeps at most half the capacity in one AZ when two or
	// more AZs have candidates.
	DefaultMaxAZShare = 0.5
	// DefaultRuns and DefaultSeed set the replay.
	DefaultRuns = 2000
	DefaultSeed = 1
	// MaxRuns bounds the replay so a typo cannot take minutes.
	MaxRuns = 1000000
	// MaxWork bounds --work (vCPU- or GPU-hours).
	MaxWork = 1e8
	// SensitivityMultiple is the pessimistic multiple of the bucket's rate:
	// the bucket is a coarse, regional, trailing-month figure, so every
	// answer also says what the cost would be at 3x the rate.
	SensitivityMultiple = 3.0
)

// Modes: the unit of work an answer priced (docs/recommendations.md §3).
const (
	ModeJob        = "job"        // each instance runs one job of Hours
	ModeThroughput = "throughput" // a queue of Work vCPU- or GPU-hours
	ModeCoupled    = "coupled"    // one job on Nodes instances at once
)

// Work units for Profile.WorkUnit.
const (
	WorkVCPUHours = "vcpu-h"
	WorkGPUHours  = "gpu-h"
)

// Mode is the unit of work the profile buys.
func (p Profile) Mode() string {
	switch {
	case p.Work > 0:
		return ModeThroughput
	case p.Nodes > 0:
		return ModeCoupled
	}
	return ModeJob
}

// ParseWork reads an amount of work with its unit: "5000vcpu-h",
// "800 gpu-h", "800gpu-hours".
func ParseWork(s string) (float64, string, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	bad := fmt.Errorf("invalid --%s %q (an amount > 0 with a unit: 5000vcpu-h or 800gpu-h)", FlagWork, s)
	for _, u := range []struct{ suffix, unit string }{
		{"vcpu-hours", WorkVCPUHours}, {"vcpu-hour", WorkVCPUHours}, {"vcpu-h", WorkVCPUHours},
		{"gpu-hours", WorkGPUHours}, {"gpu-hour", WorkGPUHours}, {"gpu-h", WorkGPUHours},
	} {
		if strings.HasSuffix(t, u.suffix) {
			num := strings.TrimSpace(strings.TrimSuffix(t, u.suffix))
			v, err := strconv.ParseFloat(num, 64)
			if err != nil || !(v > 0) || v > MaxWork || strings.ContainsAny(num, "xp_") {
				return 0, "", bad
			}
			return v, u.unit, nil
		}
	}
	return 0, "", bad
}

// FormatWork prints an amount the way ParseWork reads it.
func FormatWork(v float64, unit string) string {
	return strconv.FormatFloat(v, 'g', -1, 64) + unit
}

// Flag names, shared by the CLI and the error messages so both say the same.
const (
	FlagVCPUs      = "vcpus"
	FlagMemory     = "memory"
	FlagArch       = "arch"
	FlagGPUs       = "gpus"
	FlagFamilies   = "families"
	FlagExclude    = "exclude"
	FlagCount      = "count"
	FlagHours      = "hours"
	FlagCheckpoint = "checkpoint"
	FlagRestart    = "restart"
	FlagMaxPrice   = "max-price"
	FlagProduct    = "product"
	FlagRegions    = "region"
	FlagWindow     = "window"
	FlagWork       = "work"
	FlagNodes      = "nodes"
	FlagGPUModel   = "gpu-model"
	FlagGPUMemory  = "gpu-memory"
	FlagEFA        = "efa"
	FlagPrevGen    = "previous-gen"
	FlagBurstable  = "burstable"
	FlagMaxAZShare = "max-az-share"
	FlagRuns       = "runs"
	FlagSeed       = "seed"
)

// WithDefaults fills the fields whose zero value means "the default".
func (p Profile) WithDefaults() Profile {
	if p.Arch == "" {
		p.Arch = "any"
	}
	if p.Count == 0 {
		p.Count = DefaultCount
	}
	if p.Hours == 0 {
		p.Hours = DefaultHours
	}
	if p.Product == "" {
		p.Product = market.LinuxUNIX
	}
	if p.Window == 0 {
		p.Window = DefaultWindow
	}
	if p.Restart == 0 {
		p.Restart = DefaultRestart
	}
	if p.MaxAZShare == 0 {
		p.MaxAZShare = DefaultMaxAZShare
	}
	if p.Runs == 0 {
		p.Runs = DefaultRuns
	}
	if p.Seed == 0 {
		p.Seed = DefaultSeed
	}
	if p.Work > 0 && p.WorkUnit == WorkGPUHours && p.GPUs == 0 {
		p.GPUs = 1 // GPU-hours need a GPU to drain them
	}
	return p
}

// Validate reports the first invalid field as a one-line error naming its flag.
func (p Profile) Validate() error {
	switch {
	case p.VCPUs < 0:
		return fmt.Errorf("--%s must be >= 0", FlagVCPUs)
	case p.MemoryGiB < 0 || math.IsNaN(p.MemoryGiB) || math.IsInf(p.MemoryGiB, 0):
		return fmt.Errorf("--%s must be a number of GiB >= 0", FlagMemory)
	case p.Arch != "" && p.Arch != "any" && p.Arch != "x86_64" && p.Arch != "arm64":
		return fmt.Errorf("--%s: invalid architecture %q (use x86_64, arm64 or any)", FlagArch, p.Arch)
	case p.GPUs < 0:
		return fmt.Errorf("--%s must be >= 0", FlagGPUs)
	case p.Count < 0:
		return fmt.Errorf("--%s must be >= 1", FlagCount)
	case p.Hours < 0 || math.IsNaN(p.Hours) || p.Hours > MaxHours:
		return fmt.Errorf("--%s must be > 0 and <= %g", FlagHours, MaxHours)
	case p.Checkpoint < 0:
		return fmt.Errorf("--%s must not be negative", FlagCheckpoint)
	case p.Restart < 0:
		return fmt.Errorf("--%s must not be negative", FlagRestart)
	case p.MaxPrice < 0 || math.IsNaN(p.MaxPrice) || math.IsInf(p.MaxPrice, 0):
		return fmt.Errorf("--%s must be a USD price >= 0 (0 = no limit)", FlagMaxPrice)
	case p.Window < 0:
		return fmt.Errorf("--%s must not be negative", FlagWindow)
	case p.Window > 0 && p.Window < time.Hour:
		return fmt.Errorf("--%s must be at least 1h", FlagWindow)
	case p.Work < 0 || math.IsNaN(p.Work) || p.Work > MaxWork:
		return fmt.Errorf("--%s must be an amount > 0 with a unit (5000vcpu-h or 800gpu-h)", FlagWork)
	case p.Work > 0 && p.WorkUnit != WorkVCPUHours && p.WorkUnit != WorkGPUHours:
		return fmt.Errorf("--%s needs a unit: vcpu-h or gpu-h (e.g. 5000vcpu-h)", FlagWork)
	case p.Nodes < 0:
		return fmt.Errorf("--%s must be >= 1 (nodes a coupled job needs at once)", FlagNodes)
	case p.Nodes > 0 && p.Work > 0:
		return fmt.Errorf("--%s and --%s are different units of work: use one", FlagNodes, FlagWork)
	case p.Nodes > 0 && p.Count > 1:
		return fmt.Errorf("--%s is one coupled job on N instances; --%s (independent instances) must be 1 with it", FlagNodes, FlagCount)
	case p.GPUMemoryGiB < 0 || math.IsNaN(p.GPUMemoryGiB) || math.IsInf(p.GPUMemoryGiB, 0):
		return fmt.Errorf("--%s must be a number of GiB per GPU >= 0", FlagGPUMemory)
	case p.MaxAZShare < 0 || p.MaxAZShare > 1 || math.IsNaN(p.MaxAZShare):
		return fmt.Errorf("--%s must be a fraction > 0 and <= 1 (e.g. 0.5)", FlagMaxAZShare)
	case p.Runs < 0 || p.Runs > MaxRuns:
		return fmt.Errorf("--%s must be between 1 and %d", FlagRuns, MaxRuns)
	}
	for _, m := range p.GPUModels {
		if strings.TrimSpace(m) == "" {
			return fmt.Errorf("--%s: empty GPU model (use a name like T4, A10G or H100)", FlagGPUModel)
		}
	}
	for _, g := range append(append([]string{}, p.Families...), p.Exclude...) {
		if _, err := path.Match(g, ""); err != nil || strings.TrimSpace(g) == "" {
			flag := FlagFamilies
			if !contains(p.Families, g) {
				flag = FlagExclude
			}
			return fmt.Errorf("--%s: invalid pattern %q", flag, g)
		}
	}
	if p.Product != "" && !contains(market.KnownProducts, p.Product) {
		return fmt.Errorf("--%s: unknown product %q (use one of: %s)", FlagProduct, p.Product, strings.Join(market.KnownProducts, ", "))
	}
	for _, r := range p.Regions {
		if err := market.ValidateRegion(r); err != nil {
			return fmt.Errorf("--%s: %v", FlagRegions, err)
		}
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Merge returns base with every field whose flag changed(flag) reports as set
// taken from flags: a named profile supplies defaults, the command line wins.
func Merge(base, flags Profile, changed func(flag string) bool) Profile {
	out := base
	if changed(FlagVCPUs) {
		out.VCPUs = flags.VCPUs
	}
	if changed(FlagMemory) {
		out.MemoryGiB = flags.MemoryGiB
	}
	if changed(FlagArch) {
		out.Arch = flags.Arch
	}
	if changed(FlagGPUs) {
		out.GPUs = flags.GPUs
	}
	if changed(FlagFamilies) {
		out.Families = flags.Families
	}
	if changed(FlagExclude) {
		out.Exclude = flags.Exclude
	}
	if changed(FlagCount) {
		out.Count = flags.Count
	}
	if changed(FlagHours) {
		out.Hours = flags.Hours
	}
	if changed(FlagCheckpoint) {
		out.Checkpoint = flags.Checkpoint
	}
	if changed(FlagRestart) {
		out.Restart = flags.Restart
	}
	if changed(FlagMaxPrice) {
		out.MaxPrice = flags.MaxPrice
	}
	if changed(FlagProduct) {
		out.Product = flags.Product
	}
	if changed(FlagRegions) {
		out.Regions = flags.Regions
	}
	if changed(FlagWindow) {
		out.Window = flags.Window
	}
	if changed(FlagWork) {
		out.Work, out.WorkUnit = flags.Work, flags.WorkUnit
	}
	if changed(FlagNodes) {
		out.Nodes = flags.Nodes
	}
	if changed(FlagGPUModel) {
		out.GPUModels = flags.GPUModels
	}
	if changed(FlagGPUMemory) {
		out.GPUMemoryGiB = flags.GPUMemoryGiB
	}
	if changed(FlagEFA) {
		out.EFA = flags.EFA
	}
	if changed(FlagPrevGen) {
		out.PreviousGen = flags.PreviousGen
	}
	if changed(FlagBurstable) {
		out.Burstable = flags.Burstable
	}
	if changed(FlagMaxAZShare) {
		out.MaxAZShare = flags.MaxAZShare
	}
	if changed(FlagRuns) {
		out.Runs = flags.Runs
	}
	if changed(FlagSeed) {
		out.Seed = flags.Seed
	}
	return out
}

// ParseDuration accepts Go durations ("30m", "1h30m"), a leading day count
// ("30d", "1d12h", "1.5d") and "none" or "0" for zero. Negative durations are
// refused because no field of a profile can be negative.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	bad := fmt.Errorf("invalid duration %q (use 30m, 1h or none)", orig)
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "none" || s == "0" || s == "never" {
		return 0, nil
	}
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, bad
	}
	var total float64 // nanoseconds
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		days, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || i == 0 || days < 0 || math.IsInf(days, 0) || math.IsNaN(days) || strings.ContainsAny(s[:i], "eExXpP_") {
			return 0, bad
		}
		total = days * float64(24*time.Hour)
		s = s[i+1:]
		if s == "" {
			return checkedDuration(total, bad)
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return checkedDuration(total+float64(d), bad)
}

func checkedDuration(ns float64, bad error) (time.Duration, error) {
	if ns >= math.MaxInt64 || ns < 0 {
		return 0, bad
	}
	return time.Duration(ns), nil
}

// FormatDuration prints d the way ParseDuration reads it back: "none" for 0,
// whole days as "30d", and Go's form otherwise without a trailing "0s" or "0m".
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "none"
	}
	if d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ParseMemoryGiB reads a memory size in GiB: "16", "16GiB", "16G", "0.5",
// "512MiB" or "512M" (MiB suffixes are divided by 1024).
func ParseMemoryGiB(s string) (float64, error) {
	t := strings.TrimSpace(s)
	scale := 1.0
	low := strings.ToLower(t)
	for _, suf := range []struct {
		s string
		k float64
	}{{"gib", 1}, {"gb", 1}, {"gi", 1}, {"g", 1}, {"mib", 1.0 / 1024}, {"mb", 1.0 / 1024}, {"mi", 1.0 / 1024}, {"m", 1.0 / 1024}, {"tib", 1024}, {"ti", 1024}, {"t", 1024}} {
		if strings.HasSuffix(low, suf.s) {
			t = strings.TrimSpace(t[:len(t)-len(suf.s)])
			scale = suf.k
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(t, "xXpP_") {
		return 0, fmt.Errorf("invalid memory size %q (use GiB, e.g. 16 or 512MiB)", s)
	}
	return v * scale, nil
}

// MarshalJSON writes durations in the form the flags accept, so a JSON result
// says "checkpoint": "30m" rather than nanoseconds.
func (p Profile) MarshalJSON() ([]byte, error) {
	type plain Profile
	return json.Marshal(struct {
		plain
		Checkpoint string `json:"checkpoint"`
		Restart    string `json:"restart"`
		Window     string `json:"window"`
	}{plain(p), FormatDuration(p.Checkpoint), FormatDuration(p.Restart), FormatDuration(p.Window)})
}
