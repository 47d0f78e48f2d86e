package mcpserver

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/dataset"
	"github.com/spotscope/spotscope/market/explore"
	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/market/workspace"
)

// Bounds on answers, so one call fits an agent's context.
const (
	defaultLimit     = 50
	maxLimit         = 1000
	defaultMaxPoints = 100
	maxMaxPoints     = 5000
	defaultSeries    = 10
)

// ts is the workspace's RFC 3339 form, as every answer writes times.
func ts(t time.Time) string { return workspace.RFC3339(t) }

// limitOr applies a tool's default limit and bounds.
func limitOr(n, def int) (int, error) {
	switch {
	case n == 0:
		return def, nil
	case n < 0 || n > maxLimit:
		return 0, workspace.Badf("limit must be between 1 and %d, got %d", maxLimit, n)
	}
	return n, nil
}

// window parses a window length the way the CLI's flags read it ("7d",
// "36h", "1d12h").
func window(name, s, def string) (time.Duration, error) {
	if s == "" {
		s = def
	}
	d, err := recommend.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, workspace.Badf("invalid %s %q: want a duration such as 7d, 30d or 36h", name, s)
	}
	return d, nil
}

func products(p string) []string {
	if p == "" {
		return nil
	}
	return []string{p}
}

// --- regions -----------------------------------------------------------

type regionsArgs struct{}

type regionOut struct {
	Region        string `json:"region"`
	Pools         int    `json:"pools"`
	Records       int64  `json:"records"`
	Oldest        string `json:"oldest" jsonschema:"the oldest cached record, RFC 3339; empty when none"`
	Newest        string `json:"newest" jsonschema:"the newest cached record, RFC 3339"`
	LastFetch     string `json:"last_fetch" jsonschema:"the last fetch from AWS, RFC 3339; empty when never (imported or demo data)"`
	PriceList     string `json:"price_list" jsonschema:"where recommend's On-Demand prices come from in this region"`
	PriceListAsOf string `json:"price_list_as_of" jsonschema:"when the On-Demand price list was cached; empty when none is"`
}

type advisorOut struct {
	Mode   string `json:"mode" jsonschema:"live, cached or embedded"`
	AsOf   string `json:"as_of"`
	Source string `json:"source"`
	Stale  bool   `json:"stale"`
	Note   string `json:"note,omitempty"`
}

type regionsOut struct {
	Regions        []regionOut `json:"regions"`
	Pools          int         `json:"pools"`
	Records        int64       `json:"records"`
	SizeBytes      int64       `json:"size_bytes"`
	Advisor        advisorOut  `json:"advisor" jsonschema:"the Spot Instance Advisor data (interruption buckets) in use"`
	Demo           bool        `json:"demo" jsonschema:"true when serving the embedded demo data set"`
	DefaultRegions []string    `json:"default_regions" jsonschema:"the regions a tool asks about when its region argument is omitted"`
	FetchAllowed   bool        `json:"fetch_allowed" jsonschema:"whether the server may call AWS (the fetch tool and refreshing reads)"`
}

func (s *server) regions(ctx context.Context, _ *mcp.CallToolRequest, _ regionsArgs) (regionsOut, string, error) {
	out, err := s.summary(ctx)
	if err != nil {
		return out, "", err
	}
	var parts []string
	for _, r := range out.Regions {
		parts = append(parts, fmt.Sprintf("%s (%d pools, %d records, %s to %s)", r.Region, r.Pools, r.Records, r.Oldest, r.Newest))
	}
	if len(parts) == 0 {
		parts = []string{"nothing (run spotscope fetch --region R, or start the server with --demo)"}
	}
	return out, fmt.Sprintf("The cache holds %s. Advisor data: %s, as of %s.", strings.Join(parts, "; "), out.Advisor.Mode, out.Advisor.AsOf), nil
}

