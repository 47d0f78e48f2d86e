package tui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// TestGolden drives the real program (teatest) on the demo data at the
// demo clock and compares each view's final frame with
// testdata/TestGolden/<view>_<w>x<h>.golden. Regenerate with
// `go test ./tui/ -run TestGolden -update`.
func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		keys []string
		wait string   // text that shows the view has its data
		more []string // keys sent once wait is seen
		then string
		rec  bool // host the real recommend view
	}{
		{"market", nil, "sort last", nil, "", false},
		{"market_pools_filtered", []string{"t", "/", "m", "5", "enter", "f", "up", "up", "up", "enter"}, "vCPU ≥ 4", nil, "", false},
		{"detail", []string{"/", "r", "5", ".", "l", "a", "r", "g", "e", "enter", "enter"}, "showing all 7.0d|On-Demand", nil, "", false},
		{"detail_zoomed", []string{"/", "m", "5", ".", "l", "a", "r", "g", "e", "enter", "enter"}, "showing all 7.0d|On-Demand", []string{"+", "right"}, "showing 3.5d", false},
		{"detail_crosshair", []string{"/", "r", "5", ".", "l", "a", "r", "g", "e", "enter", "enter"}, "showing all 7.0d|On-Demand", []string{"c", "]", "]"}, "┊ 2020-06-19", false},
		{"compare", []string{" ", " ", " ", "3"}, "showing all 7.0d|On-Demand", nil, "", false},
		{"compare_per_vcpu", []string{" ", " ", " ", "3", "v"}, "vCPU-hour|On-Demand", nil, "", false},
		{"volatility", []string{"4"}, "ranked by cv", nil, "", false},
		{"help", []string{"?"}, "Keys", nil, "", false},
		{"recommend", []string{"5"}, "not wired in", nil, "", false},
		{"recommend_wired", []string{"5"}, "leave tab", nil, "", true},
	}
	for _, size := range [][2]int{{100, 30}, {140, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				opts := Options{}
				if c.rec {
					opts = withRecommend()
				}
				opts.NoRefresh = true
				m := New(DemoBackend(), demoClock, opts)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]))
				waitLoaded(t, tm)
				for _, k := range c.keys {
					tm.Send(press(k))
				}
				if len(c.keys) > 0 {
					// "a|b": both, in any frames (the chart's series and its
					// On-Demand price arrive as separate answers)
					waitSettled(t, tm, strings.Split(c.wait, "|")...)
				}
				for _, k := range c.more {
					tm.Send(press(k))
				}
				if c.then != "" {
					waitSettled(t, tm, c.then)
				}
				tm.Send(press("ctrl+c"))
				fm := tm.FinalModel(t, teatest.WithFinalTimeout(patience(t))).(Model)
				teatest.RequireEqualOutput(t, []byte(fm.View()))
			})
		}
	}
}

// patience is how long a test waits for the program to reach a state: as
// long as the test binary may run. A loaded 2-core machine can take seconds
// to draw a frame; only a hung program should fail, and the waits are on
// program output (state), so a generous bound costs nothing when it passes.
func patience(t testing.TB) time.Duration {
	if tt, ok := t.(*testing.T); ok {
		if d, ok := tt.Deadline(); ok {
			return max(time.Until(d)-10*time.Second, 10*time.Second)
		}
	}
	return 10 * time.Minute
}

// waitLoaded waits for the market table's rows: the footer's "1/N" only
// shows once there are rows, while "sort last" shows from the first frame,
// so keys sent after it alone could land before the data (a mark on no row).
func waitLoaded(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	waitText(t, tm, "sort last", "1/")
}

// waitText waits until everything in want has been drawn. WaitFor drains
// the output, so text drawn in one frame must be awaited in one call.
func waitText(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range want {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	},
		teatest.WithDuration(patience(t)), teatest.WithCheckInterval(10*time.Millisecond))
}

// waitSettled waits until everything in want has been drawn on lines that
// say nothing is loading: a key that changes the window starts a query, and
// a frame drawn before its answer (the footer's "loading 1d …") is not the
// state a golden records. The renderer writes a changed line whole, so the
// footer's last state is one line of the output.
func waitSettled(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		lines := bytes.Split(b, []byte("\n"))
		for _, s := range want {
			found := false
			for _, l := range lines {
				if bytes.Contains(l, []byte(s)) && !bytes.Contains(l, []byte("loading")) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	},
		teatest.WithDuration(patience(t)), teatest.WithCheckInterval(10*time.Millisecond))
}

