package awsapi

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spotscope/spotscope/market"
)

// TestInstanceTypeKeepsRecommendFields: the catalog keeps what the
// recommendation filters on: GPU name, count and memory, burstable,
// current generation and EFA support.
func TestInstanceTypeKeepsRecommendFields(t *testing.T) {
	for _, tt := range []struct {
		in   types.InstanceTypeInfo
		want market.InstanceType
	}{
		{types.InstanceTypeInfo{
			InstanceType: "t3.medium", CurrentGeneration: aws.Bool(true), BurstablePerformanceSupported: aws.Bool(true),
			VCpuInfo: &types.VCpuInfo{DefaultVCpus: aws.Int32(2)}, MemoryInfo: &types.MemoryInfo{SizeInMiB: aws.Int64(4096)},
			ProcessorInfo:         &types.ProcessorInfo{SupportedArchitectures: []types.ArchitectureType{types.ArchitectureTypeX8664}},
			SupportedUsageClasses: []types.UsageClassType{types.UsageClassTypeSpot},
			NetworkInfo:           &types.NetworkInfo{EfaSupported: aws.Bool(false)},
		}, market.InstanceType{Name: "t3.medium", VCPUs: 2, MemoryMiB: 4096, Architectures: []string{"x86_64"}, SpotSupported: true, CurrentGeneration: true, Burstable: true}},
		{types.InstanceTypeInfo{
			InstanceType: "p5.48xlarge", CurrentGeneration: aws.Bool(true),
			VCpuInfo: &types.VCpuInfo{DefaultVCpus: aws.Int32(192)}, MemoryInfo: &types.MemoryInfo{SizeInMiB: aws.Int64(2097152)},
			SupportedUsageClasses: []types.UsageClassType{types.UsageClassTypeSpot},
			NetworkInfo:           &types.NetworkInfo{EfaSupported: aws.Bool(true)},
			GpuInfo: &types.GpuInfo{TotalGpuMemoryInMiB: aws.Int32(8 * 81920), Gpus: []types.GpuDeviceInfo{{
				Name: aws.String("H100"), Manufacturer: aws.String("NVIDIA"), Count: aws.Int32(8), MemoryInfo: &types.GpuDeviceMemoryInfo{SizeInMiB: aws.Int32(81920)}}}},
		}, market.InstanceType{Name: "p5.48xlarge", VCPUs: 192, MemoryMiB: 2097152, GPUs: 8, GPUManufacturer: "NVIDIA", GPUName: "H100",
			GPUMemoryMiB: 8 * 81920, SpotSupported: true, CurrentGeneration: true, EFA: true}},
	} {
		if got := instanceType(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("got  %+v\nwant %+v", got, tt.want)
		}
	}
}
