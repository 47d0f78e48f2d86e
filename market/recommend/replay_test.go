package recommend

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

// TestReplayConstantPriceMatchesClosedForm: on a constant price the replay's
// mean cost is price x E_job, within 1% at 2000 runs. The rate is high so the
// interruptions matter (about 2.6 per job).
func TestReplayConstantPriceMatchesClosedForm(t *testing.T) {
	for _, tt := range []struct {
		name            string
		lambda, T, c, r float64
	}{
		{"checkpointed", 0.1, 20, 2, 0.25},
		{"never checkpoints", 0.05, 10, 0, 0.5},
	} {
		path := newPricePath(nil, time.Time{}, time.Time{}, 0.5)
		costs, hours := replay([]replayPool{{path: path, instances: 1, nodes: 1, lambda: tt.lambda, hours: tt.T}}, tt.c, tt.r, 2000, 7)
		var mc, mh float64
		for i := range costs {
			mc += costs[i] / 2000
			mh += hours[i] / 2000
		}
		E := ExpectedHours(tt.lambda, tt.T, tt.c, tt.r)
		if math.Abs(mc/(0.5*E)-1) > 0.01 || math.Abs(mh/E-1) > 0.01 {
			t.Errorf("%s: mean cost %v hours %v, want %v and %v within 1%%", tt.name, mc, mh, 0.5*E, E)
		}
	}
}

// TestReplayInterruptionCount: the mean number of simulated interruptions is
// ExpectedInterruptions.
func TestReplayInterruptionCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var n float64
	const runs = 20000
	for i := 0; i < runs; i++ {
		_, k := simulateJob(rng, 0.1, 20, 2, 0.25)
		n += float64(k) / runs
	}
	if want := ExpectedInterruptions(0.1, 20, 2); math.Abs(n/want-1) > 0.03 {
		t.Errorf("mean interruptions %v, want %v", n, want)
	}
}

// TestReplayTwoStepPath: $1/h for 10 h, then $3/h for 10 h, read as a step
// function and cyclically.
func TestReplayTwoStepPath(t *testing.T) {
	s := time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)
	pts := []market.Point{{Time: s.Add(-time.Hour), Price: 1}, {Time: s.Add(10 * time.Hour), Price: 3}}
	path := newPricePath(pts, s, s.Add(20*time.Hour), 0)
	for _, tt := range []struct{ from, hours, want float64 }{
		{0, 2, 2},       // all in the $1 step
		{9, 2, 1 + 3},   // across the change
		{9, 3, 1 + 3*2}, // an interruption at 1.5 h of a 2 h job with 1 h checkpoints and a 0.5 h restart: 1.5+0.5+1 = 3 h of wall time
		{19, 2, 3 + 1},  // past the end: the path starts again
		{5, 40, 2*(10+30) - 5 + 5},
	} {
		if got := path.cost(tt.from, tt.hours); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("cost(%v, %v) = %v, want %v", tt.from, tt.hours, got, tt.want)
		}
	}
	// Without interruptions every start pays for 2 h: the mean over start
	// times spread over the window is 2 h x the time-weighted mean $2.
	costs, hours := replay([]replayPool{{path: path, instances: 1, nodes: 1, hours: 2}}, 0, 0, 2000, 1)
	var mean float64
	for _, c := range costs {
		mean += c / 2000
	}
	if math.Abs(mean-4) > 0.01 || math.Abs(quantile(costs, 0.95)-6) > 1e-9 || quantile(hours, 0.5) != 2 {
		t.Errorf("mean %v (want 4), p95 %v (want 6), hours p50 %v", mean, quantile(costs, 0.95), quantile(hours, 0.5))
	}
}

// TestReplayDeterministic: the same seed gives the same plan, another seed
// another one, and the plan reports the seed.
func TestReplayDeterministic(t *testing.T) {
	c := cand("m6i.xlarge", "sa-east-1a", "az1", 4, 16, 0.1, buckets[4])
	c.Stats.Start, c.Stats.End = time.Unix(0, 0), time.Unix(0, 0).Add(720*time.Hour)
	p := Profile{VCPUs: 4, Count: 20, Hours: 200, Checkpoint: time.Hour, Regions: []string{"sa-east-1"}, Seed: 42}
	a, err := Recommend([]Candidate{c}, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Recommend([]Candidate{c}, p, Options{})
	p.Seed = 43
	d, _ := Recommend([]Candidate{c}, p, Options{})
	if a.Plan.ReplayMeanCost != b.Plan.ReplayMeanCost || a.Plan.CostP95 != b.Plan.CostP95 || a.Plan.HoursP95 != b.Plan.HoursP95 {
		t.Errorf("same seed, different plans: %+v %+v", a.Plan, b.Plan)
	}
	if a.Plan.Seed != 42 || a.Plan.Runs != DefaultRuns || a.Plan.ReplayMeanCost == d.Plan.ReplayMeanCost {
		t.Errorf("seed %d runs %d; means %v vs %v", a.Plan.Seed, a.Plan.Runs, a.Plan.ReplayMeanCost, d.Plan.ReplayMeanCost)
	}
	if !(a.Plan.CostP50 <= a.Plan.CostP95) || !(a.Plan.HoursP95 >= 200) {
		t.Errorf("quantiles %+v", a.Plan)
	}
}

// TestReplayBoundsItsWork: a fleet of thousands gets fewer runs, stated.
func TestReplayBoundsItsWork(t *testing.T) {
	var cs []Candidate
	for i, az := range []string{"a", "b", "c"} {
		cs = append(cs, cand("m6i.xlarge", "sa-east-1"+az, "az"+string(rune('1'+i)), 4, 16, 0.1, buckets[0]),
			cand("m6a.xlarge", "sa-east-1"+az, "az"+string(rune('1'+i)), 4, 16, 0.1, buckets[0]))
	}
	res, err := Recommend(cs, Profile{VCPUs: 4, Count: 10000, Hours: 2, Regions: []string{"sa-east-1"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan.Runs != maxReplayJobs/10000 || !strings.Contains(res.Plan.ReplayBasis, "runs reduced from 2000 to 400") {
		t.Errorf("runs %d, basis %q", res.Plan.Runs, res.Plan.ReplayBasis)
	}
}
