package awsapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"

	"github.com/spotscope/spotscope/market"
)

// Store is where the fetcher puts what it learns; *cache.Store satisfies it.
type Store interface {
	AddRecords(ctx context.Context, recs []market.Record) (int, error)
	Coverage(ctx context.Context, region, product, scope string) ([]market.Interval, error)
	AddCoverage(ctx context.Context, region, product, scope string, iv market.Interval) error
	PutInstanceTypes(ctx context.Context, region string, types []market.InstanceType, at time.Time) error
	PutZones(ctx context.Context, region string, zones []market.Zone, at time.Time) error
	SetLastFetch(ctx context.Context, region string, at time.Time) error
}

// Limits and defaults of a fetch.
const (
	// MaxDays is how far back DescribeSpotPriceHistory serves history.
	MaxDays = 90
	// RetentionMargin keeps a window's start this far inside AWS's 90
	// days: the oldest pieces are asked for last, possibly minutes after
	// the window was planned, and AWS's clock is not ours.
	RetentionMargin = time.Hour
	// EC2Rate and EC2Burst are EC2's documented bucket for non-mutating
	// actions (refill 20/s, 100 tokens), per account and region.
	EC2Rate  = 20
	EC2Burst = 100
	// DefaultRate and DefaultBurst stay a little under EC2's bucket, so
	// the scheduling jitter of a loaded machine or a second request in
	// flight elsewhere does not turn into RequestLimitExceeded and a 1 s
	// backoff: 1% of the rate is 0.2 spare tokens a second at AWS.
	DefaultRate  = 19.8
	DefaultBurst = 98
	// DefaultWorkers per region bounds the pieces in flight. At ~100 ms a
	// request, EC2's refill needs only rate x latency = 2 of them; the
	// rest spend the burst quickly at the start.
	DefaultWorkers = 32
	// DefaultSlice bounds the first pieces of a gap: no cut at all, as
	// every cut costs one duplicate record per pool (the price in effect
	// at the new start). Where parallelism needs cuts, replan makes them
	// once it knows how dense each piece is.
	DefaultSlice    = MaxDays * 24 * time.Hour
	DefaultPageSize = 1000
)

// Fetcher fetches spot price history into a Store. The zero value is not
// usable: Client and Store are required. A Fetcher may serve several fetches
// at once; they share its per-region rate limiters, as they share the
// account's throttle at AWS.
type Fetcher struct {
	Client func(region string) API
	Store  Store
	Now    func() time.Time // nil: time.Now

	Workers   int           // per region; 0: DefaultWorkers
	Rate      float64       // requests/s per region; 0: DefaultRate; <0: unlimited
	Burst     int           // 0: DefaultBurst
	SliceSize time.Duration // 0: DefaultSlice
	PageSize  int32         // 0: DefaultPageSize

	// Progress receives events from every region. Calls are serialized, so
	// it needs no locking of its own, but it should return quickly: the
	// workers wait for it.
	Progress func(Progress)

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	progMu   sync.Mutex
}

// Request says what to fetch.
type Request struct {
	Regions  []string
	Types    []string // exact names or globs ("m7*", "*.xlarge"); empty: all
	Products []string // empty: Linux/UNIX
	// Days is the window length back from Now. A window reaching past
	// AWS's retention is clamped to it (see OldestFetchable).
	Days int
}

// Progress is one region's running totals.
type Progress struct {
	Region      string
	Pages       int
	Records     int
	NewRecords  int
	Retries     int
	Throttled   int
	PiecesDone  int
	PiecesTotal int
	// SpanDone of SpanTotal is the time (summed over pieces) whose records
	// are stored: the fraction of the work done, for a bar and an ETA.
	SpanDone, SpanTotal time.Duration
	Done                bool
	Err                 error
}

// Summary totals a fetch over all regions.
type Summary struct {
	Regions    int
	Pages      int
	Records    int
	NewRecords int
	Retries    int
	Throttled  int
	Skipped    int // records AWS sent that could not be parsed
	// Pieces is how many queries the fetch planned; 0 when the cache
	// already covered the whole window.
	Pieces  int
	Failed  int      // pieces that failed, leaving their time uncovered
	Types   []string // the type patterns asked for; empty: all
	Window  market.Interval
	Elapsed time.Duration
}

