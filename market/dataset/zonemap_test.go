package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
)

var saZones = []market.Zone{
	{Region: "sa-east-1", Name: "sa-east-1a", ID: "sae1-az1"},
	{Region: "sa-east-1", Name: "sa-east-1b", ID: "sae1-az2"},
	{Region: "sa-east-1", Name: "sa-east-1c", ID: "sae1-az3"},
}

func TestParseZoneMap(t *testing.T) {
	file := filepath.Join(t.TempDir(), "zones.txt")
	os.WriteFile(file, []byte("# the other account\nsa-east-1a=sae1-az2\nsa-east-1b = sae1-az1 # swapped\n"), 0o600)
	tests := []struct {
		in   string
		want map[string]string
		err  string
	}{
		{"sa-east-1a=sae1-az2,sa-east-1b=sae1-az1", map[string]string{"sa-east-1a": "sae1-az2", "sa-east-1b": "sae1-az1"}, ""},
		{"@" + file, map[string]string{"sa-east-1a": "sae1-az2", "sa-east-1b": "sae1-az1"}, ""},
		{"sa-east-1a", nil, "want name=id"},
		{"sa-east-1a=x,sa-east-1a=y", nil, "mapped twice"},
		{"sa-east-1a=x,sa-east-1b=x", nil, "ID of two names"},
		{"mars-1a=x", nil, "cannot tell the region"},
		{",", nil, "no name=id pairs"},
		{"@/nonexistent/zones", nil, "no such file"},
	}
	for _, tc := range tests {
		got, err := ParseZoneMap(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseZoneMap(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || len(got) != len(tc.want) {
			t.Fatalf("ParseZoneMap(%q) = %v, %v", tc.in, got, err)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("ParseZoneMap(%q)[%s] = %s, want %s", tc.in, k, got[k], v)
			}
		}
	}
}

// TestZoneIDsRenameZones: records from another account land under this
// account's names through AZ IDs, from the file's column or a zone map;
// names without an ID are kept and counted; an ID the region does not have,
// or a region whose map the cache lacks, is an error.
func TestZoneIDsRenameZones(t *testing.T) {
	const head = "AvailabilityZone,AvailabilityZoneId,InstanceType,ProductDescription,SpotPrice,Timestamp\n"
	tests := []struct {
		name     string
		csv      string
		fileIDs  map[string]string
		local    map[string][]market.Zone
		wantAZs  []string
		untied   []string
		errMatch string
	}{
		{
			name:    "ID column",
			csv:     head + "sa-east-1a,sae1-az3,c5.large,Linux/UNIX,0.1,2020-06-01T00:00:00Z\nsa-east-1c,sae1-az1,c5.large,Linux/UNIX,0.1,2020-06-01T00:00:00Z\n",
			local:   map[string][]market.Zone{"sa-east-1": saZones},
			wantAZs: []string{"sa-east-1c", "sa-east-1a"},
		},
		{
			name:    "zone map for a file without IDs",
			csv:     "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\nsa-east-1a,c5.large,Linux/UNIX,0.1,2020-06-01T00:00:00Z\nsa-east-1b,c5.large,Linux/UNIX,0.1,2020-06-01T00:00:00Z\n",
			fileIDs: map[string]string{"sa-east-1a": "sae1-az2"},
			local:   map[string][]market.Zone{"sa-east-1": saZones},
			wantAZs: []string{"sa-east-1b", "sa-east-1b"},
			untied:  []string{"sa-east-1b"},
		},
		{
			name:     "an ID the region does not have",
			csv:      head + "sa-east-1a,use1-az4,c5.large,Linux/UNIX,0.1,2020-06-01T00:00:00Z\n",
			local:    map[string][]market.Zone{"sa-east-1": saZones},
			errMatch: "use1-az4, which is not a zone of sa-east-1",
		},
		{
			name:     "no AZ map of the region",
			csv:      head + "sa-east-1a,sae1-az1,c5.large,Linux/UNIX,0.1,2020-06-01T00:00:00Z\n",
			errMatch: "the cache has no AZ map of sa-east-1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			zm := &ZoneMap{FileIDs: tc.fileIDs, Local: tc.local}
			var azs []string
			err := Read(strings.NewReader(tc.csv), Options{Zones: zm}, func(r market.Record) error {
				azs = append(azs, r.AvailabilityZone)
				return nil
			})
			if tc.errMatch != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errMatch) {
					t.Fatalf("error %v, want %q", err, tc.errMatch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(azs, " ") != strings.Join(tc.wantAZs, " ") {
				t.Errorf("zones %v, want %v", azs, tc.wantAZs)
			}
			if strings.Join(zm.UntiedNames(), " ") != strings.Join(tc.untied, " ") {
				t.Errorf("untied %v, want %v", zm.UntiedNames(), tc.untied)
			}
		})
	}
}

func TestCLIJSONZoneID(t *testing.T) {
	doc := `{"SpotPriceHistory":[{"AvailabilityZone":"sa-east-1a","AvailabilityZoneId":"sae1-az2","InstanceType":"m5.large",
		"ProductDescription":"Linux/UNIX","SpotPrice":"0.05","Timestamp":"2020-06-01T00:00:00Z"}]}`
	var got market.Record
	err := Read(strings.NewReader(doc), Options{Zones: &ZoneMap{Local: map[string][]market.Zone{"sa-east-1": saZones}}}, func(r market.Record) error {
		got = r
		return nil
	})
	if err != nil || got.AvailabilityZone != "sa-east-1b" {
		t.Fatalf("record %+v, %v; want sa-east-1b (the zone with ID sae1-az2)", got, err)
	}
}

// TestImportFileKeepsSourcesApart imports into a real cache that already
// covers part of the file's time: the file's records there are dropped, the
// rest stored, and the file's span recorded as coverage of its types.
func TestImportFileKeepsSourcesApart(t *testing.T) {
	ctx := context.Background()
	st, err := cache.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	day := func(d int) time.Time { return time.Date(2020, 6, d, 0, 0, 0, 0, time.UTC) }
	// The cache fetched June 5..10 for every type.
	if err := st.AddCoverage(ctx, "sa-east-1", market.LinuxUNIX, "*", market.Interval{Start: day(5), End: day(10)}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\n")
	for d := 1; d <= 12; d++ {
		b.WriteString("sa-east-1a,c5.large,Linux/UNIX,0.1," + day(d).Format(time.RFC3339) + "\n")
	}
	path := filepath.Join(t.TempDir(), "other.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := ImportFile(ctx, st, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Days 5..9 are inside [5, 10): dropped; 1..4 and 10..12 stored.
	if res.Read != 12 || res.Known != 5 || res.Added != 7 {
		t.Fatalf("read %d, known %d, added %d; want 12, 5, 7", res.Read, res.Known, res.Added)
	}
	cov, err := st.CoverageScopes(ctx, "sa-east-1", market.LinuxUNIX)
	if err != nil {
		t.Fatal(err)
	}
	got := cov["c5.large"]
	if len(got) != 1 || !got[0].Start.Equal(day(2)) || !got[0].End.Equal(day(12)) {
		t.Fatalf("import coverage %v, want [Jun 2, Jun 12] under scope c5.large (all scopes: %v)", got, cov)
	}
	// Again: everything is known now.
	res, err = ImportFile(ctx, st, path, Options{})
	if err != nil || res.Added != 0 || res.Known != 10 {
		t.Fatalf("re-import: %+v, %v; want 0 added, 10 known (days 2..11; day 1 precedes the span, day 12 ends it)", res, err)
	}
}

// FuzzParseZoneMap: any --zone-map value parses to a one-to-one map of
// valid zone names or fails with an error, never a panic.
func FuzzParseZoneMap(f *testing.F) {
	for _, s := range []string{"sa-east-1a=sae1-az2,sa-east-1b=sae1-az1", "=", "a=b=c", ",,", "us-east-1a=use1-az4, us-east-1a=use1-az4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.HasPrefix(s, "@") {
			return // a file name: not the parser's input
		}
		m, err := ParseZoneMap(s)
		if err != nil {
			return
		}
		ids := map[string]bool{}
		for name, id := range m {
			if _, err := market.RegionOfZone(name); err != nil || id == "" || ids[id] {
				t.Fatalf("ParseZoneMap(%q) = %v: bad pair %s=%s", s, m, name, id)
			}
			ids[id] = true
		}
	})
}
