// Package ec2fake is an httptest-style fake of the EC2 Query API, good enough
// for the real aws-sdk-go-v2 and the AWS CLI: DescribeSpotPriceHistory (with
// AWS's window, filter and pagination semantics), DescribeInstanceTypes,
// DescribeAvailabilityZones, DescribeRegions, GetSpotPlacementScores and
// DryRun on any action, plus fault injection (throttling, 500s, dropped
// connections, latency) for testing retry and rate-limit behaviour.
//
//	srv := ec2fake.NewServer(ec2fake.DemoData(), ec2fake.Options{})
//	defer srv.Close()
//	client := ec2.New(ec2.Options{Region: "sa-east-1", BaseEndpoint: aws.String(srv.URL), ...})
//
// The region of a request is read from the SigV4 credential scope of its
// Authorization header, as one endpoint serves every region; unsigned
// requests get the data's region.
package ec2fake

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
)

// Data is what the fake serves.
type Data struct {
	Records []market.Record
	Catalog map[string][]market.InstanceType // by region
	Zones   []market.Zone
}

// DemoData is the embedded sa-east-1 demo data set (market/demo).
func DemoData() Data {
	return Data{
		Records: demo.AllRecords(),
		Catalog: map[string][]market.InstanceType{demo.Region: demo.Catalog()},
		Zones:   demo.Zones(),
	}
}

// Throttle configures a token bucket per region, refilled at Rate tokens per
// second and holding at most Burst. A request finding the bucket empty is
// answered 503 RequestLimitExceeded, as EC2 does. The zero value is off; a
// Rate of 0 with Burst > 0 allows exactly Burst requests.
type Throttle struct {
	Burst int
	Rate  float64
	// Spent tokens are gone when the server starts, as when another
	// client of the same account has just used the burst.
	Spent int
}

// Options tune the fake and inject faults. The zero value is a well-behaved
// endpoint.
type Options struct {
	// PageSize caps DescribeSpotPriceHistory pages (default and maximum
	// 1000); a request's MaxResults lowers it further.
	PageSize int
	Throttle Throttle
	// Latency delays every request, faulty ones included.
	Latency time.Duration
	// FailEvery > 0 answers every FailEvery-th request (counting every
	// request the server receives) with 500 InternalError.
	FailEvery int
	// DropEvery > 0 closes the connection of every DropEvery-th call
	// without a reply, counting first attempts only: a retry (an SDK's
	// "amz-sdk-request: attempt=2" header) is never dropped. Clients
	// rightly give up on a call whose connection keeps dropping, and a test
	// of recovery must not fail on the order in which concurrent calls
	// happen to reach the server. When both faults hit the same request,
	// the drop wins.
	DropEvery int
	// Deny lists actions answered 403 UnauthorizedOperation, with or without
	// DryRun.
	Deny []string
	// Reject, when it returns true for a request, answers it 400
	// InvalidParameterValue: a permanent failure, which clients do not
	// retry. Reject sees every request, retries included.
	Reject func(action string, form url.Values) bool
	// Now, when set, is the server's clock, and DescribeSpotPriceHistory
	// refuses a StartTime more than 90 days before it, as AWS keeps no
	// older history.
	Now func() time.Time
	// PlacementScore scores GetSpotPlacementScores; azID is "" for a
	// region-level score. Default: a deterministic hash scoring 1..10, at
	// most 3 for fewer than three instance types (as AWS warns).
	PlacementScore func(region, azID string, types []string, capacity int) int
}

// Request is one request as the server received it.
type Request struct {
	Action string
	Region string
	Form   url.Values
	Status int // HTTP status of the reply; 0 when the connection was dropped
}

// Counts summarises the requests a server received.
type Counts struct {
	Total     int
	ByAction  map[string]int
	Throttled int // answered RequestLimitExceeded
	Failed    int // injected 500 InternalError
	Dropped   int // connection closed without a reply
	Rejected  int // answered 400 by Options.Reject
}

// Server is a running fake endpoint. URL is the value for BaseEndpoint or
// --endpoint-url.
type Server struct {
	*httptest.Server
	h *handler
}

