package ondemand

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/pricing"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/internal/memdocs"
	"github.com/spotscope/spotscope/market/pricingfake"
)

type savings map[string]int

func (s savings) Savings(region, os, typ string) (int, bool) {
	v, ok := s[region+"/"+os+"/"+typ]
	return v, ok
}

func newAPI(t *testing.T, url string) *pricing.Client {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cfg := aws.Config{
		Region:      "sa-east-1", // the configured region; NewAPI must move it to a pricing region
		Credentials: credentials.NewStaticCredentialsProvider("AKIDFAKE", "SECRETFAKE", ""),
	}
	return NewAPI(cfg, func(o *pricing.Options) {
		o.BaseEndpoint = aws.String(url)
		o.RetryMaxAttempts = 1
	})
}

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func spotPools() []market.PoolPrice {
	pp := func(az, typ, prod string, p float64) market.PoolPrice {
		return market.PoolPrice{Pool: market.Pool{Region: "sa-east-1", AvailabilityZone: az, InstanceType: typ, Product: prod}, Price: p}
	}
	return []market.PoolPrice{
		pp("sa-east-1a", "m5.large", market.LinuxUNIX, 0.04),
		pp("sa-east-1b", "m5.large", market.LinuxUNIX, 0.06),
		pp("sa-east-1a", "m5.large", market.Windows, 0.5), // not Linux: ignored
		pp("sa-east-1a", "c5.large", market.LinuxUNIX, 0.05),
		pp("sa-east-1a", "x1.huge", market.LinuxUNIX, 1),    // savings unknown: skipped
		pp("sa-east-1a", "free.lunch", market.LinuxUNIX, 1), // savings 100: skipped
		pp("sa-east-1a", "t3.zero", market.LinuxUNIX, 0),    // zero price: skipped
	}
}

var testSavings = savings{
	"sa-east-1/Linux/m5.large":   60,
	"sa-east-1/Linux/c5.large":   -25,
	"sa-east-1/Linux/free.lunch": 100,
	"sa-east-1/Linux/t3.zero":    50,
}

