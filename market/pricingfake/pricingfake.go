// Package pricingfake is a fake AWS Price List Query API (service "pricing",
// AWS JSON 1.1 protocol) that serves GetProducts for Linux shared-tenancy
// On-Demand EC2 prices, so the real aws-sdk-go-v2 pricing client can be
// tested without the internet or credentials.
package pricingfake

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Options change the fake's behaviour.
type Options struct {
	// Deny answers every request with AccessDeniedException (HTTP 400), as
	// AWS does for a principal without pricing:GetProducts.
	Deny bool
	// PageSize caps items per page (default 100, AWS's maximum); a request's
	// smaller MaxResults wins.
	PageSize int
}

// Request is what the fake saw, for assertions.
type Request struct {
	Target  string
	Region  string // from the SigV4 credential scope
	Signed  bool
	Input   GetProductsInput
	Page    int
	Denied  bool
	Errored string // error code sent, if any
}

// GetProductsInput is the JSON body of a GetProducts request.
type GetProductsInput struct {
	ServiceCode   string   `json:"ServiceCode"`
	Filters       []Filter `json:"Filters"`
	FormatVersion string   `json:"FormatVersion"`
	NextToken     string   `json:"NextToken"`
	MaxResults    int      `json:"MaxResults"`
}

// Filter is one Price List filter.
type Filter struct {
	Type  string `json:"Type"`
	Field string `json:"Field"`
	Value string `json:"Value"`
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	prices map[string]map[string]float64
	opts   Options

	deny atomic.Bool
	mu   sync.Mutex
	reqs []Request
}

// NewServer serves prices (region -> instance type -> USD per hour). Close
// it when done.
func NewServer(prices map[string]map[string]float64, opts Options) *Server {
	if opts.PageSize <= 0 || opts.PageSize > 100 {
		opts.PageSize = 100
	}
	s := &Server{prices: prices, opts: opts}
	s.deny.Store(opts.Deny)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetDeny switches denial on or off while running.
func (s *Server) SetDeny(deny bool) { s.deny.Store(deny) }

// Requests returns the requests seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, r)
	s.mu.Unlock()
}

type apiError struct {
	status int
	code   string
	msg    string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := Request{Target: r.Header.Get("X-Amz-Target")}
	rec.Region, rec.Signed = scope(r.Header.Get("Authorization"))
	out, aerr := s.handle(r, &rec)
	if aerr != nil {
		rec.Errored = aerr.code
		s.record(rec)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(aerr.status)
		b, _ := json.Marshal(map[string]string{"__type": aerr.code, "message": aerr.msg})
		_, _ = w.Write(b)
		return
	}
	s.record(rec)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "00000000-0000-4000-8000-pricingfake0")
	_, _ = w.Write(out)
}

func (s *Server) handle(r *http.Request, rec *Request) ([]byte, *apiError) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return nil, &apiError{404, "UnknownOperationException", "not found"}
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		return nil, &apiError{400, "SerializationException", "unexpected Content-Type " + ct}
	}
	if rec.Target != "AWSPriceListService.GetProducts" {
		return nil, &apiError{400, "UnknownOperationException", "unsupported operation " + rec.Target}
	}
	if !rec.Signed {
		return nil, &apiError{400, "MissingAuthenticationTokenException", "Missing Authentication Token"}
	}
	if s.deny.Load() {
		rec.Denied = true
		return nil, &apiError{400, "AccessDeniedException", "User is not authorized to perform: pricing:GetProducts"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, &apiError{400, "SerializationException", "unreadable body"}
	}
	if err := json.Unmarshal(body, &rec.Input); err != nil {
		return nil, &apiError{400, "SerializationException", "malformed JSON body"}
	}
	in := rec.Input
	if in.ServiceCode == "" {
		return nil, &apiError{400, "InvalidParameterException", "ServiceCode is required"}
	}
	if in.ServiceCode != "AmazonEC2" {
		return nil, &apiError{400, "NotFoundException", "unknown service code " + in.ServiceCode}
	}
	if in.FormatVersion != "" && in.FormatVersion != "aws_v1" {
		return nil, &apiError{400, "InvalidParameterException", "unsupported FormatVersion"}
	}
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return nil, &apiError{400, "InvalidParameterException", "MaxResults must be 1..100"}
	}
	items, ferr := s.match(in.Filters)
	if ferr != nil {
		return nil, ferr
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, "fake-"))
		if err != nil || !strings.HasPrefix(in.NextToken, "fake-") || n <= 0 || n > len(items) {
			return nil, &apiError{400, "InvalidNextTokenException", "invalid NextToken"}
		}
		start = n
	}
	size := s.opts.PageSize
	if in.MaxResults > 0 && in.MaxResults < size {
		size = in.MaxResults
	}
	end := min(start+size, len(items))
	rec.Page = start / size
	resp := struct {
		FormatVersion string   `json:"FormatVersion"`
		PriceList     []string `json:"PriceList"`
		NextToken     *string  `json:"NextToken,omitempty"`
	}{FormatVersion: "aws_v1", PriceList: make([]string, 0, end-start)}
	for _, it := range items[start:end] {
		resp.PriceList = append(resp.PriceList, priceListItem(it))
	}
	if end < len(items) {
		tok := "fake-" + strconv.Itoa(end)
		resp.NextToken = &tok
	}
	b, _ := json.Marshal(resp)
	return b, nil
}