// TestSlowBackendNeverBlocksInput holds every Summaries call until the test
// ends: the program must still switch views, open help and quit.
func TestSlowBackendNeverBlocksInput(t *testing.T) {
	b := newFakeBackend(30, 20)
	b.block = make(chan struct{})
	defer close(b.block)
	m := New(b, func() time.Time { return fakeEnd }, Options{NoRefresh: true})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitText(t, tm, "loading 7d")
	tm.Send(press("tab"))
	waitText(t, tm, "[2 Detail]")
	tm.Send(press("w")) // a second query, also blocked
	waitText(t, tm, "loading 30d")
	tm.Send(press("?"))
	waitText(t, tm, "Keys")
	tm.Send(press("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(patience(t))).(Model)
	if fm.view != viewDetail || !fm.showHelp || !fm.loading {
		t.Fatalf("view %v help %v loading %v", fm.view, fm.showHelp, fm.loading)
	}
}

// TestRefreshInProgram runs a scripted refresh through the real program:
// bars appear, a region's failure lands in the status line and the program
// keeps going.
func TestRefreshInProgram(t *testing.T) {
	b := newFakeBackend(30, 20)
	b.info.CanRefresh = true
	b.info.Regions = []string{"us-east-1", "eu-west-1"}
	release := make(chan struct{})
	b.refresh = func(ctx contextT, p func(RefreshProgress)) error {
		p(RefreshProgress{Region: "us-east-1", Done: 2, Total: 4})
		p(RefreshProgress{Region: "eu-west-1", Done: 1, Total: 4, Err: errThrottled})
		<-release
		return nil
	}
	m := New(b, func() time.Time { return fakeEnd }, Options{})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitText(t, tm, "2/4", "refresh eu-west-1: RequestLimitExceeded")
	tm.Send(press("j"))
	close(release)
	waitText(t, tm, "sort last")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(patience(t))).(Model)
	if fm.refresh.active || len(fm.rows) == 0 {
		t.Fatalf("refresh active %v rows %d", fm.refresh.active, len(fm.rows))
	}
}

// compareOnDemandBackend has On-Demand prices near the spot prices (so the
// Compare chart draws their lines) for every type but c5.large, which gets
// the estimate from its advisor savings, far above.
func compareOnDemandBackend() Backend {
	b := newFakeBackend(30, 50)
	b.onDemand = map[string]float64{}
	for _, s := range b.sums {
		if s.InstanceType != "c5.large" {
			b.onDemand[s.InstanceType] = s.Stats.Last * 1.15
		}
	}
	return b
}

// TestGoldenStates covers the states the region work and the chart work
// added, on the program itself (teatest) at 100x30 and 140x40: the region
// picker and the all-regions market over three cached regions, and on the
// demo the shared-scale trends and a colourless chart whose lines differ by
// their markers (the goldens are rendered without colour, as NO_COLOR does).
func TestGoldenStates(t *testing.T) {
	regions := func() Backend { return newRegionsBackend([]string{"eu-west-1", "sa-east-1", "us-east-1"}, 30) }
	cases := []struct {
		name    string
		backend func() Backend
		clock   func() time.Time
		keys    []string
		wait    string
	}{
		{"region_picker", regions, func() time.Time { return fakeEnd }, []string{"R"}, "all cached regions (3)"},
		{"all_regions", regions, func() time.Time { return fakeEnd }, []string{"R", "up", "enter", "t", "s", "s", "s", "s", "s", "s"}, "sort region"},
		{"shared_sparklines", func() Backend { return DemoBackend() }, demoClock, []string{"W", "%"}, "shared scale"},
		{"no_color_chart", func() Backend { return DemoBackend() }, demoClock, []string{"/", "m", "5", ".", "l", "a", "r", "g", "e", "enter", "enter"}, "▲ sa-east-1c|On-Demand"},
		{"compare_on_demand", compareOnDemandBackend, func() time.Time { return fakeEnd }, []string{" ", " ", " ", "3"}, "On-Demand|showing all 7.0d"},
	}
	for _, size := range [][2]int{{100, 30}, {140, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				m := New(c.backend(), c.clock, Options{NoRefresh: true})
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]))
				waitLoaded(t, tm)
				for _, k := range c.keys {
					tm.Send(press(k))
				}
				waitSettled(t, tm, strings.Split(c.wait, "|")...)
				tm.Send(press("ctrl+c"))
				fm := tm.FinalModel(t, teatest.WithFinalTimeout(patience(t))).(Model)
				teatest.RequireEqualOutput(t, []byte(fm.View()))
			})
		}
	}
}
