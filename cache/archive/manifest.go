package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// ManifestKey is the manifest's key. It is written last by every export:
// the manifest is the archive, and files it does not name are not part of
// it.
const ManifestKey = "manifest.json"

// Format and Version identify a manifest. A newer Version is refused by an
// older spotscope rather than misread.
const (
	Format  = "spotscope-archive"
	Version = 1
)

// Manifest says what an export wrote: from which cache, when, and every
// file with its row count and checksum.
type Manifest struct {
	Format     string      `json:"format"`
	Version    int         `json:"version"`
	CreatedAt  time.Time   `json:"created_at"`
	CreatedBy  string      `json:"created_by"`   // spotscope version
	SourceHost string      `json:"source_host"`  // where the exporting cache lives
	Source     string      `json:"source_cache"` // the exporting cache file
	Rows       int64       `json:"rows"`
	Coverage   File        `json:"coverage"`
	Partitions []Partition `json:"partitions"` // by region, then month
}

// File is one object of the archive.
type File struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Partition is one region's month.
type Partition struct {
	Region string `json:"region"`
	Month  string `json:"month"` // YYYY-MM, UTC
	File
	Rows  int64     `json:"rows"`
	Pools int       `json:"pools"`
	First time.Time `json:"first"` // oldest record
	Last  time.Time `json:"last"`  // newest record
}

func (p Partition) key() partKey { return partKey{p.Region, p.Month} }

type partKey struct{ region, month string }

// coverageDoc is the coverage file: which (region, product, scope) time
// ranges were asked of AWS, and the zones with their IDs, so an imported
// cache computes the same statistics and shows the same AZ IDs.
type coverageDoc struct {
	Format   string          `json:"format"`
	Coverage []coverageEntry `json:"coverage"`
	Zones    []zoneEntry     `json:"zones"`
}

type coverageEntry struct {
	Region  string    `json:"region"`
	Product string    `json:"product"`
	Scope   string    `json:"scope"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

type zoneEntry struct {
	Region string `json:"region"`
	Name   string `json:"name"`
	ID     string `json:"id"`
	Type   string `json:"type"`
	State  string `json:"state"`
}

const coverageFormat = "spotscope-archive-coverage"

// Keys of files an export owns. Content-addressed names mean a changed
// partition is a new object: the previous manifest's files stay intact
// until the new manifest is in place.
var (
	partKeyPattern     = regexp.MustCompile(`^region=[a-z0-9-]+/month=\d{4}-\d{2}/part-[0-9a-f]{16}\.parquet$`)
	coverageKeyPattern = regexp.MustCompile(`^coverage-[0-9a-f]{16}\.json$`)
)

func ownedKey(k string) bool {
	return partKeyPattern.MatchString(k) || coverageKeyPattern.MatchString(k)
}

func partitionKey(region, month, sum string) string {
	return fmt.Sprintf("region=%s/month=%s/part-%s.parquet", region, month, sum[:16])
}

func coverageKey(sum string) string { return "coverage-" + sum[:16] + ".json" }

func checksum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func fileOf(key string, data []byte) File {
	return File{Path: key, Bytes: int64(len(data)), SHA256: checksum(data)}
}

var errTooNew = errors.New("written by a newer spotscope")

// parseManifest checks that data is a manifest this spotscope can read.
func parseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil || m.Format != Format {
		return nil, errNotArchive
	}
	if m.Version > Version {
		return nil, fmt.Errorf("%w (archive version %d, this one reads up to %d)", errTooNew, m.Version, Version)
	}
	for _, p := range m.Partitions {
		// The path must be the one the key and checksum give, so a
		// tampered manifest cannot point outside the archive.
		if len(p.SHA256) != 64 || p.Path != partitionKey(p.Region, p.Month, p.SHA256) || !partKeyPattern.MatchString(p.Path) {
			return nil, fmt.Errorf("names a partition file %q outside the archive layout", p.Path)
		}
	}
	if m.Coverage.Path != "" && !coverageKeyPattern.MatchString(m.Coverage.Path) {
		return nil, fmt.Errorf("names a coverage file %q outside the archive layout", m.Coverage.Path)
	}
	return &m, nil
}
