package ec2fake

import (
	"bytes"
	"container/heap"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
)

// Retention is how far back DescribeSpotPriceHistory serves history.
const Retention = 90 * 24 * time.Hour

// spotQuery is a parsed DescribeSpotPriceHistory request.
type spotQuery struct {
	start, end       int64 // Unix ns; hasStart/hasEnd say whether given
	hasStart, hasEnd bool
	types, products  []string
	az, azID         string
	poolFilters      []filter   // availability-zone(-id), instance-type, product-description
	priceFilters     [][]string // spot-price: each filter's values; all filters must match
	timeFilters      [][]string
	pageSize         int
	cursorT          int64 // resume after (cursorT, cursorP) in newest-first order
	cursorP          int
	hasCursor        bool
	hash             uint64
}

var spotFilterNames = []string{"availability-zone", "availability-zone-id", "instance-type", "product-description", "spot-price", "timestamp"}

func (h *handler) parseSpotQuery(region string, form url.Values) (*spotQuery, *apiError) {
	q := &spotQuery{pageSize: h.opts.PageSize}
	var err error
	if v := form.Get("StartTime"); v != "" {
		t, perr := dataset.ParseTime(v)
		if perr != nil {
			return nil, invalidParam("Invalid value '%s' for StartTime", v)
		}
		q.start, q.hasStart = t.UnixNano(), true
		if h.opts.Now != nil && t.Before(h.opts.Now().Add(-Retention)) {
			return nil, invalidParam("The start time %s is more than %d days in the past; spot price history is kept for %d days.", v, Retention/(24*time.Hour), Retention/(24*time.Hour))
		}
	}
	if v := form.Get("EndTime"); v != "" {
		t, perr := dataset.ParseTime(v)
		if perr != nil {
			return nil, invalidParam("Invalid value '%s' for EndTime", v)
		}
		q.end, q.hasEnd = t.UnixNano(), true
	}
	q.types = listParam(form, "InstanceType")
	q.products = listParam(form, "ProductDescription")
	q.az, q.azID = form.Get("AvailabilityZone"), form.Get("AvailabilityZoneId")
	if q.az != "" && q.azID != "" {
		return nil, &apiError{http.StatusBadRequest, "InvalidParameterCombination", "Either AvailabilityZone or AvailabilityZoneId can be specified, but not both"}
	}
	fs, aerr := parseFilters(form, spotFilterNames...)
	if aerr != nil {
		return nil, aerr
	}
	for _, f := range fs {
		switch f.name {
		case "spot-price":
			q.priceFilters = append(q.priceFilters, f.values)
		case "timestamp":
			q.timeFilters = append(q.timeFilters, f.values)
		default:
			q.poolFilters = append(q.poolFilters, f)
		}
	}
	if v := form.Get("MaxResults"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > 1000 {
			return nil, invalidParam("Invalid value '%s' for MaxResults. Specify a value between 1 and 1000.", v)
		}
		q.pageSize = min(q.pageSize, n)
	}
	q.hash = queryHash(region, form)
	if tok := form.Get("NextToken"); tok != "" {
		if q.cursorT, q.cursorP, err = decodeSpotToken(tok, q.hash); err != nil {
			return nil, &apiError{http.StatusBadRequest, "InvalidNextToken", "The specified NextToken is not valid."}
		}
		q.hasCursor = true
	}
	return q, nil
}

// queryHash fingerprints everything that selects records, so a token is
// refused when replayed against a different query. MaxResults is left out:
// a client may change the page size between pages.
func queryHash(region string, form url.Values) uint64 {
	keys := make([]string, 0, len(form))
	for k := range form {
		switch k {
		case "NextToken", "MaxResults", "Version", "DryRun":
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	f := fnv.New64a()
	fmt.Fprintf(f, "%s\x00", region)
	for _, k := range keys {
		fmt.Fprintf(f, "%s=%s\x00", k, strings.Join(form[k], "\x01"))
	}
	return f.Sum64()
}

// A token names the last item sent, so the next page is a binary search per
// pool away; it is stateless and survives server restarts with the same data.
func encodeSpotToken(hash uint64, t int64, pool int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "sph1:%016x:%d:%d", hash, t, pool))
}

func decodeSpotToken(tok string, hash uint64) (int64, int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, 0, err
	}
	var h uint64
	var t int64
	var p int
	if n, err := fmt.Sscanf(string(raw), "sph1:%016x:%d:%d", &h, &t, &p); err != nil || n != 3 {
		return 0, 0, fmt.Errorf("malformed token")
	}
	if h != hash {
		return 0, 0, fmt.Errorf("token from another query")
	}
	return t, p, nil
}

