package tui

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSparkShared(t *testing.T) {
	wave := func(amp float64) []float64 {
		out := make([]float64, 24)
		for i := range out {
			out[i] = 1 + amp*math.Sin(float64(i)/3)
		}
		return out
	}
	calm, wild := wave(0.03), wave(0.30)
	levels := func(s string) int {
		seen := map[rune]bool{}
		for _, r := range s {
			seen[r] = true
		}
		return len(seen)
	}
	// own scale: the 3% row fills as many levels as the 30% one
	if a, b := levels(sparkline(calm, 24)), levels(sparkline(wild, 24)); a < 6 || b < 6 {
		t.Fatalf("own scale levels %d and %d, want both ≥ 6", a, b)
	}
	amp := sharedAmp([][]float64{calm, wild})
	if math.Abs(amp-0.30) > 0.05 {
		t.Fatalf("shared amplitude %.3f, want about 0.30", amp)
	}
	c, w := sparkShared(calm, 24, amp), sparkShared(wild, 24, amp)
	if levels(c) > 3 || levels(w) < 7 {
		t.Fatalf("shared scale: calm %q (%d levels) wild %q (%d levels)", c, levels(c), w, levels(w))
	}
	if utf8.RuneCountInString(c) != 24 {
		t.Fatalf("width %d", utf8.RuneCountInString(c))
	}
}

func TestMarketSharedScaleToggle(t *testing.T) {
	m := newDemoModel(t, 140, 40, Options{})
	before := m.View()
	m = send(t, m, keys("%")...)
	if !m.market.sharedScale || m.market.amp <= 0 {
		t.Fatalf("%% did not turn the shared scale on (amp %v)", m.market.amp)
	}
	if m.View() == before {
		t.Fatal("the shared scale drew the same trends")
	}
	m = send(t, m, keys("%")...)
	if m.market.sharedScale || m.View() != before {
		t.Fatal("%% did not go back to each row's own scale")
	}
}

func TestMarketCopyAndCSV(t *testing.T) {
	var clip bytes.Buffer
	dir := t.TempDir()
	m := newDemoModel(t, 140, 40, Options{Clipboard: &clip, ExportDir: dir})
	m = send(t, m, keys("/", "m", "5", "enter")...)
	want := len(m.market.rows)
	m = send(t, m, keys("y")...)
	s := clip.String()
	if !strings.HasPrefix(s, "\x1b]52;c;") {
		t.Fatalf("no OSC 52 sequence: %q", s)
	}
	data, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(s, "\x1b]52;c;"), "\x07"))
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, data)
	if len(recs) != want+1 || recs[0][0] != "region" || recs[0][3] != "instance_type" {
		t.Fatalf("copied %d records (want %d + header), header %v", len(recs), want, recs[0])
	}
	for i, r := range m.market.rows {
		if recs[i+1][3] != r.s.InstanceType || recs[i+1][1] != r.s.AvailabilityZone {
			t.Fatalf("row %d is %v, the table shows %s %s", i, recs[i+1][:4], r.s.InstanceType, r.s.AvailabilityZone)
		}
	}
	if !strings.Contains(m.status, "copied") {
		t.Fatalf("status %q", m.status)
	}

	m = send(t, m, keys("e")...)
	files, _ := filepath.Glob(filepath.Join(dir, "spotscope-market-sa-east-1-*.csv"))
	if len(files) != 1 || !strings.Contains(m.status, files[0]) {
		t.Fatalf("files %v status %q", files, m.status)
	}
	fdata, _ := os.ReadFile(files[0])
	if !bytes.Equal(fdata, data) {
		t.Fatal("the file differs from the clipboard")
	}
	// a second write the same second must not overwrite the first
	m = send(t, m, keys("e")...)
	if !m.statusErr {
		t.Fatalf("second write: status %q", m.status)
	}

	// no clipboard: a one-line hint, not a crash
	m2 := newDemoModel(t, 100, 30, Options{})
	m2 = send(t, m2, keys("y")...)
	if !m2.statusErr || !strings.Contains(m2.status, "press e") {
		t.Fatalf("no-clipboard status %q", m2.status)
	}
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestCoverageGapShown(t *testing.T) {
	b := newFakeBackend(6, 0)
	b.sums[0].Stats.CoveredHours, b.sums[0].Stats.GapHours = 100, 68 // of the 168 h window, as explore reports it
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true, ExportDir: t.TempDir()})
	m = send(t, m, sizeMsg(140, 40))
	m, _ = run(t, m, m.Init())
	m = send(t, m, keys("t")...)
	if !hasCol(m.market.visible, colGap) {
		t.Fatal("no GAP column at 140 columns")
	}
	var line string
	for _, l := range strings.Split(m.View(), "\n") {
		if strings.Contains(l, b.sums[0].InstanceType) && strings.Contains(l, b.sums[0].AvailabilityZone) {
			line = l
		}
	}
	if !strings.Contains(line, "68h") {
		t.Fatalf("row of the gappy pool does not say 68h: %q", line)
	}
	data, err := marketCSV(m.market.rows, m.market.q)
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, data)
	col := -1
	for i, c := range recs[0] {
		if c == "gap_hours" {
			col = i
		}
	}
	for _, r := range recs[1:] {
		want := "0"
		if r[3] == b.sums[0].InstanceType && r[1] == b.sums[0].AvailabilityZone {
			want = "68"
		}
		if r[col] != want {
			t.Fatalf("%s %s gap_hours %s, want %s", r[3], r[1], r[col], want)
		}
	}
}

func TestOfflineRefreshRereadsCache(t *testing.T) {
	b := newFakeBackend(6, 0)
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	m = send(t, m, sizeMsg(100, 30))
	m, _ = run(t, m, m.Init())
	n := len(b.queries)
	m = send(t, m, keys("r")...)
	if len(b.queries) != n+1 || !strings.Contains(m.status, "re-read the cache") {
		t.Fatalf("r: %d queries (had %d), status %q", len(b.queries), n, m.status)
	}
}
