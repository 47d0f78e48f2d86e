package tui

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
)

// marketIndex is what one load of rows lets every later rebuild reuse, so a
// re-sort or a filter keystroke over 60,000 pools is a few linear passes
// instead of a sort: the pools in tie-break order, each one's type group
// (the group's pools cheapest first), and per sort column the order of all
// pools, computed the first time that column is sorted. setRows builds a new
// one; every copy of the view shares it (a pointer), and nothing it indexes
// changes after. Pools are named by their index in all. Strings are compared
// by their rank among the load's distinct values (same order, no string
// comparisons in the sorts, no random reads into all).
type marketIndex struct {
	all     []explore.Summary
	q       explore.Query // the gaps are measured against it
	byPool  []int32       // the pools in poolLess order: the tie-break of every sort
	region  stringRank    // of Summary.Region
	az      stringRank    // of Summary.AvailabilityZone
	typ     stringRank    // of Summary.InstanceType
	typeOf  []int32       // pool's type group
	types   []typeGroup   // in order of first appearance in all
	typeIDs map[[2]int32]int32
	orders  [numCols]*colOrder // nil until the column is first sorted
	fams    *familyRank        // nil until first asked for
	// The volatility ranking's inputs, read in the load's one pass over
	// the summaries: the first switch to Volatility then reads these
	// slices, not 60,000 summaries scattered over memory.
	covered []bool
	metrics [numMetrics][]float64
}

type typeGroup struct {
	key   typeKey
	pools []int32 // cheapest first (cheaper), ties in load order
}

// colOrder is all pools by one column's value ascending, equal values by
// pool (poolLess). tie[i] says pools[i] has the same value as pools[i-1]:
// a descending walk takes the runs of equal values from the end, each run
// still by pool.
type colOrder struct {
	pools []int32
	tie   []bool
}

// stringRank numbers the distinct values of one string field in string
// order.
type stringRank struct {
	of    []int32 // by pool
	rank  map[string]int32
	names []string // by rank
}

// rankStrings ranks each field of every summary: one pass over the
// summaries (they are large; one walk reads each once) with one map lookup
// per field, numbering values as they come, then renumbered in string
// order.
func rankStrings(all []explore.Summary, fields ...func(*explore.Summary) string) []stringRank {
	rs := make([]stringRank, len(fields))
	for f := range rs {
		rs[f] = stringRank{of: make([]int32, len(all)), rank: map[string]int32{}}
	}
	for i := range all {
		for f, field := range fields {
			r := &rs[f]
			v := field(&all[i])
			id, ok := r.rank[v]
			if !ok {
				id = int32(len(r.names))
				r.rank[v] = id
				r.names = append(r.names, v)
			}
			r.of[i] = id
		}
	}
	for f := range rs {
		r := &rs[f]
		byName := make([]int32, len(r.names)) // rank in string order of each first-seen id
		order := make([]int32, len(r.names))
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(a, b int32) int { return strings.Compare(r.names[a], r.names[b]) })
		sorted := make([]string, len(r.names))
		for rank, id := range order {
			byName[id] = int32(rank)
			sorted[rank] = r.names[id]
			r.rank[r.names[id]] = int32(rank)
		}
		r.names = sorted
		for i, id := range r.of {
			r.of[i] = byName[id]
		}
	}
	return rs
}

func (r stringRank) keys() []uint64 {
	out := make([]uint64, len(r.of))
	for i, k := range r.of {
		out[i] = uint64(k)
	}
	return out
}

func newMarketIndex(all []explore.Summary, q explore.Query) *marketIndex {
	x := &marketIndex{all: all, q: q, typeOf: make([]int32, len(all)), typeIDs: map[[2]int32]int32{}}
	ranks := rankStrings(all,
		func(s *explore.Summary) string { return s.Region },
		func(s *explore.Summary) string { return s.AvailabilityZone },
		func(s *explore.Summary) string { return s.InstanceType },
		func(s *explore.Summary) string { return s.Product })
	x.region, x.az, x.typ = ranks[0], ranks[1], ranks[2]
	product := ranks[3]
	// poolLess order: by type, AZ, region, product; a stable radix sort by
	// the last of them first.
	x.byPool = make([]int32, len(all))
	for i := range x.byPool {
		x.byPool[i] = int32(i)
	}
	for _, r := range []stringRank{product, x.region, x.az, x.typ} {
		x.byPool = radixSort(x.byPool, r.keys())
	}
	last := make([]float64, len(all)) // for the groups' order, read in the same walk
	x.covered = make([]bool, len(all))
	for mt := range x.metrics {
		x.metrics[mt] = make([]float64, len(all))
	}
	for i := range all {
		last[i] = all[i].Stats.Last
		x.covered[i] = all[i].Stats.CoveredHours > 0
		for mt := range x.metrics {
			x.metrics[mt][i] = volMetric(mt).of(&all[i])
		}
		k := [2]int32{x.region.of[i], x.typ.of[i]}
		id, ok := x.typeIDs[k]
		if !ok {
			id = int32(len(x.types))
			x.typeIDs[k] = id
			x.types = append(x.types, typeGroup{key: keyOf(&all[i])})
		}
		x.typeOf[i] = id
		x.types[id].pools = append(x.types[id].pools, int32(i))
	}
	// cheaper's order (last price, then AZ name), from the slices
	for _, g := range x.types {
		slices.SortStableFunc(g.pools, func(a, b int32) int {
			if c := cmp.Compare(last[a], last[b]); c != 0 {
				return c
			}
			return cmp.Compare(x.az.of[a], x.az.of[b])
		})
	}
	return x
}

