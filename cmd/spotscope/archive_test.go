package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/spotscope/spotscope/cache/archive"
)

// fakeS3 serves an in-process S3 with one bucket and points
// AWS_ENDPOINT_URL_S3 at it, as a MinIO user would.
func fakeS3(t *testing.T, bucket string) {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)
}

// A fetch through the fake EC2 endpoint, exported to a directory and to S3
// and imported into empty caches, gives identical statistics.
func TestExportImportThroughFakes(t *testing.T) {
	e := newEnv(t, true)
	fakeS3(t, "team")
	e.ok("fetch", "--days", "7")
	stats := func(dir string) string {
		return e.ok("--cache-dir", dir, "--offline", "stats", "--window", "7d", "-o", "csv")
	}
	want := stats(e.cacheDir)
	if strings.Count(want, "\n") < 10 {
		t.Fatalf("too few pools fetched:\n%s", want)
	}
	for _, out := range []string{filepath.Join(t.TempDir(), "archive"), "s3://team/spotscope"} {
		_, _, errs := e.run("export", "--out", out)
		if !strings.Contains(errs, "partition") {
			t.Fatalf("export to %s: %s", out, errs)
		}
		dst := t.TempDir()
		code, _, errs := e.run("--cache-dir", dst, "import", out)
		if code != 0 || !strings.Contains(errs, " new") {
			t.Fatalf("import %s: exit %d: %s", out, code, errs)
		}
		if got := stats(dst); got != want {
			t.Errorf("stats after a round trip through %s differ:\n%s\nwant:\n%s", out, got, want)
		}
		_, _, errs = e.run("--cache-dir", dst, "import", out)
		if !strings.HasSuffix(strings.TrimSpace(errs), ", 0 new") {
			t.Errorf("second import of %s: %s", out, errs)
		}
	}
}

// The demo data round-trips too, through $SPOTSCOPE_ARCHIVE.
func TestDemoExportImport(t *testing.T) {
	e := newEnv(t, false)
	e.getenv[ArchiveEnv] = filepath.Join(t.TempDir(), "archive")
	e.ok("--demo", "export")
	dst := t.TempDir()
	e.ok("--cache-dir", dst, "import")
	demoDir := filepath.Join(e.cacheDir, "demo")
	want := e.ok("--cache-dir", demoDir, "--offline", "--region", "sa-east-1", "stats", "-o", "csv")
	if got := e.ok("--cache-dir", dst, "--offline", "--region", "sa-east-1", "stats", "-o", "csv"); got != want {
		t.Errorf("stats differ after the round trip")
	}
}

func TestArchiveBadInput(t *testing.T) {
	e := newEnv(t, true)
	fakeS3(t, "team")
	notArchive := t.TempDir()
	os.WriteFile(filepath.Join(notArchive, "x.json"), []byte("{}"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export"}, 2, "--out"},
		{[]string{"export", "--out", "ftp://host/x"}, 2, "s3://BUCKET/PREFIX"},
		{[]string{"export", "--out", "s3://"}, 2, "no bucket"},
		{[]string{"export", "--out", "s3:/team/x"}, 2, "did you mean s3://team/x?"},
		{[]string{"import", "S3:team"}, 2, "did you mean s3://team?"},
		{[]string{"import", "no-such-history.csv"}, 2, "no-such-history.csv: no such file"},
		{[]string{"export", "--out", t.TempDir(), "--since", "yesterday"}, 2, "--since"},
		{[]string{"export", "--out", t.TempDir(), "--since", "2d", "--until", "3d"}, 2, "must be after"},
		{[]string{"export", "--out", notArchive}, 1, "not a spotscope archive"},
		{[]string{"export", "--out", "s3://missing/p"}, 1, "s3://missing: the bucket does not exist"},
		{[]string{"import", notArchive}, 1, "manifest.json: not a spotscope archive"},
		{[]string{"import", "s3://team/nothing"}, 1, "s3://team/nothing/manifest.json: not a spotscope archive"},
		{[]string{"import", "s3://missing/p"}, 1, "the bucket does not exist"},
		{[]string{"--demo", "import", notArchive}, 2, "--demo"},
	} {
		code, out, errs := e.run(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 || out != "" {
			t.Errorf("spotscope %v: exit %d, stderr %q; want exit %d and one line with %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}

func TestDoctorChecksTheArchive(t *testing.T) {
	e := newEnv(t, true)
	fakeS3(t, "team")
	out := e.ok("doctor", "--region", "sa-east-1", "--archive", "s3://team/spotscope")
	for _, a := range []string{"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"} {
		if !strings.Contains(out, "✓ archive "+a) {
			t.Errorf("doctor output lacks an ok archive %s:\n%s", a, out)
		}
	}
	e.getenv[ArchiveEnv] = "s3://missing/spotscope"
	code, out, _ := e.run("doctor", "--region", "sa-east-1")
	if code != 1 || !strings.Contains(out, "✗ archive s3:ListBucket") || !strings.Contains(out, "the bucket does not exist") {
		t.Errorf("missing bucket: exit %d\n%s", code, out)
	}
	e.getenv[ArchiveEnv] = t.TempDir()
	if out := e.ok("doctor", "--region", "sa-east-1"); !strings.Contains(out, "✓ archive write") {
		t.Errorf("directory archive:\n%s", out)
	}
}

func TestArchiveProgressDrawsABarOnATerminal(t *testing.T) {
	// Without a terminal: the shared printer's plain lines, no redraws
	// (a cron log gets a line when done, not a bar per partition).
	var plain strings.Builder
	q := newArchiveProgress(stdio{err: &plain}, "export")
	q(archive.Progress{Done: 1, Total: 4, Rows: 1500})
	q(archive.Progress{Done: 4, Total: 4, Rows: 6000})
	if got := plain.String(); strings.Contains(got, "\x1b") || strings.Count(got, "\n") > 2 || !strings.Contains(got, "4/4 partitions") {
		t.Errorf("plain progress %q", got)
	}

	var buf strings.Builder
	p := newArchiveProgress(stdio{err: &buf, errTTY: true}, "export")
	p(archive.Progress{Done: 1, Total: 4, Rows: 1500})
	if got := buf.String(); !strings.Contains(got, "export  [█████░░░░░") || !strings.Contains(got, "1/4 partitions") || !strings.Contains(got, "1,500 records") {
		t.Errorf("half-way line %q", got)
	}
	buf.Reset()
	p(archive.Progress{Done: 4, Total: 4, Rows: 6000})
	if got := buf.String(); !strings.HasSuffix(got, "\x1b[2K\r") {
		t.Errorf("the finished bar is not cleared: %q", got)
	}
}
