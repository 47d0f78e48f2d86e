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
	ExpectedHours           float64      `json:"expected_hours"`              // expected wall hours per instance-job
	WorkVCPUs               int          `json:"work_vcpus"`                  // vCPUs doing the job's work: min(profile vCPUs, instance vCPUs)
	ExpectedCostPerVCPUHour float64      `json:"expected_cost_per_vcpu_hour"` // USD per vCPU-hour of useful work (per WorkVCPUs)
	ExpectedJobCost         float64      `json:"expected_job_cost"`           // USD per instance-job
	Instances               int          `json:"instances"`                   // instances of Count placed here (0 for alternatives)
	Share                   float64      `json:"share"`                       // Instances / Count
	Score                   float64      `json:"score"`                       // lower is better; USD per vCPU-hour with penalties
	Reasons                 []Reason     `json:"reasons"`
}

// Result is a recommendation: the diversified set, ranked alternatives and
// notes on anything the model assumed or could not do.
type Result struct {
	Profile           Profile  `json:"profile"`
	Region            string   `json:"region"` // the set's region (a fleet is regional)
	Pools             []Choice `json:"pools"`
	Alternatives      []Choice `json:"alternatives"`
	ExpectedTotalCost float64  `json:"expected_total_cost"` // USD for all Count instance-jobs
	Candidates        int      `json:"candidates"`          // pools that passed every filter
	Notes             []string `json:"notes"`
}

// NoMatchError says which constraint eliminated every candidate.
type NoMatchError struct {
	Constraint string // vcpus, memory, arch, gpus, families, exclude, spot, price-data, max-price, catalog
	Message    string
}

func (e *NoMatchError) Error() string { return e.Message }

var _ error = (*NoMatchError)(nil)

// errorf builds a NoMatchError.
func noMatch(constraint, format string, args ...any) *NoMatchError {
	return &NoMatchError{Constraint: constraint, Message: fmt.Sprintf(format, args...)}
}
