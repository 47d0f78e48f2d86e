package ec2fake

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
)

// ScaledData derives a bigger region from the real sa-east-1 demo records,
// for benchmarks that need a region the size of us-east-1: the fake serves
// the `days` before demo.End() for `zones` zones named region+"a".. and
// about `typeCopies` times the demo's instance types.
//
// Every series is a real one, moved in time: zone i and type copy c take
// the records of demo zone i%3 from v*20 days earlier (v numbering the
// (zone, copy) pairs that share a demo zone), so no two pools of the
// result carry the same series. Copies after the first are named with a
// "v<c>" suffix on the family ("m5v1.large"); a fractional typeCopies
// copies that share of the types, picked by a hash of the name. The
// in-effect record before the window is kept, as AWS would return it.
func ScaledData(region string, zones int, typeCopies float64, days int) Data {
	src := demo.AllRecords()
	demoZones := demo.Zones()
	end := demo.End()
	window := time.Duration(days) * 24 * time.Hour
	const step = 20 * 24 * time.Hour
	perZone := (zones + len(demoZones) - 1) / len(demoZones)

	out := Data{}
	for i := range zones {
		name := fmt.Sprintf("%s%c", region, 'a'+i)
		out.Zones = append(out.Zones, market.Zone{Region: region, Name: name, ID: fmt.Sprintf("%s-az%d", abbrev(region), i+1),
			Type: "availability-zone", State: "available"})
	}
	// Per output pool, the in-effect record before the window and the
	// records in it.
	type key struct {
		zone, copy int
		typ, prod  string
	}
	before := map[key]market.Record{}
	for _, r := range src {
		srcZone := -1
		for zi, z := range demoZones {
			if z.Name == r.AvailabilityZone {
				srcZone = zi
			}
		}
		if srcZone < 0 {
			continue
		}
		for i := srcZone; i < zones; i += len(demoZones) {
			for c := 0; float64(c) < typeCopies; c++ {
				if c > 0 && float64(c)+share(r.InstanceType) >= typeCopies {
					continue
				}
				v := i/len(demoZones) + perZone*c
				t := r.Time.Add(time.Duration(v) * step)
				if t.After(end) {
					continue
				}
				rec := market.Record{
					Pool: market.Pool{Region: region, AvailabilityZone: out.Zones[i].Name,
						InstanceType: copyName(r.InstanceType, c), Product: r.Product},
					Time:  t,
					Price: r.Price,
				}
				if t.After(end.Add(-window)) {
					out.Records = append(out.Records, rec)
					continue
				}
				k := key{i, c, r.InstanceType, r.Product}
				if cur, ok := before[k]; !ok || !t.Before(cur.Time) {
					before[k] = rec
				}
			}
		}
	}
	for _, r := range before {
		out.Records = append(out.Records, r)
	}
	return out
}

// share maps a type name to [0, 1), stably.
func share(name string) float64 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return float64(h.Sum32()%1000) / 1000
}

func copyName(typ string, c int) string {
	if c == 0 {
		return typ
	}
	fam, size, ok := strings.Cut(typ, ".")
	if !ok {
		return fmt.Sprintf("%sv%d", typ, c)
	}
	return fmt.Sprintf("%sv%d.%s", fam, c, size)
}

// abbrev is the AZ ID prefix of a region: "us-east-1" -> "use1".
func abbrev(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return region
	}
	return parts[0] + parts[1][:1] + parts[2]
}