// summary is the regions tool's answer and the cache resource.
func (s *server) summary(ctx context.Context) (regionsOut, error) {
	sum, err := s.ws.Summary(ctx)
	if err != nil {
		return regionsOut{}, err
	}
	out := regionsOut{
		Regions: []regionOut{}, Pools: sum.Pools, Records: sum.Records, SizeBytes: sum.SizeBytes,
		Advisor:        advisorOut{Mode: sum.Advisor.Mode, AsOf: ts(sum.Advisor.AsOf), Source: sum.Advisor.Source, Stale: sum.Advisor.Stale, Note: sum.Advisor.Note},
		Demo:           s.ws.Demo,
		DefaultRegions: append([]string{}, s.ws.Regions...),
		FetchAllowed:   s.opts.AllowFetch && !s.ws.Offline,
	}
	for _, r := range sum.Regions {
		pl := "estimates from the Spot Advisor's savings (no price list cached)"
		if !r.PriceListAsOf.IsZero() {
			pl = "AWS Price List API, cached"
		}
		out.Regions = append(out.Regions, regionOut{
			Region: r.Region, Pools: r.Pools, Records: r.Records, Oldest: ts(r.Oldest), Newest: ts(r.Newest),
			LastFetch: ts(r.LastFetch), PriceList: pl, PriceListAsOf: ts(r.PriceListAsOf),
		})
	}
	return out, nil
}

// --- prices ------------------------------------------------------------

type selectArgs struct {
	Region  []string `json:"region,omitempty" jsonschema:"AWS regions, e.g. [\"us-east-1\"]; default: the server's --region / AWS_REGION (the demo: sa-east-1)"`
	Types   []string `json:"types,omitempty" jsonschema:"instance types or globs, e.g. [\"m7i.large\", \"c7*\", \"*.xlarge\"]; default: all"`
	Product string   `json:"product,omitempty" jsonschema:"product description, e.g. Linux/UNIX (the default), Windows, Red Hat Enterprise Linux, SUSE Linux"`
}

type pricesArgs struct {
	selectArgs
	Limit int `json:"limit,omitempty" jsonschema:"at most this many pools, cheapest first (default 50, at most 1000)"`
}

type priceOut struct {
	Region             string  `json:"region"`
	AvailabilityZone   string  `json:"availability_zone"`
	AvailabilityZoneID string  `json:"availability_zone_id"`
	InstanceType       string  `json:"instance_type"`
	Product            string  `json:"product"`
	Price              float64 `json:"price" jsonschema:"USD per instance-hour"`
	Timestamp          string  `json:"timestamp" jsonschema:"when this price took effect, RFC 3339"`
}

type pricesOut struct {
	Pools     []priceOut `json:"pools"`
	Total     int        `json:"total" jsonschema:"pools matching before the limit"`
	Truncated bool       `json:"truncated" jsonschema:"true when pools holds only the first limit of total"`
}

// selection validates the shared region/type/product arguments.
func (s *server) selection(ctx context.Context, a selectArgs) (*workspace.Workspace, workspace.Selection, error) {
	sel, err := workspace.Select(a.Types, products(a.Product))
	if err != nil {
		return nil, sel, argNames(err)
	}
	ws, err := s.regionsOr(ctx, a.Region)
	return ws, sel, err
}

func (s *server) prices(ctx context.Context, _ *mcp.CallToolRequest, a pricesArgs) (pricesOut, string, error) {
	limit, err := limitOr(a.Limit, defaultLimit)
	if err != nil {
		return pricesOut{}, "", err
	}
	ws, sel, err := s.selection(ctx, a.selectArgs)
	if err != nil {
		return pricesOut{}, "", err
	}
	rows, err := ws.Prices(ctx, sel)
	if err != nil {
		return pricesOut{}, "", argNames(err)
	}
	out := pricesOut{Pools: []priceOut{}, Total: len(rows), Truncated: len(rows) > limit}
	for _, r := range rows[:min(limit, len(rows))] {
		out.Pools = append(out.Pools, priceOut{r.Region, r.AvailabilityZone, r.AvailabilityZoneID, r.InstanceType, r.Product, r.Price, ts(r.Time)})
	}
	if len(rows) == 0 {
		return out, fmt.Sprintf("No cached prices in %s (see the regions tool).", strings.Join(ws.Regions, ", ")), nil
	}
	c := rows[0]
	return out, fmt.Sprintf("%d pools%s; cheapest: %s in %s at $%s/h (since %s).",
		out.Total, shown(len(out.Pools), out.Truncated), c.InstanceType, c.AvailabilityZone, market.FormatPrice(c.Price), ts(c.Time)), nil
}

