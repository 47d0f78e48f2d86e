// Package market holds spotscope's domain: capacity pools, price records,
// instance-type catalogs and the statistics defined in docs/statistics.md.
// It imports no UI and no storage, so every rule here is testable on its own.
package market

import (
	"fmt"
	"time"
)

// Products AWS publishes spot prices for. LinuxUNIX is the default everywhere.
const (
	LinuxUNIX = "Linux/UNIX"
	RHEL      = "Red Hat Enterprise Linux"
	SUSE      = "SUSE Linux"
	Windows   = "Windows"
)

// KnownProducts lists the product descriptions DescribeSpotPriceHistory accepts.
var KnownProducts = []string{
	LinuxUNIX, RHEL, SUSE, Windows,
	"Linux/UNIX (Amazon VPC)", "Red Hat Enterprise Linux (Amazon VPC)",
	"SUSE Linux (Amazon VPC)", "Windows (Amazon VPC)",
}

// Pool is the key of one price series: a spot capacity pool (instance type in
// an Availability Zone) and the product sold in it. AZ names are
// account-specific; the AZ ID travels beside the pool (see PoolInfo), not in
// the key, because price records carry only the name.
type Pool struct {
	Region           string
	AvailabilityZone string
	InstanceType     string
	Product          string
}

func (p Pool) String() string {
	return fmt.Sprintf("%s %s %s", p.AvailabilityZone, p.InstanceType, p.Product)
}

// Record is one DescribeSpotPriceHistory observation: from Time on, the pool's
// price is Price (USD per instance-hour). A record is not always a change.
type Record struct {
	Pool
	Time  time.Time
	Price float64
}

// Point is one step of a pool's price series.
type Point struct {
	Time  time.Time
	Price float64
}

// PoolPrice is a pool with its latest known price.
type PoolPrice struct {
	Pool
	AvailabilityZoneID string
	Time               time.Time
	Price              float64
}

// Zone maps an account's AZ name to the AZ ID that names the same physical
// zone in every account.
type Zone struct {
	Region string
	Name   string
	ID     string
	Type   string // availability-zone, local-zone, wavelength-zone
	State  string
}

// InstanceType is the part of DescribeInstanceTypes spotscope matches
// workloads against.
type InstanceType struct {
	Name              string
	VCPUs             int
	MemoryMiB         int64
	Architectures     []string // x86_64, arm64, i386, ...
	GPUs              int
	GPUManufacturer   string
	GPUName           string
	GPUMemoryMiB      int64
	SpotSupported     bool
	CurrentGeneration bool
	// Burstable is DescribeInstanceTypes' BurstablePerformanceSupported: the
	// t-family, which runs on CPU credits above a baseline.
	Burstable bool `json:",omitempty"`
	// EFA is NetworkInfo.EfaSupported: the type can attach an Elastic Fabric
	// Adapter for tightly coupled multi-node jobs.
	EFA bool `json:",omitempty"`
}

// IsBurstable reports whether the type is burstable: the catalog flag, or
// the t-family by name for catalogs cached before the flag was kept.
func (t InstanceType) IsBurstable() bool {
	if t.Burstable {
		return true
	}
	f := Family(t.Name)
	return len(f) >= 2 && f[0] == 't' && f[1] >= '0' && f[1] <= '9'
}

// Arch is the architecture an AMI for the type needs: arm64 when the type
// runs it, otherwise the first one listed (x86_64 for every current type).
func (t InstanceType) Arch() string {
	if t.HasArch("arm64") {
		return "arm64"
	}
	if t.HasArch("x86_64") || len(t.Architectures) == 0 {
		return "x86_64"
	}
	return t.Architectures[0]
}

// GPUMemoryGiBEach is the memory of one GPU in GiB; 0 without GPUs.
func (t InstanceType) GPUMemoryGiBEach() float64 {
	if t.GPUs <= 0 {
		return 0
	}
	return float64(t.GPUMemoryMiB) / float64(t.GPUs) / 1024
}

// MemoryGiB is the memory in GiB, the unit users think in.
func (t InstanceType) MemoryGiB() float64 { return float64(t.MemoryMiB) / 1024 }

// HasArch reports whether the type runs the given architecture.
func (t InstanceType) HasArch(arch string) bool {
	for _, a := range t.Architectures {
		if a == arch {
			return true
		}
	}
	return false
}

// Family is the part of an instance type name before the dot ("m5" of
// "m5.large").
func Family(instanceType string) string {
	for i := 0; i < len(instanceType); i++ {
		if instanceType[i] == '.' {
			return instanceType[:i]
		}
	}
	return instanceType
}