// NewServer starts a fake endpoint on a loopback port. Close it when done.
func NewServer(d Data, o Options) *Server {
	h := newHandler(d, o)
	return &Server{Server: httptest.NewServer(h), h: h}
}

// NewHandler returns the fake as a plain handler, e.g. to mount under a path
// prefix or wrap in middleware.
func NewHandler(d Data, o Options) http.Handler { return newHandler(d, o) }

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request { return s.h.requests() }

// Counts returns the request counters.
func (s *Server) Counts() Counts { return s.h.counts() }

type handler struct {
	opts          Options
	idx           *index
	defaultRegion string
	deny          map[string]bool
	seq           atomic.Int64
	calls         atomic.Int64 // first attempts, for DropEvery

	mu       sync.Mutex
	log      []Request
	cnt      Counts
	limiters map[string]*rate.Limiter
}

func newHandler(d Data, o Options) *handler {
	if o.PageSize <= 0 || o.PageSize > 1000 {
		o.PageSize = 1000
	}
	if o.PlacementScore == nil {
		o.PlacementScore = hashScore
	}
	h := &handler{
		opts:     o,
		idx:      buildIndex(d),
		deny:     map[string]bool{},
		limiters: map[string]*rate.Limiter{},
		cnt:      Counts{ByAction: map[string]int{}},
	}
	for _, a := range o.Deny {
		h.deny[a] = true
	}
	switch {
	case len(d.Zones) > 0:
		h.defaultRegion = d.Zones[0].Region
	case len(d.Records) > 0:
		h.defaultRegion = d.Records[0].Region
	default:
		for r := range d.Catalog {
			h.defaultRegion = r
			break
		}
	}
	return h
}

