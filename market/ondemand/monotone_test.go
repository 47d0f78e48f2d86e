package ondemand

import (
	"math"
	"testing"

	"github.com/spotscope/spotscope/market"
)

// TestMonotoneInSize: the demo's contradiction (g4dn.8xlarge estimated above
// g4dn.12xlarge) is averaged away, estimates that agree are kept, and other
// families and types outside the catalog are untouched.
func TestMonotoneInSize(t *testing.T) {
	cat := []market.InstanceType{
		{Name: "g4dn.xlarge", VCPUs: 4, GPUs: 1, MemoryMiB: 16384},
		{Name: "g4dn.2xlarge", VCPUs: 8, GPUs: 1, MemoryMiB: 32768},
		{Name: "g4dn.8xlarge", VCPUs: 32, GPUs: 1, MemoryMiB: 131072},
		{Name: "g4dn.12xlarge", VCPUs: 48, GPUs: 4, MemoryMiB: 196608},
		{Name: "m5.large", VCPUs: 2, MemoryMiB: 8192},
		{Name: "m5.xlarge", VCPUs: 4, MemoryMiB: 16384},
	}
	est := map[string]float64{
		"g4dn.xlarge": 0.70, "g4dn.2xlarge": 1.00, "g4dn.8xlarge": 10.09, "g4dn.12xlarge": 5.87,
		"m5.large": 0.12, "m5.xlarge": 0.24, "x9.large": 1,
	}
	got := MonotoneInSize(est, cat)
	want := map[string]float64{
		"g4dn.xlarge": 0.70, "g4dn.2xlarge": 1.00, "g4dn.8xlarge": (10.09 + 5.87) / 2, "g4dn.12xlarge": (10.09 + 5.87) / 2,
		"m5.large": 0.12, "m5.xlarge": 0.24, "x9.large": 1,
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-12 {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	// The fit is monotone for any input: check on a shuffled family.
	est2 := map[string]float64{"g4dn.xlarge": 3, "g4dn.2xlarge": 1, "g4dn.8xlarge": 2, "g4dn.12xlarge": 0.5}
	got2 := MonotoneInSize(est2, cat)
	order := []string{"g4dn.xlarge", "g4dn.2xlarge", "g4dn.8xlarge", "g4dn.12xlarge"}
	var sum float64
	for i, n := range order {
		sum += got2[n]
		if i > 0 && got2[n] < got2[order[i-1]]-1e-12 {
			t.Errorf("not monotone: %v", got2)
		}
	}
	if math.Abs(sum-6.5) > 1e-12 { // averaging keeps the family's total
		t.Errorf("total %v, want 6.5", sum)
	}
}
