package awsapi

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/spotscope/spotscope/market"
)

// memStore is the in-memory Store the tests check results against. It
// follows the cache's contract: records de-duplicated on (pool, time),
// coverage merged per (region, product, scope).
type memStore struct {
	mu        sync.Mutex
	recs      map[recKey]float64
	cov       map[string][]market.Interval
	zones     map[string][]market.Zone
	types     map[string][]market.InstanceType
	lastFetch map[string]time.Time
	failAdd   func(n int) error // called before each AddRecords with the call number
	adds      int
}

type recKey struct {
	market.Pool
	ms int64
}

func newMemStore() *memStore {
	return &memStore{
		recs:      map[recKey]float64{},
		cov:       map[string][]market.Interval{},
		zones:     map[string][]market.Zone{},
		types:     map[string][]market.InstanceType{},
		lastFetch: map[string]time.Time{},
	}
}

func (s *memStore) AddRecords(ctx context.Context, recs []market.Record) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adds++
	if s.failAdd != nil {
		if err := s.failAdd(s.adds); err != nil {
			return 0, err
		}
	}
	added := 0
	for _, r := range recs {
		k := recKey{r.Pool, r.Time.UnixMilli()}
		if _, ok := s.recs[k]; !ok {
			added++
		}
		s.recs[k] = r.Price
	}
	return added, nil
}

func covKey(region, product, scope string) string { return region + "|" + product + "|" + scope }

func (s *memStore) Coverage(ctx context.Context, region, product, scope string) ([]market.Interval, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]market.Interval(nil), s.cov[covKey(region, product, scope)]...), nil
}

func (s *memStore) AddCoverage(ctx context.Context, region, product, scope string, iv market.Interval) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := covKey(region, product, scope)
	s.cov[k] = market.MergeIntervals(append(s.cov[k], iv))
	return nil
}

func (s *memStore) PutInstanceTypes(ctx context.Context, region string, types []market.InstanceType, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.types[region] = types
	return nil
}

func (s *memStore) PutZones(ctx context.Context, region string, zones []market.Zone, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.zones[region] = zones
	return nil
}

func (s *memStore) SetLastFetch(ctx context.Context, region string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastFetch[region] = at
	return nil
}

// keys returns the stored records as sorted strings, for exact comparison.
func (s *memStore) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.recs))
	for k, p := range s.recs {
		out = append(out, recString(k.Pool, time.UnixMilli(k.ms), p))
	}
	sort.Strings(out)
	return out
}

func recString(p market.Pool, t time.Time, price float64) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s", p.Region, p.AvailabilityZone, p.InstanceType, p.Product,
		t.UTC().Format(time.RFC3339), market.FormatPrice(price))
}

// expectedKeys computes from the data what a complete fetch of [start, end]
// must store: every record in the window plus, per pool, the record in
// effect at start.
func expectedKeys(data []market.Record, region string, match func(market.Record) bool, start, end time.Time) []string {
	// Of two records with the same (pool, time) the last one read wins, as
	// in the cache and the fake.
	latest := map[recKey]market.Record{}
	for _, r := range data {
		if r.Region == region && match(r) {
			latest[recKey{r.Pool, r.Time.UnixMilli()}] = r
		}
	}
	inEffect := map[market.Pool]market.Record{}
	set := map[string]bool{}
	for _, r := range latest {
		if !r.Time.After(start) {
			if cur, ok := inEffect[r.Pool]; !ok || r.Time.After(cur.Time) {
				inEffect[r.Pool] = r
			}
			continue
		}
		if !r.Time.After(end) {
			set[recString(r.Pool, r.Time, r.Price)] = true
		}
	}
	for _, r := range inEffect {
		set[recString(r.Pool, r.Time, r.Price)] = true
	}
	return market.SortedKeys(set)
}

// miniEC2 is a small EC2 Query endpoint for unit tests that need exact
// control of answers. Semantics follow docs/aws-api.md §1.4.
type miniEC2 struct {
	t     *testing.T
	data  []market.Record
	zones []market.Zone
	types string // raw instanceTypeSet items

	mu       sync.Mutex
	requests []url.Values
	// fault, when set, may write an error response and return true.
	fault func(n int, w http.ResponseWriter, form url.Values) bool
}

