package tui

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/explore"
)

// referenceRows is the market table's order as specified, written the
// plain way (filter, group, one sort with a comparator), for checking the
// indexed rebuild against.
func referenceRows(v marketView) []marketRow {
	var pools []*explore.Summary
	for i := range v.all {
		if v.match == nil || v.match(&v.all[i]) {
			pools = append(pools, &v.all[i])
		}
	}
	key := func(a *explore.Summary) (string, float64) {
		switch v.sortCol {
		case colRegion:
			return a.Region, a.Stats.Last
		case colType:
			return market.Family(a.InstanceType), float64(a.Spec.VCPUs)
		case colVCPU:
			return "", float64(a.Spec.VCPUs)
		case colMem:
			return "", float64(a.Spec.MemoryMiB)
		case colAZ:
			return a.AvailabilityZone, 0
		case colLast:
			return "", a.Stats.Last
		case colTWAP:
			return "", a.Stats.TWAP
		case colCV:
			return "", a.Stats.CV
		case colSave:
			return "", savingsKey(a)
		case colIntr:
			return "", bucketKey(a)
		case colGap:
			return "", gapHours(a, v.q)
		}
		return "", 0
	}
	less := func(a, b *explore.Summary) int {
		as, af := key(a)
		bs, bf := key(b)
		c := strings.Compare(as, bs)
		if c == 0 {
			c = cmp.Compare(af, bf)
		}
		if v.sortDesc {
			c = -c
		}
		if c != 0 {
			return c
		}
		switch {
		case poolLess(a.Pool, b.Pool):
			return -1
		case poolLess(b.Pool, a.Pool):
			return 1
		}
		return 0
	}
	if !v.byType {
		slices.SortFunc(pools, less)
		rows := make([]marketRow, len(pools))
		for i, p := range pools {
			rows[i] = marketRow{s: p}
		}
		return rows
	}
	groups := map[typeKey][]*explore.Summary{}
	var heads []*explore.Summary
	for _, p := range pools {
		groups[keyOf(p)] = append(groups[keyOf(p)], p)
	}
	for _, g := range groups {
		slices.SortStableFunc(g, func(a, b *explore.Summary) int {
			if c := cmp.Compare(a.Stats.Last, b.Stats.Last); c != 0 {
				return c
			}
			return strings.Compare(a.AvailabilityZone, b.AvailabilityZone)
		})
		heads = append(heads, g[0])
	}
	slices.SortFunc(heads, less)
	var rows []marketRow
	for _, h := range heads {
		g := groups[keyOf(h)]
		rows = append(rows, marketRow{s: h, group: true, nAZ: len(g)})
		if v.expanded[keyOf(h)] {
			for _, c := range g {
				rows = append(rows, marketRow{s: c, child: true})
			}
		}
	}
	return rows
}

// orderTestRows: three regions of generated pools with many ties (equal
// prices across regions and AZs), NaN and zero CVs, pools without specs
// or advisor data, and a gap.
func orderTestRows() ([]explore.Summary, explore.Query) {
	fb := newRegionsBackend([]string{"us-east-1", "eu-west-1", "ap-south-1"}, 300)
	all := fb.sums
	for i := range all {
		s := &all[i]
		switch i % 13 {
		case 1:
			s.Stats.CV = math.NaN()
		case 2:
			s.Stats.CV = 0
			s.Stats.Last = 0
		case 3:
			s.HasSpec, s.Spec = false, market.InstanceType{}
		case 5:
			s.Stats.TWAP = math.Copysign(0, -1) // equal to 0
		case 4:
			s.Stats.Start = s.Stats.Start.Add(24 * 3600e9) // a day's gap at the start
		}
	}
	return all, explore.Query{Regions: fb.info.Cached, Window: 7 * 24 * 3600e9, End: fakeEnd}
}

