// Package advisor reads the AWS Spot Instance Advisor data: per region, OS and
// instance type, the trailing-month interruption-frequency bucket and the
// savings over On-Demand. The data is regional, not per AZ.
//
// The advisor publishes rows for two operating systems only, "Linux" and
// "Windows". It has no RHEL or SUSE rows: those products run on the same
// capacity pools as Linux/UNIX, so Lookup answers them with the Linux row
// (the interruption bucket applies; the savings figure is Linux's).
package advisor

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spotscope/spotscope/market"
)

// Entry is what the advisor says about one (region, OS, instance type).
type Entry struct {
	Known   bool   // false when the advisor has no row: shown as unknown, never guessed
	Bucket  int    // index into the advisor's ranges, 0 (<5%) .. 4 (>20%)
	Label   string // "<5%", "5-10%", ...
	MinPct  int    // lower bound of the bucket, percent per month
	MaxPct  int    // upper bound of the bucket, percent per month
	Savings int    // percent saved over On-Demand; may be negative
}

// Provenance says where the data in use came from, so every view can state it.
type Provenance struct {
	Mode   string    // "live", "cached" or "embedded"
	AsOf   time.Time // when it was fetched (live/cached) or snapshotted (embedded)
	Source string    // URL or "embedded snapshot 2025-06"
	// Age is how old the data was when it was loaded (now - AsOf).
	Age time.Duration
	// Stale is true when a cached copy older than MaxAge is used because
	// the live fetch failed.
	Stale bool
	// Note says why a fallback was taken ("live fetch failed: ..."); empty
	// when the preferred source answered.
	Note string
}

// Modes of Provenance.
const (
	ModeLive     = "live"
	ModeCached   = "cached"
	ModeEmbedded = "embedded"
)

// OS keys of the advisor file.
const (
	Linux   = "Linux"
	Windows = "Windows"
)

// Range is one interruption-frequency bucket.
type Range struct {
	Index  int
	Label  string
	MinPct int
	MaxPct int
}

// Spec is the advisor's own (small) catalog entry for an instance type.
type Spec struct {
	Cores int     // vCPUs
	RAMGB float64 // GiB
	EMR   bool
}

type row struct {
	savings int
	bucket  int
}

// Data is a parsed advisor file. It is read-only after Parse and safe for
// concurrent use.
type Data struct {
	globalRate string
	ranges     []Range
	specs      map[string]Spec
	rows       map[string]map[string]map[string]row // region -> OS -> type
}

// defaultRanges is used when a file carries no ranges: these are the bounds
// every published snapshot (2021, 2025) has used.
var defaultRanges = []Range{
	{0, "<5%", 0, 5},
	{1, "5-10%", 6, 11},
	{2, "10-15%", 12, 16},
	{3, "15-20%", 17, 22},
	{4, ">20%", 23, 100},
}

type fileRange struct {
	Index *int    `json:"index"`
	Label string  `json:"label"`
	Max   float64 `json:"max"`
}

type fileSpec struct {
	Cores float64 `json:"cores"`
	RAMGB float64 `json:"ram_gb"`
	EMR   bool    `json:"emr"`
}

// Parse reads an advisor file. It rejects a file whose structure does not
// match, so a changed or truncated download falls back to an older copy
// instead of silently yielding "unknown" everywhere.
func Parse(b []byte) (*Data, error) {
	f, err := decodeFile(b)
	if err != nil {
		return nil, fmt.Errorf("advisor: %w", err)
	}
	if len(f.rows) == 0 {
		return nil, errors.New("advisor: no spot_advisor rows")
	}
	ranges, err := parseRanges(f.ranges)
	if err != nil {
		return nil, err
	}
	d := &Data{
		globalRate: f.globalRate,
		ranges:     ranges,
		specs:      make(map[string]Spec, len(f.specs)),
		rows:       make(map[string]map[string]map[string]row, len(f.rows)),
	}
	for name, s := range f.specs {
		if s.Cores < 0 || s.RAMGB < 0 || s.Cores > 1e6 || s.RAMGB > 1e9 {
			return nil, fmt.Errorf("advisor: instance type %q: bad spec", name)
		}
		d.specs[name] = Spec{Cores: int(math.Round(s.Cores)), RAMGB: s.RAMGB, EMR: s.EMR}
	}
	for region, byOS := range f.rows {
		m := make(map[string]map[string]row, len(byOS))
		for os, byType := range byOS {
			t := make(map[string]row, len(byType))
			for name, r := range byType {
				if !r.hasS || !r.hasR {
					return nil, fmt.Errorf("advisor: %s %s %s: missing s or r", region, os, name)
				}
				b := r.r
				if b != math.Trunc(b) || b < 0 || int(b) >= len(ranges) {
					return nil, fmt.Errorf("advisor: %s %s %s: bucket %v out of range", region, os, name, b)
				}
				// Savings above 100% would mean a negative spot price; far
				// below zero is possible (spot above On-Demand), -62 is seen.
				s := math.Round(r.s)
				if s > 100 || s < -1000 {
					return nil, fmt.Errorf("advisor: %s %s %s: savings %v out of range", region, os, name, r.s)
				}
				t[name] = row{savings: int(s), bucket: int(b)}
			}
			m[os] = t
		}
		d.rows[region] = m
	}
	return d, nil
}