// EmptyReason says why a fetch stored no records, or "" when it stored
// some: a reader that finds nothing after a fetch reports this rather than
// "fetch first".
func (s Summary) EmptyReason() string {
	switch {
	case s.Records > 0:
		return ""
	case s.Pieces == 0 && s.Regions > 0:
		return "the cache already covers the window"
	case s.Failed == s.Pieces && s.Pieces > 0:
		return "every query failed"
	case len(s.Types) > 0:
		return fmt.Sprintf("no spot prices for instance types matching %s in the window", strings.Join(s.Types, ", "))
	default:
		return "AWS returned no spot prices for the window"
	}
}

// OldestFetchable is the oldest start of a window the fetcher asks AWS
// for at now: its retention less RetentionMargin.
func OldestFetchable(now time.Time) time.Time {
	return now.Add(-MaxDays*24*time.Hour + RetentionMargin)
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Fetcher) limiter(region string) *rate.Limiter {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l, ok := f.limiters[region]; ok {
		return l
	}
	r, b := rate.Limit(f.Rate), f.Burst
	switch {
	case f.Rate == 0:
		r = DefaultRate
	case f.Rate < 0:
		r = rate.Inf
	}
	if b <= 0 {
		b = DefaultBurst
	}
	if f.limiters == nil {
		f.limiters = map[string]*rate.Limiter{}
	}
	l := rate.NewLimiter(r, b)
	f.limiters[region] = l
	return l
}

// emit snapshots under the lock, so that events reach the callback in the
// order of their counters and a UI never sees totals go backwards.
func (f *Fetcher) emit(snap func() Progress) {
	if f.Progress == nil {
		return
	}
	f.progMu.Lock()
	defer f.progMu.Unlock()
	f.Progress(snap())
}

// plan is a validated request.
type plan struct {
	regions  []string
	patterns []string
	scope    string
	products []string
	window   market.Interval
}

func (f *Fetcher) plan(req Request) (plan, error) {
	if f.Client == nil || f.Store == nil {
		return plan{}, errors.New("awsapi: Fetcher needs a Client factory and a Store")
	}
	if req.Days < 1 {
		return plan{}, fmt.Errorf("--days %d is out of range: fetch at least 1 day (AWS keeps %d)", req.Days, MaxDays)
	}
	if len(req.Regions) == 0 {
		return plan{}, errors.New("no region to fetch (set --region or AWS_REGION)")
	}
	p := plan{}
	seen := map[string]bool{}
	for _, r := range req.Regions {
		if err := market.ValidateRegion(r); err != nil {
			return plan{}, err
		}
		if !seen[r] {
			seen[r] = true
			p.regions = append(p.regions, r)
		}
	}
	m, err := market.NewTypeMatcher(req.Types)
	if err != nil {
		return plan{}, err
	}
	p.scope = Scope(m.Patterns())
	if p.scope != ScopeAll {
		p.patterns = m.Patterns()
	}
	prods := map[string]bool{}
	for _, pr := range req.Products {
		if pr != "" && !prods[pr] {
			prods[pr] = true
			p.products = append(p.products, pr)
		}
	}
	if len(p.products) == 0 {
		p.products = []string{market.LinuxUNIX}
	}
	// Whole seconds: see splitInterval.
	end := f.now().UTC().Truncate(time.Second)
	start := end.Add(-time.Duration(req.Days) * 24 * time.Hour)
	if oldest := OldestFetchable(end); start.Before(oldest) {
		start = oldest
	}
	p.window = market.Interval{Start: start, End: end}
	return p, nil
}

