package advisor

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market/internal/memdocs"
)

const small = `{
 "global_rate": "<10%",
 "ranges": [
  {"index": 0, "label": "<5%", "dots": 0, "max": 5},
  {"index": 1, "label": "5-10%", "dots": 1, "max": 11},
  {"index": 2, "label": "10-15%", "dots": 2, "max": 16},
  {"index": 3, "label": "15-20%", "dots": 3, "max": 22},
  {"index": 4, "label": ">20%", "dots": 4, "max": 100}
 ],
 "instance_types": {"m5.large": {"emr": false, "cores": 2, "ram_gb": 8.0}, "p5.48xlarge": {"emr": false, "cores": 192, "ram_gb": 2048.0}},
 "spot_advisor": {
  "us-east-1": {"Linux": {"m5.large": {"s": 58, "r": 1}, "p5.48xlarge": {"s": -62, "r": 0}},
                "Windows": {"m5.large": {"s": 40, "r": 4}}}
 }
}`

func TestEmbedded(t *testing.T) {
	d := Embedded()
	if Embedded() != d {
		t.Fatal("Embedded parsed twice")
	}
	if n := len(d.Regions()); n != 33 {
		t.Errorf("regions = %d, want 33", n)
	}
	tests := []struct {
		region, os, typ string
		want            Entry
	}{
		{"sa-east-1", "Linux", "m5.large", Entry{Known: true, Bucket: 4, Label: ">20%", MinPct: 23, MaxPct: 100, Savings: 67}},
		{"sa-east-1", "Linux/UNIX", "c5.large", Entry{Known: true, Bucket: 3, Label: "15-20%", MinPct: 17, MaxPct: 22, Savings: 67}},
		{"sa-east-1", "Red Hat Enterprise Linux", "c5.large", Entry{Known: true, Bucket: 3, Label: "15-20%", MinPct: 17, MaxPct: 22, Savings: 67}},
		{"sa-east-1", "SUSE Linux (Amazon VPC)", "c5.large", Entry{Known: true, Bucket: 3, Label: "15-20%", MinPct: 17, MaxPct: 22, Savings: 67}},
		{"sa-east-1", "Windows", "m5.large", Entry{Known: true, Bucket: 4, Label: ">20%", MinPct: 23, MaxPct: 100, Savings: 56}},
		{"ca-central-1", "Linux", "p5.48xlarge", Entry{Known: true, Bucket: 0, Label: "<5%", MinPct: 0, MaxPct: 5, Savings: -62}},
		{"sa-east-1", "Linux", "no.such", Entry{}},
		{"xx-nowhere-1", "Linux", "m5.large", Entry{}},
		{"sa-east-1", "macOS", "m5.large", Entry{}},
	}
	for _, tc := range tests {
		if got := d.Lookup(tc.region, tc.os, tc.typ); got != tc.want {
			t.Errorf("Lookup(%s, %s, %s) = %+v, want %+v", tc.region, tc.os, tc.typ, got, tc.want)
		}
	}
	if s, ok := d.InstanceSpec("m5.large"); !ok || s.Cores != 2 || s.RAMGB != 8 {
		t.Errorf("InstanceSpec(m5.large) = %+v, %v", s, ok)
	}
	if _, ok := d.InstanceSpec("no.such"); ok {
		t.Error("InstanceSpec(no.such) found")
	}
	wantRanges := []Range{{0, "<5%", 0, 5}, {1, "5-10%", 6, 11}, {2, "10-15%", 12, 16}, {3, "15-20%", 17, 22}, {4, ">20%", 23, 100}}
	got := d.Ranges()
	for i := range wantRanges {
		if got[i] != wantRanges[i] {
			t.Errorf("range %d = %+v, want %+v", i, got[i], wantRanges[i])
		}
	}
	if d.GlobalRate() != "<10%" {
		t.Errorf("GlobalRate = %q", d.GlobalRate())
	}
	var nilData *Data
	if nilData.Lookup("us-east-1", "Linux", "m5.large").Known {
		t.Error("nil Data knows something")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not json", `{"spot_advisor":`, "unexpected end"},
		{"empty", `{}`, "no spot_advisor"},
		{"bucket out of range", `{"spot_advisor":{"r":{"Linux":{"t":{"s":1,"r":5}}}}}`, "bucket"},
		{"fractional bucket", `{"spot_advisor":{"r":{"Linux":{"t":{"s":1,"r":1.5}}}}}`, "bucket"},
		{"missing r", `{"spot_advisor":{"r":{"Linux":{"t":{"s":1}}}}}`, "missing"},
		{"savings over 100", `{"spot_advisor":{"r":{"Linux":{"t":{"s":101,"r":0}}}}}`, "savings"},
		{"ranges not increasing", `{"ranges":[{"index":0,"max":10},{"index":1,"max":5}],"spot_advisor":{"r":{"Linux":{"t":{"s":1,"r":0}}}}}`, "increasing"},
		{"duplicate range index", `{"ranges":[{"index":0,"max":5},{"index":0,"max":10}],"spot_advisor":{"r":{"Linux":{"t":{"s":1,"r":0}}}}}`, "index"},
		{"wrong type", `{"spot_advisor":{"r":{"Linux":{"t":{"s":"x","r":0}}}}}`, "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want containing %q", err, tc.want)
			}
		})
	}
	// No ranges: the published bounds apply.
	d, err := Parse([]byte(`{"spot_advisor":{"r":{"Linux":{"t":{"s":-5,"r":2}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if e := d.Lookup("r", "Linux", "t"); e != (Entry{true, 2, "10-15%", 12, 16, -5}) {
		t.Errorf("default ranges: %+v", e)
	}
}

func TestLoad(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	type server struct {
		status int
		body   string
	}
	tests := []struct {
		name      string
		srv       server
		cached    string // "" = nothing cached
		cachedAge time.Duration
		offline   bool
		storeErr  error
		wantMode  string
		wantStale bool
		wantFetch bool
		wantNote  string
		wantSav   int // savings of us-east-1 Linux m5.large: 58 from `small`, 70 from `other`, 66 embedded
		wantPut   bool
	}{
		{name: "live", srv: server{200, small}, wantMode: ModeLive, wantFetch: true, wantSav: 58, wantPut: true},
		{name: "fresh cache", srv: server{200, small}, cached: other, cachedAge: time.Hour, wantMode: ModeCached, wantSav: 70},
		{name: "old cache refetched", srv: server{200, small}, cached: other, cachedAge: 25 * time.Hour, wantMode: ModeLive, wantFetch: true, wantSav: 58, wantPut: true},
		{name: "stale fallback on 500", srv: server{500, ""}, cached: other, cachedAge: 48 * time.Hour, wantMode: ModeCached, wantStale: true, wantFetch: true, wantNote: "HTTP 500", wantSav: 70},
		{name: "stale fallback on broken JSON", srv: server{200, `{"spot_advisor": [`}, cached: other, cachedAge: 48 * time.Hour, wantMode: ModeCached, wantStale: true, wantFetch: true, wantNote: "live fetch failed", wantSav: 70},
		{name: "embedded on 404 without cache", srv: server{404, ""}, wantMode: ModeEmbedded, wantFetch: true, wantNote: "HTTP 404", wantSav: 66},
		{name: "embedded on broken JSON", srv: server{200, `<html>`}, wantMode: ModeEmbedded, wantFetch: true, wantNote: "invalid character", wantSav: 66},
		{name: "broken cache ignored", srv: server{200, small}, cached: `garbage`, cachedAge: time.Hour, wantMode: ModeLive, wantFetch: true, wantNote: "cached copy unreadable", wantSav: 58, wantPut: true},
		{name: "offline uses old cache", srv: server{200, small}, cached: other, cachedAge: 72 * time.Hour, offline: true, wantMode: ModeCached, wantStale: true, wantNote: "offline", wantSav: 70},
		{name: "offline without cache", srv: server{200, small}, offline: true, wantMode: ModeEmbedded, wantNote: "offline", wantSav: 66},
		{name: "store broken", srv: server{200, small}, storeErr: errors.New("disk gone"), wantMode: ModeLive, wantFetch: true, wantNote: "disk gone", wantSav: 58},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.WriteHeader(tc.srv.status)
				_, _ = w.Write([]byte(tc.srv.body))
			}))
			defer ts.Close()
			st := &memdocs.Store{}
			url := ts.URL + "/spot-advisor-data.json"
			if tc.cached != "" {
				_ = st.PutDoc(context.Background(), CacheKey(url), []byte(tc.cached), now.Add(-tc.cachedAge))
			}
			st.Fail = tc.storeErr
			d, p, err := Load(context.Background(), Source{
				URL: url, HTTPClient: ts.Client(), Store: st, Offline: tc.offline,
				Now: func() time.Time { return now },
			})
			if err != nil {
				t.Fatal(err)
			}
			if p.Mode != tc.wantMode || p.Stale != tc.wantStale {
				t.Errorf("provenance = %+v, want mode %s stale %v", p, tc.wantMode, tc.wantStale)
			}
			if !strings.Contains(p.Note, tc.wantNote) {
				t.Errorf("note = %q, want %q", p.Note, tc.wantNote)
			}
			if got := hits.Load() > 0; got != tc.wantFetch {
				t.Errorf("fetched = %v, want %v", got, tc.wantFetch)
			}
			region := "us-east-1"
			if s, _ := d.Savings(region, "Linux", "m5.large"); s != tc.wantSav {
				t.Errorf("savings = %d, want %d", s, tc.wantSav)
			}
			switch p.Mode {
			case ModeLive:
				if !p.AsOf.Equal(now) || p.Age != 0 || p.Source != url {
					t.Errorf("live provenance %+v", p)
				}
			case ModeCached:
				if want := now.Add(-tc.cachedAge); !p.AsOf.Equal(want) || p.Age != tc.cachedAge {
					t.Errorf("cached provenance %+v, want as of %v", p, want)
				}
			case ModeEmbedded:
				if p.Source != EmbeddedSource || !p.AsOf.Equal(EmbeddedAsOf) || p.Age != now.Sub(EmbeddedAsOf) {
					t.Errorf("embedded provenance %+v", p)
				}
			}
			st.Fail = nil
			doc, at, ok, _ := st.Doc(context.Background(), CacheKey(url))
			if tc.wantPut && (!ok || !at.Equal(now) || string(doc) != small) {
				t.Errorf("cache not updated: ok=%v at=%v", ok, at)
			}
		})
	}
}

// other differs from small in the savings of us-east-1 m5.large, so a test
// can tell which copy it got.
var other = strings.Replace(small, `"s": 58`, `"s": 70`, 1)

func TestLoadRedactsURL(t *testing.T) {
	_, p, err := Load(context.Background(), Source{
		URL:        "http://user:secret@127.0.0.1:1/x.json?X-Amz-Signature=abc",
		HTTPClient: &http.Client{Timeout: time.Second},
		Now:        func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != ModeEmbedded {
		t.Fatalf("mode %s", p.Mode)
	}
	for _, s := range []string{"secret", "abc", "user"} {
		if strings.Contains(p.Note, s) || strings.Contains(p.Source, s) {
			t.Errorf("%q leaked: %+v", s, p)
		}
	}
}

func TestLoadCanceled(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Load(ctx, Source{URL: ts.URL, HTTPClient: ts.Client()}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
}

func TestLoadTimeout(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer ts.Close()
	defer close(release)
	_, p, err := Load(context.Background(), Source{URL: ts.URL, HTTPClient: ts.Client(), Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != ModeEmbedded || !strings.Contains(p.Note, "deadline") {
		t.Fatalf("provenance %+v", p)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(small))
	f.Add([]byte(`{"spot_advisor":{"r":{"Linux":{"t":{"s":-5,"r":2}}}}}`))
	f.Add([]byte(`{"ranges":[{"index":1,"max":5},{"index":0,"max":3}],"spot_advisor":{"r":{"Windows":{"t":{"s":1e3,"r":1}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		rs := d.Ranges()
		for _, region := range d.Regions() {
			for _, os := range []string{Linux, Windows} {
				for _, typ := range d.InstanceTypes(region, os) {
					e := d.Lookup(region, os, typ)
					if !e.Known || e.Bucket < 0 || e.Bucket >= len(rs) || e.MinPct > e.MaxPct || e.Savings > 100 {
						t.Fatalf("bad entry %+v", e)
					}
				}
			}
		}
	})
}

// BenchmarkParseEmbedded is a warm start's advisor step: the TUI loads the
// cached (or embedded) file while its first query runs.
func BenchmarkParseEmbedded(b *testing.B) {
	b.SetBytes(int64(len(embeddedJSON)))
	for b.Loop() {
		if _, err := Parse(embeddedJSON); err != nil {
			b.Fatal(err)
		}
	}
}