func TestMarketOrderMatchesReference(t *testing.T) {
	all, q := orderTestRows()
	evenAZ := func(s *explore.Summary) bool { return !strings.HasSuffix(s.AvailabilityZone, "b") }
	for _, byType := range []bool{false, true} {
		for _, match := range []func(*explore.Summary) bool{nil, evenAZ} {
			v := newMarketView()
			v.multi = true
			v.byType = byType
			v.match = match
			v.q = q
			v.expanded = map[typeKey]bool{keyOf(&all[0]): true, keyOf(&all[500]): true, {"nowhere", "m5.large"}: true}
			v = v.setRows(all)
			for c := colID(0); c < numCols; c++ {
				if !v.sortable(c) {
					continue
				}
				for _, desc := range []bool{false, true} {
					v.sortCol, v.sortDesc = c, desc
					v = v.rebuild()
					want := referenceRows(v)
					if len(v.rows) != len(want) {
						t.Fatalf("type mode %v, filter %v, %s desc %v: %d rows, want %d", byType, match != nil, columns[c].title, desc, len(v.rows), len(want))
					}
					for i := range want {
						if v.rows[i] != want[i] {
							t.Fatalf("type mode %v, filter %v, %s desc %v: row %d is %v %+v, want %v %+v", byType, match != nil,
								columns[c].title, desc, i, v.rows[i].s.Pool, v.rows[i], want[i].s.Pool, want[i])
						}
					}
				}
			}
		}
	}
}

// The cursor stays on its pool through a re-sort, and a reload (new rows,
// a new index) finds it by name.
func TestMarketOrderKeepsCursor(t *testing.T) {
	all, q := orderTestRows()
	v := newMarketView()
	v.q = q
	v.byType = false
	v = v.setSize(140, 40)
	v = v.setRows(all)
	v = v.move(123)
	s, _ := v.selected()
	want := s.Pool
	v.sortCol = colCV
	v = v.rebuild()
	if s, _ := v.selected(); s.Pool != want {
		t.Fatalf("after the re-sort the cursor is on %v, want %v", s.Pool, want)
	}
	reload := slices.Clone(all)
	slices.Reverse(reload)
	v = v.setRows(reload)
	if s, _ := v.selected(); s.Pool != want || s != &reload[slices.IndexFunc(reload, func(r explore.Summary) bool { return r.Pool == want })] {
		t.Fatalf("after the reload the cursor is on %v, want %v in the new rows", s.Pool, want)
	}
}

// The volatility ranking and its grid are the plain definition's: the
// metric largest first, then by pool; a cell is its pools' mean.
func TestVolatilityRankMatchesReference(t *testing.T) {
	all, _ := orderTestRows()
	for i := range all {
		if i%17 == 0 {
			all[i].Stats.CoveredHours = 0 // not ranked
		}
	}
	evenAZ := func(s *explore.Summary) bool { return !strings.HasSuffix(s.AvailabilityZone, "b") }
	for _, match := range []func(*explore.Summary) bool{nil, evenAZ} {
		for mt := volMetric(0); mt < numMetrics; mt++ {
			v := newVolView().setRows(all).setFilter(match)
			v.metric = mt
			v = v.fresh(nil)
			var want []*explore.Summary
			sum, n := map[[2]string]float64{}, map[[2]string]int{}
			for i := range all {
				if s := &all[i]; s.Stats.CoveredHours > 0 && (match == nil || match(s)) {
					want = append(want, s)
				}
			}
			slices.SortStableFunc(want, func(a, b *explore.Summary) int {
				if c := cmp.Compare(mt.of(b), mt.of(a)); c != 0 {
					return c
				}
				switch {
				case poolLess(a.Pool, b.Pool):
					return -1
				case poolLess(b.Pool, a.Pool):
					return 1
				}
				return 0
			})
			for _, s := range want {
				k := [2]string{market.Family(s.InstanceType), s.AvailabilityZone}
				sum[k] += mt.of(s)
				n[k]++
			}
			if !slices.Equal(v.ranked, want) {
				t.Fatalf("%s, filter %v: ranking differs from the reference", metricNames[mt], match != nil)
			}
			if len(v.cells) != len(sum) {
				t.Fatalf("%s: %d cells, want %d", metricNames[mt], len(v.cells), len(sum))
			}
			for k, s := range sum {
				if got, w := v.cells[k], s/float64(n[k]); got != w && !(math.IsNaN(got) && math.IsNaN(w)) {
					t.Fatalf("%s: cell %v is %v, want %v", metricNames[mt], k, got, s/float64(n[k]))
				}
			}
		}
	}
}