// familyRank numbers the instance families of the rows in string order.
type familyRank struct {
	ofType []int32  // by type rank (stringRank of InstanceType)
	names  []string // by family rank
}

// families ranks the families, once per type rather than per pool, on
// first use.
func (x *marketIndex) families() *familyRank {
	if x.fams != nil {
		return x.fams
	}
	f := &familyRank{ofType: make([]int32, len(x.typ.rank))}
	rank := map[string]int32{}
	for t := range x.typ.rank {
		rank[market.Family(t)] = 0
	}
	f.names = slices.Sorted(maps.Keys(rank))
	for i, name := range f.names {
		rank[name] = int32(i)
	}
	for t, r := range x.typ.rank {
		f.ofType[r] = rank[market.Family(t)]
	}
	x.fams = f
	return f
}

// typeID is the group of type k, if these rows have it.
func (x *marketIndex) typeID(k typeKey) (int32, bool) {
	r, ok1 := x.region.rank[k.region]
	t, ok2 := x.typ.rank[k.typ]
	if !ok1 || !ok2 {
		return 0, false
	}
	id, ok := x.typeIDs[[2]int32{r, t}]
	return id, ok
}

// of says x indexes exactly these rows.
func (x *marketIndex) of(all []explore.Summary) bool {
	return x != nil && len(x.all) == len(all) && (len(all) == 0 || &x.all[0] == &all[0])
}

// order is column c's order of all pools, computed on first use: a stable
// radix sort of the pools in rank order by the column's number, then by its
// string, which is the order by (string, number, pool) without a comparison
// sort (a few ms for 60,000 pools, where pdqsort's comparisons took 30).
func (x *marketIndex) order(c colID) *colOrder {
	if o := x.orders[c]; o != nil {
		return o
	}
	str, num := x.colKeys(c)
	pools := radixSort(radixSort(slices.Clone(x.byPool), num), str)
	o := &colOrder{pools: pools, tie: make([]bool, len(pools))}
	for i := 1; i < len(pools); i++ {
		p, q := pools[i], pools[i-1]
		o.tie[i] = str[p] == str[q] && num[p] == num[q]
	}
	x.orders[c] = o
	return o
}

// floatOrder maps f to an unsigned integer in cmp.Compare's order: NaN
// first, -0 equal to 0.
func floatOrder(f float64) uint64 {
	if f != f {
		return 0
	}
	if f == 0 {
		return 1 << 63
	}
	b := math.Float64bits(f)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// radixSort orders ps by keys[p], keeping the order of equal keys (LSD, a
// byte per pass, up to the largest key's top byte; a pass where every key
// has the same byte is skipped).
func radixSort(ps []int32, keys []uint64) []int32 {
	tmp := make([]int32, len(ps))
	var top uint64
	for _, p := range ps {
		top = max(top, keys[p])
	}
	for shift := uint(0); shift < 64 && top>>shift != 0; shift += 8 {
		var count [257]int
		for _, p := range ps {
			count[(keys[p]>>shift)&0xff+1]++
		}
		if slices.Contains(count[:], len(ps)) {
			continue
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, p := range ps {
			b := (keys[p] >> shift) & 0xff
			tmp[count[b]] = p
			count[b]++
		}
		ps, tmp = tmp, ps
	}
	return ps
}

// colKeys is every pool's value in column c, as a string's rank and a
// number (floatOrder), compared in that order: for REGION the region then
// the last price, for TYPE the family then vCPUs, for AZ its name, else the
// column's figure.
func (x *marketIndex) colKeys(c colID) (str, num []uint64) {
	str, num = make([]uint64, len(x.all)), make([]uint64, len(x.all))
	switch c {
	case colRegion:
		for i, r := range x.region.of {
			str[i] = uint64(r)
		}
	case colAZ:
		for i, r := range x.az.of {
			str[i] = uint64(r)
		}
	case colType:
		fam := x.families()
		for i, r := range x.typ.of {
			str[i] = uint64(fam.ofType[r])
		}
	}
	for i := range x.all {
		a := &x.all[i]
		var f float64
		switch c {
		case colRegion, colLast:
			f = a.Stats.Last
		case colType, colVCPU:
			f = float64(a.Spec.VCPUs)
		case colMem:
			f = float64(a.Spec.MemoryMiB)
		case colTWAP:
			f = a.Stats.TWAP
		case colCV:
			f = a.Stats.CV
		case colSave:
			f = savingsKey(a)
		case colIntr:
			f = bucketKey(a)
		case colGap:
			f = gapHours(a, x.q)
		}
		num[i] = floatOrder(f)
	}
	return str, num
}

// each calls yield with the pools in this order, or in the descending one:
// values from the largest, equal values still by pool.
func (o *colOrder) each(desc bool, yield func(p int32)) {
	if !desc {
		for _, p := range o.pools {
			yield(p)
		}
		return
	}
	for end := len(o.pools); end > 0; {
		start := end - 1
		for start > 0 && o.tie[start] {
			start--
		}
		for _, p := range o.pools[start:end] {
			yield(p)
		}
		end = start
	}
}