func shown(n int, truncated bool) string {
	if !truncated {
		return ""
	}
	return fmt.Sprintf(" (showing the first %d; raise limit or narrow types for more)", n)
}

// --- stats -------------------------------------------------------------

type statsArgs struct {
	selectArgs
	Window string `json:"window,omitempty" jsonschema:"window length ending at at, e.g. 7d, 30d, 36h (default 30d)"`
	At     string `json:"at,omitempty" jsonschema:"window end, RFC 3339 (default now; the demo: the end of its recording)"`
	Sort   string `json:"sort,omitempty" jsonschema:"order of the pools, ascending: instance_type (default), last, twap, stddev, cv, min, max, p50, p95, changes, changes_per_day, max_jump, covered_hours, gap_hours"`
	Limit  int    `json:"limit,omitempty" jsonschema:"at most this many pools (default 50, at most 1000)"`
}

// statsRow is the CLI's stats row (workspace.StatsRow, the same names)
// plus what an agent needs to read a row alone: the effective start and
// the interruption bucket.
type statsRow struct {
	workspace.StatsRow
	EffectiveStart string `json:"effective_start" jsonschema:"S': the window start, or the pool's first record when it starts later"`
	Interruption   string `json:"interruption" jsonschema:"the Spot Advisor's monthly interruption bucket, or unknown"`
}

type statsOut struct {
	WindowStart string     `json:"window_start"`
	WindowEnd   string     `json:"window_end"`
	Sort        string     `json:"sort"`
	Pools       []statsRow `json:"pools"`
	Total       int        `json:"total"`
	Truncated   bool       `json:"truncated"`
}

// statKeys are the sort orders of the stats tool.
var statKeys = map[string]func(explore.Summary) float64{
	"last": func(s explore.Summary) float64 { return s.Stats.Last }, "twap": func(s explore.Summary) float64 { return s.Stats.TWAP },
	"stddev": func(s explore.Summary) float64 { return s.Stats.StdDev }, "cv": func(s explore.Summary) float64 { return s.Stats.CV },
	"min": func(s explore.Summary) float64 { return s.Stats.Min }, "max": func(s explore.Summary) float64 { return s.Stats.Max },
	"p50": func(s explore.Summary) float64 { return s.Stats.P50 }, "p95": func(s explore.Summary) float64 { return s.Stats.P95 },
	"changes":         func(s explore.Summary) float64 { return float64(s.Stats.Changes) },
	"changes_per_day": func(s explore.Summary) float64 { return s.Stats.ChangesPerDay },
	"max_jump":        func(s explore.Summary) float64 { return s.Stats.MaxJump },
	"covered_hours":   func(s explore.Summary) float64 { return s.Stats.CoveredHours },
	"gap_hours":       func(s explore.Summary) float64 { return s.Stats.GapHours },
}

func sortNames() []string {
	names := []string{"instance_type"}
	for k := range statKeys {
		names = append(names, k)
	}
	sort.Strings(names[1:])
	return names
}

