package ec2fake

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spotscope/spotscope/market/demo"
)

func TestDescribeInstanceTypes(t *testing.T) {
	srv := demoServer(t)
	c := newClient(t, srv.URL, "sa-east-1")
	ctx := context.Background()
	f := func(name string, values ...string) types.Filter {
		return types.Filter{Name: aws.String(name), Values: values}
	}
	all := func(in *ec2.DescribeInstanceTypesInput) ([]types.InstanceTypeInfo, int, error) {
		var out []types.InstanceTypeInfo
		pages := 0
		p := ec2.NewDescribeInstanceTypesPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, pages, err
			}
			pages++
			out = append(out, page.InstanceTypes...)
		}
		return out, pages, nil
	}
	catalog := len(demo.Catalog())
	tests := []struct {
		name  string
		in    ec2.DescribeInstanceTypesInput
		n     int
		pages int
		code  string
	}{
		{"spot types, pages of 50", ec2.DescribeInstanceTypesInput{Filters: []types.Filter{f("supported-usage-class", "spot")}, MaxResults: aws.Int32(50)}, catalog, 4, ""},
		{"default page size", ec2.DescribeInstanceTypesInput{}, catalog, 2, ""},
		{"wildcard type", ec2.DescribeInstanceTypesInput{Filters: []types.Filter{f("instance-type", "g4dn.*")}}, 6, 1, ""},
		{"arm64 is absent from 2020 sa-east-1", ec2.DescribeInstanceTypesInput{Filters: []types.Filter{f("processor-info.supported-architecture", "arm64")}}, 0, 1, ""},
		{"previous generation", ec2.DescribeInstanceTypesInput{Filters: []types.Filter{f("current-generation", "false"), f("instance-type", "m1.*")}}, 4, 1, ""},
		{"named types", ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{"c5.large", "g4dn.xlarge"}}, 2, 1, ""},
		{"unknown type", ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{"zz9.large"}}, 0, 0, "InvalidParameterValue"},
		{"MaxResults below 5", ec2.DescribeInstanceTypesInput{MaxResults: aws.Int32(4)}, 0, 0, "InvalidParameterValue"},
		{"unknown filter", ec2.DescribeInstanceTypesInput{Filters: []types.Filter{f("no-such-filter", "x")}}, 0, 0, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pages, err := all(&tt.in)
			if errCode(err) != tt.code {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
			if len(got) != tt.n || pages != tt.pages {
				t.Errorf("%d types in %d pages, want %d in %d", len(got), pages, tt.n, tt.pages)
			}
		})
	}

	out, err := c.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{"g4dn.12xlarge"}})
	if err != nil {
		t.Fatal(err)
	}
	it := out.InstanceTypes[0]
	g := it.GpuInfo
	if aws.ToInt32(it.VCpuInfo.DefaultVCpus) != 48 || aws.ToInt64(it.MemoryInfo.SizeInMiB) != 196608 ||
		it.ProcessorInfo.SupportedArchitectures[0] != types.ArchitectureTypeX8664 || !aws.ToBool(it.CurrentGeneration) ||
		len(it.SupportedUsageClasses) != 2 || g == nil || aws.ToInt32(g.Gpus[0].Count) != 4 || aws.ToString(g.Gpus[0].Name) != "T4" ||
		aws.ToInt32(g.Gpus[0].MemoryInfo.SizeInMiB) != 16384 || aws.ToInt32(g.TotalGpuMemoryInMiB) != 65536 {
		t.Errorf("g4dn.12xlarge = %+v", it)
	}
}

