package tui

import (
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
