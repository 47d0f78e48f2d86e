package awsapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
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
	// DefaultRate and DefaultBurst mirror EC2's documented bucket for
	// non-mutating actions (refill 20/s, 100 tokens), so a fetch alone never
	// meets RequestLimitExceeded and leaves nothing for retries to waste.
	DefaultRate  = 20
	DefaultBurst = 100
	// DefaultWorkers per region: enough to spend the burst quickly at real
	// API latencies (~100 ms) and to keep 20 req/s flowing afterwards. A
	// 90-day single-product fetch stays inside the burst, so there all its
	// pieces (6 slices x 3-6 AZs) should run at once: 32 was 30% faster
	// than 16 on BenchmarkFetchRegion90d/linux.
	DefaultWorkers = 32
	// DefaultSlice keeps the per-slice duplicates (the record in effect at
	// each slice start, one per pool) a few percent of a page count, while
	// giving the worker pool enough independent pieces.
	DefaultSlice    = 15 * 24 * time.Hour
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
	Days     int      // window length back from Now, 1..MaxDays
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
	Done        bool
	Err         error
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
	Elapsed    time.Duration
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
	if req.Days < 1 || req.Days > MaxDays {
		return plan{}, fmt.Errorf("--days %d is out of range: AWS keeps spot price history for at most %d days (use 1..%d)", req.Days, MaxDays, MaxDays)
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
	p.window = market.Interval{Start: end.Add(-time.Duration(req.Days) * 24 * time.Hour), End: end}
	return p, nil
}

// Fetch fetches the part of the request's window the store lacks, for every
// region in parallel. It returns the totals and, if any region failed, an
// error naming each failed region; what was stored before a failure or a
// cancellation stays, and the next Fetch asks only for what is missing.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (Summary, error) {
	began := time.Now()
	p, err := f.plan(req)
	if err != nil {
		return Summary{}, err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sum  = Summary{Regions: len(p.regions)}
		errs []error
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
			sum.Skipped += int(r.skipped.Load())
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", region, err))
			}
		}()
	}
	wg.Wait()
	sum.Elapsed = time.Since(began)
	if ctx.Err() != nil {
		return sum, fmt.Errorf("fetch interrupted (what was fetched is kept; run it again to resume): %w", ctx.Err())
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return sum, errors.Join(errs...)
}

// regionRun is one region's share of a fetch.
type regionRun struct {
	f       *Fetcher
	region  string
	p       plan
	client  API
	limiter *rate.Limiter

	pages, records, newRecords       atomic.Int64
	attempts, retries, throttled     atomic.Int64
	piecesDone, piecesTotal, skipped atomic.Int64
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
	}
}

// piece is one paginated query: a time slice of one product, in one AZ (or
// all AZs when they are unknown).
type piece struct {
	product string
	slice   *sliceState
	zone    string
}

// sliceState counts the pieces of one (product, slice) still running, so
// coverage is recorded only once all of its AZs are stored.
type sliceState struct {
	product string
	iv      market.Interval
	pending atomic.Int64
}

