package dataset

import (
	"bytes"
	"compress/gzip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

func collect(t *testing.T, data []byte, opts Options) ([]market.Record, error) {
	t.Helper()
	var recs []market.Record
	err := Read(bytes.NewReader(data), opts, func(r market.Record) error { recs = append(recs, r); return nil })
	return recs, err
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

const csvSample = "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\n" +
	"sa-east-1a,r5d.24xlarge,Linux/UNIX,1.676000,2020-03-31T00:04:27+00:00\n" +
	"sa-east-1c,r5ad.24xlarge,SUSE Linux,0.000000,2020-02-05T10:00:00Z\n"

const jsonSample = `{"SpotPriceHistory":[{"AvailabilityZone":"sa-east-1b","InstanceType":"c5.large","ProductDescription":"Linux/UNIX","SpotPrice":"0.045200","Timestamp":"2020-06-22T11:40:45+00:00"}],"NextToken":""}`

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		opts    Options
		want    int
		first   market.Record
		wantErr string
	}{
		{name: "csv", data: []byte(csvSample), want: 2, first: market.Record{
			Pool: market.Pool{Region: "sa-east-1", AvailabilityZone: "sa-east-1a", InstanceType: "r5d.24xlarge", Product: "Linux/UNIX"},
			Time: time.Date(2020, 3, 31, 0, 4, 27, 0, time.UTC), Price: 1.676}},
		{name: "csv gzip", data: gz([]byte(csvSample)), want: 2},
		{name: "csv columns reordered", data: []byte("Timestamp,SpotPrice,ProductDescription,InstanceType,AvailabilityZone\n2020-01-01T00:00:00Z,0.1,Linux/UNIX,m5.large,us-east-1a\n"), want: 1},
		{name: "cli json", data: []byte(jsonSample), want: 1, first: market.Record{
			Pool: market.Pool{Region: "sa-east-1", AvailabilityZone: "sa-east-1b", InstanceType: "c5.large", Product: "Linux/UNIX"},
			Time: time.Date(2020, 6, 22, 11, 40, 45, 0, time.UTC), Price: 0.0452}},
		{name: "cli json gzip with region override", data: gz([]byte(jsonSample)), opts: Options{Region: "sa-east-1"}, want: 1},
		{name: "bare json array", data: []byte(`[{"AvailabilityZone":"us-east-1a","InstanceType":"m5.large","ProductDescription":"Linux/UNIX","SpotPrice":"0.1","Timestamp":"2024-05-01T12:34:56.000Z"}]`), want: 1},
		{name: "empty", data: nil, wantErr: "empty input"},
		{name: "json without history", data: []byte(`{"Reservations":[]}`), wantErr: "SpotPriceHistory"},
		{name: "csv missing column", data: []byte("AvailabilityZone,InstanceType\nx,y\n"), wantErr: "lacks column"},
		{name: "bad price", data: []byte(strings.Replace(csvSample, "1.676000", "cheap", 1)), wantErr: "line 2: invalid price"},
		{name: "bad time", data: []byte(strings.Replace(csvSample, "2020-03-31T00:04:27+00:00", "yesterday", 1)), wantErr: "invalid timestamp"},
		{name: "unknown zone needs --region", data: []byte(strings.Replace(csvSample, "sa-east-1a", "zz-9z", 1)), wantErr: "pass --region"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := collect(t, tc.data, tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != tc.want {
				t.Fatalf("got %d records, want %d", len(recs), tc.want)
			}
			if tc.first != (market.Record{}) && recs[0] != tc.first {
				t.Errorf("first = %+v, want %+v", recs[0], tc.first)
			}
		})
	}
}

// TestRealFiles reads the recorded AWS CLI outputs and the CSV captures and
// checks the counts their README states.
func TestRealFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json.gz")
	if len(files) != 3 {
		t.Fatalf("want 3 CLI JSON fixtures, have %v", files)
	}
	for _, f := range files {
		n := 0
		if err := ReadFile(f, Options{}, func(r market.Record) error {
			if r.Region != "sa-east-1" {
				t.Fatalf("%s: region %q", f, r.Region)
			}
			n++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("%s: no records", f)
		}
	}
	counts := map[string]int{
		"../demo/data/sa-east-1_2019-12-31_to_2020-03-30.csv.gz": 209965,
		"../demo/data/sa-east-1_2020-03-31_to_2020-06-23.csv.gz": 189339,
	}
	for f, want := range counts {
		n, zeros := 0, 0
		if err := ReadFile(f, Options{}, func(r market.Record) error {
			n++
			if r.Price == 0 {
				zeros++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d records, want %d", f, n, want)
		}
		if strings.Contains(f, "2019") && zeros != 2 {
			t.Errorf("%s: %d zero prices, want 2", f, zeros)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(csvSample))
	f.Add([]byte(jsonSample))
	f.Add(gz([]byte(csvSample)))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = Read(bytes.NewReader(data), Options{}, func(r market.Record) error {
			if r.Price < 0 || r.Region == "" || r.InstanceType == "" {
				t.Fatalf("accepted an invalid record %+v", r)
			}
			return nil
		})
	})
}
