package recommend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/spotscope/spotscope/market"
)

// pricePath is a pool's price as a step function over [0, d] hours from its
// window start, read cyclically: a run that outlasts the window continues
// from its start, so every start time sees a full price path.
type pricePath struct {
	at    []float64 // step starts, hours from the window start; at[0] = 0
	price []float64 // price from at[i] to at[i+1]
	cum   []float64 // integral of the price over [0, at[i]]
	d     float64
	total float64 // integral over [0, d]
}

// newPricePath builds the step function of pts over [start, end]: the price
// of the latest record at or before t, from start (or the first record after
// it) to end. Without records it is constant at fallback.
func newPricePath(pts []market.Point, start, end time.Time, fallback float64) pricePath {
	h := func(t time.Time) float64 { return t.Sub(start).Hours() }
	p := pricePath{d: h(end)}
	for _, pt := range pts {
		if pt.Time.After(end) {
			break
		}
		x := math.Max(0, h(pt.Time))
		if n := len(p.at); n > 0 && p.at[n-1] == x {
			p.price[n-1] = pt.Price // a later record at the same instant wins
			continue
		}
		p.at, p.price = append(p.at, x), append(p.price, pt.Price)
	}
	if len(p.at) == 0 || p.d <= 0 {
		return pricePath{at: []float64{0}, price: []float64{fallback}, cum: []float64{0}, d: 1, total: fallback}
	}
	// A path that starts after the window start (S' > S) is read from S'.
	if off := p.at[0]; off > 0 {
		for i := range p.at {
			p.at[i] -= off
		}
		p.d -= off
	}
	p.cum = make([]float64, len(p.at))
	for i := 1; i < len(p.at); i++ {
		p.cum[i] = p.cum[i-1] + p.price[i-1]*(p.at[i]-p.at[i-1])
	}
	n := len(p.at) - 1
	p.total = p.cum[n] + p.price[n]*(p.d-p.at[n])
	if p.d <= 0 {
		return pricePath{at: []float64{0}, price: []float64{p.price[n]}, cum: []float64{0}, d: 1, total: p.price[n]}
	}
	return p
}

// integral is the price integrated over [0, x] hours, x >= 0, cyclically.
func (p pricePath) integral(x float64) float64 {
	k := math.Floor(x / p.d)
	r := x - k*p.d
	i := sort.SearchFloat64s(p.at, r)
	if i == len(p.at) || p.at[i] > r {
		i--
	}
	return k*p.total + p.cum[i] + p.price[i]*(r-p.at[i])
}

// cost is what an instance pays from hour from for hours.
func (p pricePath) cost(from, hours float64) float64 {
	return p.integral(from+hours) - p.integral(from)
}

// maxReplayJobs bounds the replay's work (runs x jobs of the set), so a fleet
// of thousands of instances is replayed in well under a second; the runs are
// reduced, never below minReplayRuns, and the plan says so.
const (
	maxReplayJobs = 4000000
	minReplayRuns = 200
)

// maxInterruptions bounds one simulated job, so a hopeless profile (a
// long coupled job that never checkpoints) cannot loop for minutes.
const maxInterruptions = 100000

// simulateJob draws one run of a job of T work-hours that checkpoints every
// c hours (c <= 0 or c >= T: never), restarting after r hours of wall time
// from the last checkpoint when interrupted at rate lambda. The process is
// memoryless, so one exponential draw per interruption suffices: the run time
// to the next interruption is compared with the work left.
func simulateJob(rng *rand.Rand, lambda, T, c, r float64) (wall float64, interruptions int) {
	saved := 0.0 // work position of the last checkpoint
	for {
		left := T - saved
		if lambda <= 0 || interruptions >= maxInterruptions {
			return wall + left, interruptions
		}
		x := rng.ExpFloat64() / lambda
		if x >= left {
			return wall + left, interruptions
		}
		wall += x + r
		interruptions++
		if c > 0 && c < T {
			saved = math.Floor((saved+x)/c) * c
		}
	}
}

