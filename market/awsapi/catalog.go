package awsapi

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spotscope/spotscope/market"
)

// API is the part of EC2 this package calls; *ec2.Client satisfies it and
// tests may substitute anything that speaks these three operations.
type API interface {
	DescribeSpotPriceHistory(ctx context.Context, in *ec2.DescribeSpotPriceHistoryInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSpotPriceHistoryOutput, error)
	DescribeInstanceTypes(ctx context.Context, in *ec2.DescribeInstanceTypesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstanceTypesOutput, error)
	DescribeAvailabilityZones(ctx context.Context, in *ec2.DescribeAvailabilityZonesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeAvailabilityZonesOutput, error)
}

var _ API = (*ec2.Client)(nil)

// InstanceTypes lists the instance types of region that can run as Spot,
// sorted by name. The client must be bound to region; region only labels
// errors.
func InstanceTypes(ctx context.Context, client API, region string, optFns ...func(*ec2.Options)) ([]market.InstanceType, error) {
	in := &ec2.DescribeInstanceTypesInput{
		Filters:    []types.Filter{{Name: aws.String("supported-usage-class"), Values: []string{"spot"}}},
		MaxResults: aws.Int32(100), // the API's maximum for this call
	}
	p := ec2.NewDescribeInstanceTypesPaginator(client, in, func(o *ec2.DescribeInstanceTypesPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	seen := map[string]bool{}
	var out []market.InstanceType
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, optFns...)
		if err != nil {
			return nil, fmt.Errorf("listing instance types in %s: %w", region, err)
		}
		for _, it := range page.InstanceTypes {
			t := instanceType(it)
			if t.Name == "" || seen[t.Name] {
				continue
			}
			seen[t.Name] = true
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func instanceType(it types.InstanceTypeInfo) market.InstanceType {
	t := market.InstanceType{
		Name:              string(it.InstanceType),
		CurrentGeneration: aws.ToBool(it.CurrentGeneration),
		Burstable:         aws.ToBool(it.BurstablePerformanceSupported),
	}
	if it.NetworkInfo != nil {
		t.EFA = aws.ToBool(it.NetworkInfo.EfaSupported)
	}
	if it.VCpuInfo != nil {
		t.VCPUs = int(aws.ToInt32(it.VCpuInfo.DefaultVCpus))
	}
	if it.MemoryInfo != nil {
		t.MemoryMiB = aws.ToInt64(it.MemoryInfo.SizeInMiB)
	}
	if it.ProcessorInfo != nil {
		for _, a := range it.ProcessorInfo.SupportedArchitectures {
			t.Architectures = append(t.Architectures, string(a))
		}
	}
	for _, c := range it.SupportedUsageClasses {
		if c == types.UsageClassTypeSpot {
			t.SpotSupported = true
		}
	}
	if g := it.GpuInfo; g != nil {
		var perGPU int64
		for _, d := range g.Gpus {
			n := int(aws.ToInt32(d.Count))
			t.GPUs += n
			if t.GPUName == "" {
				t.GPUName = aws.ToString(d.Name)
				t.GPUManufacturer = aws.ToString(d.Manufacturer)
			}
			if d.MemoryInfo != nil {
				perGPU += int64(n) * int64(aws.ToInt32(d.MemoryInfo.SizeInMiB))
			}
		}
		// The total is what workloads size against; the per-device sum is
		// a fallback for answers that omit it.
		t.GPUMemoryMiB = int64(aws.ToInt32(g.TotalGpuMemoryInMiB))
		if t.GPUMemoryMiB == 0 {
			t.GPUMemoryMiB = perGPU
		}
	}
	return t
}

// Zones lists region's Availability Zones (and opted-in Local/Wavelength
// Zones) with their AZ IDs, sorted by name.
func Zones(ctx context.Context, client API, region string, optFns ...func(*ec2.Options)) ([]market.Zone, error) {
	out, err := client.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{}, optFns...)
	if err != nil {
		return nil, fmt.Errorf("listing availability zones in %s: %w", region, err)
	}
	zones := make([]market.Zone, 0, len(out.AvailabilityZones))
	for _, z := range out.AvailabilityZones {
		name := aws.ToString(z.ZoneName)
		if name == "" {
			continue
		}
		r := aws.ToString(z.RegionName)
		if r == "" {
			r = region
		}
		zones = append(zones, market.Zone{
			Region: r,
			Name:   name,
			ID:     aws.ToString(z.ZoneId),
			Type:   aws.ToString(z.ZoneType),
			State:  string(z.State),
		})
	}
	sort.Slice(zones, func(i, j int) bool { return zones[i].Name < zones[j].Name })
	return zones, nil
}