type item struct {
	region, instanceType string
	usd                  float64
}

// attrs are the product attributes every fake product carries; a filter
// on any other field matches nothing, as a misspelt field does on AWS.
var attrs = map[string]string{
	"operatingSystem": "Linux",
	"tenancy":         "Shared",
	"preInstalledSw":  "NA",
	"capacitystatus":  "Used",
	"licenseModel":    "No License required",
	"operation":       "RunInstances",
	"productFamily":   "Compute Instance",
	"servicecode":     "AmazonEC2",
	"marketoption":    "OnDemand",
}

func (s *Server) match(filters []Filter) ([]item, *apiError) {
	var out []item
	for region, types := range s.prices {
	types:
		for t, usd := range types {
			for _, f := range filters {
				if f.Type != "TERM_MATCH" && f.Type != "EQUALS" {
					return nil, &apiError{400, "InvalidParameterException", "fake supports TERM_MATCH/EQUALS filters only"}
				}
				var v string
				switch f.Field {
				case "regionCode":
					v = region
				case "instanceType":
					v = t
				default:
					v = attrs[f.Field]
				}
				if !strings.EqualFold(v, f.Value) {
					continue types
				}
			}
			out = append(out, item{region, t, usd})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].region != out[j].region {
			return out[i].region < out[j].region
		}
		return out[i].instanceType < out[j].instanceType
	})
	return out, nil
}

// sku is a stable 14-character id per (region, type), shaped like AWS's.
func sku(region, instanceType string) string {
	const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	h := sha256.Sum256([]byte(region + "/" + instanceType))
	b := make([]byte, 14)
	for i := range b {
		b[i] = alphabet[int(h[i])%len(alphabet)]
	}
	return string(b)
}

// priceListItem renders one product the way GetProducts does: a JSON
// document carried as a string.
func priceListItem(it item) string {
	id := sku(it.region, it.instanceType)
	term := id + ".JRTCKXETXF"
	rate := term + ".6YS6EN2CT7"
	a := map[string]string{"instanceType": it.instanceType, "regionCode": it.region, "location": it.region,
		"usagetype": "BoxUsage:" + it.instanceType}
	for k, v := range attrs {
		a[k] = v
	}
	doc := map[string]any{
		"product":     map[string]any{"productFamily": "Compute Instance", "attributes": a, "sku": id},
		"serviceCode": "AmazonEC2",
		"terms": map[string]any{"OnDemand": map[string]any{term: map[string]any{
			"priceDimensions": map[string]any{rate: map[string]any{
				"unit": "Hrs", "endRange": "Inf", "beginRange": "0", "appliesTo": []string{}, "rateCode": rate,
				"description":  fmt.Sprintf("$%.4f per On Demand Linux %s Instance Hour", it.usd, it.instanceType),
				"pricePerUnit": map[string]string{"USD": strconv.FormatFloat(it.usd, 'f', 10, 64)},
			}},
			"sku": id, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF", "termAttributes": map[string]any{},
		}}},
		"version":         "20261101000000",
		"publicationDate": "2026-11-01T00:00:00Z",
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// scope reads the region from "Credential=AKID/date/REGION/pricing/aws4_request"
// without keeping the access key id.
func scope(auth string) (region string, signed bool) {
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return "", false
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) >= 5 {
		return parts[2], true
	}
	return "", true
}

// DemoPrices returns the sa-east-1 test prices in the shape NewServer takes.
func DemoPrices() map[string]map[string]float64 {
	m := make(map[string]float64, len(SAEast1))
	for k, v := range SAEast1 {
		m[k] = v
	}
	return map[string]map[string]float64{"sa-east-1": m}
}