// Fetch fetches the part of the request's window the store lacks, for every
// region in parallel. It returns the totals and, if any region failed, an
// error naming each failed region; what was stored before a failure or a
// cancellation stays, with its coverage recorded page by page, and the next
// Fetch asks only for what is missing.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (Summary, error) {
	began := time.Now()
	p, err := f.plan(req)
	if err != nil {
		return Summary{}, err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sum  = Summary{Regions: len(p.regions), Types: p.patterns, Window: p.window}
		errs = map[string]error{}
	)
	for _, region := range p.regions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := f.newRegionRun(region, p)
			err := r.run(ctx)
			mu.Lock()
			defer mu.Unlock()
			s := r.snapshot()
			sum.Pages += s.Pages
			sum.Records += s.Records
			sum.NewRecords += s.NewRecords
			sum.Retries += s.Retries
			sum.Throttled += s.Throttled
			sum.Pieces += s.PiecesTotal
			sum.Failed += int(r.failed.Load())
			sum.Skipped += int(r.skipped.Load())
			if err != nil {
				errs[region] = err
			}
		}()
	}
	wg.Wait()
	sum.Elapsed = time.Since(began)
	if ctx.Err() != nil {
		return sum, fmt.Errorf("fetch interrupted (what was fetched is kept; run it again to resume): %w", ctx.Err())
	}
	return sum, joinRegionErrors(errs)
}

// regionRun is one region's share of a fetch.
type regionRun struct {
	f       *Fetcher
	region  string
	p       plan
	client  API
	limiter *rate.Limiter
	cov     *coverTracker
	writer  *batchWriter
	// unstored holds a place for every page asked for and not yet stored.
	unstored chan struct{}

	pages, records, newRecords       atomic.Int64
	attempts, retries, throttled     atomic.Int64
	piecesDone, piecesTotal, skipped atomic.Int64
	failed                           atomic.Int64
	spanDone, spanTotal              atomic.Int64
}

func (f *Fetcher) newRegionRun(region string, p plan) *regionRun {
	return &regionRun{f: f, region: region, p: p, limiter: f.limiter(region)}
}

func (r *regionRun) snapshot() Progress {
	return Progress{
		Region:      r.region,
		Pages:       int(r.pages.Load()),
		Records:     int(r.records.Load()),
		NewRecords:  int(r.newRecords.Load()),
		Retries:     int(r.retries.Load()),
		Throttled:   int(r.throttled.Load()),
		PiecesDone:  int(r.piecesDone.Load()),
		PiecesTotal: int(r.piecesTotal.Load()),
		SpanDone:    time.Duration(r.spanDone.Load()),
		SpanTotal:   time.Duration(r.spanTotal.Load()),
	}
}

// piece is one paginated query: a time slice of one zone (or of all zones
// when they are unknown) for the products whose coverage there has the same
// gaps. One query for several products costs nothing extra and leaves one
// part-filled last page instead of one per product.
type piece struct {
	zone     string
	products []string
	iv       market.Interval

	// Pagination state: [covered, iv.End) is stored and recorded.
	covered      time.Time
	token        *string
	tokens       map[string]bool
	pages        int
	unordered    bool
	prevOldest   time.Time
	done, failed bool
	est          float64       // pages still to fetch, estimated by replan
	firstRound   time.Duration // how long the first page took
}

// remaining estimates the pages a started piece still needs from the
// density of those it has: records are spread over time roughly evenly
// at the scale of days.
func (pc *piece) remaining() float64 {
	got := pc.iv.End.Sub(pc.covered)
	if got <= 0 {
		return 1
	}
	return float64(pc.pages) * float64(pc.covered.Sub(pc.iv.Start)) / float64(got)
}