func (s *server) stats(ctx context.Context, _ *mcp.CallToolRequest, a statsArgs) (statsOut, string, error) {
	limit, err := limitOr(a.Limit, defaultLimit)
	if err != nil {
		return statsOut{}, "", err
	}
	w, err := window("window", a.Window, "30d")
	if err != nil {
		return statsOut{}, "", err
	}
	var at time.Time
	if a.At != "" {
		if at, err = dataset.ParseTime(a.At); err != nil {
			return statsOut{}, "", workspace.BadInput{Err: badArg("at", err)}
		}
	}
	key := statKeys[a.Sort]
	if key == nil && a.Sort != "" && a.Sort != "instance_type" {
		if h := hint(a.Sort, sortNames()); h != "" {
			return statsOut{}, "", workspace.Badf("unknown sort %q%s", a.Sort, h)
		}
		return statsOut{}, "", workspace.Badf("unknown sort %q (want one of %s)", a.Sort, strings.Join(sortNames(), ", "))
	}
	ws, sel, err := s.selection(ctx, a.selectArgs)
	if err != nil {
		return statsOut{}, "", err
	}
	ans, err := ws.Stats(ctx, workspace.StatsQuery{Selection: sel, Window: w, At: at})
	if err != nil {
		return statsOut{}, "", argNames(err)
	}
	pools := ans.Pools
	if key != nil {
		// Stable: ties keep the workspace's type-then-pool order.
		sort.SliceStable(pools, func(i, j int) bool { return key(pools[i]) < key(pools[j]) })
	}
	out := statsOut{WindowStart: ts(ans.WindowStart), WindowEnd: ts(ans.WindowEnd), Sort: a.Sort, Pools: []statsRow{}, Total: len(pools), Truncated: len(pools) > limit}
	if out.Sort == "" {
		out.Sort = "instance_type"
	}
	for _, p := range pools[:min(limit, len(pools))] {
		bucket := "unknown"
		if p.Advisor.Known {
			bucket = p.Advisor.Label
		}
		out.Pools = append(out.Pools, statsRow{StatsRow: ans.Row(p), EffectiveStart: ts(p.Stats.Start), Interruption: bucket})
	}
	summary := fmt.Sprintf("Statistics of %d pools%s over %s to %s, sorted by %s.", out.Total, shown(len(out.Pools), out.Truncated), out.WindowStart, out.WindowEnd, out.Sort)
	if len(out.Pools) > 0 {
		f := out.Pools[0]
		summary += fmt.Sprintf(" First: %s in %s, twap $%.6f/h, cv %.4f, %.2f changes/day.", f.InstanceType, f.AvailabilityZone, f.TWAP, f.CV, f.ChangesPerDay)
	} else {
		summary += " No pool has a price in the window (see the regions tool for what is cached)."
	}
	return out, summary, nil
}

// --- history -----------------------------------------------------------

type historyArgs struct {
	Region    []string `json:"region,omitempty" jsonschema:"one AWS region, e.g. [\"us-east-1\"]; default: the server's"`
	Types     []string `json:"types" jsonschema:"instance types or globs (required), e.g. [\"m5.large\"]"`
	Product   string   `json:"product,omitempty" jsonschema:"product description (default Linux/UNIX)"`
	AZ        string   `json:"az,omitempty" jsonschema:"one Availability Zone name (default: all)"`
	Window    string   `json:"window,omitempty" jsonschema:"window length back from end, e.g. 7d or 36h (default 7d)"`
	End       string   `json:"end,omitempty" jsonschema:"window end, RFC 3339 (default now)"`
	MaxPoints int      `json:"max_points,omitempty" jsonschema:"most points per series (default 100, at least 3, at most 5000); longer series are downsampled keeping each time bucket's minimum, maximum and last price"`
	Limit     int      `json:"limit,omitempty" jsonschema:"at most this many series (default 10)"`
}

type pointOut struct {
	Timestamp string  `json:"timestamp"`
	Price     float64 `json:"price"`
}

type seriesOut struct {
	AvailabilityZone   string     `json:"availability_zone"`
	AvailabilityZoneID string     `json:"availability_zone_id"`
	InstanceType       string     `json:"instance_type"`
	Product            string     `json:"product"`
	Records            int        `json:"records" jsonschema:"points in the window before downsampling"`
	Downsampled        bool       `json:"downsampled"`
	Points             []pointOut `json:"points" jsonschema:"the step function: each price holds until the next point; the first is the price in effect at window_start"`
}

type historyOut struct {
	Region       string      `json:"region"`
	WindowStart  string      `json:"window_start"`
	WindowEnd    string      `json:"window_end"`
	MaxPoints    int         `json:"max_points"`
	Downsampling string      `json:"downsampling"`
	Series       []seriesOut `json:"series"`
	Total        int         `json:"total"`
	Truncated    bool        `json:"truncated"`
}

const downsamplingNote = "series longer than max_points are cut into equal time buckets and keep, per bucket, the points with the minimum and maximum price and the last point, so the extremes and the price at each bucket's end are exact"