// apiError is an EC2 error reply.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func invalidParam(format string, a ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf(format, a...)}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := h.seq.Add(1)
	reqID := fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		http.Error(w, "EC2 Query API: use POST", http.StatusMethodNotAllowed)
		return
	}
	form, err := readForm(r)
	if err != nil {
		writeError(w, reqID, &apiError{http.StatusBadRequest, "InvalidQuery", err.Error()})
		return
	}
	action := form.Get("Action")
	region := regionOf(r.Header.Get("Authorization"))
	if region == "" {
		region = h.defaultRegion
	}
	i := h.logRequest(Request{Action: action, Region: region, Form: form})

	if d := h.opts.Latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	if every := h.opts.DropEvery; every > 0 && !isRetry(r) && h.calls.Add(1)%int64(every) == 0 {
		h.finish(i, 0, func(c *Counts) { c.Dropped++ })
		drop(w)
		return
	}
	if every := h.opts.FailEvery; every > 0 && n%int64(every) == 0 {
		h.finish(i, 500, func(c *Counts) { c.Failed++ })
		writeError(w, reqID, &apiError{http.StatusInternalServerError, "InternalError", "An internal error has occurred"})
		return
	}
	if h.opts.Reject != nil && h.opts.Reject(action, form) {
		h.finish(i, 400, func(c *Counts) { c.Rejected++ })
		writeError(w, reqID, invalidParam("Rejected by fault injection"))
		return
	}
	if !h.allow(region) {
		h.finish(i, 503, func(c *Counts) { c.Throttled++ })
		writeError(w, reqID, &apiError{http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded."})
		return
	}

	var buf bytes.Buffer
	aerr := h.dispatch(&buf, action, region, form)
	if aerr != nil {
		h.finish(i, aerr.status, nil)
		writeError(w, reqID, aerr)
		return
	}
	h.finish(i, http.StatusOK, nil)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.Header().Set("X-Amzn-Requestid", reqID)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>%s</requestId>`, action, reqID)
	w.Write(buf.Bytes())
	fmt.Fprintf(w, "</%sResponse>\n", action)
}

func readForm(r *http.Request) (url.Values, error) {
	body := make([]byte, 0, 512)
	buf := bytes.NewBuffer(body)
	if _, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, 1<<20)); err != nil {
		return nil, fmt.Errorf("reading body: %v", err)
	}
	form, err := url.ParseQuery(buf.String())
	if err != nil {
		return nil, fmt.Errorf("malformed form body: %v", err)
	}
	// The CLI and SDKs POST; a GET with a query string is the legacy form.
	if q := r.URL.RawQuery; q != "" {
		qv, err := url.ParseQuery(q)
		if err != nil {
			return nil, fmt.Errorf("malformed query string: %v", err)
		}
		for k, v := range qv {
			form[k] = append(form[k], v...)
		}
	}
	return form, nil
}

// regionOf extracts the region from
// "AWS4-HMAC-SHA256 Credential=AKID/20261127/<region>/ec2/aws4_request, ...".
func regionOf(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) < 5 {
		return ""
	}
	return parts[2]
}

// drop closes the connection without a reply, which clients see as EOF or a
// reset, like a load balancer dropping an idle or overloaded connection.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func (h *handler) allow(region string) bool {
	t := h.opts.Throttle
	if t.Burst <= 0 && t.Rate <= 0 {
		return true
	}
	h.mu.Lock()
	l, ok := h.limiters[region]
	if !ok {
		burst := max(t.Burst, 1)
		l = rate.NewLimiter(rate.Limit(t.Rate), burst)
		if t.Spent > 0 {
			l.AllowN(time.Now(), min(t.Spent, burst))
		}
		h.limiters[region] = l
	}
	h.mu.Unlock()
	return l.Allow()
}

func (h *handler) logRequest(r Request) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = append(h.log, r)
	h.cnt.Total++
	h.cnt.ByAction[r.Action]++
	return len(h.log) - 1
}

func (h *handler) finish(i, status int, count func(*Counts)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log[i].Status = status
	if count != nil {
		count(&h.cnt)
	}
}

func (h *handler) requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := slices.Clone(h.log)
	for i := range out {
		out[i].Form = cloneValues(out[i].Form)
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func (h *handler) counts() Counts {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.cnt
	c.ByAction = make(map[string]int, len(h.cnt.ByAction))
	for k, v := range h.cnt.ByAction {
		c.ByAction[k] = v
	}
	return c
}

var implemented = map[string]func(h *handler, w *bytes.Buffer, region string, form url.Values) *apiError{
	"DescribeSpotPriceHistory":  (*handler).describeSpotPriceHistory,
	"DescribeInstanceTypes":     (*handler).describeInstanceTypes,
	"DescribeAvailabilityZones": (*handler).describeAvailabilityZones,
	"DescribeRegions":           (*handler).describeRegions,
	"GetSpotPlacementScores":    (*handler).getSpotPlacementScores,
}

func (h *handler) dispatch(w *bytes.Buffer, action, region string, form url.Values) *apiError {
	if action == "" {
		return &apiError{http.StatusBadRequest, "MissingAction", "The request must contain the parameter Action"}
	}
	if !validAction(action) {
		return &apiError{http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", action)}
	}
	// Permission is checked before DryRun, so a DryRun call is a permission
	// probe, which is what clients use it for.
	if h.deny[action] {
		return &apiError{http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation."}
	}
	if dry, _ := strconv.ParseBool(form.Get("DryRun")); dry {
		return &apiError{http.StatusPreconditionFailed, "DryRunOperation", "Request would have succeeded, but DryRun flag is set."}
	}
	fn, ok := implemented[action]
	if !ok {
		return &apiError{http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", action)}
	}
	return fn(h, w, region, form)
}

// validAction accepts anything shaped like an EC2 action name, so that DryRun
// and Deny work for actions the fake does not implement (CreateFleet, ...).
func validAction(a string) bool {
	if a == "" || a[0] < 'A' || a[0] > 'Z' {
		return false
	}
	for _, c := range a {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func writeError(w http.ResponseWriter, reqID string, e *apiError) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(e.status)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Response><Errors><Error><Code>")
	escape(&b, e.code)
	b.WriteString("</Code><Message>")
	escape(&b, e.message)
	b.WriteString("</Message></Error></Errors><RequestID>")
	b.WriteString(reqID)
	b.WriteString("</RequestID></Response>\n")
	w.Write(b.Bytes())
}

// isRetry reports a request the AWS SDKs mark as a retry of an earlier
// attempt ("amz-sdk-request: attempt=2; max=10").
func isRetry(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("amz-sdk-request"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			return v != "1"
		}
	}
	return false
}
