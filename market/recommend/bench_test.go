package recommend

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/spotscope/spotscope/market"
)

// benchCandidates is ~800 instance types x 6 AZs with every signal present.
func benchCandidates() []Candidate {
	fams := []string{"m5", "m5a", "m6i", "m6g", "m7i", "m7g", "c5", "c5a", "c6i", "c6g", "c7i", "c7g", "r5", "r5a", "r6i", "r6g", "r7i", "r7g", "t3", "t3a"}
	sizes := []struct {
		n   string
		cpu int
	}{{"large", 2}, {"xlarge", 4}, {"2xlarge", 8}, {"4xlarge", 16}, {"8xlarge", 32}, {"12xlarge", 48}, {"16xlarge", 64}, {"24xlarge", 96}}
	var cs []Candidate
	for v := 0; v < 5; v++ { // variants (d, n, dn, ...) to reach ~800 types
		for fi, f := range fams {
			for si, s := range sizes {
				typ := fmt.Sprintf("%s%s.%s", f, []string{"", "d", "n", "dn", "e"}[v], s.n)
				for az := 0; az < 6; az++ {
					c := cand(typ, fmt.Sprintf("us-east-1%c", 'a'+az), fmt.Sprintf("use1-az%d", az+1), s.cpu, float64(s.cpu*4), 0.02*float64(s.cpu)*(1+0.01*float64((fi*7+si*3+az+v)%13)), buckets[(fi+az+v)%5])
					c.Region = "us-east-1"
					c.Stats.CV = 0.01 * float64(az)
					c.Placement = 1 + (fi+si+az)%10
					cs = append(cs, c)
				}
			}
		}
	}
	return cs
}

func BenchmarkRecommend(b *testing.B) {
	cs := benchCandidates()
	p := batch
	p.Regions = []string{"us-east-1"}
	b.ReportMetric(float64(len(cs)), "candidates")
	b.ResetTimer()
	for b.Loop() {
		if _, err := Recommend(cs, p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPaths is 90 days of a price path per pool, a change every 3 hours.
func benchPaths(res Result) map[market.Pool][]market.Point {
	paths := map[market.Pool][]market.Point{}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range res.Pools {
		c := &res.Pools[i]
		c.window = market.Interval{Start: start, End: start.Add(90 * 24 * time.Hour)}
		var pts []market.Point
		for h := 0; h < 90*24; h += 3 {
			pts = append(pts, market.Point{Time: start.Add(time.Duration(h) * time.Hour), Price: c.Price * (1 + 0.05*math.Sin(float64(h)/17))})
		}
		paths[market.Pool{Region: c.Region, AvailabilityZone: c.AvailabilityZone, InstanceType: c.InstanceType, Product: c.Product}] = pts
	}
	return paths
}

// BenchmarkRecommendOneRun is the model without the replay's cost (one run).
func BenchmarkRecommendOneRun(b *testing.B) {
	cs := benchCandidates()
	p := batch
	p.Regions = []string{"us-east-1"}
	p.Runs = 1
	b.ReportMetric(float64(len(cs)), "candidates")
	b.ResetTimer()
	for b.Loop() {
		if _, err := Recommend(cs, p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplay replays the chosen set (6 pools) 2000 times over 90-day
// price paths, for 10 and 100 instances.
func BenchmarkReplay(b *testing.B) {
	cs := benchCandidates()
	for _, count := range []int{10, 100} {
		b.Run(fmt.Sprintf("count=%d", count), func(b *testing.B) {
			p := batch
			p.Regions = []string{"us-east-1"}
			p.Count = count
			res, err := Recommend(cs, p, Options{})
			if err != nil {
				b.Fatal(err)
			}
			paths := benchPaths(res)
			b.ReportMetric(float64(res.Plan.Runs), "runs")
			b.ResetTimer()
			for b.Loop() {
				res.Replay(paths)
			}
		})
	}
}

// BenchmarkRecommendFiveRegions is five regions of ~800 types x 6 AZs.
func BenchmarkRecommendFiveRegions(b *testing.B) {
	one := benchCandidates()
	regions := []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1"}
	var cs []Candidate
	for ri, r := range regions {
		for _, c := range one {
			c.Region = r
			c.AvailabilityZone = r + c.AvailabilityZone[len(c.AvailabilityZone)-1:]
			c.AvailabilityZoneID = r + c.AvailabilityZoneID
			c.Stats.Last *= 1 + 0.03*float64(ri)
			cs = append(cs, c)
		}
	}
	p := batch
	p.Regions = regions
	b.ReportMetric(float64(len(cs)), "candidates")
	b.ResetTimer()
	for b.Loop() {
		if _, err := Recommend(cs, p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