func (r *regionRun) run(ctx context.Context) (err error) {
	defer func() {
		r.f.emit(func() Progress {
			p := r.snapshot()
			p.Done, p.Err = true, err
			return p
		})
	}()
	r.client = r.f.Client(r.region)
	r.cov = &coverTracker{store: r.f.Store, region: r.region, scope: r.p.scope, zones: []string{""}}
	if !r.anyGap(ctx) {
		return r.finish(ctx)
	}
	// The zones call is also the cautious first request: if another
	// process has spent the account's burst, its throttle drains ours
	// (see apiOptions) before the pieces start.
	zones, zerr := Zones(ctx, r.client, r.region, r.apiOptions)
	zerr = classify(zerr)
	if zerr != nil && ctx.Err() != nil {
		return zerr
	}
	var unreachable *EndpointError
	if errors.As(zerr, &unreachable) {
		return zerr
	}
	if zerr == nil {
		if err := r.f.Store.PutZones(ctx, r.region, zones, r.f.now()); err != nil {
			return fmt.Errorf("storing zones: %w", err)
		}
		var names []string
		for _, z := range zones {
			names = append(names, z.Name)
		}
		if len(names) > 0 {
			// Without zone names one unsplit query per slice still
			// returns everything; it is only less parallel.
			r.cov.zones = names
		}
	}
	pieces, err := r.pieces(ctx)
	if err != nil {
		return err
	}
	r.piecesTotal.Store(int64(len(pieces)))
	for _, pc := range pieces {
		r.spanTotal.Add(int64(pc.iv.End.Sub(pc.iv.Start)))
	}
	r.f.emit(r.snapshot)
	if len(pieces) == 0 {
		return r.finish(ctx)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.writer = newBatchWriter(r.f.Store, func(n int) { r.newRecords.Add(int64(n)) })
	r.unstored = make(chan struct{}, MaxUnstored)
	go r.writer.run(ctx)
	pool := &piecePool{r: r, cancel: cancel}
	defer func() {
		// Whatever AWS has sent is stored before the run ends, even when
		// it was cancelled.
		if werr := r.writer.close(); werr != nil && err == nil {
			err = werr
		}
	}()
	// First one page of every piece: it tells how dense each piece is,
	// so the rest can be planned to keep every request full and the
	// chains of sequential pages short enough to end together.
	pool.run(ctx, pieces, 1)
	if ctx.Err() == nil {
		pool.run(ctx, r.replan(pieces), 0)
	}
	if werr := r.writer.close(); werr != nil {
		return werr
	}
	if err := pool.err(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.finish(ctx)
}

// piecePool runs pieces on the region's workers and collects their errors.
type piecePool struct {
	r      *regionRun
	cancel func()

	mu   sync.Mutex
	errs []error
}

// run fetches up to maxPages pages (0: all) of each piece.
func (pp *piecePool) run(ctx context.Context, pieces []*piece, maxPages int) {
	r := pp.r
	workers := r.f.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	work := make(chan *piece)
	var wg sync.WaitGroup
	for range min(workers, len(pieces)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pc := range work {
				err := r.fetchPiece(ctx, pc, maxPages)
				switch {
				case err != nil && ctx.Err() != nil:
				case err != nil:
					r.failed.Add(1)
					pc.failed = true
					pp.mu.Lock()
					pp.errs = append(pp.errs, err)
					pp.mu.Unlock()
					// A piece failing on its own (a bad answer, a
					// repeated token) leaves its slice uncovered and the
					// others carry on; an endpoint or credentials that
					// fail fail every piece, so stop.
					if isFatal(err) {
						pp.cancel()
					}
				}
			}
		}()
	}
feed:
	for _, pc := range pieces {
		select {
		case work <- pc:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
}

func (pp *piecePool) err() error {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	switch len(pp.errs) {
	case 0:
		return nil
	case 1:
		return pp.errs[0]
	}
	return fmt.Errorf("%w (and %d more failed pieces, left uncovered)", pp.errs[0], len(pp.errs)-1)
}

// MinChain is the fewest pages replan leaves to one piece: shorter chains
// would cost more in duplicate records (the price in effect at each new
// start, once per pool) than their parallelism saves.
const MinChain = 8

// replan decides, after the first page of every piece, how to fetch the
// rest. Once the burst is spent a fetch runs at the bucket's rate, so it
// takes about T = (pages - tokens) / rate whatever the number of pieces in
// flight; a piece is a chain of sequential requests, so one longer than
// T / latency would end alone after the others. Such a piece is abandoned
// after its first page and the rest of its time is cut into fresh pieces of
// about that length; the others continue where they are. The longest go
// first, so that the last to finish are short.
func (r *regionRun) replan(first []*piece) []*piece {
	var rest []*piece
	total := 0.0
	// The quickest first answer is the round trip: the slower ones waited
	// for a CPU or a token, which more pieces would not change.
	var round time.Duration
	for _, pc := range first {
		if pc.firstRound > 0 && (round == 0 || pc.firstRound < round) {
			round = pc.firstRound
		}
	}
	for _, pc := range first {
		if pc.done || pc.failed {
			continue
		}
		pc.est = pc.remaining()
		total += pc.est
		rest = append(rest, pc)
	}
	maxChain := float64(MinChain)
	if lim := r.limiter.Limit(); lim != rate.Inf && lim > 0 && round > 0 {
		t := max(0, total-r.limiter.Tokens()) / float64(lim)
		maxChain = max(maxChain, 0.8*t/round.Seconds())
	}
	var out []*piece
	for _, pc := range rest {
		// A cut costs a page or so of duplicates: not worth it for a
		// chain only a little longer than the others.
		if pc.est <= 1.25*maxChain || pc.covered.Equal(pc.iv.End) {
			out = append(out, pc)
			continue
		}
		left := market.Interval{Start: pc.iv.Start, End: pc.covered}
		k := int(math.Ceil(pc.est / maxChain))
		parts := splitInterval(left, left.End.Sub(left.Start)/time.Duration(k)+time.Second)
		for _, iv := range parts {
			out = append(out, &piece{zone: pc.zone, products: pc.products, iv: iv, covered: iv.End, est: pc.est / float64(len(parts))})
		}
		// The abandoned piece's first page is stored and covered; the
		// new pieces take over the rest.
		r.piecesTotal.Add(int64(len(parts)))
		r.piecesDone.Add(1)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].est > out[j].est })
	r.f.emit(r.snapshot)
	return out
}

// anyGap loads the region-level coverage and reports whether the window has
// a gap in any product, so a covered region costs no request at all.
func (r *regionRun) anyGap(ctx context.Context) bool {
	gap := false
	for _, prod := range r.p.products {
		if err := r.cov.load(ctx, prod); err != nil {
			return true // the planning step reports it
		}
		gap = gap || len(gaps(r.p.window, r.cov.known(prod, ""))) > 0
	}
	return gap
}

// pieces plans the queries: per zone, the products with the same gaps
// share queries; each gap is cut into slices, newest first, so that an
// interrupted fetch already holds the data a user most likely looks at.
func (r *regionRun) pieces(ctx context.Context) ([]*piece, error) {
	for _, prod := range r.p.products {
		if err := r.cov.load(ctx, prod); err != nil {
			return nil, err
		}
	}
	size := r.f.SliceSize
	if size <= 0 {
		size = DefaultSlice
	}
	var out []*piece
	for _, z := range r.cov.zones {
		var order []string
		groups := map[string][]string{}
		gapsOf := map[string][]market.Interval{}
		for _, prod := range r.p.products {
			g := gaps(r.p.window, r.cov.known(prod, z))
			if len(g) == 0 {
				continue
			}
			k := fmt.Sprint(g)
			if _, ok := groups[k]; !ok {
				order = append(order, k)
				gapsOf[k] = g
			}
			groups[k] = append(groups[k], prod)
		}
		for _, k := range order {
			for _, g := range gapsOf[k] {
				for _, iv := range splitInterval(g, size) {
					out = append(out, &piece{zone: z, products: groups[k], iv: iv, covered: iv.End})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].iv.End.After(out[j].iv.End) })
	return out, nil
}

func (r *regionRun) finish(ctx context.Context) error {
	if err := r.f.Store.SetLastFetch(ctx, r.region, r.f.now()); err != nil {
		return fmt.Errorf("recording fetch time: %w", err)
	}
	return nil
}

// fetchPiece paginates one piece, storing each page and recording the
// coverage the pages so far prove. AWS sends records newest first, across
// the pools of a query, so after a page every record newer than its oldest
// one is stored: the piece covers (oldest, End]. Records at exactly that
// instant may continue on the next page, and the price in effect before
// them only comes with the last page, so the claim stops just after the
// oldest record and reaches the piece's Start only when the last page is
// in. When the answer is not in that order, only the complete piece is
// claimed.
func (r *regionRun) fetchPiece(ctx context.Context, pc *piece, maxPages int) error {
	size := r.f.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	in := &ec2.DescribeSpotPriceHistoryInput{
		StartTime:           aws.Time(pc.iv.Start),
		EndTime:             aws.Time(pc.iv.End),
		ProductDescriptions: pc.products,
		MaxResults:          aws.Int32(size),
		NextToken:           pc.token,
	}
	if pc.zone != "" {
		in.AvailabilityZone = aws.String(pc.zone)
	}
	if len(r.p.patterns) > 0 {
		// The instance-type filter accepts wildcards, unlike InstanceTypes.
		in.Filters = []types.Filter{{Name: aws.String("instance-type"), Values: r.p.patterns}}
	}
	label := func(err error) error {
		return fmt.Errorf("DescribeSpotPriceHistory %s %s %s..%s: %w", strings.Join(pc.products, "+"), zoneLabel(pc.zone),
			pc.iv.Start.Format(time.RFC3339), pc.iv.End.Format(time.RFC3339), err)
	}
	if pc.tokens == nil {
		pc.tokens = map[string]bool{}
	}
	for n := 0; maxPages <= 0 || n < maxPages; n++ {
		select {
		case r.unstored <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		release := func() { <-r.unstored }
		sent := time.Now()
		page, err := r.client.DescribeSpotPriceHistory(ctx, in, r.apiOptions)
		if pc.firstRound == 0 {
			pc.firstRound = time.Since(sent)
		}
		if err != nil {
			release()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return label(classify(err))
		}
		recs := r.toRecords(page.SpotPriceHistory, pc.products)
		pc.pages++
		r.pages.Add(1)
		r.records.Add(int64(len(recs)))

		next := aws.ToString(page.NextToken)
		claim := pc.covered
		if next == "" {
			claim = pc.iv.Start
		} else if len(recs) > 0 {
			newest, oldest, inOrder := newestFirst(recs)
			if !inOrder || (!pc.prevOldest.IsZero() && newest.After(pc.prevOldest)) {
				pc.unordered = true
			}
			pc.prevOldest = oldest
			if !pc.unordered {
				claim = oldest.Truncate(time.Millisecond).Add(time.Millisecond)
				// The price in effect at Start comes last: keep Start
				// itself for the last page to claim.
				if floor := pc.iv.Start.Add(time.Millisecond); claim.Before(floor) {
					claim = floor
				}
			}
		}
		// Recorded by the writer once the page is stored.
		covered, last := pc.covered, next == ""
		after := func(ctx context.Context) error {
			if claim.Before(covered) {
				if err := r.cov.add(ctx, pc.products, pc.zone, market.Interval{Start: claim, End: covered}); err != nil {
					return err
				}
				r.spanDone.Add(int64(covered.Sub(claim)))
			}
			if last {
				r.piecesDone.Add(1)
			}
			r.f.emit(r.snapshot)
			return nil
		}
		if err := r.writer.write(ctx, writeReq{recs: recs, after: after, release: release}); err != nil {
			release()
			return err
		}
		if claim.Before(pc.covered) {
			pc.covered = claim
		}
		if last {
			pc.done = true
			return nil
		}
		if pc.tokens[next] {
			// The SDK's paginator would stop here as if done; the rest
			// of the slice was never sent, so it must not count as
			// covered.
			return label(errors.New("AWS repeated a NextToken, so the rest of this slice stays uncovered (run the fetch again)"))
		}
		pc.tokens[next] = true
		pc.token = aws.String(next)
		in.NextToken = pc.token
	}
	return nil
}

// newestFirst returns the newest and oldest times of recs and whether they
// come newest first.
func newestFirst(recs []market.Record) (newest, oldest time.Time, ordered bool) {
	newest, oldest, ordered = recs[0].Time, recs[0].Time, true
	for i, rec := range recs {
		if i > 0 && rec.Time.After(recs[i-1].Time) {
			ordered = false
		}
		if rec.Time.After(newest) {
			newest = rec.Time
		}
		if rec.Time.Before(oldest) {
			oldest = rec.Time
		}
	}
	return newest, oldest, ordered
}

func zoneLabel(z string) string {
	if z == "" {
		return "all zones"
	}
	return z
}

// toRecords converts a page. An item without a product is attributed to
// the query's product when it asked for one.
func (r *regionRun) toRecords(in []types.SpotPrice, products []string) []market.Record {
	out := make([]market.Record, 0, len(in))
	for _, sp := range in {
		price, err := market.ParsePrice(aws.ToString(sp.SpotPrice))
		az, typ := aws.ToString(sp.AvailabilityZone), string(sp.InstanceType)
		if err != nil || sp.Timestamp == nil || az == "" || typ == "" {
			// One malformed item should not make a whole region
			// unfetchable forever; it is counted in the summary instead.
			r.skipped.Add(1)
			continue
		}
		prod := string(sp.ProductDescription)
		if prod == "" && len(products) == 1 {
			prod = products[0]
		}
		if prod == "" {
			r.skipped.Add(1)
			continue
		}
		out = append(out, market.Record{
			Pool:  market.Pool{Region: r.region, AvailabilityZone: az, InstanceType: typ, Product: prod},
			Time:  sp.Timestamp.UTC(),
			Price: price,
		})
	}
	return out
}

// apiOptions puts every HTTP attempt, retries included, under the region's
// token bucket and counts retries and throttles. It sits after the SDK's
// retry middleware because EC2 charges its throttle per attempt, not per
// call.
func (r *regionRun) apiOptions(o *ec2.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		if err := st.Initialize.Add(middleware.InitializeMiddlewareFunc("spotscope.CallState",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(context.WithValue(ctx, callKey{}, new(atomic.Int64)), in)
			}), middleware.Before); err != nil {
			return err
		}
		mw := middleware.FinalizeMiddlewareFunc("spotscope.RateLimit",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if err := r.limiter.Wait(ctx); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				if n, ok := ctx.Value(callKey{}).(*atomic.Int64); ok && n.Add(1) > 1 {
					r.retries.Add(1)
				}
				r.attempts.Add(1)
				out, md, err := next.HandleFinalize(ctx, in)
				if err != nil && retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
					r.throttled.Add(1)
					r.drain()
				}
				return out, md, err
			})
		if err := st.Finalize.Insert(mw, "Retry", middleware.After); err != nil {
			return st.Finalize.Add(mw, middleware.Before)
		}
		return nil
	})
}