// parseRanges orders the buckets by index and derives each lower bound from
// the previous upper bound plus one, which reproduces the bounds spotinfo
// documents (0, 6, 12, 17, 23 for maxima 5, 11, 16, 22, 100).
func parseRanges(in []fileRange) ([]Range, error) {
	if len(in) == 0 {
		return append([]Range(nil), defaultRanges...), nil
	}
	out := make([]Range, len(in))
	seen := make([]bool, len(in))
	for i, r := range in {
		idx := i
		if r.Index != nil {
			idx = *r.Index
		}
		if idx < 0 || idx >= len(in) || seen[idx] {
			return nil, fmt.Errorf("advisor: range index %d invalid", idx)
		}
		if r.Max != math.Trunc(r.Max) || r.Max < 0 || r.Max > 100 {
			return nil, fmt.Errorf("advisor: range %d: max %v invalid", idx, r.Max)
		}
		seen[idx] = true
		out[idx] = Range{Index: idx, Label: r.Label, MaxPct: int(r.Max)}
	}
	for i := range out {
		if i > 0 {
			if out[i].MaxPct <= out[i-1].MaxPct {
				return nil, fmt.Errorf("advisor: range maxima not increasing at %d", i)
			}
			out[i].MinPct = out[i-1].MaxPct + 1
		}
		if out[i].Label == "" {
			out[i].Label = fmt.Sprintf("%d-%d%%", out[i].MinPct, out[i].MaxPct)
		}
	}
	return out, nil
}

// OSOf maps a spot product description (market.LinuxUNIX, RHEL, SUSE,
// Windows, with or without " (Amazon VPC)") or an advisor OS key to the
// advisor's OS key. It returns "" for anything else.
func OSOf(product string) string {
	p := strings.TrimSuffix(product, " (Amazon VPC)")
	switch strings.ToLower(p) {
	case "linux", strings.ToLower(market.LinuxUNIX), strings.ToLower(market.RHEL), strings.ToLower(market.SUSE):
		return Linux
	case "windows":
		return Windows
	}
	return ""
}

// Lookup returns the advisor's row for (region, os, instanceType). os is
// "Linux" or "Windows" or a product description (see OSOf). A missing row,
// a nil Data or an unknown OS gives Entry{Known: false}.
func (d *Data) Lookup(region, os, instanceType string) Entry {
	if d == nil {
		return Entry{}
	}
	r, ok := d.rows[region][OSOf(os)][instanceType]
	if !ok {
		return Entry{}
	}
	rg := d.ranges[r.bucket]
	return Entry{Known: true, Bucket: r.bucket, Label: rg.Label, MinPct: rg.MinPct, MaxPct: rg.MaxPct, Savings: r.savings}
}

// Savings is the advisor's savings over On-Demand in percent for
// (region, os, instanceType); ok is false when the advisor has no row.
func (d *Data) Savings(region, os, instanceType string) (pct int, ok bool) {
	e := d.Lookup(region, os, instanceType)
	return e.Savings, e.Known
}

// Ranges returns the interruption buckets, ordered by index.
func (d *Data) Ranges() []Range {
	if d == nil {
		return append([]Range(nil), defaultRanges...)
	}
	return append([]Range(nil), d.ranges...)
}

// GlobalRate is the file's overall interruption figure ("<10%").
func (d *Data) GlobalRate() string {
	if d == nil {
		return ""
	}
	return d.globalRate
}

// InstanceSpec returns vCPUs and memory as the advisor knows them. The EC2
// catalog is authoritative; this serves when it is not at hand.
func (d *Data) InstanceSpec(instanceType string) (Spec, bool) {
	if d == nil {
		return Spec{}, false
	}
	s, ok := d.specs[instanceType]
	return s, ok
}

// Regions lists the regions with advisor rows, sorted.
func (d *Data) Regions() []string {
	if d == nil {
		return nil
	}
	out := make([]string, 0, len(d.rows))
	for r := range d.rows {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// InstanceTypes lists the instance types with a row for (region, os), sorted.
func (d *Data) InstanceTypes(region, os string) []string {
	if d == nil {
		return nil
	}
	m := d.rows[region][OSOf(os)]
	out := make([]string, 0, len(m))
	for t := range m {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

//go:embed data/spot-advisor-data_2025-06.json
var embeddedJSON []byte

// EmbeddedAsOf is when the embedded snapshot was taken (about; see NOTICE).
var EmbeddedAsOf = time.Date(2025, 6, 28, 0, 0, 0, 0, time.UTC)

// EmbeddedSource names the embedded snapshot in a Provenance.
const EmbeddedSource = "embedded snapshot 2025-06"

var embedded = sync.OnceValue(func() *Data {
	d, err := Parse(embeddedJSON)
	if err != nil {
		// The file is fixed at build time and covered by tests.
		panic("advisor: embedded snapshot: " + err.Error())
	}
	return d
})

// Embedded returns the snapshot compiled into the binary, parsed once.
func Embedded() *Data { return embedded() }

// EmbeddedProvenance describes Embedded() as of now.
func EmbeddedProvenance(now time.Time) Provenance {
	return Provenance{Mode: ModeEmbedded, AsOf: EmbeddedAsOf, Source: EmbeddedSource, Age: now.Sub(EmbeddedAsOf)}
}
