// Package ondemand gives Linux shared-tenancy On-Demand hourly prices per
// (region, instance type), from the AWS Price List Query API when it can be
// reached and from estimates (spot price and advisor savings) when it cannot.
// Every price says whether it is an estimate, so no view can pass one off as
// AWS's list price.
package ondemand

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/pricing/types"
	"github.com/aws/smithy-go"

	"github.com/spotscope/spotscope/market"
)

// Price is an On-Demand price in USD per instance-hour.
type Price struct {
	USD       float64
	Estimated bool // derived from spot price and advisor savings, not AWS's list price
}

// Table holds one region's prices.
type Table struct {
	Region string
	prices map[string]Price
}

// Lookup returns the price of an instance type.
func (t Table) Lookup(instanceType string) (Price, bool) {
	p, ok := t.prices[instanceType]
	return p, ok
}

// Len is the number of priced instance types.
func (t Table) Len() int { return len(t.prices) }

// Types lists the priced instance types, sorted.
func (t Table) Types() []string {
	out := make([]string, 0, len(t.prices))
	for k := range t.prices {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Modes of Provenance.
const (
	ModeLive      = "live"
	ModeCached    = "cached"
	ModeEstimated = "estimated"
)

// Provenance says where a Table came from.
type Provenance struct {
	Mode   string    // "live", "cached" or "estimated"
	AsOf   time.Time // fetch time (live/cached) or estimate time
	Age    time.Duration
	Stale  bool   // cached copy older than MaxAge, used because the API failed
	Source string // "AWS Price List API" or the estimate formula
	Denied bool   // the API refused (AccessDenied): the hint is in Note
	Note   string // why a fallback was taken
}

// DocStore keeps raw documents; *cache.Store satisfies it.
type DocStore interface {
	PutDoc(ctx context.Context, key string, data []byte, at time.Time) error
	Doc(ctx context.Context, key string) (data []byte, at time.Time, ok bool, err error)
}

// SavingsSource gives the advisor's savings over On-Demand in percent;
// *advisor.Data satisfies it.
type SavingsSource interface {
	Savings(region, os, instanceType string) (pct int, ok bool)
}

// SpotFunc returns the latest spot prices known for a region (for example
// from cache.Store.Latest). Only Linux/UNIX pools are used.
type SpotFunc func(ctx context.Context, region string) ([]market.PoolPrice, error)

// DefaultMaxAge is how long a fetched table is used: list prices change
// rarely, and the API is slow (many pages per region).
const DefaultMaxAge = 7 * 24 * time.Hour

const defaultTimeout = 60 * time.Second

// ErrNoPrices is returned (wrapped) when no source produced a single price.
var ErrNoPrices = errors.New("no On-Demand prices available")

// DeniedHint is the Provenance note when the API refuses.
const DeniedHint = "On-Demand list prices need the IAM action pricing:GetProducts; using estimates from spot prices and advisor savings"

// Client answers Prices. Every field is optional: without API it only
// estimates; without Advisor or Spot it cannot estimate.
type Client struct {
	API     pricing.GetProductsAPIClient // e.g. NewAPI(cfg)
	Store   DocStore
	Advisor SavingsSource
	Spot    SpotFunc
	// Catalog, when set, gives the sizes that keep estimates monotone within
	// a family (MonotoneInSize); without it each type is estimated alone.
	Catalog func(ctx context.Context, region string) ([]market.InstanceType, error)
	MaxAge  time.Duration    // default DefaultMaxAge
	Timeout time.Duration    // whole paginated fetch; default 60 s
	Now     func() time.Time // default time.Now
}

// CacheKey is the DocStore key of a region's table.
func CacheKey(region string) string { return "ondemand:linux-shared:" + region }

type cached struct {
	Region string             `json:"region"`
	Prices map[string]float64 `json:"prices"`
}

// Prices returns the region's table: a cached copy younger than MaxAge, else
// the API's answer (cached), else a stale cached copy, else estimates. The
// error is non-nil only when ctx is done or nothing at all could be priced.
func (c *Client) Prices(ctx context.Context, region string) (Table, Provenance, error) {
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	maxAge := c.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	var notes []string
	var stale *Table
	var staleAt time.Time
	if c.Store != nil {
		raw, at, ok, err := c.Store.Doc(ctx, CacheKey(region))
		switch {
		case err != nil:
			notes = append(notes, "cache read failed: "+err.Error())
		case ok:
			var doc cached
			if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Prices) == 0 {
				notes = append(notes, "cached table unreadable")
				break
			}
			t := listTable(region, doc.Prices)
			if now.Sub(at) < maxAge {
				return t, Provenance{Mode: ModeCached, AsOf: at, Age: now.Sub(at), Source: apiSource}, nil
			}
			stale, staleAt = &t, at
		}
	}

	var denied bool
	if c.API != nil {
		prices, err := c.fetch(ctx, region)
		if err == nil && len(prices) == 0 {
			err = fmt.Errorf("the API lists no Linux prices for region %q", region)
		}
		if err == nil {
			if c.Store != nil {
				raw, _ := json.Marshal(cached{Region: region, Prices: prices})
				if perr := c.Store.PutDoc(ctx, CacheKey(region), raw, now); perr != nil {
					notes = append(notes, "cache write failed: "+perr.Error())
				}
			}
			return listTable(region, prices), Provenance{Mode: ModeLive, AsOf: now, Source: apiSource, Note: strings.Join(notes, "; ")}, nil
		}
		if ctx.Err() != nil {
			return Table{Region: region}, Provenance{}, ctx.Err()
		}
		if IsDenied(err) {
			denied = true
			notes = append(notes, DeniedHint)
		} else {
			notes = append(notes, "Price List API failed: "+err.Error())
		}
	} else {
		notes = append(notes, "Price List API not configured")
	}

	if stale != nil {
		return *stale, Provenance{Mode: ModeCached, AsOf: staleAt, Age: now.Sub(staleAt), Stale: true, Source: apiSource,
			Denied: denied, Note: strings.Join(notes, "; ")}, nil
	}

	t, err := c.estimate(ctx, region)
	p := Provenance{Mode: ModeEstimated, AsOf: now, Source: estimateSource, Denied: denied}
	if err != nil {
		if ctx.Err() != nil {
			return Table{Region: region}, Provenance{}, ctx.Err()
		}
		notes = append(notes, "estimate failed: "+err.Error())
	}
	p.Note = strings.Join(notes, "; ")
	if t.Len() == 0 {
		return t, p, fmt.Errorf("%s: %w (%s)", region, ErrNoPrices, p.Note)
	}
	return t, p, nil
}

const (
	apiSource      = "AWS Price List API"
	estimateSource = "estimate: spot / (1 - advisor savings/100), scaled by vCPUs at its family's median rate per vCPU"
)

func listTable(region string, prices map[string]float64) Table {
	t := Table{Region: region, prices: make(map[string]Price, len(prices))}
	for k, v := range prices {
		t.prices[k] = Price{USD: v}
	}
	return t
}

// estimate derives On-Demand from the median latest Linux spot price across
// the region's AZs and the advisor's savings. The median, not the mean: one
// AZ in a price spike would otherwise lift the estimate for every AZ. The
// advisor's savings are a 30-day AZ average, so this is a rough regional
// figure; types whose savings are unknown or at least 100% are left out
// rather than guessed.
func (c *Client) estimate(ctx context.Context, region string) (Table, error) {
	t := Table{Region: region, prices: map[string]Price{}}
	if c.Spot == nil || c.Advisor == nil {
		return t, errors.New("no spot prices or advisor data to estimate from")
	}
	pools, err := c.Spot(ctx, region)
	if err != nil {
		return t, err
	}
	byType := map[string][]float64{}
	for _, p := range pools {
		if p.Region != region || strings.TrimSuffix(p.Product, " (Amazon VPC)") != market.LinuxUNIX || p.Price <= 0 {
			continue
		}
		byType[p.InstanceType] = append(byType[p.InstanceType], p.Price)
	}
	for typ, prices := range byType {
		s, ok := c.Advisor.Savings(region, "Linux", typ)
		if !ok || s >= 100 {
			continue
		}
		t.prices[typ] = Price{USD: EstimateFromSpot(median(prices), s), Estimated: true}
	}
	if len(t.prices) == 0 {
		return t, errors.New("no Linux spot price with advisor savings for this region")
	}
	if c.Catalog != nil {
		types, err := c.Catalog(ctx, region)
		if err != nil {
			return t, err
		}
		raw := make(map[string]float64, len(t.prices))
		for k, v := range t.prices {
			raw[k] = v.USD
		}
		for k, v := range MonotoneInSize(raw, types) {
			t.prices[k] = Price{USD: v, Estimated: true}
		}
	}
	return t, nil
}

// MonotoneInSize makes estimates agree with each other. AWS prices an
// instance family in proportion to size (an m5.2xlarge costs twice an
// m5.xlarge), but spot prices and savings from different months can say
// otherwise (a g4dn.8xlarge above a g4dn.12xlarge, a metal size at 40x its
// twin). So each family gets one rate per unit of size, the median of its
// types' estimate per unit (robust to the outliers), and each type the rate
// times its units: strictly monotone in size within the family. Types
// missing from the catalog keep their own estimate.
func MonotoneInSize(est map[string]float64, catalog []market.InstanceType) map[string]float64 {
	units := sizeUnits(catalog)
	perUnit := map[string][]float64{}
	for typ, v := range est {
		if n := units[typ]; n > 0 && v > 0 {
			f := market.Family(typ)
			perUnit[f] = append(perUnit[f], v/n)
		}
	}
	out := make(map[string]float64, len(est))
	for typ, v := range est {
		out[typ] = v
		if rates := perUnit[market.Family(typ)]; len(rates) > 0 && units[typ] > 0 {
			out[typ] = median(append([]float64(nil), rates...)) * units[typ]
		}
	}
	return out
}

// sizeUnits measures each type's size in EC2's normalization units, the
// scale AWS prices a family by (nano 0.25, micro 0.5, small 1, medium 2,
// large 4, xlarge 8, 2xlarge 16, ...). vCPUs alone would price a t3.nano
// like a t3.micro: both have 2. A size the name does not give (metal) is
// its vCPUs at the family's units per vCPU, or its vCPUs when the family
// has no named size to learn that from.
func sizeUnits(catalog []market.InstanceType) map[string]float64 {
	out := make(map[string]float64, len(catalog))
	perVCPU := map[string][]float64{}
	for _, t := range catalog {
		if u, ok := normalizationFactor(t.Name); ok {
			out[t.Name] = u
			if t.VCPUs > 0 {
				perVCPU[market.Family(t.Name)] = append(perVCPU[market.Family(t.Name)], u/float64(t.VCPUs))
			}
		}
	}
	for _, t := range catalog {
		if _, ok := out[t.Name]; ok || t.VCPUs <= 0 {
			continue
		}
		ratio := 1.0
		if r := perVCPU[market.Family(t.Name)]; len(r) > 0 {
			ratio = median(append([]float64(nil), r...))
		}
		out[t.Name] = float64(t.VCPUs) * ratio
	}
	return out
}

// normalizationFactor is the size's normalization factor, from the name's
// size ("m5.2xlarge" 16, "m7i.metal-24xl" 192); false for "metal" and
// anything else without a size.
func normalizationFactor(name string) (float64, bool) {
	_, size, ok := strings.Cut(name, ".")
	if !ok {
		return 0, false
	}
	switch size {
	case "nano":
		return 0.25, true
	case "micro":
		return 0.5, true
	case "small":
		return 1, true
	case "medium":
		return 2, true
	case "large":
		return 4, true
	case "xlarge":
		return 8, true
	}
	rest := strings.TrimPrefix(size, "metal-")
	var num string
	switch {
	case strings.HasSuffix(rest, "xlarge"):
		num = strings.TrimSuffix(rest, "xlarge")
	case strings.HasSuffix(rest, "xl") && rest != size: // metal-24xl
		num = strings.TrimSuffix(rest, "xl")
	default:
		return 0, false
	}
	k, err := strconv.Atoi(num)
	if err != nil || k <= 0 || strings.Trim(num, "0123456789") != "" {
		return 0, false
	}
	return 8 * float64(k), true
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// EstimateFromSpot is On-Demand ~= spot / (1 - savings/100). It returns 0
// when savings >= 100, where the formula has no answer.
func EstimateFromSpot(spot float64, savingsPct int) float64 {
	if savingsPct >= 100 {
		return 0
	}
	return spot / (1 - float64(savingsPct)/100)
}

// Filters selects Linux, shared tenancy, no pre-installed software, used
// (not reserved-capacity) On-Demand products of one region.
func Filters(region string) []types.Filter {
	tm := func(f, v string) types.Filter {
		return types.Filter{Type: types.FilterTypeTermMatch, Field: aws.String(f), Value: aws.String(v)}
	}
	return []types.Filter{
		tm("regionCode", region),
		tm("operatingSystem", "Linux"),
		tm("tenancy", "Shared"),
		tm("preInstalledSw", "NA"),
		tm("capacitystatus", "Used"),
	}
}

func (c *Client) fetch(ctx context.Context, region string) (map[string]float64, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := pricing.NewGetProductsPaginator(c.API, &pricing.GetProductsInput{
		ServiceCode:   aws.String("AmazonEC2"),
		Filters:       Filters(region),
		FormatVersion: aws.String("aws_v1"),
		MaxResults:    aws.Int32(100),
	})
	prices := map[string]float64{}
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, item := range out.PriceList {
			typ, usd, ok := ParseItem(item, region)
			if !ok {
				continue
			}
			// Duplicate products for one type (SKU variants) keep the
			// lowest rate, which is what a plain launch is charged.
			if old, dup := prices[typ]; !dup || usd < old {
				prices[typ] = usd
			}
		}
	}
	return prices, nil
}

type item struct {
	Product struct {
		Attributes map[string]string `json:"attributes"`
	} `json:"product"`
	Terms struct {
		OnDemand map[string]struct {
			PriceDimensions map[string]struct {
				Unit         string            `json:"unit"`
				PricePerUnit map[string]string `json:"pricePerUnit"`
			} `json:"priceDimensions"`
		} `json:"OnDemand"`
	} `json:"terms"`
}

// ParseItem reads one GetProducts PriceList element (a JSON document in a
// string): the instance type and its hourly USD On-Demand rate. Zero rates
// are skipped (placeholder SKUs carry them), as are items of another region
// when region is set.
func ParseItem(s, region string) (instanceType string, usd float64, ok bool) {
	var it item
	if err := json.Unmarshal([]byte(s), &it); err != nil {
		return "", 0, false
	}
	a := it.Product.Attributes
	instanceType = a["instanceType"]
	if instanceType == "" {
		return "", 0, false
	}
	if rc := a["regionCode"]; region != "" && rc != "" && rc != region {
		return "", 0, false
	}
	best := 0.0
	for _, term := range it.Terms.OnDemand {
		for _, d := range term.PriceDimensions {
			if d.Unit != "" && !strings.EqualFold(d.Unit, "Hrs") {
				continue
			}
			v, err := market.ParsePrice(d.PricePerUnit["USD"])
			if err != nil || v == 0 {
				continue
			}
			if best == 0 || v < best {
				best = v
			}
		}
	}
	if best == 0 {
		return "", 0, false
	}
	return instanceType, best, true
}

// IsDenied reports whether err is AWS refusing permission (as opposed to the
// API being unreachable or failing).
func IsDenied(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "AccessDeniedException", "AccessDenied", "UnauthorizedOperation":
		return true
	}
	return false
}

// PricingRegion picks the Price List endpoint region for the caller's
// configured region: the API lives only in us-east-1, eu-central-1 and
// ap-south-1, and serves every region's prices from each.
func PricingRegion(configured string) string {
	switch {
	case configured == "us-east-1" || configured == "eu-central-1" || configured == "ap-south-1":
		return configured
	case strings.HasPrefix(configured, "eu-") || strings.HasPrefix(configured, "me-") ||
		strings.HasPrefix(configured, "il-") || strings.HasPrefix(configured, "af-"):
		return "eu-central-1"
	case strings.HasPrefix(configured, "ap-"):
		return "ap-south-1"
	}
	return "us-east-1"
}

// NewAPI builds a pricing client from cfg with the region replaced by
// PricingRegion(cfg.Region); optFns run after, so a test can set
// BaseEndpoint.
func NewAPI(cfg aws.Config, optFns ...func(*pricing.Options)) *pricing.Client {
	cfg = cfg.Copy()
	cfg.Region = PricingRegion(cfg.Region)
	return pricing.NewFromConfig(cfg, optFns...)
}