func (q *spotQuery) poolMatches(s *series) bool {
	p := s.pool
	if q.az != "" && p.AvailabilityZone != q.az {
		return false
	}
	if q.azID != "" && s.azID != q.azID {
		return false
	}
	if len(q.types) > 0 && !contains(q.types, p.InstanceType) {
		return false
	}
	if len(q.products) > 0 && !contains(q.products, p.Product) {
		return false
	}
	for _, f := range q.poolFilters {
		var v string
		switch f.name {
		case "availability-zone":
			v = p.AvailabilityZone
		case "availability-zone-id":
			v = s.azID
		case "instance-type":
			v = p.InstanceType
		case "product-description":
			v = p.Product
		}
		if !matchAny(f.values, v) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (q *spotQuery) recordMatches(t int64, price float64) bool {
	if len(q.priceFilters) > 0 {
		ps := market.FormatPrice(price)
		for _, f := range q.priceFilters {
			if !matchAny(f, ps) {
				return false
			}
		}
	}
	for _, f := range q.timeFilters {
		if !matchTime(f, t) {
			return false
		}
	}
	return true
}

// matchTime accepts a full timestamp (compared as an instant) or a wildcard
// pattern over the forms "2006-01-02T15:04:05.000Z" and
// "2006-01-02T15:04:05Z"; AWS documents wildcards but not the text form.
func matchTime(values []string, t int64) bool {
	tt := time.Unix(0, t).UTC()
	for _, v := range values {
		if !strings.ContainsAny(v, "*?") {
			if pt, err := dataset.ParseTime(v); err == nil && pt.Equal(tt) {
				return true
			}
			continue
		}
		if wildcard(v, tt.Format("2006-01-02T15:04:05.000Z")) || wildcard(v, tt.Format(time.RFC3339)) {
			return true
		}
	}
	return false
}

// cursor is one pool's next record in newest-first order.
type cursor struct {
	s    *series
	pool int // index in the region's series
	lo   int // first index still in range
	i    int // next index to emit (descending); exhausted when i < lo
}

type cursorHeap []*cursor

func (c cursorHeap) Len() int { return len(c) }
func (c cursorHeap) Less(a, b int) bool {
	ta, tb := c[a].s.times[c[a].i], c[b].s.times[c[b].i]
	if ta != tb {
		return ta > tb
	}
	return c[a].pool < c[b].pool
}
func (c cursorHeap) Swap(a, b int) { c[a], c[b] = c[b], c[a] }
func (c *cursorHeap) Push(x any)   { *c = append(*c, x.(*cursor)) }
func (c *cursorHeap) Pop() any {
	old := *c
	x := old[len(old)-1]
	*c = old[:len(old)-1]
	return x
}

func (h *handler) describeSpotPriceHistory(w *bytes.Buffer, region string, form url.Values) *apiError {
	q, aerr := h.parseSpotQuery(region, form)
	if aerr != nil {
		return aerr
	}
	ri := h.idx.region(region)
	if q.hasCursor && (q.cursorP < 0 || q.cursorP >= len(ri.series)) {
		return &apiError{http.StatusBadRequest, "InvalidNextToken", "The specified NextToken is not valid."}
	}
	var hp cursorHeap
	for pi, s := range ri.series {
		if !q.poolMatches(s) {
			continue
		}
		lo, hi := 0, len(s.times)
		if q.hasStart {
			// The record in effect at StartTime: the last at or before it.
			k := sort.Search(len(s.times), func(i int) bool { return s.times[i] > q.start })
			lo = max(k-1, 0)
		}
		if q.hasEnd {
			hi = sort.Search(len(s.times), func(i int) bool { return s.times[i] > q.end })
		}
		if q.hasStart && q.hasEnd && q.start > q.end {
			hi = lo
		}
		if q.hasCursor {
			ct := q.cursorT
			var c int
			if pi > q.cursorP {
				c = sort.Search(len(s.times), func(i int) bool { return s.times[i] > ct })
			} else {
				c = sort.Search(len(s.times), func(i int) bool { return s.times[i] >= ct })
			}
			hi = min(hi, c)
		}
		if hi > lo {
			hp = append(hp, &cursor{s: s, pool: pi, lo: lo, i: hi - 1})
		}
	}
	heap.Init(&hp)

	w.WriteString("<spotPriceHistorySet>")
	sent := 0
	var lastT int64
	lastP := -1
	more := false
	var ts []byte
	for hp.Len() > 0 {
		c := hp[0]
		t, price := c.s.times[c.i], c.s.prices[c.i]
		pool := c.pool
		c.i--
		if c.i < c.lo {
			heap.Pop(&hp)
		} else {
			heap.Fix(&hp, 0)
		}
		if !q.recordMatches(t, price) {
			continue
		}
		if sent == q.pageSize {
			more = true
			break
		}
		w.Write(c.s.head)
		w.WriteString("<spotPrice>")
		w.Write(strconv.AppendFloat(ts[:0], price, 'f', 6, 64))
		w.WriteString("</spotPrice><timestamp>")
		ts = time.Unix(0, t).UTC().AppendFormat(ts[:0], "2006-01-02T15:04:05.000Z")
		w.Write(ts)
		w.WriteString("</timestamp>")
		w.Write(c.s.tail)
		sent++
		lastT, lastP = t, pool
	}
	w.WriteString("</spotPriceHistorySet>")
	if more {
		w.WriteString("<nextToken>")
		w.WriteString(encodeSpotToken(q.hash, lastT, lastP))
		w.WriteString("</nextToken>")
	} else {
		// EC2 ends with an empty token; the SDK paginator stops on it.
		w.WriteString("<nextToken/>")
	}
	return nil
}
