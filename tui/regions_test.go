package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRegionPicker(t *testing.T) {
	regions := []string{"eu-west-1", "sa-east-1", "us-east-1"}
	b := newRegionsBackend(regions, 30)
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, sizeMsg(140, 40))
	m, _ = run(t, m, m.Init())
	if got := regionsOf(m); len(got) != 1 || !got["eu-west-1"] {
		t.Fatalf("start shows %v, want eu-west-1 only", got)
	}
	if hasCol(m.market.visible, colRegion) {
		t.Fatal("REGION column shown for one region")
	}

	// R opens the picker on the region shown; "all" is the first choice.
	m = send(t, m, keys("R")...)
	if !m.picker.open || m.picker.cursor != 1 {
		t.Fatalf("picker open %v cursor %d", m.picker.open, m.picker.cursor)
	}
	if v := m.View(); !strings.Contains(v, "all cached regions (3)") || !strings.Contains(v, "sa-east-1") {
		t.Fatalf("picker view:\n%s", v)
	}
	m = send(t, m, keys("up", "enter")...)
	if m.picker.open {
		t.Fatal("enter left the picker open")
	}
	if got := regionsOf(m); len(got) != 3 {
		t.Fatalf("all regions shows %v", got)
	}
	if !hasCol(m.market.visible, colRegion) {
		t.Fatal("no REGION column in the all-regions view")
	}
	if !strings.Contains(m.headerLine(), "all 3 regions") {
		t.Fatalf("header %q does not say which regions", m.headerLine())
	}
	last := b.queries[len(b.queries)-1]
	if len(last.Regions) != 3 {
		t.Fatalf("query asked for %v", last.Regions)
	}

	// s cycles from LAST to REGION eventually; the rows then run by region.
	for i := 0; i < int(numCols) && m.market.sortCol != colRegion; i++ {
		m = send(t, m, keys("s")...)
	}
	if m.market.sortCol != colRegion {
		t.Fatal("s never reached the REGION column")
	}
	for i := 1; i < len(m.market.rows); i++ {
		if m.market.rows[i].s.Region < m.market.rows[i-1].s.Region {
			t.Fatalf("row %d: %s after %s", i, m.market.rows[i].s.Region, m.market.rows[i-1].s.Region)
		}
	}
	m = send(t, m, keys("S")...)
	if m.market.rows[0].s.Region != "us-east-1" {
		t.Fatalf("reversed region sort starts at %s", m.market.rows[0].s.Region)
	}

	// Back to one region: the column and its sort go away.
	m = send(t, m, keys("R", "down", "down", "enter")...)
	if got := regionsOf(m); len(got) != 1 || !got["sa-east-1"] {
		t.Fatalf("picked sa-east-1, shows %v", got)
	}
	if hasCol(m.market.visible, colRegion) || m.market.sortCol == colRegion {
		t.Fatal("REGION column or sort kept for one region")
	}

	// esc keeps the regions shown.
	m = send(t, m, keys("R", "up", "esc")...)
	if got := regionsOf(m); m.picker.open || len(got) != 1 || !got["sa-east-1"] {
		t.Fatalf("esc changed regions to %v", got)
	}
}

func regionsOf(m Model) map[string]bool {
	out := map[string]bool{}
	for _, r := range m.market.rows {
		out[r.s.Region] = true
	}
	return out
}

func hasCol(cols []colID, c colID) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}