func TestZonesAndRegions(t *testing.T) {
	srv := demoServer(t)
	c := newClient(t, srv.URL, "sa-east-1")
	ctx := context.Background()
	az, err := c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(az.AvailabilityZones) != 3 {
		t.Fatalf("zones = %+v", az.AvailabilityZones)
	}
	for i, z := range az.AvailabilityZones {
		want := demo.Zones()[i]
		if aws.ToString(z.ZoneName) != want.Name || aws.ToString(z.ZoneId) != want.ID || aws.ToString(z.RegionName) != "sa-east-1" ||
			z.State != types.AvailabilityZoneStateAvailable || aws.ToString(z.ZoneType) != "availability-zone" {
			t.Errorf("zone %d = %+v", i, z)
		}
	}
	az, err = c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{ZoneIds: []string{"sae1-az3"}})
	if err != nil || len(az.AvailabilityZones) != 1 || aws.ToString(az.AvailabilityZones[0].ZoneName) != "sa-east-1c" {
		t.Errorf("by ID: %+v, %v", az, err)
	}
	az, err = c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{{Name: aws.String("zone-name"), Values: []string{"*b"}}}})
	if err != nil || len(az.AvailabilityZones) != 1 || aws.ToString(az.AvailabilityZones[0].ZoneId) != "sae1-az2" {
		t.Errorf("by filter: %+v, %v", az, err)
	}
	if _, err := c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{ZoneNames: []string{"sa-east-1z"}}); errCode(err) != "InvalidParameterValue" {
		t.Errorf("unknown zone: %v", err)
	}

	rg, err := c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil || len(rg.Regions) != 1 || aws.ToString(rg.Regions[0].RegionName) != "sa-east-1" ||
		aws.ToString(rg.Regions[0].Endpoint) != "ec2.sa-east-1.amazonaws.com" {
		t.Errorf("regions: %+v, %v", rg, err)
	}
}

func TestSpotPlacementScores(t *testing.T) {
	srv := demoServer(t)
	c := newClient(t, srv.URL, "sa-east-1")
	ctx := context.Background()
	three := []string{"c5.large", "m5.large", "r5.large"}

	out, err := c.GetSpotPlacementScores(ctx, &ec2.GetSpotPlacementScoresInput{InstanceTypes: three, TargetCapacity: aws.Int32(10), SingleAvailabilityZone: aws.Bool(true), RegionNames: []string{"sa-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	prev := 11
	for _, s := range out.SpotPlacementScores {
		sc := int(aws.ToInt32(s.Score))
		if aws.ToString(s.Region) != "sa-east-1" || sc < 1 || sc > 10 || sc > prev {
			t.Errorf("score %+v", s)
		}
		prev = sc
		ids[aws.ToString(s.AvailabilityZoneId)] = true
	}
	if len(ids) != 3 || !ids["sae1-az1"] || !ids["sae1-az2"] || !ids["sae1-az3"] {
		t.Errorf("AZ IDs %v", ids)
	}
	again, err := c.GetSpotPlacementScores(ctx, &ec2.GetSpotPlacementScoresInput{InstanceTypes: three, TargetCapacity: aws.Int32(10), SingleAvailabilityZone: aws.Bool(true), RegionNames: []string{"sa-east-1"}})
	if err != nil || len(again.SpotPlacementScores) != 3 || aws.ToInt32(again.SpotPlacementScores[0].Score) != aws.ToInt32(out.SpotPlacementScores[0].Score) {
		t.Errorf("scores not deterministic: %v", err)
	}

	region, err := c.GetSpotPlacementScores(ctx, &ec2.GetSpotPlacementScoresInput{InstanceTypes: three[:1], TargetCapacity: aws.Int32(4), TargetCapacityUnitType: types.TargetCapacityUnitTypeVcpu})
	if err != nil || len(region.SpotPlacementScores) != 1 || region.SpotPlacementScores[0].AvailabilityZoneId != nil || aws.ToInt32(region.SpotPlacementScores[0].Score) > 3 {
		t.Errorf("region-level with one type: %+v, %v", region, err)
	}

	if _, err := c.GetSpotPlacementScores(ctx, &ec2.GetSpotPlacementScoresInput{TargetCapacity: aws.Int32(1)}); errCode(err) != "InvalidParameterValue" {
		t.Errorf("no types: %v", err)
	}

	// A custom model sees what the client asked.
	var seen []string
	custom := NewServer(Data{Zones: demo.Zones()}, Options{PlacementScore: func(region, azID string, types []string, capacity int) int {
		seen = append(seen, region+"/"+azID)
		if azID == "sae1-az2" {
			return 9
		}
		return 2
	}})
	defer custom.Close()
	cc := newClient(t, custom.URL, "sa-east-1")
	out, err = cc.GetSpotPlacementScores(ctx, &ec2.GetSpotPlacementScoresInput{InstanceTypes: three, TargetCapacity: aws.Int32(5), SingleAvailabilityZone: aws.Bool(true)})
	if err != nil || len(out.SpotPlacementScores) != 3 || aws.ToString(out.SpotPlacementScores[0].AvailabilityZoneId) != "sae1-az2" ||
		aws.ToInt32(out.SpotPlacementScores[0].Score) != 9 || len(seen) != 3 {
		t.Errorf("custom scores: %+v %v, seen %v", out, err, seen)
	}
}
