// Package recommend answers "where should I run this workload, and what will it
// really cost?": it filters capacity pools by a workload Profile, prices the
// work (not the instance hour) under the advisor's interruption rate, ranks the
// pools with stated penalties, picks a diversified set and exports it as a
// launch configuration. docs/recommendations.md explains the model.
//
// The model (Recommend) is pure; gathering (Build) goes through the Sources
// interface so the CLI, the TUI and tests can each supply the data.
package recommend

import (
	"context"
	"fmt"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
)

// Profile describes one workload: what an instance must have, how many run at
// once and how the job behaves when interrupted.
type Profile struct {
	Name       string        `json:"name,omitempty"`
	VCPUs      int           `json:"vcpus"`              // minimum per instance
	MemoryGiB  float64       `json:"memory_gib"`         // minimum per instance
	Arch       string        `json:"arch"`               // x86_64, arm64 or any ("" = any)
	GPUs       int           `json:"gpus"`               // minimum per instance
	Families   []string      `json:"families,omitempty"` // globs on type name or family; empty = all
	Exclude    []string      `json:"exclude,omitempty"`  // globs on type name or family
	Count      int           `json:"count"`              // instances needed at once (0 = 1)
	Hours      float64       `json:"hours"`              // job length on one instance, without interruptions
	Checkpoint time.Duration `json:"-"`                  // 0 = never checkpoints
	Restart    time.Duration `json:"-"`                  // wall time to resume after an interruption
	MaxPrice   float64       `json:"max_price"`          // USD per instance-hour on the last price; 0 = none
	Product    string        `json:"product"`            // "" = Linux/UNIX
	Regions    []string      `json:"regions"`
	Window     time.Duration `json:"-"` // statistics window; 0 = 30 days

	// Units of work (docs/recommendations.md §3): a job by default, a queue
	// of Work vCPU- or GPU-hours (throughput), or a job coupled over Nodes.
	Work     float64 `json:"work,omitempty"`      // throughput: amount of work; 0 = job mode
	WorkUnit string  `json:"work_unit,omitempty"` // WorkVCPUHours or WorkGPUHours, with Work
	Nodes    int     `json:"nodes,omitempty"`     // coupled: instances needed at once by one job; 0 = independent

	GPUModels    []string `json:"gpu_models,omitempty"`   // GPU names, case-insensitive (T4, A10G, H100); empty = any
	GPUMemoryGiB float64  `json:"gpu_memory_gib"`         // minimum memory per GPU
	EFA          bool     `json:"efa,omitempty"`          // the type must support Elastic Fabric Adapter
	PreviousGen  bool     `json:"previous_gen,omitempty"` // allow previous-generation types
	Burstable    bool     `json:"burstable,omitempty"`    // allow burstable (t-family) types

	MaxAZShare float64 `json:"max_az_share"` // most of the capacity one AZ may carry; 0 = DefaultMaxAZShare
	Runs       int     `json:"runs"`         // replay runs; 0 = DefaultRuns
	Seed       uint64  `json:"seed"`         // replay seed; 0 = DefaultSeed
}

// OnDemand is a pool type's On-Demand price. Estimated prices come from the
// advisor's savings figure and must be shown as estimates.
type OnDemand struct {
	Price     float64 // USD per instance-hour
	Estimated bool
	Known     bool
}

// Candidate is one capacity pool with every signal the model uses. Missing
// signals stay marked as missing (HasStats, Advisor.Known, OnDemand.Known,
// Placement 0); the model applies its documented rule instead of guessing.
type Candidate struct {
	market.Pool
	AvailabilityZoneID string
	Spec               market.InstanceType
	Stats              market.Stats
	HasStats           bool // false: no price record in the window
	Advisor            advisor.Entry
	OnDemand           OnDemand
	Placement          int // Spot placement score 1..10 for the pool's AZ; 0 = unknown
}

// PathSource is optionally implemented by a Sources that can give a pool's
// price records over [start, end], with the record in effect at start, for
// the replay. Without it the replay holds each pool at its price.
type PathSource interface {
	PricePath(ctx context.Context, pool market.Pool, start, end time.Time) ([]market.Point, error)
}

// PoolStats is one pool's statistics over the window, as a Sources supplies them.
type PoolStats struct {
	market.Pool
	AZID  string
	Stats market.Stats
}

// Sources is what Build needs from the outside world. The CLI and the TUI
// implement it over the cache; Memory implements it for tests and the demo.
type Sources interface {
	// InstanceTypes is the region's catalog.
	InstanceTypes(ctx context.Context, region string) ([]market.InstanceType, error)
	// PoolStats returns the statistics of every pool of the region and product
	// with at least one record in [end-window, end]; pools without data are omitted.
	PoolStats(ctx context.Context, region, product string, window time.Duration, end time.Time) ([]PoolStats, error)
	// Advisor returns the interruption bucket; Known=false when the advisor has no row.
	Advisor(ctx context.Context, region, product, instanceType string) (advisor.Entry, error)
	// OnDemand returns the On-Demand price; Known=false when unknown.
	OnDemand(ctx context.Context, region, product, instanceType string) (OnDemand, error)
}

