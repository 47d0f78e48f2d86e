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

// Within a family AWS prices by size, not by vCPUs: a t3.nano, micro and
// small all have 2 vCPUs and cost 1:2:4. A metal size is priced like the
// named size with its vCPUs.
func TestMonotoneInSizeByNormalizedUnits(t *testing.T) {
	cat := []market.InstanceType{
		{Name: "t3.nano", VCPUs: 2}, {Name: "t3.micro", VCPUs: 2}, {Name: "t3.small", VCPUs: 2}, {Name: "t3.xlarge", VCPUs: 4},
		{Name: "m5.24xlarge", VCPUs: 96}, {Name: "m5.metal", VCPUs: 96}, {Name: "m7i.metal-24xl", VCPUs: 96}, {Name: "m7i.large", VCPUs: 2},
	}
	est := map[string]float64{"t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.xlarge": 0.1664,
		"m5.24xlarge": 4.608, "m5.metal": 9, "m7i.metal-24xl": 5, "m7i.large": 0.1}
	got := MonotoneInSize(est, cat)
	for _, c := range [][2]string{{"t3.nano", "t3.micro"}, {"t3.micro", "t3.small"}, {"t3.small", "t3.xlarge"}} {
		if got[c[0]] >= got[c[1]] {
			t.Errorf("%s %v not below %s %v", c[0], got[c[0]], c[1], got[c[1]])
		}
	}
	if r := got["t3.micro"] / got["t3.nano"]; math.Abs(r-2) > 1e-9 {
		t.Errorf("t3.micro / t3.nano = %v, want 2", r)
	}
	if math.Abs(got["m5.metal"]-got["m5.24xlarge"]) > 1e-9 {
		t.Errorf("m5.metal %v, m5.24xlarge %v: same vCPUs, same price", got["m5.metal"], got["m5.24xlarge"])
	}
	if r := got["m7i.metal-24xl"] / got["m7i.large"]; math.Abs(r-48) > 1e-9 {
		t.Errorf("m7i.metal-24xl / m7i.large = %v, want 48 (192 / 4 units)", r)
	}
}

func TestNormalizationFactor(t *testing.T) {
	for name, want := range map[string]float64{"t3.nano": 0.25, "m5.large": 4, "m5.xlarge": 8, "m5.2xlarge": 16, "c5.18xlarge": 144,
		"m7i.metal-24xl": 192, "u-6tb1.112xlarge": 896} {
		if got, ok := normalizationFactor(name); !ok || got != want {
			t.Errorf("%s: %v %v, want %v", name, got, ok, want)
		}
	}
	for _, name := range []string{"m5.metal", "m5", "m5.weird", "m5.0xlarge", "m5.-2xlarge"} {
		if got, ok := normalizationFactor(name); ok {
			t.Errorf("%s: %v, want no factor", name, got)
		}
	}
}