func (s *server) history(ctx context.Context, _ *mcp.CallToolRequest, a historyArgs) (historyOut, string, error) {
	if len(a.Types) == 0 {
		return historyOut{}, "", workspace.Badf("types is required: name one or more instance types, e.g. [\"m5.large\"]")
	}
	for _, t := range a.Types {
		if _, err := path.Match(t, ""); err != nil || strings.TrimSpace(t) == "" {
			return historyOut{}, "", workspace.Badf("types: invalid instance type pattern %q", t)
		}
	}
	maxPoints := a.MaxPoints
	if maxPoints == 0 {
		maxPoints = defaultMaxPoints
	}
	if maxPoints < 3 || maxPoints > maxMaxPoints {
		return historyOut{}, "", workspace.Badf("max_points must be between 3 and %d (each bucket keeps its minimum, maximum and last point), got %d", maxMaxPoints, a.MaxPoints)
	}
	limit, err := limitOr(a.Limit, defaultSeries)
	if err != nil {
		return historyOut{}, "", err
	}
	w, err := window("window", a.Window, "7d")
	if err != nil {
		return historyOut{}, "", err
	}
	ws, err := s.regionsOr(ctx, a.Region)
	if err != nil {
		return historyOut{}, "", err
	}
	if len(ws.Regions) != 1 {
		return historyOut{}, "", workspace.Badf("history takes one region, got %d (%s)", len(ws.Regions), strings.Join(ws.Regions, ", "))
	}
	q := workspace.HistoryQuery{Type: strings.Join(a.Types, ","), Zone: a.AZ, Product: a.Product, End: ws.Now()}
	if a.End != "" {
		if q.End, err = dataset.ParseTime(a.End); err != nil {
			return historyOut{}, "", workspace.BadInput{Err: badArg("end", err)}
		}
	}
	q.Start = q.End.Add(-w)
	series, err := ws.History(ctx, q)
	if err != nil {
		return historyOut{}, "", argNames(err)
	}
	out := historyOut{Region: ws.Regions[0], WindowStart: ts(q.Start), WindowEnd: ts(q.End), MaxPoints: maxPoints, Downsampling: downsamplingNote,
		Series: []seriesOut{}, Total: len(series), Truncated: len(series) > limit}
	points := 0
	for _, p := range series[:min(limit, len(series))] {
		pts := Downsample(p.Points, q.Start, q.End, maxPoints)
		so := seriesOut{p.AvailabilityZone, p.AvailabilityZoneID, p.InstanceType, p.Product, len(p.Points), len(pts) < len(p.Points), make([]pointOut, 0, len(pts))}
		for _, pt := range pts {
			so.Points = append(so.Points, pointOut{ts(pt.Time), pt.Price})
		}
		points += len(pts)
		out.Series = append(out.Series, so)
	}
	if len(series) == 0 {
		// The workspace judged the names; a known type may still have no
		// cached pool (no spot offering in the region or zone).
		return out, fmt.Sprintf("No cached pool of %s in %s%s (see the regions tool).", strings.Join(a.Types, ", "), out.Region, inZone(a.AZ)), nil
	}
	return out, fmt.Sprintf("%d series%s, %d points, over %s to %s in %s (at most %d points per series: %s).",
		out.Total, shown(len(out.Series), out.Truncated), points, out.WindowStart, out.WindowEnd, out.Region, maxPoints, "downsampling keeps each bucket's min, max and last"), nil
}

func inZone(az string) string {
	if az == "" {
		return ""
	}
	return " (Availability Zone " + az + ")"
}

// argNames rewrites the CLI's flag names in a workspace error ("--type:")
// as this server's argument names ("types:"), keeping the error's kind.
func argNames(err error) error {
	if !workspace.IsBadInput(err) {
		return err
	}
	msg := err.Error()
	for _, r := range [][2]string{{"--type", "types"}, {"--product", "product"}, {"--region", "region"}, {"--window", "window"}, {"--az", "az"}} {
		msg = strings.ReplaceAll(msg, r[0], r[1])
	}
	return workspace.BadInput{Err: fmt.Errorf("%s", msg)}
}
