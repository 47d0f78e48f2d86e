package ec2fake

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/spotscope/spotscope/market"
)

// Faults must be invisible to a client that retries: the paginator still
// returns exactly the data.
func TestFaultsAreRetried(t *testing.T) {
	d := smallData()
	in := ec2.DescribeSpotPriceHistoryInput{
		InstanceTypes: []types.InstanceType{"c5.large", "m5.large"},
		StartTime:     aws.Time(ts("2020-05-01T00:00:00Z")),
		EndTime:       aws.Time(ts("2020-05-20T00:00:00Z")),
		MaxResults:    aws.Int32(200),
	}
	want := expected(d.Records, in.StartTime, in.EndTime, func(market.Pool) bool { return true }, nil)
	tests := []struct {
		name  string
		opts  Options
		check func(t *testing.T, c Counts)
	}{
		// One token per 50 ms against a client that retries every 5 ms:
		// throttled on every page after the burst, however slow the machine.
		{"throttled", Options{Throttle: Throttle{Burst: 2, Rate: 20}}, func(t *testing.T, c Counts) {
			if c.Throttled == 0 {
				t.Error("nothing was throttled")
			}
		}},
		{"500 every 3rd", Options{FailEvery: 3}, func(t *testing.T, c Counts) {
			if c.Failed == 0 || c.Failed != c.Total/3 {
				t.Errorf("failed %d of %d", c.Failed, c.Total)
			}
		}},
		// Every drop costs a retry, which is never dropped, so at most
		// half the requests that were not dropped can have been (a drop
		// can also break a pooled connection: one more, undropped, retry).
		{"drop every 2nd", Options{DropEvery: 2}, func(t *testing.T, c Counts) {
			if c.Dropped == 0 || 2*c.Dropped > c.Total-c.Dropped {
				t.Errorf("dropped %d of %d", c.Dropped, c.Total)
			}
		}},
		{"all at once", Options{FailEvery: 5, DropEvery: 3, Throttle: Throttle{Burst: 3, Rate: 20}}, func(t *testing.T, c Counts) {
			if c.Failed == 0 || c.Dropped == 0 {
				t.Errorf("counts %+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(d, tt.opts)
			defer srv.Close()
			c := newClient(t, srv.URL, "sa-east-1", func(o *ec2.Options) { o.Retryer = retryer(40, 5*time.Millisecond) })
			got, pages, err := fetchAll(t, c, &in)
			if err != nil {
				t.Fatal(err)
			}
			sameRows(t, got, want)
			cnt := srv.Counts()
			if cnt.ByAction["DescribeSpotPriceHistory"] != cnt.Total || cnt.Total <= pages {
				t.Errorf("counts %+v for %d pages", cnt, pages)
			}
			tt.check(t, cnt)
			var ok, bad int
			for _, r := range srv.Requests() {
				if r.Status == 200 {
					ok++
				} else {
					bad++
				}
			}
			// ok may exceed pages: under -race the client has been seen to
			// lose a 200 mid-body ("use of closed network connection") and
			// re-ask; the retry still yields exactly the data.
			if ok < pages || bad != cnt.Throttled+cnt.Failed+cnt.Dropped {
				t.Errorf("log: %d ok, %d bad; pages %d, counts %+v", ok, bad, pages, cnt)
			}
		})
	}
}

func TestThrottleSurfaces(t *testing.T) {
	// A bucket that never refills: once empty, every attempt is refused.
	srv := NewServer(smallData(), Options{Throttle: Throttle{Burst: 1}})
	defer srv.Close()
	c := newClient(t, srv.URL, "sa-east-1")
	ctx := context.Background()
	if _, err := c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if errCode(err) != "RequestLimitExceeded" || httpStatus(err) != 503 {
		t.Fatalf("err = %v", err)
	}
	if cnt := srv.Counts(); cnt.Total != 4 || cnt.Throttled != 3 {
		t.Errorf("counts %+v, want 1 + 3 attempts, 3 throttled", cnt)
	}
	// Buckets are per region, like EC2's.
	if _, err := newClient(t, srv.URL, "us-east-1").DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Errorf("other region throttled: %v", err)
	}
}

func TestLatency(t *testing.T) {
	srv := NewServer(Data{}, Options{Latency: 30 * time.Millisecond})
	defer srv.Close()
	c := newClient(t, srv.URL, "sa-east-1")
	start := time.Now()
	if _, err := c.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("call took %v", d)
	}
}

func TestSpentBurstAndReject(t *testing.T) {
	// Another client took 2 of 3 tokens: one call passes, the next is
	// throttled.
	srv := NewServer(smallData(), Options{Throttle: Throttle{Burst: 3, Spent: 2}, Reject: func(action string, form url.Values) bool {
		return action == "DescribeAvailabilityZones"
	}})
	defer srv.Close()
	c := newClient(t, srv.URL, "sa-east-1", func(o *ec2.Options) { o.Retryer = fastRetryer(1) })
	ctx := context.Background()
	if _, err := c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); errCode(err) != "RequestLimitExceeded" {
		t.Fatalf("err = %v, want the spent bucket to throttle", err)
	}
	// Rejection comes before throttling, and is a 400 no client retries.
	_, err := newClient(t, srv.URL, "sa-east-1").DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if errCode(err) != "InvalidParameterValue" || httpStatus(err) != 400 {
		t.Fatalf("err = %v", err)
	}
	if cnt := srv.Counts(); cnt.Rejected != 1 || cnt.Throttled != 1 {
		t.Errorf("counts %+v", cnt)
	}
}

func TestRetention(t *testing.T) {
	now := ts("2020-06-01T00:00:00Z")
	srv := NewServer(smallData(), Options{Now: func() time.Time { return now }})
	defer srv.Close()
	c := newClient(t, srv.URL, "sa-east-1")
	ctx := context.Background()
	in := &ec2.DescribeSpotPriceHistoryInput{StartTime: aws.Time(now.Add(-Retention - time.Minute)), EndTime: aws.Time(now)}
	if _, err := c.DescribeSpotPriceHistory(ctx, in); errCode(err) != "InvalidParameterValue" {
		t.Fatalf("start past retention: err = %v", err)
	}
	in.StartTime = aws.Time(now.Add(-Retention + time.Minute))
	if _, err := c.DescribeSpotPriceHistory(ctx, in); err != nil {
		t.Fatalf("start inside retention: %v", err)
	}
}

// A retry is never dropped, so a client's recovery from a drop does not
// depend on which request number its retry happens to get.
func TestDropSparesRetries(t *testing.T) {
	srv := NewServer(smallData(), Options{DropEvery: 1})
	defer srv.Close()
	c := newClient(t, srv.URL, "sa-east-1", func(o *ec2.Options) { o.Retryer = retryer(3, time.Millisecond) })
	if _, err := c.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{}); err != nil {
		t.Fatal(err)
	}
	if cnt := srv.Counts(); cnt.Total != 2 || cnt.Dropped != 1 {
		t.Errorf("counts %+v, want the first attempt dropped and its retry answered", cnt)
	}
}