func TestPrices(t *testing.T) {
	live := map[string]map[string]float64{"sa-east-1": {"m5.large": 0.153, "c5.large": 0.131, "r5.large": 0.2}}
	tests := []struct {
		name         string
		deny         bool
		down         bool // API unreachable
		noAPI        bool
		empty        bool // API knows no prices for the region
		cachedAge    time.Duration
		noSpot       bool
		wantMode     string
		wantStale    bool
		wantDenied   bool
		wantCalls    bool
		wantNote     string
		wantPrices   map[string]Price
		wantErr      error
		wantCachePut bool
	}{
		{name: "live", wantMode: ModeLive, wantCalls: true, wantCachePut: true,
			wantPrices: map[string]Price{"m5.large": {0.153, false}, "c5.large": {0.131, false}, "r5.large": {0.2, false}}},
		{name: "fresh cache", cachedAge: 6 * 24 * time.Hour, wantMode: ModeCached,
			wantPrices: map[string]Price{"m5.large": {0.1, false}}},
		{name: "week-old cache refreshed", cachedAge: 8 * 24 * time.Hour, wantMode: ModeLive, wantCalls: true, wantCachePut: true,
			wantPrices: map[string]Price{"m5.large": {0.153, false}}},
		{name: "denied estimates", deny: true, wantMode: ModeEstimated, wantDenied: true, wantCalls: true, wantNote: "pricing:GetProducts",
			wantPrices: map[string]Price{"m5.large": {0.125, true}, "c5.large": {0.04, true}}},
		{name: "denied stale cache", deny: true, cachedAge: 30 * 24 * time.Hour, wantMode: ModeCached, wantStale: true, wantDenied: true, wantCalls: true,
			wantPrices: map[string]Price{"m5.large": {0.1, false}}},
		{name: "unreachable estimates", down: true, wantMode: ModeEstimated, wantNote: "Price List API failed",
			wantPrices: map[string]Price{"m5.large": {0.125, true}}},
		{name: "no API estimates", noAPI: true, wantMode: ModeEstimated, wantNote: "not configured",
			wantPrices: map[string]Price{"c5.large": {0.04, true}}},
		{name: "empty answer estimates", empty: true, wantMode: ModeEstimated, wantCalls: true, wantNote: "lists no Linux prices",
			wantPrices: map[string]Price{"m5.large": {0.125, true}}},
		{name: "nothing at all", deny: true, noSpot: true, wantMode: ModeEstimated, wantDenied: true, wantCalls: true, wantErr: ErrNoPrices},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prices := live
			if tc.empty {
				prices = map[string]map[string]float64{"us-east-1": {"m5.large": 0.096}}
			}
			srv := pricingfake.NewServer(prices, pricingfake.Options{Deny: tc.deny, PageSize: 2})
			defer srv.Close()
			if tc.down {
				srv.Close()
			}
			st := &memdocs.Store{}
			if tc.cachedAge > 0 {
				_ = st.PutDoc(context.Background(), CacheKey("sa-east-1"), []byte(`{"region":"sa-east-1","prices":{"m5.large":0.1}}`), now.Add(-tc.cachedAge))
			}
			c := &Client{Store: st, Advisor: testSavings, Now: func() time.Time { return now }}
			if !tc.noAPI {
				c.API = newAPI(t, srv.URL)
			}
			if !tc.noSpot {
				c.Spot = func(context.Context, string) ([]market.PoolPrice, error) { return spotPools(), nil }
			}
			tab, p, err := c.Prices(context.Background(), "sa-east-1")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if p.Mode != tc.wantMode || p.Stale != tc.wantStale || p.Denied != tc.wantDenied {
				t.Errorf("provenance %+v", p)
			}
			if !strings.Contains(p.Note, tc.wantNote) {
				t.Errorf("note %q, want %q", p.Note, tc.wantNote)
			}
			if strings.Contains(p.Note, "SECRETFAKE") || (err != nil && strings.Contains(err.Error(), "SECRETFAKE")) {
				t.Error("secret leaked")
			}
			if got := len(srv.Requests()) > 0; got != tc.wantCalls {
				t.Errorf("API called = %v, want %v", got, tc.wantCalls)
			}
			for typ, want := range tc.wantPrices {
				got, ok := tab.Lookup(typ)
				if !ok || math.Abs(got.USD-want.USD) > 1e-9 || got.Estimated != want.Estimated {
					t.Errorf("%s = %+v %v, want %+v", typ, got, ok, want)
				}
			}
			if tc.wantMode == ModeEstimated {
				for _, typ := range []string{"x1.huge", "free.lunch", "t3.zero"} {
					if _, ok := tab.Lookup(typ); ok {
						t.Errorf("%s estimated without a usable savings/price", typ)
					}
				}
			}
			_, at, _, _ := st.Doc(context.Background(), CacheKey("sa-east-1"))
			if tc.wantCachePut != at.Equal(now) {
				t.Errorf("cache written at %v, want put=%v", at, tc.wantCachePut)
			}
			if tc.wantCalls && !tc.down {
				for _, r := range srv.Requests() {
					if r.Region != "us-east-1" {
						t.Errorf("signed for %q, want the pricing region us-east-1", r.Region)
					}
				}
			}
		})
	}
}

// TestDemoRegion runs the real pieces together: the sa-east-1 test prices of
// the fake, all pages, and estimates from the embedded advisor.
func TestDemoRegion(t *testing.T) {
	srv := pricingfake.NewServer(pricingfake.DemoPrices(), pricingfake.Options{})
	defer srv.Close()
	c := &Client{API: newAPI(t, srv.URL), Now: func() time.Time { return now }}
	tab, p, err := c.Prices(context.Background(), "sa-east-1")
	if err != nil || p.Mode != ModeLive {
		t.Fatalf("%v %+v", err, p)
	}
	if tab.Len() != len(pricingfake.SAEast1) || len(srv.Requests()) < 2 {
		t.Fatalf("got %d prices in %d requests", tab.Len(), len(srv.Requests()))
	}
	if got, _ := tab.Lookup("m5.large"); got.USD != pricingfake.SAEast1["m5.large"] {
		t.Errorf("m5.large %v", got)
	}

	srv.SetDeny(true)
	c = &Client{API: c.API, Advisor: advisor.Embedded(), Now: func() time.Time { return now },
		Spot: func(context.Context, string) ([]market.PoolPrice, error) {
			return []market.PoolPrice{{Pool: market.Pool{Region: "sa-east-1", AvailabilityZone: "sa-east-1a", InstanceType: "m5.large", Product: market.LinuxUNIX}, Price: 0.033}}, nil
		}}
	tab, p, err = c.Prices(context.Background(), "sa-east-1")
	if err != nil || !p.Denied {
		t.Fatalf("%v %+v", err, p)
	}
	got, _ := tab.Lookup("m5.large")
	if want := 0.033 / (1 - 0.67); !got.Estimated || math.Abs(got.USD-want) > 1e-9 {
		t.Errorf("estimate %+v, want %v", got, want)
	}
}

