package market

import (
	"fmt"
	"sort"
	"strings"
)

// Regions is every commercial AWS region with EC2 spot capacity that
// spotscope knows by name. Unknown names are refused early with this list,
// rather than failing later as an endpoint error.
var Regions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
	"mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1",
	"us-west-1", "us-west-2",
}

var regionSet = func() map[string]bool {
	m := make(map[string]bool, len(Regions))
	for _, r := range Regions {
		m[r] = true
	}
	return m
}()

// ValidateRegion reports an unknown region with a hint of the accepted form.
func ValidateRegion(r string) error {
	if regionSet[r] {
		return nil
	}
	return fmt.Errorf("unknown region %q (expected a region name such as us-east-1; known: %s)", r, strings.Join(Regions, ", "))
}

// RegionOfZone derives the region from an AZ name: "sa-east-1a" and the local
// zone "us-west-2-lax-1a" give "sa-east-1" and "us-west-2". It uses the
// longest known region that prefixes the name, then falls back to stripping
// the zone letter.
func RegionOfZone(az string) (string, error) {
	best := ""
	for _, r := range Regions {
		if strings.HasPrefix(az, r) && len(az) > len(r) && len(r) > len(best) {
			best = r
		}
	}
	if best != "" {
		return best, nil
	}
	return "", fmt.Errorf("cannot tell the region of availability zone %q", az)
}

// SortedKeys returns a map's keys in order; handy for deterministic output.
func SortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
