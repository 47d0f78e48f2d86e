package archive

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/spotscope/spotscope/cache"
	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/demo"
)

// testSecret must never appear in an error.
const testSecret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYsecret"

// fakeS3 is an in-process S3 (gofakes3) that logs the requests it serves
// and can be told to fail the parts of multipart uploads.
type fakeS3 struct {
	URL string

	mu        sync.Mutex
	requests  []string // "METHOD /bucket/key?query"
	failParts bool
}

func newFakeS3(t *testing.T, buckets ...string) *fakeS3 {
	t.Helper()
	be := s3mem.New()
	for _, b := range buckets {
		if err := be.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	h := gofakes3.New(be).Server()
	f := &fakeS3{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		fail := f.failParts && r.URL.Query().Has("partNumber") && r.URL.Query().Get("partNumber") != "1"
		f.mu.Unlock()
		if fail {
			// The connection drops in the middle of the upload.
			http.Error(w, "injected failure", http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// uploads returns the partition objects written since the last call (one
// per PUT object or multipart upload created).
func (f *fakeS3) uploads() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		method, rest, _ := strings.Cut(r, " ")
		path, query, _ := strings.Cut(rest, "?")
		if !strings.HasSuffix(path, ".parquet") {
			continue
		}
		if (method == "PUT" && !strings.Contains(query, "partNumber")) || (method == "POST" && strings.HasPrefix(query, "uploads")) {
			out = append(out, method+" "+path)
		}
	}
	f.requests = nil
	return out
}

func testConfig() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", testSecret, ""),
	}
}

func (f *fakeS3) open(t *testing.T, url string, partSize int64) *S3 {
	t.Helper()
	loc, err := OpenS3(url, testConfig(), S3Options{EndpointURL: f.URL, PartSize: partSize})
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestS3RoundTrip(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t, "team")
	src := demoStore(t)
	want := takeSnapshot(t, src)
	loc := f.open(t, "s3://team/spot/archive", 0)
	res, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.uploads(); len(got) != res.Partitions || !strings.HasPrefix(got[0], "PUT /team/spot/archive/region=sa-east-1/month=") {
		t.Fatalf("uploads %v for %d partitions", got, res.Partitions)
	}
	dst := openStore(t)
	if _, err := Import(ctx, dst, loc, ImportOptions{Source: "s3://team/spot/archive", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, takeSnapshot(t, dst), want)
	// A second import adds nothing.
	ir, err := Import(ctx, dst, loc, ImportOptions{Source: "s3://team/spot/archive", Now: fixedNow})
	if err != nil || ir.New != 0 || ir.Zones != 0 {
		t.Fatalf("second import: %+v, %v", ir, err)
	}
	sameSnapshot(t, takeSnapshot(t, dst), want)
}

// addRecord stores one new record in the demo region at t.
func addRecord(t *testing.T, st *cache.Store, at time.Time) {
	t.Helper()
	r := market.Record{Pool: market.Pool{Region: demo.Region, AvailabilityZone: "sa-east-1a", InstanceType: "c5.large", Product: "Linux/UNIX"}, Time: at, Price: 0.0421}
	if n, err := st.AddRecords(context.Background(), []market.Record{r}); err != nil || n != 1 {
		t.Fatalf("add: %d, %v", n, err)
	}
}

func TestS3IncrementalUploadsOnlyTheChangedMonth(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t, "team")
	src := demoStore(t)
	loc := f.open(t, "s3://team/a", 0)
	first, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	f.uploads()
	// Unchanged cache: nothing is written, not even the manifest.
	again, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil || again.Written != 0 || again.Unchanged != first.Partitions {
		t.Fatalf("unchanged export: %+v, %v", again, err)
	}
	for _, r := range f.requests {
		if strings.HasPrefix(r, "PUT") || strings.HasPrefix(r, "POST") || strings.HasPrefix(r, "DELETE") {
			t.Errorf("unchanged export wrote: %s", r)
		}
	}
	f.uploads()

	addRecord(t, src, time.Date(2020, 3, 10, 12, 0, 0, 0, time.UTC))
	second, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	got := f.uploads()
	if second.Written != 1 || len(got) != 1 || !strings.Contains(got[0], "/month=2020-03/") || second.Removed != 1 {
		t.Fatalf("second export: %+v, uploads %v; want only 2020-03 rewritten and its old file removed", second, got)
	}
	dst := openStore(t)
	if _, err := Import(ctx, dst, loc, ImportOptions{Source: "x", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, takeSnapshot(t, dst), takeSnapshot(t, src))
}

func TestS3InterruptedMultipartKeepsThePreviousArchive(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t, "team")
	src := demoStore(t)
	before := takeSnapshot(t, src)
	// Parts of 64 KiB, so every partition is a multipart upload.
	loc := f.open(t, "s3://team/a", 64<<10)
	if _, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	manifest, err := loc.Get(ctx, ManifestKey)
	if err != nil {
		t.Fatal(err)
	}
	// The month the test changes is larger than a part.
	multipart := false
	for _, u := range f.uploads() {
		multipart = multipart || (strings.HasPrefix(u, "POST ") && strings.Contains(u, "/month=2020-03/"))
	}
	if !multipart {
		t.Fatal("2020-03 was not a multipart upload")
	}

	addRecord(t, src, time.Date(2020, 3, 10, 12, 0, 0, 0, time.UTC))
	f.mu.Lock()
	f.failParts = true
	f.mu.Unlock()
	_, err = Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err == nil || !strings.Contains(err.Error(), "s3://team/a/region=sa-east-1/month=2020-03/") || strings.Contains(err.Error(), testSecret) {
		t.Fatalf("interrupted export: %v", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
	now, err := loc.Get(ctx, ManifestKey)
	if err != nil || string(now) != string(manifest) {
		t.Fatalf("manifest changed by a failed export: %v", err)
	}
	// The failed upload was aborted: no parts linger.
	mu, err := loc.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("team")})
	if err != nil || len(mu.Uploads) != 0 {
		t.Fatalf("multipart uploads left: %v, %v", mu, err)
	}
	dst := openStore(t)
	if _, err := Import(ctx, dst, loc, ImportOptions{Source: "x", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, takeSnapshot(t, dst), before)

	f.mu.Lock()
	f.failParts = false
	f.mu.Unlock()
	res, err := Export(ctx, src, loc, ExportOptions{Now: fixedNow})
	if err != nil || res.Written != 1 {
		t.Fatalf("export after the failure: %+v, %v", res, err)
	}
	dst = openStore(t)
	if _, err := Import(ctx, dst, loc, ImportOptions{Source: "x", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, takeSnapshot(t, dst), takeSnapshot(t, src))
}

func TestS3Errors(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t, "team")
	src := demoStore(t)
	for _, tc := range []struct {
		name, url string
		run       func(Location) error
		want      []string
	}{
		{"missing bucket on export", "s3://nosuch/p", func(l Location) error {
			_, err := Export(ctx, src, l, ExportOptions{})
			return err
		}, []string{"s3://nosuch", "does not exist", "aws s3 mb s3://nosuch"}},
		{"missing bucket on import", "s3://nosuch/p", func(l Location) error {
			_, err := Import(ctx, openStore(t), l, ImportOptions{})
			return err
		}, []string{"s3://nosuch", "does not exist"}},
		{"empty prefix on import", "s3://team/empty", func(l Location) error {
			_, err := Import(ctx, openStore(t), l, ImportOptions{})
			return err
		}, []string{"s3://team/empty/manifest.json", "not a spotscope archive", "spotscope export wrote"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(f.open(t, tc.url, 0))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, testSecret) || strings.Contains(msg, "\n") {
				t.Errorf("error %q leaks the secret or spans lines", msg)
			}
		})
	}
}

func TestS3CheckAccess(t *testing.T) {
	f := newFakeS3(t, "team")
	got := f.open(t, "s3://team/p", 0).CheckAccess(context.Background())
	want := []string{"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
	for i, r := range got {
		if r.Action != want[i] || r.Err != nil {
			t.Errorf("%d: %+v", i, r)
		}
	}
	keys, _ := f.open(t, "s3://team/p", 0).List(context.Background())
	if len(keys) != 0 {
		t.Errorf("probe left %v", keys)
	}
	missing := f.open(t, "s3://gone/p", 0).CheckAccess(context.Background())
	if len(missing) != 4 || missing[0].Err == nil || !reflect.DeepEqual(missing[0].Action, "s3:ListBucket") {
		t.Errorf("missing bucket: %+v", missing)
	}
}

// s3Answering is an S3 endpoint that answers every request with one error.
func s3Answering(t *testing.T, status int, code string, header map[string]string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>no</Message><RequestId>1</RequestId></Error>`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestS3RefusalsNameTheActionAndTheFix(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		status int
		code   string
		header map[string]string
		want   []string
	}{
		{403, "AccessDenied", nil, []string{"s3://team/p/manifest.json: access denied (s3:GetObject)", "allow s3:GetObject on arn:aws:s3:::team/p/*", "docs/iam-policy.json"}},
		{403, "InvalidAccessKeyId", nil, []string{"credentials were refused (InvalidAccessKeyId)", "--profile"}},
		{301, "PermanentRedirect", map[string]string{"x-amz-bucket-region": "eu-north-1"}, []string{"s3://team: the bucket is in another region", "AWS_REGION to eu-north-1"}},
		{500, "InternalError", nil, []string{"s3:GetObject failed: InternalError"}},
	} {
		t.Run(tc.code, func(t *testing.T) {
			url := s3Answering(t, tc.status, tc.code, tc.header)
			loc, err := OpenS3("s3://team/p", testConfig(), S3Options{EndpointURL: url})
			if err != nil {
				t.Fatal(err)
			}
			_, err = Import(ctx, openStore(t), loc, ImportOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, testSecret) || strings.Contains(msg, "AKIAIOSFODNN7EXAMPLE") || strings.Contains(msg, "\n") {
				t.Errorf("error %q leaks a credential or spans lines", msg)
			}
		})
	}
	// doctor's probe reports every action denied.
	loc, _ := OpenS3("s3://team/p", testConfig(), S3Options{EndpointURL: s3Answering(t, 403, "AccessDenied", nil)})
	for _, r := range loc.CheckAccess(ctx) {
		if r.Err == nil {
			t.Errorf("%s allowed", r.Action)
		}
	}
}
