package recommendview

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/spotscope/spotscope/market/recommend"
)

// harness stands in for the root app: it owns the window size and quitting.
type harness struct{ m Model }

func (h harness) Init() tea.Cmd { return h.m.Init() }

func (h harness) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.m.SetSize(msg.Width, msg.Height)
		return h, nil
	case tea.KeyMsg:
		if msg.Type == tea.KeyCtrlC {
			return h, tea.Quit
		}
	}
	var cmd tea.Cmd
	h.m, cmd = h.m.Update(msg)
	return h, cmd
}

func (h harness) View() string { return h.m.View() }

var goldenDefaults = recommend.Profile{VCPUs: 4, MemoryGiB: 16, Arch: "x86_64", Count: 10, Hours: 8,
	Checkpoint: 30 * time.Minute, Restart: 5 * time.Minute, Families: []string{"m5*", "m6i"}}

func contains(s string) func([]byte) bool {
	return func(b []byte) bool { return bytes.Contains(b, []byte(s)) }
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{100, 30}, {140, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			f := &fakeRec{res: sampleResult(), profiles: map[string]recommend.Profile{"batch": goldenDefaults}}
			m := New(f, Options{Defaults: goldenDefaults, Regions: []string{"sa-east-1"}, Now: func() time.Time { return fixedNow }})
			tm := teatest.NewTestModel(t, harness{m}, teatest.WithInitialTermSize(sz[0], sz[1]))
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			teatest.WaitFor(t, tm.Output(), contains("Why m5.xlarge"), teatest.WithDuration(3*time.Second))
			tm.Send(tea.KeyMsg{Type: tea.KeyDown})
			tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(3*time.Second)).(harness)
			teatest.RequireEqualOutput(t, []byte(fm.View()))
		})
	}
}

func TestGoldenFormError(t *testing.T) {
	m := New(&fakeRec{}, Options{Defaults: goldenDefaults, Regions: []string{"sa-east-1"}, Now: func() time.Time { return fixedNow }})
	tm := teatest.NewTestModel(t, harness{m}, teatest.WithInitialTermSize(100, 30))
	tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	tm.Type("x")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	teatest.WaitFor(t, tm.Output(), contains("not a whole number"), teatest.WithDuration(3*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(3*time.Second)).(harness)
	teatest.RequireEqualOutput(t, []byte(fm.View()))
}

// TestTeatestSlowRecommender runs a real program: while Recommend blocks,
// keys still reach the form and the spinner shows.
func TestTeatestSlowRecommender(t *testing.T) {
	f := &fakeRec{res: sampleResult(), block: make(chan struct{})}
	m := New(f, Options{Defaults: goldenDefaults, Regions: []string{"sa-east-1"}, Now: func() time.Time { return fixedNow }})
	tm := teatest.NewTestModel(t, harness{m}, teatest.WithInitialTermSize(100, 30))
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	teatest.WaitFor(t, tm.Output(), contains("recommending"), teatest.WithDuration(3*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	tm.Type("2")
	teatest.WaitFor(t, tm.Output(), contains("[42"), teatest.WithDuration(3*time.Second))
	close(f.block)
	teatest.WaitFor(t, tm.Output(), contains("Why m5.xlarge"), teatest.WithDuration(3*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(3*time.Second))
}
