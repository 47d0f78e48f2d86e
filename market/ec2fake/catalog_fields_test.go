package ec2fake

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spotscope/spotscope/market"
)

// TestBurstableAndEFAThroughTheSDK: the fake answers the burstable and EFA
// fields and filters as EC2 does, so the catalog fetch can be tested on them.
func TestBurstableAndEFAThroughTheSDK(t *testing.T) {
	d := Data{
		Catalog: map[string][]market.InstanceType{"us-east-1": {
			{Name: "t3.medium", VCPUs: 2, MemoryMiB: 4096, Architectures: []string{"x86_64"}, SpotSupported: true, CurrentGeneration: true, Burstable: true},
			{Name: "p4d.24xlarge", VCPUs: 96, MemoryMiB: 1179648, Architectures: []string{"x86_64"}, SpotSupported: true, CurrentGeneration: true, EFA: true,
				GPUs: 8, GPUName: "A100", GPUManufacturer: "NVIDIA", GPUMemoryMiB: 8 * 40960},
		}},
		Zones: []market.Zone{{Region: "us-east-1", Name: "us-east-1a", ID: "use1-az1", Type: "availability-zone", State: "available"}},
	}
	srv := NewServer(d, Options{})
	defer srv.Close()
	c := newClient(t, srv.URL, "us-east-1")
	for _, tt := range []struct {
		filter, value, want string
	}{
		{"burstable-performance-supported", "true", "t3.medium"},
		{"network-info.efa-supported", "true", "p4d.24xlarge"},
	} {
		out, err := c.DescribeInstanceTypes(context.Background(), &ec2.DescribeInstanceTypesInput{Filters: []types.Filter{{Name: aws.String(tt.filter), Values: []string{tt.value}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.InstanceTypes) != 1 || string(out.InstanceTypes[0].InstanceType) != tt.want {
			t.Fatalf("%s=%s: %+v", tt.filter, tt.value, out.InstanceTypes)
		}
		it := out.InstanceTypes[0]
		burst, efa := aws.ToBool(it.BurstablePerformanceSupported), it.NetworkInfo != nil && aws.ToBool(it.NetworkInfo.EfaSupported)
		if burst != (tt.want == "t3.medium") || efa != (tt.want == "p4d.24xlarge") {
			t.Errorf("%s: burstable %v efa %v", tt.want, burst, efa)
		}
	}
}
