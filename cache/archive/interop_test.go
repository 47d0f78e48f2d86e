package archive

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
)

// nodeDir holds the npm packages of the interoperability tests; .ci/run
// installs them (npm ci --prefix cache/archive/testdata/node).
const nodeDir = "testdata/node"

// needNode skips the test, saying why, unless node and the npm package
// are installed.
func needNode(t *testing.T, pkg string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; skipping the independent-implementation test")
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", pkg)); err != nil {
		t.Skipf("%s is not installed: run npm ci --prefix cache/archive/testdata/node", pkg)
	}
	return node
}

// DuckDB, reading the export with hive partitioning, sees exactly what the
// cache holds.
func TestDuckDBReadsTheExport(t *testing.T) {
	node := needNode(t, "@duckdb/node-api")
	ctx := context.Background()
	src := demoStore(t)
	dir := t.TempDir()
	if _, err := Export(ctx, src, Dir(dir), ExportOptions{Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join(nodeDir, "query.mjs"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("duckdb: %v\n%s", err, out)
	}
	var got struct {
		N, Pools, MicroSum, MinMS, MaxMS, Months, WithAZID string
		TSType, PriceType                                  string
	}
	if err := json.Unmarshal(out, &struct {
		N         *string `json:"n"`
		Pools     *string `json:"pools"`
		MicroSum  *string `json:"micro_sum"`
		MinMS     *string `json:"min_ms"`
		MaxMS     *string `json:"max_ms"`
		Months    *string `json:"months"`
		WithAZID  *string `json:"with_az_id"`
		TSType    *string `json:"ts_type"`
		PriceType *string `json:"price_type"`
	}{&got.N, &got.Pools, &got.MicroSum, &got.MinMS, &got.MaxMS, &got.Months, &got.WithAZID, &got.TSType, &got.PriceType}); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// The same figures straight from the cache.
	var n, pools, micro int64
	minMS, maxMS := int64(math.MaxInt64), int64(math.MinInt64)
	months := map[string]bool{}
	err = src.ScanSeries(ctx, cache.Filter{}, time.UnixMilli(0), time.UnixMilli(math.MaxInt64/4), func(p market.Pool, pts []market.Point) error {
		pools++
		for _, pt := range pts {
			n++
			micro += int64(math.Round(pt.Price * 1e6))
			minMS, maxMS = min(minMS, pt.Time.UnixMilli()), max(maxMS, pt.Time.UnixMilli())
			months[monthOf(pt.Time.UnixMilli())] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{
		"rows":               {got.N, strconv.FormatInt(n, 10)},
		"distinct pools":     {got.Pools, strconv.FormatInt(pools, 10)},
		"sum of prices (µ$)": {got.MicroSum, strconv.FormatInt(micro, 10)},
		"min timestamp":      {got.MinMS, strconv.FormatInt(minMS, 10)},
		"max timestamp":      {got.MaxMS, strconv.FormatInt(maxMS, 10)},
		"months":             {got.Months, strconv.Itoa(len(months))},
		"rows with AZ ID":    {got.WithAZID, strconv.FormatInt(n, 10)},
		"timestamp type":     {got.TSType, "TIMESTAMP WITH TIME ZONE"},
		"price type":         {got.PriceType, "DOUBLE"},
	}
	for what, gw := range want {
		if gw[0] != gw[1] {
			t.Errorf("%s: DuckDB %s, cache %s", what, gw[0], gw[1])
		}
	}
}

// The S3 location works against s3rver, a second S3 implementation run
// by node, as well as against gofakes3.
func TestS3RoundTripAgainstS3rver(t *testing.T) {
	node := needNode(t, "s3rver")
	cmd := exec.Command(node, filepath.Join(nodeDir, "s3rver.mjs"), t.TempDir(), "team")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("s3rver did not start: %v", err)
	}
	endpoint := strings.TrimSpace(line)

	ctx := context.Background()
	src := demoStore(t)
	// s3rver accepts only its fixed test credentials. (Multipart uploads
	// are tested against gofakes3: the demo's months are smaller than
	// S3's 5 MiB minimum part.)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("S3RVER", "S3RVER", "")}
	loc, err := OpenS3("s3://team/archive", cfg, S3Options{EndpointURL: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	addRecord(t, src, time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC))
	res, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil || res.Written != 1 || res.Removed != 1 {
		t.Fatalf("incremental export: %+v, %v", res, err)
	}
	dst := openStore(t)
	if _, err := Import(ctx, dst, loc, ImportOptions{Source: "s3rver", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, takeSnapshot(t, dst), takeSnapshot(t, src))
}