type callKey struct{}

// drain empties the client's bucket when AWS throttles: AWS's bucket is
// empty (another process, or a previous run, spent it), so the tokens ours
// still holds would only buy more throttles and 1 s backoffs. From then on
// requests go out at the refill rate, a little under AWS's.
func (r *regionRun) drain() {
	if n := int(r.limiter.Tokens()); n > 0 {
		r.limiter.ReserveN(time.Now(), n)
	}
}

// FetchCatalog stores each region's Spot-capable instance types and its
// zones. It is separate from Fetch because the catalog changes rarely and
// costs a few calls per region, which a price refresh should not pay.
func (f *Fetcher) FetchCatalog(ctx context.Context, regions []string) error {
	if f.Client == nil || f.Store == nil {
		return errors.New("awsapi: Fetcher needs a Client factory and a Store")
	}
	var errs []error
	for _, region := range regions {
		if err := market.ValidateRegion(region); err != nil {
			return err
		}
		r := f.newRegionRun(region, plan{})
		client := f.Client(region)
		types, err := InstanceTypes(ctx, client, region, r.apiOptions)
		if err == nil {
			err = f.Store.PutInstanceTypes(ctx, region, types, f.now())
		}
		if err == nil {
			var zones []market.Zone
			zones, err = Zones(ctx, client, region, r.apiOptions)
			if err == nil {
				err = f.Store.PutZones(ctx, region, zones, f.now())
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			err = classify(err)
			if isFatal(err) {
				// Every other region would say the same.
				return fmt.Errorf("%s: %w", region, err)
			}
			errs = append(errs, fmt.Errorf("%s: %w", region, err))
		}
	}
	return errors.Join(errs...)
}
