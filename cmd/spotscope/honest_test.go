package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market/demo"
)

// TestDemoStatsCoverTheRecording is the README's example: the window ends at
// the end of the recording, every row says so, and prices really move in it.
func TestDemoStatsCoverTheRecording(t *testing.T) {
	e := newEnv(t, false)
	out := e.ok("stats", "--demo", "--window", "7d", "-o", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 100 {
		t.Fatalf("stats csv: %v\n%s", err, out)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	end, start := demo.End().Format(time.RFC3339), demo.End().Add(-7*24*time.Hour).Format(time.RFC3339)
	moving := 0
	for _, r := range rows[1:] {
		if r[col["window_end"]] != end || r[col["window_start"]] != start || r[col["as_of"]] != end {
			t.Fatalf("row %v: window [%s, %s] as of %s, want [%s, %s] as of %s", r[:5], r[col["window_start"]], r[col["window_end"]], r[col["as_of"]], start, end, end)
		}
		if n, _ := strconv.Atoi(r[col["changes"]]); n > 0 {
			moving++
		}
		if g, _ := strconv.ParseFloat(r[col["gap_hours"]], 64); g != 0 {
			t.Errorf("row %v: gap %v inside a capture", r[:5], g)
		}
	}
	if moving < 20 {
		t.Errorf("only %d of %d pools change price in the demo's last week", moving, len(rows)-1)
	}
	// The table states the window once, above the rows.
	table := e.ok("stats", "--demo", "--window", "7d", "-t", "c5.large")
	if first, _, _ := strings.Cut(table, "\n"); first != "window "+start+" to "+end+" (as of "+end+")" {
		t.Errorf("table header line %q", first)
	}
}

// TestDemoGapBetweenCaptures: the day between the demo's two recordings was
// never asked about; a window across it reports the gap, in JSON per row.
func TestDemoGapBetweenCaptures(t *testing.T) {
	e := newEnv(t, false)
	var rows []struct {
		InstanceType string  `json:"instance_type"`
		Covered      float64 `json:"covered_hours"`
		Gap          float64 `json:"gap_hours"`
		WindowStart  string  `json:"window_start"`
		WindowEnd    string  `json:"window_end"`
	}
	// A date-only --at is midnight UTC.
	out := e.ok("stats", "--demo", "--at", "2020-04-05", "--window", "10d", "-t", "c5.large", "-o", "json")
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("stats json (%v):\n%s", err, out)
	}
	for _, r := range rows {
		if r.WindowEnd != "2020-04-05T00:00:00Z" || r.WindowStart != "2020-03-26T00:00:00Z" {
			t.Errorf("window [%s, %s]", r.WindowStart, r.WindowEnd)
		}
		// 2020-03-30T00:31 to at least 2020-03-31T00:04 is unknown.
		if r.Gap < 23.5 || r.Covered+r.Gap != 240 {
			t.Errorf("%s: covered %v, gap %v; want a gap of a day or more out of 240 h", r.InstanceType, r.Covered, r.Gap)
		}
	}
	table := e.ok("stats", "--demo", "--at", "2020-04-05", "--window", "10d", "-t", "c5.large")
	if !strings.Contains(table, "GAP HOURS") {
		t.Errorf("table lacks the gap column:\n%s", table)
	}
}

// TestFetchFirstIsNeverPrintedAfterAFetch: a read whose fetch came back
// empty says so, and never tells the user to fetch.
func TestFetchFirstIsNeverPrintedAfterAFetch(t *testing.T) {
	e := newEnv(t, true)
	// The fake's data has no "(Amazon VPC)" products.
	out := e.ok("prices", "-t", "c5.large", "-p", "Windows (Amazon VPC)")
	if strings.Contains(out, "fetch first") || !strings.Contains(out, "a fetch just ran and AWS returned no price records") {
		t.Errorf("empty answer after a fetch: %q", out)
	}
	// Now the catalog is cached: a typo is caught before any fetch.
	calls := e.ec2.Counts().Total
	code, _, errs := e.run("prices", "-t", "c5.lareg")
	if code != 2 || !strings.Contains(errs, "did you mean c5.large?") || e.ec2.Counts().Total != calls {
		t.Errorf("typo with a cached catalog: exit %d, %q, %d calls", code, errs, e.ec2.Counts().Total-calls)
	}
	// Offline with nothing cached for the region: fetch first is the fix.
	out = e.ok("prices", "--offline", "--region", "eu-west-1")
	if !strings.Contains(out, "fetch first: spotscope fetch --region eu-west-1") {
		t.Errorf("offline empty answer: %q", out)
	}
}

// TestImportFromAnotherAccount: after a fetch taught the cache this
// account's AZ map, a file from an account whose names are shuffled lands
// under this account's names, through --zone-map or the file's own IDs, and
// never mixes into time the fetch covered.
func TestImportFromAnotherAccount(t *testing.T) {
	e := newEnv(t, true)
	e.ok("fetch", "-t", "c5.large", "--days", "3")
	// In the other account sa-east-1a is our sa-east-1b (sae1-az2). Its
	// record is 10 days old: outside what the fetch covered.
	old := demo.End().Add(-10 * 24 * time.Hour).Format(time.RFC3339)
	recent := demo.End().Add(-24 * time.Hour).Format(time.RFC3339)
	dir := t.TempDir()
	plain := filepath.Join(dir, "other.csv")
	os.WriteFile(plain, []byte("AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\n"+
		"sa-east-1a,c5.large,Linux/UNIX,0.987654,"+old+"\n"+
		"sa-east-1a,c5.large,Linux/UNIX,0.5,"+recent+"\n"), 0o600)
	_, _, errs := e.run("import", "--zone-map", "sa-east-1a=sae1-az2", plain)
	if !strings.Contains(errs, "2 records read, 1 new, 1 dropped where the cache already covers the time") {
		t.Fatalf("import: %s", errs)
	}
	hist := e.ok("history", "--offline", "-t", "c5.large", "--az", "sa-east-1b", "--start", demo.End().Add(-11*24*time.Hour).Format(time.DateOnly), "-o", "csv")
	if !strings.Contains(hist, "sa-east-1b,c5.large,Linux/UNIX,"+old+",0.987654") || strings.Contains(hist, ",0.500000") {
		t.Errorf("history after the import:\n%s", hist)
	}

	// The file's own AvailabilityZoneId column does the same.
	withIDs := filepath.Join(dir, "ids.csv")
	os.WriteFile(withIDs, []byte("AvailabilityZone,AvailabilityZoneId,InstanceType,ProductDescription,SpotPrice,Timestamp\n"+
		"sa-east-1c,sae1-az1,m5.large,Linux/UNIX,0.123456,"+old+"\n"), 0o600)
	e.ok("import", withIDs)
	prices := e.ok("prices", "--offline", "-t", "m5.large", "-o", "csv")
	if !strings.Contains(prices, "sa-east-1a,sae1-az1,m5.large") {
		t.Errorf("ID column not mapped:\n%s", prices)
	}

	// Names with no ID: imported as they are, and the import says so.
	_, _, errs = e.run("import", plain)
	if !strings.Contains(errs, "AZ names sa-east-1a not tied to AZ IDs") {
		t.Errorf("untied names not reported: %s", errs)
	}
	// An ID that is not a zone of the region is refused.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("AvailabilityZone,AvailabilityZoneId,InstanceType,ProductDescription,SpotPrice,Timestamp\n"+
		"sa-east-1a,use1-az4,m5.large,Linux/UNIX,0.1,"+old+"\n"), 0o600)
	code, _, errs := e.run("import", bad)
	if code == 0 || !strings.Contains(errs, "use1-az4, which is not a zone of sa-east-1") || strings.Count(errs, "\n") != 1 {
		t.Errorf("foreign AZ ID: exit %d, %q", code, errs)
	}
	code, _, errs = e.run("import", "--zone-map", "sa-east-1a", plain)
	if code != 2 || !strings.Contains(errs, "--zone-map") {
		t.Errorf("bad --zone-map: exit %d, %q", code, errs)
	}
}

func TestStatsPastTheRecordingSaysWhy(t *testing.T) {
	e := newEnv(t, false)
	code, out, errs := e.run("stats", "--demo", "--at", "2020-08-01", "--window", "7d", "-t", "c5.large")
	if code != 0 || !strings.Contains(errs, "3 pools have records but no covered time in the window") ||
		!strings.Contains(errs, "the demo's recording ends at 2020-06-23T00:04:24Z; move --at") || !strings.Contains(out, "no pools with prices in the window") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

func TestFetchCatchesATypo(t *testing.T) {
	e := newEnv(t, true)
	code, _, errs := e.run("fetch", "-t", "c5.large,m5.lareg", "--days", "1")
	if code != 2 || errs != "spotscope: --type m5.lareg: no such instance type in sa-east-1; did you mean m5.large?\n" {
		t.Errorf("exit %d, %q", code, errs)
	}
	if n := e.ec2.Counts().ByAction["DescribeSpotPriceHistory"]; n != 0 {
		t.Errorf("a typo still fetched %d pages", n)
	}
}
