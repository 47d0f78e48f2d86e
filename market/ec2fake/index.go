package ec2fake

import (
	"bytes"
	"cmp"
	"slices"
	"sort"

	"github.com/spotscope/spotscope/market"
)

// series is one pool's de-duplicated, time-sorted history, with the XML of
// its constant fields rendered once so a page is mostly byte copies.
type series struct {
	pool   market.Pool
	azID   string
	times  []int64 // Unix nanoseconds, ascending, unique
	prices []float64
	head   []byte // <item><instanceType>..<productDescription>..
	tail   []byte // <availabilityZone>..<availabilityZoneId>..</item>
}

type regionIndex struct {
	series  []*series // sorted by AZ, instance type, product; a token's pool number indexes this
	zones   []market.Zone
	zoneID  map[string]string // AZ name -> AZ ID
	catalog []market.InstanceType
}

type index struct {
	regions map[string]*regionIndex
	names   []string // sorted region names
}

func buildIndex(d Data) *index {
	ix := &index{regions: map[string]*regionIndex{}}
	region := func(name string) *regionIndex {
		ri, ok := ix.regions[name]
		if !ok {
			ri = &regionIndex{zoneID: map[string]string{}}
			ix.regions[name] = ri
		}
		return ri
	}
	for _, z := range d.Zones {
		ri := region(z.Region)
		ri.zones = append(ri.zones, z)
		ri.zoneID[z.Name] = z.ID
	}
	for name, types := range d.Catalog {
		ri := region(name)
		ri.catalog = slices.Clone(types)
		slices.SortFunc(ri.catalog, func(a, b market.InstanceType) int { return cmp.Compare(a.Name, b.Name) })
	}

	type point struct {
		t int64
		p float64
	}
	byPool := map[market.Pool][]point{}
	for _, r := range d.Records {
		if r.Region == "" {
			r.Region, _ = market.RegionOfZone(r.AvailabilityZone)
		}
		byPool[r.Pool] = append(byPool[r.Pool], point{r.Time.UnixNano(), r.Price})
	}
	for pool, pts := range byPool {
		ri := region(pool.Region)
		// Stable, so that of two records with the same (pool, time) the one
		// read last wins, as in the cache.
		slices.SortStableFunc(pts, func(a, b point) int { return cmp.Compare(a.t, b.t) })
		s := &series{pool: pool, azID: ri.zoneID[pool.AvailabilityZone]}
		for i, pt := range pts {
			if i+1 < len(pts) && pts[i+1].t == pt.t {
				continue
			}
			s.times = append(s.times, pt.t)
			s.prices = append(s.prices, pt.p)
		}
		s.render()
		ri.series = append(ri.series, s)
	}
	for name, ri := range ix.regions {
		sort.Slice(ri.series, func(i, j int) bool {
			a, b := ri.series[i].pool, ri.series[j].pool
			if a.AvailabilityZone != b.AvailabilityZone {
				return a.AvailabilityZone < b.AvailabilityZone
			}
			if a.InstanceType != b.InstanceType {
				return a.InstanceType < b.InstanceType
			}
			return a.Product < b.Product
		})
		ix.names = append(ix.names, name)
	}
	sort.Strings(ix.names)
	return ix
}

func (s *series) render() {
	var b bytes.Buffer
	b.WriteString("<item><instanceType>")
	escape(&b, s.pool.InstanceType)
	b.WriteString("</instanceType><productDescription>")
	escape(&b, s.pool.Product)
	b.WriteString("</productDescription>")
	s.head = slices.Clone(b.Bytes())
	b.Reset()
	b.WriteString("<availabilityZone>")
	escape(&b, s.pool.AvailabilityZone)
	b.WriteString("</availabilityZone>")
	if s.azID != "" {
		b.WriteString("<availabilityZoneId>")
		escape(&b, s.azID)
		b.WriteString("</availabilityZoneId>")
	}
	b.WriteString("</item>")
	s.tail = slices.Clone(b.Bytes())
}

func (ix *index) region(name string) *regionIndex {
	if ri, ok := ix.regions[name]; ok {
		return ri
	}
	return &regionIndex{zoneID: map[string]string{}}
}