func (r *regionRun) run(ctx context.Context) (err error) {
	defer func() {
		r.f.emit(func() Progress {
			p := r.snapshot()
			p.Done, p.Err = true, err
			return p
		})
	}()
	store := r.f.Store
	var slices []*sliceState
	for _, prod := range r.p.products {
		cov, err := store.Coverage(ctx, r.region, prod, ScopeAll)
		if err != nil {
			return fmt.Errorf("reading coverage: %w", err)
		}
		if r.p.scope != ScopeAll {
			own, err := store.Coverage(ctx, r.region, prod, r.p.scope)
			if err != nil {
				return fmt.Errorf("reading coverage: %w", err)
			}
			cov = append(cov, own...)
		}
		size := r.f.SliceSize
		if size <= 0 {
			size = DefaultSlice
		}
		for _, g := range gaps(r.p.window, cov) {
			for _, iv := range splitInterval(g, size) {
				slices = append(slices, &sliceState{product: prod, iv: iv})
			}
		}
	}
	if len(slices) == 0 {
		return r.finish(ctx)
	}
	r.client = r.f.Client(r.region)

	zones, zerr := Zones(ctx, r.client, r.region, r.apiOptions)
	if zerr != nil && ctx.Err() != nil {
		return zerr
	}
	var names []string
	if zerr == nil {
		if err := store.PutZones(ctx, r.region, zones, r.f.now()); err != nil {
			return fmt.Errorf("storing zones: %w", err)
		}
		for _, z := range zones {
			names = append(names, z.Name)
		}
	}
	if len(names) == 0 {
		// Without zone names one unsplit query per slice still returns
		// everything; it is only less parallel.
		names = []string{""}
	}

	// Newest slices first: if the fetch is interrupted, the data a user
	// most likely looks at is already there.
	sort.SliceStable(slices, func(i, j int) bool { return slices[i].iv.Start.After(slices[j].iv.Start) })
	var pieces []piece
	for _, s := range slices {
		s.pending.Store(int64(len(names)))
		for _, z := range names {
			pieces = append(pieces, piece{product: s.product, slice: s, zone: z})
		}
	}
	r.piecesTotal.Store(int64(len(pieces)))
	r.f.emit(r.snapshot)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan piece)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	workers := r.f.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	workers = min(workers, len(pieces))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pc := range work {
				if err := r.fetchPiece(ctx, pc); err != nil {
					errOnce.Do(func() {
						firstErr = err
						cancel() // one failed piece means the region cannot complete
					})
					continue
				}
				r.piecesDone.Add(1)
				r.f.emit(r.snapshot)
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
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.finish(ctx)
}

func (r *regionRun) finish(ctx context.Context) error {
	if err := r.f.Store.SetLastFetch(ctx, r.region, r.f.now()); err != nil {
		return fmt.Errorf("recording fetch time: %w", err)
	}
	return nil
}

func (r *regionRun) fetchPiece(ctx context.Context, pc piece) error {
	size := r.f.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	in := &ec2.DescribeSpotPriceHistoryInput{
		StartTime:           aws.Time(pc.slice.iv.Start),
		EndTime:             aws.Time(pc.slice.iv.End),
		ProductDescriptions: []string{pc.product},
		MaxResults:          aws.Int32(size),
	}
	if pc.zone != "" {
		in.AvailabilityZone = aws.String(pc.zone)
	}
	if len(r.p.patterns) > 0 {
		// The instance-type filter accepts wildcards, unlike InstanceTypes.
		in.Filters = []types.Filter{{Name: aws.String("instance-type"), Values: r.p.patterns}}
	}
	pager := ec2.NewDescribeSpotPriceHistoryPaginator(r.client, in, func(o *ec2.DescribeSpotPriceHistoryPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx, r.apiOptions)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("DescribeSpotPriceHistory %s %s %s..%s: %w", pc.product, zoneLabel(pc.zone),
				pc.slice.iv.Start.Format(time.RFC3339), pc.slice.iv.End.Format(time.RFC3339), err)
		}
		recs := r.toRecords(page.SpotPriceHistory, pc.product)
		added := 0
		if len(recs) > 0 {
			added, err = r.f.Store.AddRecords(ctx, recs)
			if err != nil {
				return fmt.Errorf("storing records: %w", err)
			}
		}
		r.pages.Add(1)
		r.records.Add(int64(len(recs)))
		r.newRecords.Add(int64(added))
		r.f.emit(r.snapshot)
	}
	if pc.slice.pending.Add(-1) == 0 {
		if err := r.f.Store.AddCoverage(ctx, r.region, pc.product, r.p.scope, pc.slice.iv); err != nil {
			return fmt.Errorf("recording coverage: %w", err)
		}
	}
	return nil
}

func zoneLabel(z string) string {
	if z == "" {
		return "all zones"
	}
	return z
}

func (r *regionRun) toRecords(in []types.SpotPrice, product string) []market.Record {
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
		if prod == "" {
			prod = product
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
			errs = append(errs, fmt.Errorf("%s: %w", region, err))
		}
	}
	return errors.Join(errs...)
}
