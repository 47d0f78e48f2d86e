package tui

import (
	"context"
	"fmt"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	zone "github.com/lrstanley/bubblezone"
	"github.com/muesli/termenv"

	"github.com/spotscope/spotscope/market"
	"github.com/spotscope/spotscope/market/advisor"
	"github.com/spotscope/spotscope/market/demo"
	"github.com/spotscope/spotscope/market/explore"
)

func TestMain(m *testing.M) {
	// Goldens are plain text: no colour, a fixed background, and mouse
	// zones resolved by zone.Scan in View.
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	zone.NewGlobal()
	os.Exit(m.Run())
}

func demoClock() time.Time { return demo.End() }

// press builds the KeyMsg a terminal sends for a key name.
func press(s string) tea.KeyMsg {
	special := map[string]tea.KeyType{
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, " ": tea.KeySpace, "ctrl+c": tea.KeyCtrlC,
		"backspace": tea.KeyBackspace, "home": tea.KeyHome, "end": tea.KeyEnd,
	}
	if t, ok := special[s]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// run executes cmd and everything it leads to synchronously, feeding each
// message back into Update, as the program would. It reports whether the
// chain ended in tea.Quit.
func run(t testing.TB, m Model, cmd tea.Cmd) (Model, bool) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			t.Fatal("command chain does not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			return m, true
		default:
			nm, nc := m.Update(msg)
			m = nm.(Model)
			queue = append(queue, nc)
		}
	}
	return m, false
}

// send delivers msgs in order, running the commands each one returns.
func send(t testing.TB, m Model, msgs ...tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		nm, c := m.Update(msg)
		m, _ = run(t, nm.(Model), c)
	}
	return m
}

func keys(names ...string) []tea.Msg {
	out := make([]tea.Msg, len(names))
	for i, n := range names {
		out[i] = press(n)
	}
	return out
}

// newDemoModel is the program on the demo data at the demo clock, sized
// and with its first summaries loaded.
func newDemoModel(t testing.TB, w, h int, opts Options) Model {
	t.Helper()
	opts.NoRefresh = true
	m := New(DemoBackend(), demoClock, opts)
	m = send(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	m, _ = run(t, m, m.Init())
	if len(m.rows) == 0 {
		t.Fatal("demo model loaded no summaries")
	}
	return m
}

// fakeBackend serves synthetic summaries and series: n pools over a
// handful of families and three AZs, deterministic, for benchmarks and
// for tests that need behaviour the demo data lacks.
type fakeBackend struct {
	info      Info
	sums      []explore.Summary
	series    map[market.Pool][]market.Point
	block     chan struct{} // when set, Summaries waits for it to close
	sumErr    error
	mu        sync.Mutex
	queries   []explore.Query
	refresh   func(ctx context.Context, progress func(RefreshProgress)) error
	refreshed [][]string         // the regions of each Refresh call
	synth     int                // points per series for pools without stored history
	onDemand  map[string]float64 // by instance type
}

var fakeEnd = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func newFakeBackend(n, pointsPerPool int) *fakeBackend {
	b := &fakeBackend{
		info: Info{Regions: []string{"us-east-1"}, Product: market.LinuxUNIX, Products: []string{market.LinuxUNIX, market.Windows},
			Window: 7 * 24 * time.Hour, DataFrom: fakeEnd.Add(-90 * 24 * time.Hour), DataTo: fakeEnd, PricesAsOf: fakeEnd,
			Advisor: advisor.Provenance{Mode: "embedded", AsOf: time.Date(2025, 6, 28, 0, 0, 0, 0, time.UTC)}},
		series: map[market.Pool][]market.Point{},
	}
	fams := []string{"m5", "c5", "r5", "m6g", "c6g", "t3", "i3", "x1e"}
	sizes := []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "metal"}
	azs := []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	for i := 0; i < n; i++ {
		az := azs[i%3]
		typ := fmt.Sprintf("%s%s.%s", fams[(i/3)%len(fams)], suffix(i/(3*len(fams)*len(sizes))), sizes[(i/(3*len(fams)))%len(sizes)])
		base := 0.02 * float64(1+(i/3)%37)
		p := market.Pool{Region: "us-east-1", AvailabilityZone: az, InstanceType: typ, Product: market.LinuxUNIX}
		pts := make([]market.Point, pointsPerPool)
		for j := range pts {
			pts[j] = market.Point{
				Time:  fakeEnd.Add(-7*24*time.Hour + time.Duration(j)*7*24*time.Hour/time.Duration(max(pointsPerPool, 1))),
				Price: base * (1 + 0.05*math.Sin(float64(i+j)/5)),
			}
		}
		b.series[p] = pts
		spark := make([]float64, sparkLen)
		for j := range spark {
			spark[j] = base * (1 + 0.05*math.Sin(float64(i+j)/4))
		}
		arch := "x86_64"
		if fams[(i/3)%len(fams)][len(fams[(i/3)%len(fams)])-1] == 'g' {
			arch = "arm64"
		}
		b.sums = append(b.sums, explore.Summary{
			Pool: p, AvailabilityZoneID: "use1-az" + az[len(az)-1:], HasSpec: true,
			Spec: market.InstanceType{Name: typ, VCPUs: 2 << ((i / 24) % 6), MemoryMiB: int64(4096 << ((i / 24) % 6)), Architectures: []string{arch}},
			Stats: market.Stats{Start: fakeEnd.Add(-7 * 24 * time.Hour), End: fakeEnd, CoveredHours: 168, Last: base, TWAP: base * 1.01,
				StdDev: base * 0.02, CV: 0.02 + float64(i%7)/100, Min: base * 0.95, Max: base * 1.05, P50: base, P95: base * 1.04,
				Changes: i % 11, ChangesPerDay: float64(i%11) / 7, MaxJump: float64(i%5) / 100},
			Spark:   spark,
			Advisor: advisorEntry(i),
		})
	}
	return b
}