// TestFilterEverywhere: the filter set in Market holds in Volatility and
// Compare, / and f work there too, and a filter change goes back to the top.
func TestFilterEverywhere(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	m = send(t, m, keys("t")...) // pools
	m = send(t, m, keys("G")...)
	if m.market.cursor == 0 {
		t.Fatal("G did not move the cursor")
	}
	m = send(t, m, keys("/", "c", "5", "enter")...)
	if m.market.cursor != 0 || m.market.offset != 0 {
		t.Fatalf("filter left cursor %d offset %d", m.market.cursor, m.market.offset)
	}
	for _, r := range m.market.rows {
		if !strings.Contains(r.s.InstanceType, "c5") {
			t.Fatalf("market row %s passes filter c5", r.s.InstanceType)
		}
	}
	m = send(t, m, keys("4")...)
	if len(m.vol.ranked) == 0 {
		t.Fatal("volatility empty under c5")
	}
	for _, s := range m.vol.ranked {
		if !strings.Contains(s.InstanceType, "c5") {
			t.Fatalf("volatility row %s passes filter c5", s.InstanceType)
		}
	}
	if !strings.Contains(m.View(), "filter: c5") {
		t.Fatal("volatility does not show the filter")
	}
	// quick filter in Volatility: vCPU >= 8
	m = send(t, m, keys("j", "j", "f", "up", "up", "up", "up", "enter")...)
	if m.vol.cursor != 0 {
		t.Fatalf("quick filter left volatility cursor at %d", m.vol.cursor)
	}
	for _, s := range m.vol.ranked {
		if !s.HasSpec || s.Spec.VCPUs < 8 {
			t.Fatalf("volatility row %s has %d vCPUs under vCPU ≥ 8", s.InstanceType, s.Spec.VCPUs)
		}
	}
	// esc peels the text filter first, then the quick filters
	m = send(t, m, keys("esc")...)
	if m.filter.input.Value() != "" || !m.filter.fb.active() {
		t.Fatalf("first esc: text %q quick %v", m.filter.input.Value(), m.filter.fb.active())
	}
	m = send(t, m, keys("esc")...)
	if m.filter.active() {
		t.Fatal("second esc left a filter")
	}

	// Compare: mark three types, then filter down to one family.
	m = send(t, m, keys("1", "g", " ", " ", " ")...)
	marked := len(m.market.marks)
	m = send(t, m, keys("3")...)
	if len(m.compare.pools) != marked {
		t.Fatalf("compare shows %d of %d marked", len(m.compare.pools), marked)
	}
	fam := m.compare.pools[0].InstanceType
	m = send(t, m, keys("/")...)
	for _, r := range fam {
		m = send(t, m, press(string(r)))
	}
	m = send(t, m, keys("enter")...)
	if len(m.compare.pools) != 1 || m.compare.pools[0].InstanceType != fam {
		t.Fatalf("compare under filter %q: %d pools", fam, len(m.compare.pools))
	}
	// esc clears the filter before it leaves the view
	m = send(t, m, keys("esc")...)
	if m.view != viewCompare || m.filter.active() {
		t.Fatalf("esc: view %v filter %v", m.view, m.filter.active())
	}
	m = send(t, m, keys("esc")...)
	if m.view != viewMarket {
		t.Fatal("second esc did not leave Compare")
	}
}

// TestSortResetsScroll: a new sort shows the first row of the new order.
func TestSortResetsScroll(t *testing.T) {
	m := newDemoModel(t, 100, 30, Options{})
	m = send(t, m, keys("t", "G")...)
	for _, k := range []string{"s", "S"} {
		m = send(t, m, keys("G", k)...)
		if m.market.cursor != 0 || m.market.offset != 0 {
			t.Fatalf("%s left cursor %d offset %d", k, m.market.cursor, m.market.offset)
		}
	}
}

// r, and the refresh at start, fetch the regions the views show: the one
// picked with R, or all of them, not the ones configured at start.
func TestRefreshFetchesRegionsShown(t *testing.T) {
	regions := []string{"eu-west-1", "sa-east-1", "us-east-1"}
	b := newRegionsBackend(regions, 30)
	b.info.CanRefresh = true
	m := New(b, func() time.Time { return fakeEnd }, Options{})
	m = send(t, m, sizeMsg(140, 40))
	m, _ = run(t, m, m.Init())
	m = send(t, m, keys("R", "down", "enter")...) // sa-east-1
	m = send(t, m, keys("r")...)
	m = send(t, m, keys("R", "home", "enter", "r")...) // all regions
	want := [][]string{{"eu-west-1"}, {"sa-east-1"}, regions}
	if fmt.Sprint(b.refreshed) != fmt.Sprint(want) {
		t.Fatalf("refreshed %v, want %v", b.refreshed, want)
	}
	if got := m.refresh.regions; fmt.Sprint(got) != fmt.Sprint(regions) {
		t.Fatalf("refresh panel tracks %v, want %v", got, regions)
	}
}