// PlacementSource is optionally implemented by a Sources that can ask for Spot
// placement scores. The scores are for the whole set of instance types and the
// target capacity, per AZ ID; a nil map means unknown (no permission, no data).
type PlacementSource interface {
	PlacementScores(ctx context.Context, region string, instanceTypes []string, capacity int) (map[string]int, error)
}

// Interruption is how the model read a pool's interruption risk.
type Interruption struct {
	Known            bool    `json:"known"`             // false: the advisor has no row
	Bucket           string  `json:"bucket"`            // advisor label, "unknown" when not known
	MonthlyFrequency float64 `json:"monthly_frequency"` // the fraction per month the model used (bucket midpoint)
	HourlyRate       float64 `json:"hourly_rate"`       // lambda, interruptions per instance-hour
	Basis            string  `json:"basis"`             // how MonthlyFrequency was chosen, in words
}

// Reason is one factor of a pool's score: its value and its share of the score.
type Reason struct {
	Factor string  `json:"factor"` // price, interruption, stability, placement, on_demand, data
	Value  string  `json:"value"`  // the input, in words and numbers
	Effect string  `json:"effect"` // what it did, e.g. "+4.1% cost"
	Weight float64 `json:"weight"` // share of the score (the price and penalties sum to 1); 0 for informational reasons
}

// Choice is one pool of the result with everything the model computed for it.
// The JSON shape is a public contract.
type Choice struct {
	Region                  string       `json:"region"`
	AvailabilityZone        string       `json:"availability_zone"`
	AvailabilityZoneID      string       `json:"availability_zone_id"`
	InstanceType            string       `json:"instance_type"`
	Family                  string       `json:"family"`
	VCPUs                   int          `json:"vcpus"`
	MemoryGiB               float64      `json:"memory_gib"`
	Product                 string       `json:"product"`
	Last                    float64      `json:"last"`
	TWAP                    float64      `json:"twap"`
	CV                      float64      `json:"cv"`
	P95                     float64      `json:"p95"`
	Price                   float64      `json:"price"`       // the price the cost uses (last, see PriceBasis)
	PriceBasis              string       `json:"price_basis"` // "last", or "twap" when last is 0
	Interruption            Interruption `json:"interruption"`
	PlacementScore          *int         `json:"placement_score"` // nil = unknown
	OnDemand                *float64     `json:"on_demand"`       // nil = unknown
	OnDemandEstimated       bool         `json:"on_demand_estimated"`
	GPUs                    int          `json:"gpus"`
	GPUName                 string       `json:"gpu_name"`
	GPUManufacturer         string       `json:"gpu_manufacturer"`
	GPUMemoryGiB            float64      `json:"gpu_memory_gib"` // per GPU
	Architecture            string       `json:"architecture"`   // x86_64 or arm64: the AMI the pool needs
	CurrentGeneration       bool         `json:"current_generation"`
	Burstable               bool         `json:"burstable"`
	EFA                     bool         `json:"efa"`
	ExpectedHours           float64      `json:"expected_hours"`                // expected wall hours per instance-job
	WorkVCPUs               int          `json:"work_vcpus"`                    // vCPUs doing the job's work: min(profile vCPUs, instance vCPUs)
	ExpectedCostPerVCPUHour float64      `json:"expected_cost_per_vcpu_hour"`   // USD per vCPU-hour of useful work (per WorkVCPUs)
	ExpectedCostPerGPUHour  float64      `json:"expected_cost_per_gpu_hour"`    // USD per GPU-hour of useful work; 0 without GPUs
	ExpectedJobCost         float64      `json:"expected_job_cost"`             // USD per instance-job (coupled: for all nodes)
	WorkHours               float64      `json:"work_hours"`                    // uninterrupted hours of work per instance
	Interruptions           float64      `json:"interruptions_expected"`        // expected interruptions per job
	LostHoursPerInterrupt   float64      `json:"lost_hours_per_interruption"`   // exact expected work lost to one interruption, excluding the restart
	PNoInterruption         float64      `json:"p_no_interruption"`             // chance the job runs through without an interruption
	PessimisticJobCost      float64      `json:"expected_job_cost_pessimistic"` // at SensitivityMultiple x the bucket rate
	Rank                    int          `json:"rank"`                          // 1-based position among all candidates of the answer
	RankPessimistic         int          `json:"rank_pessimistic"`              // position at the pessimistic rate
	RankFlips               bool         `json:"rank_flips"`                    // trades places with another listed pool at the pessimistic rate
	Instances               int          `json:"instances"`                     // instances of Count placed here (0 for alternatives)
	Share                   float64      `json:"share"`                         // Instances / Count
	Score                   float64      `json:"score"`                         // lower is better; USD per unit of work (Result.Unit) with penalties
	pessimisticScore        float64
	hazard                  float64         // the job's interruption rate (coupled: all nodes)
	nodes                   int             // instances one job runs on
	window                  market.Interval // the pool's statistics window, for the replay
	src                     int             // index of the candidate it was scored from
	Reasons                 []Reason        `json:"reasons"`
}

