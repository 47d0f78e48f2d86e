package recommendview

import (
	"context"
	"time"

	"github.com/spotscope/spotscope/market/recommend"
)

// fakeRec answers from fixed data; block, when set, holds Recommend until it
// is closed (or ctx ends) so tests can observe the in-flight state.
type fakeRec struct {
	res      recommend.Result
	err      error
	profiles map[string]recommend.Profile
	block    chan struct{}
	got      chan recommend.Profile
}

func (f *fakeRec) Recommend(ctx context.Context, p recommend.Profile) (recommend.Result, error) {
	if f.got != nil {
		f.got <- p
	}
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return recommend.Result{}, ctx.Err()
		}
	}
	return f.res, f.err
}

func (f *fakeRec) Profiles() (map[string]recommend.Profile, error) { return f.profiles, nil }

var fixedNow = time.Date(2026, 11, 27, 12, 30, 0, 0, time.UTC)

func ip(n int) *int         { return &n }
func fp(v float64) *float64 { return &v }

func choice(typ, az, azid string, n int, share, last float64, bucket string, place *int, od *float64, est bool, score float64) recommend.Choice {
	return recommend.Choice{
		Region: "sa-east-1", AvailabilityZone: az, AvailabilityZoneID: azid, InstanceType: typ,
		VCPUs: 4, MemoryGiB: 16, Product: "Linux/UNIX",
		Last: last, TWAP: last * 1.03, CV: 0.042, P95: last * 1.1, Price: last, PriceBasis: "last",
		Interruption:   recommend.Interruption{Known: bucket != "", Bucket: bucket},
		PlacementScore: place, OnDemand: od, OnDemandEstimated: est,
		ExpectedHours: 8.3, ExpectedCostPerVCPUHour: last / 4 * 1.04, ExpectedJobCost: last * 8.3,
		PessimisticJobCost: last * 8.4,
		Instances:          n, Share: share, Score: score,
		Reasons: []recommend.Reason{
			{Factor: "price", Value: "last $" + price(last) + " (twap " + price(last*1.03) + ")", Effect: "base", Weight: 0.8},
			{Factor: "interruption", Value: "bucket " + bucket + " → 7.5%/month, λ=0.00010/h", Effect: "+4.1% cost", Weight: 0.1},
			{Factor: "stability", Value: "cv 0.042", Effect: "+0.8%", Weight: 0.05},
			{Factor: "placement", Value: "unknown", Effect: "+0.0%", Weight: 0.05},
		},
	}
}

func sampleResult() recommend.Result {
	return recommend.Result{
		Region: "sa-east-1",
		Pools: []recommend.Choice{
			choice("m5.xlarge", "sa-east-1a", "sae1-az1", 4, 0.4, 0.0712, "<5%", ip(9), fp(0.3060), false, 0.01851),
			choice("m5a.xlarge", "sa-east-1c", "sae1-az3", 3, 0.3, 0.0698, "5-10%", nil, fp(0.2750), true, 0.01874),
			choice("m6i.xlarge", "sa-east-1b", "sae1-az2", 3, 0.3, 0.0731, "", ip(7), nil, false, 0.01902),
		},
		Alternatives: []recommend.Choice{
			choice("m5.xlarge", "sa-east-1b", "sae1-az2", 0, 0, 0.0745, "<5%", nil, fp(0.3060), false, 0.01935),
			choice("c5.2xlarge", "sa-east-1a", "sae1-az1", 0, 0, 0.1391, "10-15%", nil, fp(0.4200), false, 0.01990),
		},
		ExpectedTotalCost:   5.93,
		Candidates:          37,
		Mode:                recommend.ModeJob,
		Architecture:        "x86_64",
		SensitivityMultiple: 3,
		Plan: recommend.Plan{Mode: recommend.ModeJob, Instances: 10, WorkHours: 8, OnDemandCost: fp(23.12), OnDemandEstimated: true, OnDemandHours: 8,
			ExpectedCost: 5.93, ExpectedHours: 8.004, PessimisticCost: 5.95, Savings: fp(1 - 5.93/23.12),
			CostP50: 5.92, CostP95: 6.01, HoursP50: 8, HoursP95: 8.3, Runs: 2000, Seed: 1},
		Notes: []string{
			"placement scores not used: not authorized to call GetSpotPlacementScores",
			"On-Demand prices estimated from the advisor for m5a.xlarge",
		},
	}
}