var regionScope = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+)/ec2/`)

func newMiniEC2(t *testing.T, data []market.Record, zones []market.Zone) (*miniEC2, *httptest.Server) {
	m := &miniEC2{t: t, data: data, zones: zones}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return m, srv
}

func (m *miniEC2) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	form := r.PostForm
	region := ""
	if sm := regionScope.FindStringSubmatch(r.Header.Get("Authorization")); sm != nil {
		region = sm[1]
	}
	form.Set("X-Region", region)
	m.mu.Lock()
	m.requests = append(m.requests, form)
	n := len(m.requests)
	fault := m.fault
	m.mu.Unlock()
	if fault != nil && fault(n, w, form) {
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	switch form.Get("Action") {
	case "DescribeSpotPriceHistory":
		m.history(w, form, region)
	case "DescribeAvailabilityZones":
		fmt.Fprint(w, `<DescribeAvailabilityZonesResponse><availabilityZoneInfo>`)
		for _, z := range m.zones {
			if z.Region == region {
				fmt.Fprintf(w, `<item><zoneName>%s</zoneName><zoneId>%s</zoneId><regionName>%s</regionName><zoneType>%s</zoneType><zoneState>%s</zoneState></item>`,
					z.Name, z.ID, z.Region, z.Type, z.State)
			}
		}
		fmt.Fprint(w, `</availabilityZoneInfo></DescribeAvailabilityZonesResponse>`)
	case "DescribeInstanceTypes":
		fmt.Fprintf(w, `<DescribeInstanceTypesResponse><instanceTypeSet>%s</instanceTypeSet></DescribeInstanceTypesResponse>`, m.types)
	default:
		writeEC2Error(w, 400, "InvalidAction", "unsupported")
	}
}

func writeEC2Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>r</RequestID></Response>`, code, msg)
}

func (m *miniEC2) history(w http.ResponseWriter, form url.Values, region string) {
	start, err1 := time.Parse(time.RFC3339Nano, form.Get("StartTime"))
	end, err2 := time.Parse(time.RFC3339Nano, form.Get("EndTime"))
	if err1 != nil || err2 != nil {
		writeEC2Error(w, 400, "InvalidParameterValue", "StartTime and EndTime are required in this fake")
		return
	}
	var patterns, products []string
	for k, v := range form {
		switch {
		case regexp.MustCompile(`^Filter\.\d+\.Name$`).MatchString(k) && v[0] == "instance-type":
			prefix := k[:len(k)-len("Name")]
			for i := 1; form.Get(prefix+"Value."+strconv.Itoa(i)) != ""; i++ {
				patterns = append(patterns, form.Get(prefix+"Value."+strconv.Itoa(i)))
			}
		case regexp.MustCompile(`^ProductDescription\.\d+$`).MatchString(k):
			products = append(products, v[0])
		}
	}
	az := form.Get("AvailabilityZone")
	match := func(r market.Record) bool {
		if r.Region != region || (az != "" && r.AvailabilityZone != az) {
			return false
		}
		if len(products) > 0 && !contains(products, r.Product) {
			return false
		}
		if len(patterns) == 0 {
			return true
		}
		for _, p := range patterns {
			if ok, _ := path.Match(p, r.InstanceType); ok {
				return true
			}
		}
		return false
	}
	var items []market.Record
	inEffect := map[market.Pool]market.Record{}
	for _, r := range m.data {
		if !match(r) {
			continue
		}
		if !r.Time.After(start) {
			if cur, ok := inEffect[r.Pool]; !ok || r.Time.After(cur.Time) {
				inEffect[r.Pool] = r
			}
		} else if !r.Time.After(end) {
			items = append(items, r)
		}
	}
	for _, r := range inEffect {
		items = append(items, r)
	}
	// Newest first, like EC2.
	sort.Slice(items, func(i, j int) bool {
		if !items[i].Time.Equal(items[j].Time) {
			return items[i].Time.After(items[j].Time)
		}
		return items[i].Pool.String() < items[j].Pool.String()
	})
	size := 1000
	if v, err := strconv.Atoi(form.Get("MaxResults")); err == nil && v > 0 {
		size = v
	}
	off, _ := strconv.Atoi(form.Get("NextToken"))
	next := ""
	if off+size < len(items) {
		next = strconv.Itoa(off + size)
		items = items[off : off+size]
	} else {
		items = items[min(off, len(items)):]
	}
	type item struct {
		AZ      string `xml:"availabilityZone"`
		Type    string `xml:"instanceType"`
		Product string `xml:"productDescription"`
		Price   string `xml:"spotPrice"`
		Time    string `xml:"timestamp"`
	}
	var resp struct {
		XMLName xml.Name `xml:"DescribeSpotPriceHistoryResponse"`
		Items   []item   `xml:"spotPriceHistorySet>item"`
		Next    string   `xml:"nextToken"`
	}
	for _, r := range items {
		resp.Items = append(resp.Items, item{r.AvailabilityZone, r.InstanceType, r.Product, market.FormatPrice(r.Price), r.Time.UTC().Format("2006-01-02T15:04:05.000Z")})
	}
	resp.Next = next
	// A write error means the client went away (a cancelled test); the
	// client side reports whatever matters.
	_ = xml.NewEncoder(w).Encode(resp)
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (m *miniEC2) reqs() []url.Values {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]url.Values(nil), m.requests...)
}

// fastBackoff keeps retried tests fast; the SDK's throttling backoff starts
// at 1 s.
var fastBackoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })

// testConfig builds an SDK config aimed at url, isolated from the machine's
// AWS setup: static credentials, no profile files, no IMDS.
func testConfig(t testing.TB, url string) aws.Config {
	t.Helper()
	isolateAWSEnv(t)
	cfg, err := LoadConfig(context.Background(), Options{
		Region:      "us-east-1",
		EndpointURL: url,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""),
		Backoff:     fastBackoff,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func isolateAWSEnv(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
}
