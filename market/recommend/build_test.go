package recommend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
)

func memorySources() *Memory {
	st := func(az, id, typ string, last float64) PoolStats {
		return PoolStats{Pool: market.Pool{Region: "sa-east-1", AvailabilityZone: az, InstanceType: typ, Product: market.LinuxUNIX}, AZID: id,
			Stats: market.Stats{Last: last, TWAP: last, P95: last, CoveredHours: 720}}
	}
	return &Memory{
		Catalog: map[string][]market.InstanceType{"sa-east-1": {
			spec("m5.xlarge", 4, 16, "x86_64"), spec("c5.2xlarge", 8, 16, "x86_64"), spec("t3.medium", 2, 4, "x86_64"), spec("m6g.xlarge", 4, 16, "arm64"),
		}},
		Stats: map[string][]PoolStats{"sa-east-1": {
			st("sa-east-1a", "sae1-az1", "m5.xlarge", 0.08), st("sa-east-1b", "sae1-az2", "m5.xlarge", 0.085),
			st("sa-east-1a", "sae1-az1", "c5.2xlarge", 0.17), st("sa-east-1a", "sae1-az1", "t3.medium", 0.02),
			{Pool: market.Pool{Region: "sa-east-1", AvailabilityZone: "sa-east-1a", InstanceType: "m5.xlarge", Product: market.Windows}, AZID: "sae1-az1"},
		}},
		Adv: map[string]advisor.Entry{Key("sa-east-1", market.LinuxUNIX, "m5.xlarge"): buckets[0]},
		OD:  map[string]OnDemand{Key("sa-east-1", market.LinuxUNIX, "m5.xlarge"): {Price: 0.192, Known: true}},
	}
}

func TestBuild(t *testing.T) {
	src := memorySources()
	now := time.Date(2020, 6, 23, 0, 0, 0, 0, time.UTC)
	cs, err := Build(context.Background(), src, batch, now)
	if err != nil {
		t.Fatal(err)
	}
	// t3.medium is too small, m6g has no price data, the Windows pool is another product.
	if len(cs) != 3 {
		t.Fatalf("%d candidates: %+v", len(cs), cs)
	}
	for _, c := range cs {
		if !c.HasStats || c.Product != market.LinuxUNIX || c.Spec.Name != c.InstanceType || c.Placement != 0 {
			t.Errorf("candidate %+v", c)
		}
		known := c.InstanceType == "m5.xlarge"
		if c.Advisor.Known != known || c.OnDemand.Known != known {
			t.Errorf("%s: advisor %v od %v", c.InstanceType, c.Advisor.Known, c.OnDemand.Known)
		}
	}
	src.Placement = map[string]map[string]int{"sa-east-1": {"sae1-az1": 7}}
	cs, _ = Build(context.Background(), src, batch, now)
	for _, c := range cs {
		if want := map[string]int{"sae1-az1": 7}[c.AvailabilityZoneID]; c.Placement != want {
			t.Errorf("%s placement %d want %d", c.AvailabilityZone, c.Placement, want)
		}
	}
	if _, err := Recommend(cs, batch, Options{}); err != nil {
		t.Error(err)
	}
}

func TestBuildErrors(t *testing.T) {
	now := time.Now()
	ctx := context.Background()
	var nm *NoMatchError
	p := batch
	p.VCPUs = 512
	if _, err := Build(ctx, memorySources(), p, now); !errors.As(err, &nm) || nm.Error() != "no instance type in sa-east-1 has >= 512 vCPUs; the largest has 8" {
		t.Errorf("vcpus: %v", err)
	}
	p = batch
	p.Arch = "arm64"
	if _, err := Build(ctx, memorySources(), p, now); !errors.As(err, &nm) || nm.Constraint != "price-data" || !strings.Contains(nm.Error(), "for the 1 matching instance types in sa-east-1") {
		t.Errorf("price data: %v", err)
	}
	p = batch
	p.Regions = []string{"us-east-1"}
	if _, err := Build(ctx, memorySources(), p, now); !errors.As(err, &nm) || nm.Constraint != "catalog" {
		t.Errorf("empty catalog: %v", err)
	}
	p.Regions = nil
	if _, err := Build(ctx, memorySources(), p, now); err == nil || err.Error() != "--region: at least one region is needed" {
		t.Errorf("no region: %v", err)
	}
	if _, err := Build(ctx, failing{memorySources()}, batch, now); err == nil || !strings.Contains(err.Error(), "price statistics of sa-east-1: boom") {
		t.Errorf("source error: %v", err)
	}
}

type failing struct{ *Memory }

func (failing) PoolStats(context.Context, string, string, time.Duration, time.Time) ([]PoolStats, error) {
	return nil, errors.New("boom")
}

// TestPlacementShortlist: the placement score is asked for the best types
// only (at most PlacementTypes) — a score for every matching type would rate
// each AZ near 10 and say nothing — and the choice is then made among those
// scored pools.
func TestPlacementShortlist(t *testing.T) {
	src := &Memory{Catalog: map[string][]market.InstanceType{}, Stats: map[string][]PoolStats{}}
	for i := 0; i < 25; i++ {
		typ := fmt.Sprintf("m%d.xlarge", i+3)
		src.Catalog["sa-east-1"] = append(src.Catalog["sa-east-1"], spec(typ, 4, 16, "x86_64"))
		price := 0.05 + float64(i)*0.01
		src.Stats["sa-east-1"] = append(src.Stats["sa-east-1"], PoolStats{
			Pool: market.Pool{Region: "sa-east-1", AvailabilityZone: "sa-east-1a", InstanceType: typ, Product: market.LinuxUNIX},
			AZID: "sae1-az1", Stats: market.Stats{Last: price, TWAP: price, P95: price, CoveredHours: 720}})
	}
	src.Placement = map[string]map[string]int{"sa-east-1": {"sae1-az1": 6}}
	cs, err := Build(context.Background(), src, batch, time.Date(2020, 6, 23, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Asked) != 1 || len(src.Asked[0]) != PlacementTypes {
		t.Fatalf("placement asked for %v, want the %d best types once", src.Asked, PlacementTypes)
	}
	best := map[string]bool{}
	for _, typ := range src.Asked[0] {
		best[typ] = true
	}
	for i := 0; i < PlacementTypes; i++ {
		if !best[fmt.Sprintf("m%d.xlarge", i+3)] {
			t.Fatalf("shortlist %v lacks the cheap m%d.xlarge", src.Asked[0], i+3)
		}
	}
	if len(cs) != PlacementTypes {
		t.Fatalf("%d candidates, want the %d shortlisted pools", len(cs), PlacementTypes)
	}
	for _, c := range cs {
		if !best[c.InstanceType] || c.Placement != 6 {
			t.Errorf("%s: placement %d; only shortlisted pools, each scored, should remain", c.InstanceType, c.Placement)
		}
	}
}