// Result is a recommendation: the diversified set, ranked alternatives and
// notes on anything the model assumed or could not do.
type Result struct {
	Profile             Profile      `json:"profile"`
	Mode                string       `json:"mode"`         // ModeJob, ModeThroughput or ModeCoupled
	Unit                string       `json:"unit"`         // what Score is per: job, vCPU-hour or GPU-hour
	Region              string       `json:"region"`       // the set's region (a fleet is regional)
	Architecture        string       `json:"architecture"` // the set's one architecture (one AMI)
	Pools               []Choice     `json:"pools"`
	Alternatives        []Choice     `json:"alternatives"`
	ExpectedTotalCost   float64      `json:"expected_total_cost"` // USD for the whole workload
	Candidates          int          `json:"candidates"`          // pools that passed every filter
	Caps                Caps         `json:"caps"`
	SensitivityMultiple float64      `json:"sensitivity_multiple"` // the pessimistic multiple of the bucket rate
	Regions             []RegionLine `json:"regions"`
	Plan                Plan         `json:"plan"`
	Notes               []string     `json:"notes"`
}

// Caps are the diversification limits the set was built under and what they
// cost against putting everything in the single cheapest pool.
type Caps struct {
	MaxAZShare       float64 `json:"max_az_share"`       // most of the capacity in one AZ (1 when it could not apply)
	MaxPoolInstances int     `json:"max_pool_instances"` // most instances in one pool
	AZShareApplied   bool    `json:"az_share_applied"`   // false: one AZ, one instance or a coupled job
	CheapestCost     float64 `json:"cheapest_cost"`      // the workload all in the cheapest pool
	CostOverCheapest float64 `json:"cost_over_cheapest"` // expected_total_cost / cheapest_cost - 1
}

// RegionLine is one region's best answer, to compare regions.
type RegionLine struct {
	Region       string  `json:"region"`
	Architecture string  `json:"architecture"`
	BestPool     string  `json:"best_pool"` // "type AZ"
	ExpectedCost float64 `json:"expected_cost"`
	VsBest       float64 `json:"vs_best"` // expected_cost / the winner's - 1
	Candidates   int     `json:"candidates"`
	Note         string  `json:"note,omitempty"` // why it has no answer
}

// Plan is the chosen set's whole workload against On-Demand: the analytic
// expectation and the distribution from a replay of the cached prices.
type Plan struct {
	Mode                  string   `json:"mode"`
	Instances             int      `json:"instances"`      // instances running at once
	WorkHours             float64  `json:"work_hours"`     // uninterrupted hours each instance works
	OnDemandCost          *float64 `json:"on_demand_cost"` // nil: an On-Demand price of the set is unknown
	OnDemandEstimated     bool     `json:"on_demand_estimated"`
	OnDemandHours         float64  `json:"on_demand_hours"`
	ExpectedCost          float64  `json:"expected_cost"`
	ExpectedHours         float64  `json:"expected_hours"` // the slowest pool's expected job wall time
	PessimisticCost       float64  `json:"expected_cost_pessimistic"`
	Savings               *float64 `json:"savings"` // 1 - expected_cost/on_demand_cost
	CostP50               float64  `json:"cost_p50"`
	CostP95               float64  `json:"cost_p95"`
	HoursP50              float64  `json:"hours_p50"`
	HoursP95              float64  `json:"hours_p95"`
	ReplayMeanCost        float64  `json:"replay_mean_cost"`
	InterruptionsExpected float64  `json:"interruptions_expected"`
	PNoInterruption       *float64 `json:"p_no_interruption,omitempty"` // coupled jobs only
	Runs                  int      `json:"runs"`
	Seed                  uint64   `json:"seed"`
	ReplayBasis           string   `json:"replay_basis"` // what price path the replay used
}

// NoMatchError says which constraint eliminated every candidate.
type NoMatchError struct {
	Constraint string // vcpus, memory, arch, gpus, families, exclude, spot, price-data, max-price, catalog
	Message    string
}

func (e *NoMatchError) Error() string { return e.Message }

// InputError is a profile value that the data shows to be wrong (a GPU model
// no cached type has): bad usage, not a failed search.
type InputError struct{ Message string }

func (e *InputError) Error() string { return e.Message }

var (
	_ error = (*NoMatchError)(nil)
	_ error = (*InputError)(nil)
)

// errorf builds a NoMatchError.
func noMatch(constraint, format string, args ...any) *NoMatchError {
	return &NoMatchError{Constraint: constraint, Message: fmt.Sprintf(format, args...)}
}
