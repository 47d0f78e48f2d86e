package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/spotscope/spotscope/market/demo"
)

// An empty fetch is not an error, but it says why nothing was stored.
func TestFetchSaysWhyItIsEmpty(t *testing.T) {
	e := newEnv(t, true)
	// c5.large exists, but the fake (like AWS for most types) has no prices
	// of the EC2-Classic-era "(Amazon VPC)" products. A type the catalog
	// lacks is a typo, refused before any fetch (TestFetchCatchesATypo).
	code, out, errs := e.run("fetch", "--days", "3", "--type", "c5.large", "--product", "SUSE Linux (Amazon VPC)", "-o", "json")
	if code != 0 || !strings.Contains(errs, "nothing stored: no spot prices for instance types matching c5.large in the window") {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	var sum struct {
		Records     int    `json:"records"`
		Pieces      int    `json:"pieces"`
		EmptyReason string `json:"empty_reason"`
		WindowStart string `json:"window_start"`
		WindowEnd   string `json:"window_end"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Records != 0 || sum.Pieces == 0 || !strings.HasPrefix(sum.EmptyReason, "no spot prices") || sum.WindowEnd != demo.End().UTC().Truncate(1e9).Format("2006-01-02T15:04:05Z") || sum.WindowStart == "" {
		t.Errorf("summary %+v", sum)
	}

	e.ok("fetch", "--days", "3")
	code, _, errs = e.run("fetch", "--days", "3")
	if code != 0 || !strings.Contains(errs, "nothing stored: the cache already covers the window") {
		t.Fatalf("second fetch: exit %d, stderr %s", code, errs)
	}
	if code, _, errs = e.run("fetch", "--days", "5", "--type", "c5.large"); code != 0 || strings.Contains(errs, "nothing stored") {
		t.Errorf("a fetch that stored records says it did not: %s", errs)
	}
}

// Progress on a terminal: bars redrawn in place, cleared before the
// summary; plain lines otherwise. (Rates and ETAs depend on the wall clock:
// tui/progress tests them.)
func TestFetchProgress(t *testing.T) {
	e := newEnv(t, true)
	var errb bytes.Buffer
	io := stdio{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &errb, errTTY: true, now: demo.End,
		getenv: func(k string) string { return e.getenv[k] }}
	if code := run(context.Background(), []string{"fetch", "--days", "7"}, io); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	tty := errb.String()
	if !strings.Contains(tty, "\r\x1b[2Ksa-east-1  [") || !strings.Contains(tty, " pages  ") || !strings.Contains(tty, " records") {
		t.Errorf("terminal progress:\n%q", tty)
	}
	if last := tty[strings.LastIndex(tty, "\x1b[2K")+len("\x1b[2K"):]; !strings.HasPrefix(last, "\rfetched: ") {
		t.Errorf("the summary does not replace the bars: %q", last)
	}

	_, _, plain := e.run("fetch", "--days", "14")
	lines := strings.Split(strings.TrimSpace(plain), "\n")
	if strings.Contains(plain, "\x1b") || len(lines) != 2 || !strings.HasPrefix(lines[0], "sa-east-1  [████████████████████]  100%  ") ||
		!strings.Contains(lines[0], " pages  ") || !strings.Contains(lines[0], "  done in ") || !strings.HasPrefix(lines[1], "fetched: ") {
		t.Errorf("plain progress:\n%s", plain)
	}
}

// An endpoint nobody listens on fails the fetch at once with one line that
// names it and the fix, not the SDK's stack of retries.
func TestFetchUnreachableEndpointIsOneLine(t *testing.T) {
	newEnv(t, true)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	t.Setenv("AWS_ENDPOINT_URL_EC2", closed)
	e := &env{t: t, getenv: map[string]string{}}
	code, _, errs := e.run("fetch", "--days", "3")
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "cannot reach the EC2 endpoint "+closed+" (connection refused)") ||
		strings.Contains(errs, "operation error") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
}