func TestParseItem(t *testing.T) {
	mk := func(attrs, dims string) string {
		return `{"product":{"attributes":{` + attrs + `}},"terms":{"OnDemand":{"A.B":{"priceDimensions":{` + dims + `}}}}}`
	}
	tests := []struct {
		name, in string
		typ      string
		usd      float64
		ok       bool
	}{
		{"plain", mk(`"instanceType":"m5.large","regionCode":"sa-east-1"`, `"A.B.C":{"unit":"Hrs","pricePerUnit":{"USD":"0.1530000000"}}`), "m5.large", 0.153, true},
		{"no region attr", mk(`"instanceType":"m5.large"`, `"A.B.C":{"pricePerUnit":{"USD":"0.15"}}`), "m5.large", 0.15, true},
		{"other region", mk(`"instanceType":"m5.large","regionCode":"us-east-1"`, `"A.B.C":{"unit":"Hrs","pricePerUnit":{"USD":"0.096"}}`), "", 0, false},
		{"zero", mk(`"instanceType":"m5.large"`, `"A.B.C":{"unit":"Hrs","pricePerUnit":{"USD":"0.0000000000"}}`), "", 0, false},
		{"not hourly", mk(`"instanceType":"m5.large"`, `"A.B.C":{"unit":"GB-Mo","pricePerUnit":{"USD":"0.1"}}`), "", 0, false},
		{"lowest of two", mk(`"instanceType":"m5.large"`, `"A.B.C":{"unit":"Hrs","pricePerUnit":{"USD":"0.2"}},"A.B.D":{"unit":"Hrs","pricePerUnit":{"USD":"0.1"}}`), "m5.large", 0.1, true},
		{"bad price", mk(`"instanceType":"m5.large"`, `"A.B.C":{"unit":"Hrs","pricePerUnit":{"USD":"N/A"}}`), "", 0, false},
		{"no type", mk(`"volumeType":"gp3"`, `"A.B.C":{"unit":"Hrs","pricePerUnit":{"USD":"0.1"}}`), "", 0, false},
		{"not json", `{"product":`, "", 0, false},
	}
	for _, tc := range tests {
		typ, usd, ok := ParseItem(tc.in, "sa-east-1")
		if typ != tc.typ || usd != tc.usd || ok != tc.ok {
			t.Errorf("%s: got %q %v %v", tc.name, typ, usd, ok)
		}
	}
}

func TestPricingRegion(t *testing.T) {
	for in, want := range map[string]string{
		"us-east-1": "us-east-1", "sa-east-1": "us-east-1", "us-west-2": "us-east-1", "": "us-east-1",
		"eu-west-1": "eu-central-1", "eu-central-1": "eu-central-1", "me-south-1": "eu-central-1",
		"ap-south-1": "ap-south-1", "ap-northeast-1": "ap-south-1",
	} {
		if got := PricingRegion(in); got != want {
			t.Errorf("PricingRegion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanceled(t *testing.T) {
	srv := pricingfake.NewServer(pricingfake.DemoPrices(), pricingfake.Options{})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := &Client{API: newAPI(t, srv.URL), Advisor: testSavings,
		Spot: func(context.Context, string) ([]market.PoolPrice, error) { return spotPools(), nil }}
	if _, _, err := c.Prices(ctx, "sa-east-1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// TestEstimateUsesTheMedianAZ: one AZ in a price spike must not lift the
// estimate, or the estimate contradicts the savings it was built from.
func TestEstimateUsesTheMedianAZ(t *testing.T) {
	pp := func(az string, p float64) market.PoolPrice {
		return market.PoolPrice{Pool: market.Pool{Region: "sa-east-1", AvailabilityZone: az, InstanceType: "m5.large", Product: market.LinuxUNIX}, Price: p}
	}
	c := &Client{Advisor: testSavings, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
		Spot: func(context.Context, string) ([]market.PoolPrice, error) {
			return []market.PoolPrice{pp("sa-east-1a", 0.04), pp("sa-east-1b", 0.30), pp("sa-east-1c", 0.05)}, nil
		}}
	tab, prov, err := c.Prices(context.Background(), "sa-east-1")
	if err != nil || prov.Mode != ModeEstimated {
		t.Fatalf("%v %+v", err, prov)
	}
	got, _ := tab.Lookup("m5.large")
	if want := 0.05 / (1 - 0.60); math.Abs(got.USD-want) > 1e-12 || !got.Estimated {
		t.Fatalf("estimate %+v, want %v from the median 0.05 and 60%% savings", got, want)
	}
}
