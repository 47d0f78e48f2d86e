package recommend

import (
	"fmt"
	"testing"
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
