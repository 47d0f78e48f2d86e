package cache

import (
	"context"
	"reflect"
	"testing"

	"github.com/spotscope/spotscope/market"
)

func TestAllCoverage(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	for _, c := range []CoverageSpan{
		{"us-east-1", "Linux/UNIX", "*", market.Interval{Start: at(0), End: at(5)}},
		{"us-east-1", "Linux/UNIX", "*", market.Interval{Start: at(5), End: at(9)}}, // merged with the first
		{"eu-west-1", "Windows", "m5*", market.Interval{Start: at(2), End: at(3)}},
	} {
		if err := s.AddCoverage(ctx, c.Region, c.Product, c.Scope, c.Interval); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.AllCoverage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []CoverageSpan{
		{"eu-west-1", "Windows", "m5*", market.Interval{Start: at(2), End: at(3)}},
		{"us-east-1", "Linux/UNIX", "*", market.Interval{Start: at(0), End: at(9)}},
	}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("all: %v, want %v", all, want)
	}
	one, err := s.AllCoverage(ctx, "us-east-1")
	if err != nil || !reflect.DeepEqual(one, want[1:]) {
		t.Errorf("us-east-1: %v, %v", one, err)
	}
}

func TestAddZonesKeepsKnownZones(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	known := []market.Zone{{Region: "eu-west-1", Name: "eu-west-1a", ID: "euw1-az3", Type: "availability-zone", State: "available"}}
	if err := s.PutZones(ctx, "eu-west-1", known, at(0)); err != nil {
		t.Fatal(err)
	}
	n, err := s.AddZones(ctx, "eu-west-1", []market.Zone{
		{Region: "eu-west-1", Name: "eu-west-1a", ID: "euw1-az1", Type: "availability-zone", State: "available"}, // another account's mapping: ignored
		{Region: "eu-west-1", Name: "eu-west-1b", ID: "euw1-az2", Type: "availability-zone", State: "available"},
	}, at(1))
	if err != nil || n != 1 {
		t.Fatalf("added %d, %v; want 1", n, err)
	}
	zs, err := s.Zones(ctx, "eu-west-1")
	if err != nil || len(zs) != 2 || zs[0].ID != "euw1-az3" || zs[1].ID != "euw1-az2" {
		t.Errorf("zones %+v, %v", zs, err)
	}
}