func suffix(i int) string {
	if i == 0 {
		return ""
	}
	return string(rune('a' + i%26))
}

func advisorEntry(i int) advisor.Entry {
	if i%10 == 9 {
		return advisor.Entry{} // unknown
	}
	labels := []string{"<5%", "5-10%", "10-15%", "15-20%", ">20%"}
	return advisor.Entry{Known: true, Bucket: i % 5, Label: labels[i%5], Savings: 50 + i%40}
}

func (b *fakeBackend) Info() Info { return b.info }

func (b *fakeBackend) Summaries(ctx context.Context, q explore.Query) ([]explore.Summary, error) {
	b.mu.Lock()
	b.queries = append(b.queries, q)
	block := b.block
	b.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if b.sumErr != nil {
		return nil, b.sumErr
	}
	out := make([]explore.Summary, 0, len(b.sums))
	for _, s := range b.sums {
		if contains(q.Regions, s.Region) {
			out = append(out, s)
		}
	}
	return out, nil
}

// newRegionsBackend is newFakeBackend's pools copied into each region, AZs
// renamed to match; Info shows the first region and caches them all.
func newRegionsBackend(regions []string, perRegion int) *fakeBackend {
	b := newFakeBackend(perRegion, 0)
	base := b.sums
	b.sums = make([]explore.Summary, 0, len(base)*len(regions))
	for _, r := range regions {
		for _, s := range base {
			s.Region = r
			s.AvailabilityZone = r + s.AvailabilityZone[len("us-east-1"):]
			b.sums = append(b.sums, s)
		}
	}
	b.info.Regions = regions[:1]
	b.info.Cached = regions
	return b
}

func (b *fakeBackend) Series(_ context.Context, p market.Pool, start, end time.Time) ([]market.Point, error) {
	pts, ok := b.series[p]
	if !ok && b.synth > 0 {
		// synthesised on demand so 5,000 pools need no stored history
		pts = make([]market.Point, b.synth)
		step := end.Sub(start) / time.Duration(b.synth)
		for j := range pts {
			pts[j] = market.Point{Time: start.Add(time.Duration(j) * step), Price: 0.1 * (1 + 0.05*math.Sin(float64(j)/7))}
		}
	}
	return seriesWindow(pts, start, end), nil
}

func (b *fakeBackend) OnDemand(_ context.Context, region, product, typ string) (float64, bool, error) {
	return b.onDemand[typ], false, nil
}

func (b *fakeBackend) Refresh(ctx context.Context, regions []string, progress func(RefreshProgress)) error {
	b.mu.Lock()
	b.refreshed = append(b.refreshed, append([]string(nil), regions...))
	b.mu.Unlock()
	if b.refresh == nil {
		return nil
	}
	return b.refresh(ctx, progress)
}

type marketPoint struct {
	t time.Time
	p float64
}

type marketPoints []marketPoint

func (ps marketPoints) conv() []market.Point {
	out := make([]market.Point, len(ps))
	for i, p := range ps {
		out[i] = market.Point{Time: p.t, Price: p.p}
	}
	return out
}

func lineWidth(s string) int { return lipgloss.Width(s) }

type contextT = context.Context

var errThrottled = fmt.Errorf("RequestLimitExceeded: slow down")

func sizeMsg(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