// replayPool is one set pool as the replay needs it.
type replayPool struct {
	path      pricePath
	instances int // jobs run on this pool (coupled: 1 job of nodes instances)
	nodes     int
	lambda    float64 // the job's interruption rate
	hours     float64 // work hours per job
}

// replay runs the set runs times. Run i starts at the fraction (i+u)/runs of
// each pool's window (u uniform in [0,1)), so start times are spread evenly
// over the window; every job draws its interruptions from its rate, and pays
// the pool's real price path for its whole wall time, restarts included.
// It returns each run's total cost and completion hours (the slowest job).
func replay(pools []replayPool, c, r float64, runs int, seed uint64) (costs, hours []float64) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed5eed))
	costs, hours = make([]float64, runs), make([]float64, runs)
	for i := 0; i < runs; i++ {
		u := (float64(i) + rng.Float64()) / float64(runs)
		var cost, done float64
		for _, p := range pools {
			start := u * p.path.d
			for j := 0; j < p.instances; j++ {
				wall, _ := simulateJob(rng, p.lambda, p.hours, c, r)
				cost += float64(p.nodes) * p.path.cost(start, wall)
				done = math.Max(done, wall)
			}
		}
		costs[i], hours[i] = cost, done
	}
	return costs, hours
}

// quantile is the smallest x among xs (sorted in place) with at least a
// fraction q of the values <= x, as stats.md defines p50 and p95.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

// Replay fills the plan's distribution from a replay of the set's price
// paths (pool -> records over its window, the record in effect at its start
// first). A pool without a path is held at its price, and ReplayBasis says so.
func (r *Result) Replay(paths map[market.Pool][]market.Point) {
	p := r.Profile
	var pools []replayPool
	withPath, without := 0, 0
	var from, to time.Time
	for _, c := range r.Pools {
		pts := paths[market.Pool{Region: c.Region, AvailabilityZone: c.AvailabilityZone, InstanceType: c.InstanceType, Product: c.Product}]
		if len(pts) > 0 {
			withPath++
			if from.IsZero() || c.window.Start.Before(from) {
				from = c.window.Start
			}
			if c.window.End.After(to) {
				to = c.window.End
			}
		} else {
			without++
		}
		nodes := max(1, c.nodes)
		pools = append(pools, replayPool{
			path:      newPricePath(pts, c.window.Start, c.window.End, c.Price),
			instances: c.Instances / nodes,
			nodes:     nodes,
			lambda:    c.hazard,
			hours:     c.WorkHours,
		})
	}
	runs := p.Runs
	if runs <= 0 {
		runs = DefaultRuns
	}
	jobs := 0
	for _, rp := range pools {
		jobs += rp.instances
	}
	reduced := ""
	if jobs > 0 && runs*jobs > maxReplayJobs {
		runs = max(minReplayRuns, maxReplayJobs/jobs)
		reduced = fmt.Sprintf("; runs reduced from %d to %d to bound the replay at about %d simulated jobs", p.Runs, runs, maxReplayJobs)
	}
	costs, hours := replay(pools, p.Checkpoint.Hours(), p.Restart.Hours(), runs, p.Seed)
	var sum float64
	for _, c := range costs {
		sum += c
	}
	pl := &r.Plan
	pl.Runs, pl.Seed = runs, p.Seed
	pl.ReplayMeanCost = sum / float64(runs)
	pl.CostP50, pl.CostP95 = quantile(costs, 0.5), quantile(costs, 0.95)
	pl.HoursP50, pl.HoursP95 = quantile(hours, 0.5), quantile(hours, 0.95)
	switch {
	case withPath > 0 && without == 0:
		pl.ReplayBasis = fmt.Sprintf("cached price history %s to %s, start times spread over it, read cyclically past its end",
			from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	case withPath > 0:
		pl.ReplayBasis = fmt.Sprintf("cached price history for %d of %d pools; the others held at their price", withPath, withPath+without)
	default:
		pl.ReplayBasis = "each pool held at its price (no price path given): the spread comes from interruptions only"
	}
	pl.ReplayBasis += reduced
}
