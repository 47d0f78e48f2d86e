package demo

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
)

func TestRecords(t *testing.T) {
	var first, last time.Time
	types := map[string]bool{}
	zeros := map[string]bool{}
	n := 0
	err := Records(func(r market.Record) error {
		n++
		types[r.InstanceType] = true
		if first.IsZero() || r.Time.Before(first) {
			first = r.Time
		}
		if r.Time.After(last) {
			last = r.Time
		}
		if r.Price == 0 {
			zeros[r.Time.Format("2006-01-02")+" "+r.Pool.String()] = true
		}
		if r.Region != Region {
			t.Fatalf("record region %q", r.Region)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := 209_965 + 189_339; n != want {
		t.Errorf("records = %d, want %d", n, want)
	}
	if !first.Equal(Start()) || !last.Equal(End()) {
		t.Errorf("data spans %v..%v, Start/End say %v..%v", first, last, Start(), End())
	}
	for _, z := range []string{
		"2020-02-05 sa-east-1c r5ad.24xlarge SUSE Linux",
		"2020-02-05 sa-east-1a r5ad.16xlarge Red Hat Enterprise Linux",
	} {
		if !zeros[z] {
			t.Errorf("missing 0.000000 record %s", z)
		}
	}
	if len(zeros) != 2 {
		t.Errorf("zero-price records = %v, want exactly two", zeros)
	}
	if len(types) != 176 {
		t.Errorf("instance types = %d, want 176", len(types))
	}

	all := AllRecords()
	if len(all) != n {
		t.Errorf("AllRecords = %d, Records = %d", len(all), n)
	}
	if &AllRecords()[0] != &all[0] {
		t.Error("AllRecords parsed twice")
	}
}

func TestFileCounts(t *testing.T) {
	// Counts per capture from /work/shared/data/README.md, before any
	// de-duplication across files.
	want := []int{209_965, 189_339}
	files := Files()
	if len(files) != len(want) {
		t.Fatalf("files = %v", files)
	}
	for i, name := range files {
		data, err := historyFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := dataset.Read(bytes.NewReader(data), dataset.Options{Region: Region}, func(market.Record) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != want[i] {
			t.Errorf("%s: %d records, want %d", name, n, want[i])
		}
	}
}

func TestZones(t *testing.T) {
	zs := Zones()
	if len(zs) != 3 {
		t.Fatalf("zones = %v", zs)
	}
	for i, z := range zs {
		wantName := "sa-east-1" + string(rune('a'+i))
		wantID := "sae1-az" + string(rune('1'+i))
		if z.Name != wantName || z.ID != wantID || z.Region != Region || z.Type != "availability-zone" || z.State != "available" {
			t.Errorf("zone %d = %+v", i, z)
		}
	}
}

func TestCatalog(t *testing.T) {
	cat := Catalog()
	byName := map[string]market.InstanceType{}
	for _, it := range cat {
		if it.VCPUs <= 0 || it.MemoryMiB <= 0 || len(it.Architectures) == 0 || !it.SpotSupported {
			t.Errorf("incomplete entry %+v", it)
		}
		byName[it.Name] = it
	}
	seen := map[string]bool{}
	for _, r := range AllRecords() {
		if !seen[r.InstanceType] {
			seen[r.InstanceType] = true
			if _, ok := byName[r.InstanceType]; !ok {
				t.Errorf("catalog lacks %s", r.InstanceType)
			}
		}
	}
	if len(byName) != len(seen) {
		t.Errorf("catalog has %d types, data %d", len(byName), len(seen))
	}
	tests := []struct {
		name       string
		vcpus      int
		mib        int64
		arch       string
		gpus       int
		gpuMiB     int64
		currentGen bool
	}{
		{"c5.large", 2, 4096, "x86_64", 0, 0, true},
		{"m5.24xlarge", 96, 393216, "x86_64", 0, 0, true},
		{"g4dn.xlarge", 4, 16384, "x86_64", 1, 16384, true},
		{"g4dn.12xlarge", 48, 196608, "x86_64", 4, 65536, true},
		{"m1.small", 1, 1740, "x86_64", 0, 0, false},
		{"r3.large", 2, 15616, "x86_64", 0, 0, false},
	}
	for _, tt := range tests {
		got, ok := byName[tt.name]
		if !ok {
			t.Errorf("%s missing", tt.name)
			continue
		}
		if got.VCPUs != tt.vcpus || got.MemoryMiB != tt.mib || !got.HasArch(tt.arch) || got.GPUs != tt.gpus ||
			got.GPUMemoryMiB != tt.gpuMiB || got.CurrentGeneration != tt.currentGen {
			t.Errorf("%s = %+v", tt.name, got)
		}
	}
	// Callers own their copy.
	cat[0].Architectures[0] = "mutated"
	if Catalog()[0].Architectures[0] == "mutated" {
		t.Error("Catalog shares slices between calls")
	}
}

func TestFingerprint(t *testing.T) {
	fp := Fingerprint()
	if len(fp) != 24 || strings.Trim(fp, "0123456789abcdef") != "" {
		t.Fatalf("fingerprint %q is not 12 hex bytes", fp)
	}
	if Fingerprint() != fp {
		t.Fatal("fingerprint not stable")
	}
	// A changed catalog (new fields) must change it, or demo caches keep
	// the old catalog.
	saved := catalogJSON
	defer func() { catalogJSON = saved }()
	catalogJSON = append([]byte(nil), saved...)
	catalogJSON[len(catalogJSON)/2] ^= 1
	if Fingerprint() == fp {
		t.Fatal("fingerprint ignores the catalog")
	}
}
