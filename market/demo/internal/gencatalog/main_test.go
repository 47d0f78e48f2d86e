package main

import (
	"bytes"
	"os"
	"testing"
)

func TestArch(t *testing.T) {
	tests := map[string]string{
		"a1": "arm64", "t4g": "arm64", "m6g": "arm64", "c6gn": "arm64", "r6gd": "arm64", "c7g": "arm64",
		"im4gn": "arm64", "is4gen": "arm64", "x2gd": "arm64", "g5g": "arm64",
		"m5": "x86_64", "g4dn": "x86_64", "g4ad": "x86_64", "m5ad": "x86_64", "t3a": "x86_64", "p3dn": "x86_64",
		"u-6tb1": "x86_64", "mac1": "x86_64_mac", "mac2": "arm64_mac", "mac2-m2pro": "arm64_mac",
	}
	for fam, want := range tests {
		if got := arch(fam); len(got) != 1 || got[0] != want {
			t.Errorf("arch(%q) = %v, want %s", fam, got, want)
		}
	}
}

func TestDeriveGPU(t *testing.T) {
	e, err := derive("p3.8xlarge", map[string]advisorType{"p3.8xlarge": {Cores: 32, RAMGB: 244}})
	if err != nil {
		t.Fatal(err)
	}
	if e.GPUs != 4 || e.GPUName != "V100" || e.GPUMemoryMiB != 4*16384 || e.MemoryMiB != 244*1024 {
		t.Errorf("p3.8xlarge = %+v", e)
	}
	if _, err := derive("zz9.large", nil); err == nil {
		t.Error("unknown type derived without a source")
	}
	if _, err := derive("g5.3xlarge", map[string]advisorType{"g5.3xlarge": {Cores: 12, RAMGB: 48}}); err == nil {
		t.Error("GPU family size missing from the table was accepted")
	}
}

// TestCheckedIn keeps the embedded catalog in step with its generator.
func TestCheckedIn(t *testing.T) {
	got, _, err := build("../../../advisor/data/spot-advisor-data_2025-06.json", "../../data/*.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../data/catalog-sa-east-1.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("data/catalog-sa-east-1.json is stale: run go generate ./market/demo")
	}
}
