// Package demo is spotscope's embedded demo data set: real sa-east-1 spot
// price history (two captures, Dec 2019 .. Jun 2020, see data/SOURCE.md), the
// region's zones, and an instance-type catalog derived for the types in that
// history. The demo clock is End(), so "the last 7 days" means the last week
// of the capture rather than an empty window today.
package demo

//go:generate go run ./internal/gencatalog -out data/catalog-sa-east-1.json

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"sync"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
)

// Region is the only region the demo data covers.
const Region = "sa-east-1"

//go:embed data/*.csv.gz
var historyFS embed.FS

//go:embed data/catalog-sa-east-1.json
var catalogJSON []byte

// The bounds are constants rather than computed so that asking for the demo
// clock does not decompress 400,000 records; TestBounds keeps them honest.
var (
	start = time.Date(2019, 12, 31, 0, 45, 33, 0, time.UTC)
	end   = time.Date(2020, 6, 23, 0, 4, 24, 0, time.UTC)
)

// Start is the time of the first record across both captures.
func Start() time.Time { return start }

// End is the time of the last record across both captures; the demo clock.
func End() time.Time { return end }

// Files lists the embedded history files in time order.
func Files() []string {
	names, _ := fs.Glob(historyFS, "data/*.csv.gz")
	sort.Strings(names)
	return names
}

// Records streams every embedded record (both captures, every product) in
// file order, which is time order within each capture. Records are not
// de-duplicated: a record at a capture boundary may appear in both files.
func Records(fn func(market.Record) error) error {
	for _, name := range Files() {
		data, err := historyFS.ReadFile(name)
		if err != nil {
			return err
		}
		if err := dataset.Read(bytes.NewReader(data), dataset.Options{Region: Region}, fn); err != nil {
			return fmt.Errorf("demo %s: %w", name, err)
		}
	}
	return nil
}

var (
	allOnce sync.Once
	all     []market.Record
	allErr  error
)

// AllRecords returns every record of Records, parsed once per process.
// Callers share the slice and must not modify it. It panics if the embedded
// data does not parse, which a test rules out.
func AllRecords() []market.Record {
	allOnce.Do(func() {
		// The pool strings repeat hundreds of thousands of times; interning
		// them keeps the shared slice at roughly the size of its headers.
		intern := map[string]string{}
		in := func(s string) string {
			if v, ok := intern[s]; ok {
				return v
			}
			intern[s] = s
			return s
		}
		all = make([]market.Record, 0, 400_000)
		allErr = Records(func(r market.Record) error {
			r.Region = Region
			r.AvailabilityZone = in(r.AvailabilityZone)
			r.InstanceType = in(r.InstanceType)
			r.Product = in(r.Product)
			all = append(all, r)
			return nil
		})
	})
	if allErr != nil {
		panic(allErr)
	}
	return all
}

// Zones returns sa-east-1's Availability Zones. The name-to-ID mapping is
// account-specific in real AWS; this is the one the demo account uses.
func Zones() []market.Zone {
	return []market.Zone{
		{Region: Region, Name: "sa-east-1a", ID: "sae1-az1", Type: "availability-zone", State: "available"},
		{Region: Region, Name: "sa-east-1b", ID: "sae1-az2", Type: "availability-zone", State: "available"},
		{Region: Region, Name: "sa-east-1c", ID: "sae1-az3", Type: "availability-zone", State: "available"},
	}
}

// catalogEntry is the on-disk form of one catalog row
// (data/catalog-sa-east-1.json). internal/gencatalog writes the same shape;
// it cannot import this package, whose embed needs the file to exist.
type catalogEntry struct {
	Name              string   `json:"name"`
	VCPUs             int      `json:"vcpus"`
	MemoryMiB         int64    `json:"memory_mib"`
	Architectures     []string `json:"architectures"`
	GPUs              int      `json:"gpus,omitempty"`
	GPUManufacturer   string   `json:"gpu_manufacturer,omitempty"`
	GPUName           string   `json:"gpu_name,omitempty"`
	GPUMemoryMiB      int64    `json:"gpu_memory_mib,omitempty"` // total over all GPUs
	SpotSupported     bool     `json:"spot_supported"`
	CurrentGeneration bool     `json:"current_generation"`
	Burstable         bool     `json:"burstable,omitempty"`
	EFA               bool     `json:"efa,omitempty"`
	Source            string   `json:"source"` // where VCPUs/MemoryMiB came from
}

// catalogFile is the document data/catalog-sa-east-1.json holds.
type catalogFile struct {
	Comment string         `json:"_comment"`
	Region  string         `json:"region"`
	Types   []catalogEntry `json:"instance_types"`
}

func (e catalogEntry) instanceType() market.InstanceType {
	return market.InstanceType{
		Name:              e.Name,
		VCPUs:             e.VCPUs,
		MemoryMiB:         e.MemoryMiB,
		Architectures:     append([]string(nil), e.Architectures...),
		GPUs:              e.GPUs,
		GPUManufacturer:   e.GPUManufacturer,
		GPUName:           e.GPUName,
		GPUMemoryMiB:      e.GPUMemoryMiB,
		SpotSupported:     e.SpotSupported,
		CurrentGeneration: e.CurrentGeneration,
		Burstable:         e.Burstable,
		EFA:               e.EFA,
	}
}

var catalog = sync.OnceValues(func() ([]catalogEntry, error) {
	var f catalogFile
	if err := json.Unmarshal(catalogJSON, &f); err != nil {
		return nil, fmt.Errorf("demo catalog: %w", err)
	}
	return f.Types, nil
})

// Catalog returns the derived catalog for every instance type in the demo
// history, sorted by name. GPUMemoryMiB is the total over all GPUs, like
// DescribeInstanceTypes' TotalGpuMemoryInMiB. Each call returns a fresh copy.
func Catalog() []market.InstanceType {
	rows, err := catalog()
	if err != nil {
		panic(err) // the embedded file is checked by TestCatalog
	}
	out := make([]market.InstanceType, len(rows))
	for i, r := range rows {
		out[i] = r.instanceType()
	}
	return out
}

// Fingerprint identifies the embedded data set (history and catalog) by a
// hash of its files. It is what a cache filled from the demo records to know
// it is current: hashing 2 MB of compressed files takes milliseconds, where
// counting the records would decompress 400,000 of them (about 0.8 s), and a
// changed catalog (new fields) must prepare the cache again too.
func Fingerprint() string {
	h := sha256.New()
	for _, name := range Files() {
		data, err := historyFS.ReadFile(name)
		if err != nil {
			continue
		}
		fmt.Fprintf(h, "%s:%d;", name, len(data))
		h.Write(data)
	}
	h.Write(catalogJSON)
	return hex.EncodeToString(h.Sum(nil)[:12])
}
