package ondemand

import (
	"math"
	"testing"

	"github.com/spotscope/spotscope/market"
)

// TestMonotoneInSize: the demo's contradictions (g4dn.8xlarge estimated above
// g4dn.12xlarge, a metal size far above its twin) give way to one rate per
// vCPU per family, the median, so estimates grow with size; types outside
// the catalog keep theirs.
func TestMonotoneInSize(t *testing.T) {
	cat := []market.InstanceType{
		{Name: "g4dn.xlarge", VCPUs: 4}, {Name: "g4dn.2xlarge", VCPUs: 8}, {Name: "g4dn.8xlarge", VCPUs: 32},
		{Name: "g4dn.12xlarge", VCPUs: 48}, {Name: "g4dn.metal", VCPUs: 96},
		{Name: "m5.large", VCPUs: 2}, {Name: "m5.xlarge", VCPUs: 4},
	}
	est := map[string]float64{
		// per vCPU: 0.175, 0.125, 0.315, 0.122, 1.0 -> median 0.175
		"g4dn.xlarge": 0.70, "g4dn.2xlarge": 1.00, "g4dn.8xlarge": 10.09, "g4dn.12xlarge": 5.87, "g4dn.metal": 96,
		// per vCPU 0.06 and 0.065 -> median 0.0625
		"m5.large": 0.12, "m5.xlarge": 0.26, "x9.large": 1,
	}
	got := MonotoneInSize(est, cat)
	want := map[string]float64{
		"g4dn.xlarge": 0.175 * 4, "g4dn.2xlarge": 0.175 * 8, "g4dn.8xlarge": 0.175 * 32, "g4dn.12xlarge": 0.175 * 48, "g4dn.metal": 0.175 * 96,
		"m5.large": 0.0625 * 2, "m5.xlarge": 0.0625 * 4, "x9.large": 1,
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-12 {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	if est["g4dn.8xlarge"] != 10.09 {
		t.Error("the input was modified")
	}
}
