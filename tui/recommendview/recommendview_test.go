package recommendview

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/spotscope/spotscope/market/recommend"
)

func TestMain(m *testing.M) {
	// lipgloss's renderer is global: fix it once so views and goldens are
	// plain text whatever terminal runs the tests.
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	os.Exit(m.Run())
}

func newTest(r Recommender, opts Options) Model {
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	if opts.Regions == nil {
		opts.Regions = []string{"sa-east-1"}
	}
	m := New(r, opts)
	m.SetSize(120, 36)
	return m
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func press(t *testing.T, m Model, keys ...string) (Model, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, k := range keys {
		m, cmd = m.Update(keyMsg(k))
	}
	return m, cmd
}

// typeInto focuses field f from the picker and replaces its value.
func typeInto(t *testing.T, m Model, f field, s string) Model {
	t.Helper()
	m.setFocus(f)
	m.form.inputs[f].SetValue("")
	for _, r := range s {
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

// collect runs cmd (and the commands of a batch) and returns their
// messages except spinner ticks, which only animate.
func collect(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, collect(t, c)...)
		}
		return out
	}
	if _, ok := msg.(interface{ isSpinnerTick() }); ok {
		return nil
	}
	switch msg.(type) {
	case nil:
		return nil
	case resultMsg, exportedMsg, profilesMsg:
		return []tea.Msg{msg}
	}
	return nil
}

func feed(m Model, msgs []tea.Msg) Model {
	for _, msg := range msgs {
		m, _ = m.Update(msg)
	}
	return m
}

func withResult(t *testing.T, opts Options) Model {
	t.Helper()
	m := newTest(&fakeRec{res: sampleResult()}, opts)
	m, cmd := press(t, m, "enter")
	return feed(m, collect(t, cmd))
}

func TestRunShowsResultsAndReasons(t *testing.T) {
	f := &fakeRec{res: sampleResult(), got: make(chan recommend.Profile, 1)}
	m := newTest(f, Options{Defaults: recommend.Profile{VCPUs: 4, MemoryGiB: 16, Count: 10, Hours: 8, Checkpoint: 30 * time.Minute}})
	m, cmd := press(t, m, "enter")
	if !m.running || !strings.Contains(m.View(), "recommending") {
		t.Fatalf("no spinner after enter:\n%s", m.View())
	}
	m = feed(m, collect(t, cmd))
	p := <-f.got
	if p.VCPUs != 4 || p.MemoryGiB != 16 || p.Count != 10 || p.Hours != 8 || p.Checkpoint != 30*time.Minute ||
		len(p.Regions) != 1 || p.Regions[0] != "sa-east-1" {
		t.Errorf("profile sent = %+v", p)
	}
	v := m.View()
	for _, want := range []string{
		"10 instances in 3 pools of 37", "m5a.xlarge", "sae1-az3", "4  40%", "~0.2750",
		"Why m5.xlarge in sa-east-1a", "interruption", "+4.1% cost",
		"! placement scores not used", "! On-Demand prices estimated",
		"▸ m5.xlarge",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if m.Capturing() {
		t.Error("results focused but Capturing() = true")
	}
	// Moving the cursor changes the reasons panel.
	m, _ = press(t, m, "down")
	if !strings.Contains(m.View(), "Why m5a.xlarge in sa-east-1c") {
		t.Errorf("reasons did not follow the cursor:\n%s", m.View())
	}
	// Runes read in one chunk are separate commands.
	m, _ = press(t, m, "jk")
	if m.cursor != 1 {
		t.Errorf("cursor after jk = %d", m.cursor)
	}
	// Alternatives toggle.
	m, _ = press(t, m, "a")
	v = m.View()
	if !strings.Contains(v, "Alternatives: 2 ranked") || !strings.Contains(v, "c5.2xlarge") || !strings.Contains(v, "#1") {
		t.Errorf("alternatives not shown:\n%s", v)
	}
	m, _ = press(t, m, "a")
	if !strings.Contains(m.View(), "Recommended: ") {
		t.Error("a did not toggle back")
	}
}

func TestSlowRecommenderStaysResponsiveAndDropsStale(t *testing.T) {
	f := &fakeRec{res: sampleResult(), block: make(chan struct{})}
	m := newTest(f, Options{})
	m, cmd1 := press(t, m, "enter")
	done1 := make(chan []tea.Msg)
	go func() { done1 <- collect(t, cmd1) }()

	// While the first request blocks, editing goes on.
	m = typeInto(t, m, fVCPUs, "8")
	if got := m.form.inputs[fVCPUs].Value(); got != "8" {
		t.Fatalf("vCPUs = %q while running", got)
	}
	if !strings.Contains(m.View(), "recommending") {
		t.Error("spinner missing while running")
	}
	m, cmd2 := press(t, m, "enter")
	m, _ = press(t, m, "tab")
	if m.gen != 2 {
		t.Fatalf("gen = %d", m.gen)
	}
	// The first request was cancelled by the second.
	first := <-done1
	if len(first) != 1 || first[0].(resultMsg).err == nil {
		t.Fatalf("first request = %#v, want a cancellation error", first)
	}
	m = feed(m, first)
	if m.err != nil || !m.running {
		t.Fatalf("stale answer was applied: err=%v running=%v", m.err, m.running)
	}
	close(f.block)
	m = feed(m, collect(t, cmd2))
	if m.running || m.result == nil {
		t.Fatalf("second answer not applied")
	}
	if m.focus == results {
		t.Error("focus moved to the results although the user was editing")
	}
	// An answer for an old generation arriving late changes nothing.
	m = feed(m, []tea.Msg{resultMsg{gen: 1, err: errBoom}})
	if m.err != nil {
		t.Error("late stale error was applied")
	}
}

type boom struct{}

func (boom) Error() string { return "cache: database is locked" }

var errBoom = boom{}

func TestErrorsAreShown(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"nomatch", &recommend.NoMatchError{Constraint: "vcpus", Message: "no instance type in sa-east-1 has 512 vCPUs (largest: 96)"},
			[]string{"No pool matches this profile", "✗ no instance type in sa-east-1 has 512 vCPUs (largest: 96)"}},
		{"failure", errBoom, []string{"Recommendation failed", "✗ cache: database is locked"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTest(&fakeRec{err: tc.err}, Options{})
			m, cmd := press(t, m, "enter")
			m = feed(m, collect(t, cmd))
			v := m.View()
			for _, w := range tc.want {
				if !strings.Contains(v, w) {
					t.Errorf("view lacks %q:\n%s", w, v)
				}
			}
			if strings.Contains(v, "$/vCPU-h") {
				t.Errorf("an empty table is shown:\n%s", v)
			}
		})
	}
}

func TestValidation(t *testing.T) {
	for _, tc := range []struct {
		f    field
		in   string
		want string
	}{
		{fVCPUs, "four", `✗ vcpus: "four" is not a whole number`},
		{fMemory, "lots", `✗ memory gib: invalid memory size "lots"`},
		{fHours, "-3", `✗ hours: invalid job length "-3"`},
		{fCheckpoint, "soon", `✗ checkpoint: invalid duration "soon"`},
		{fMaxPrice, "cheap", `✗ max $/h: "cheap" is not a number`},
		{fProduct, "BeOS", `✗ product: unknown product "BeOS"`},
		{fRestart, "0", `✗ restart: a restart is never free`},
		{fWork, "5000", `✗ work: invalid "5000"`},
		{fFamilies, "m5[", `✗ families: invalid pattern "m5["`},
	} {
		f := &fakeRec{res: sampleResult(), got: make(chan recommend.Profile, 1)}
		m := newTest(f, Options{})
		m = typeInto(t, m, tc.f, tc.in)
		m, cmd := press(t, m, "enter")
		if cmd != nil || m.running {
			t.Errorf("%s=%q: ran despite invalid input", specs[tc.f].label, tc.in)
		}
		if !strings.Contains(m.View(), tc.want) {
			t.Errorf("%s=%q: view lacks %q:\n%s", specs[tc.f].label, tc.in, tc.want, m.View())
		}
		// Editing clears the message.
		m, _ = press(t, m, "backspace")
		if strings.Contains(m.View(), "✗") {
			t.Errorf("%s: error kept after an edit", specs[tc.f].label)
		}
	}
}

// TestFormUnitsOfWorkAndRegions: the fields for GPU models, coupled nodes, a
// queue of work and several regions reach the profile; a bad amount of work
// is a one-line error naming the field.
func TestFormUnitsOfWorkAndRegions(t *testing.T) {
	f := &fakeRec{res: sampleResult(), got: make(chan recommend.Profile, 1)}
	m := newTest(f, Options{})
	for fl, v := range map[field]string{fGPUs: "1", fGPUModel: "A10G, l4", fNodes: "4", fRegions: "us-east-1,us-west-2", fHours: "48"} {
		m = typeInto(t, m, fl, v)
	}
	_, cmd := press(t, m, "enter")
	collect(t, cmd)
	p := <-f.got
	if p.Nodes != 4 || p.Mode() != recommend.ModeCoupled || strings.Join(p.GPUModels, ",") != "A10G,l4" || strings.Join(p.Regions, ",") != "us-east-1,us-west-2" {
		t.Errorf("coupled profile %+v", p)
	}
	m = newTest(f, Options{})
	m = typeInto(t, m, fWork, "800gpu-h")
	_, cmd = press(t, m, "enter")
	collect(t, cmd)
	if p = <-f.got; p.Work != 800 || p.WorkUnit != recommend.WorkGPUHours || p.Mode() != recommend.ModeThroughput {
		t.Errorf("throughput profile %+v", p)
	}
	m = newTest(f, Options{})
	m = typeInto(t, m, fWork, "800")
	m, _ = press(t, m, "enter")
	if m.formErr == nil || !strings.HasPrefix(m.formErr.Error(), "work: invalid") {
		t.Errorf("bad work: %v", m.formErr)
	}
}

func TestFormParsesEveryField(t *testing.T) {
	f := &fakeRec{res: sampleResult(), got: make(chan recommend.Profile, 1)}
	m := newTest(f, Options{})
	for fl, v := range map[field]string{
		fVCPUs: "4", fMemory: "16GiB", fGPUs: "1", fFamilies: "m5*, c6i", fExclude: "t*",
		fCount: "10", fHours: "90m", fCheckpoint: "30m", fRestart: "5m", fMaxPrice: "$0.25", fProduct: "Linux/UNIX",
	} {
		m = typeInto(t, m, fl, v)
	}
	m.setFocus(fArch)
	m, _ = press(t, m, "right") // any -> x86_64
	_, cmd := press(t, m, "enter")
	collect(t, cmd)
	p := <-f.got
	want := recommend.Profile{VCPUs: 4, MemoryGiB: 16, GPUs: 1, Arch: "x86_64", Families: []string{"m5*", "c6i"},
		Exclude: []string{"t*"}, Count: 10, Hours: 1.5, Checkpoint: 30 * time.Minute, Restart: 5 * time.Minute,
		MaxPrice: 0.25, Product: "Linux/UNIX", Regions: []string{"sa-east-1"}}
	if !equalProfile(p, want) {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}
}

func equalProfile(a, b recommend.Profile) bool {
	return a.VCPUs == b.VCPUs && a.MemoryGiB == b.MemoryGiB && a.GPUs == b.GPUs && a.Arch == b.Arch &&
		strings.Join(a.Families, ",") == strings.Join(b.Families, ",") &&
		strings.Join(a.Exclude, ",") == strings.Join(b.Exclude, ",") && a.Count == b.Count &&
		a.Hours == b.Hours && a.Checkpoint == b.Checkpoint && a.Restart == b.Restart &&
		a.MaxPrice == b.MaxPrice && a.Product == b.Product && strings.Join(a.Regions, ",") == strings.Join(b.Regions, ",") &&
		a.Name == b.Name && a.Window == b.Window
}

func TestNamedProfiles(t *testing.T) {
	f := &fakeRec{
		res: sampleResult(),
		got: make(chan recommend.Profile, 1),
		profiles: map[string]recommend.Profile{
			"batch": {VCPUs: 16, MemoryGiB: 64, Arch: "arm64", Count: 4, Hours: 12, Checkpoint: time.Hour, Regions: []string{"us-east-1"}},
			"ci":    {VCPUs: 2},
		},
	}
	m := newTest(f, Options{})
	m = feed(m, collect(t, m.Init()))
	if m.Capturing() {
		t.Error("picker focused but Capturing() = true")
	}
	m, _ = press(t, m, "right")
	v := m.View()
	if !strings.Contains(v, "‹batch") || !strings.Contains(v, "[16") || !strings.Contains(v, "‹arm64") || !strings.Contains(v, "[1h") {
		t.Errorf("profile not loaded:\n%s", v)
	}
	_, cmd := press(t, m, "enter")
	collect(t, cmd)
	p := <-f.got
	if p.Name != "batch" || p.VCPUs != 16 || p.Regions[0] != "us-east-1" || p.Checkpoint != time.Hour {
		t.Errorf("sent %+v", p)
	}
	// An edited profile is no longer sent under its name, but keeps its regions.
	m = typeInto(t, m, fVCPUs, "32")
	if !strings.Contains(m.View(), "batch*") {
		t.Error("edited profile not marked")
	}
	_, cmd = press(t, m, "enter")
	collect(t, cmd)
	p = <-f.got
	if p.Name != "" || p.VCPUs != 32 || p.Regions[0] != "us-east-1" {
		t.Errorf("sent %+v", p)
	}
}

func TestFocusAndCapturing(t *testing.T) {
	m := newTest(&fakeRec{res: sampleResult()}, Options{})
	if m.Capturing() {
		t.Fatal("starts capturing")
	}
	m, _ = press(t, m, "tab")
	if m.focus != fVCPUs || !m.Capturing() {
		t.Fatalf("tab: focus %d capturing %v", m.focus, m.Capturing())
	}
	// q is text here, not a quit.
	m, _ = press(t, m, "q")
	if m.form.inputs[fVCPUs].Value() != "q" {
		t.Error("q not typed")
	}
	m, _ = press(t, m, "up", "up")
	if m.focus != numFields-1 {
		t.Errorf("up wraps to %d", m.focus)
	}
	m, _ = press(t, m, "down")
	if m.focus != fProfile {
		t.Errorf("down from the last field without results = %d", m.focus)
	}
	m.setFocus(fArch)
	m, _ = press(t, m, "right", "right")
	if archs[m.form.archIdx] != "arm64" {
		t.Errorf("arch = %s", archs[m.form.archIdx])
	}
}

func TestExportToFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	m := withResult(t, Options{ExportDir: dir})
	for i, tc := range []struct {
		format, name string
	}{
		{recommend.FormatEC2Fleet, "spotscope-ec2-fleet-20261127-123000.json"},
		{recommend.FormatASG, "spotscope-asg-20261127-123000.json"},
		{recommend.FormatKarpenter, "spotscope-karpenter-nodepool-20261127-123000.yaml"},
	} {
		if i > 0 {
			m, _ = press(t, m, "x")
		}
		var cmd tea.Cmd
		m, cmd = press(t, m, "w")
		m = feed(m, collect(t, cmd))
		path := filepath.Join(dir, tc.name)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (status %q)", tc.format, err, m.status)
		}
		var want bytes.Buffer
		if err := recommend.Export(&want, tc.format, *m.result, recommend.ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: file differs from recommend.Export", tc.format)
		}
		if !strings.Contains(m.View(), "✓ wrote") || !strings.Contains(m.status, path) {
			t.Errorf("%s: status %q", tc.format, m.status)
		}
	}
	// Same second again: a new name, not an overwrite.
	m, cmd := press(t, m, "w")
	m = feed(m, collect(t, cmd))
	if !strings.Contains(m.status, "spotscope-karpenter-nodepool-20261127-123000-2.yaml") {
		t.Errorf("second export status %q", m.status)
	}
}

func TestExportFailureShown(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m := withResult(t, Options{ExportDir: file})
	m, cmd := press(t, m, "w")
	m = feed(m, collect(t, cmd))
	if !m.statusErr || !strings.Contains(m.View(), "✗ export failed") {
		t.Errorf("status %q", m.status)
	}
}

func TestCopyOSC52(t *testing.T) {
	var clip bytes.Buffer
	m := withResult(t, Options{Clipboard: &clip})
	m, cmd := press(t, m, "y")
	if clip.Len() != 0 {
		t.Fatal("wrote to the clipboard inside Update")
	}
	m = feed(m, collect(t, cmd))
	var data bytes.Buffer
	if err := recommend.Export(&data, recommend.FormatEC2Fleet, *m.result, recommend.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString(data.Bytes()) + "\x07"
	if clip.String() != want {
		t.Errorf("clipboard bytes\n got %q\nwant %q", clip.String(), want)
	}
	if !strings.Contains(m.View(), "✓ copied EC2 Fleet JSON") || !strings.Contains(m.View(), "OSC 52") {
		t.Errorf("status %q", m.status)
	}
	// Exact sequence for a known payload.
	if got := string(osc52([]byte("hi"))); got != "\x1b]52;c;aGk=\x07" {
		t.Errorf("osc52(hi) = %q", got)
	}
}

func TestExportWithoutResultOrClipboard(t *testing.T) {
	m := newTest(&fakeRec{}, Options{})
	m.setFocus(results)
	m, cmd := press(t, m, "w")
	if cmd != nil || !strings.Contains(m.status, "nothing to export") {
		t.Errorf("status %q", m.status)
	}
	m = withResult(t, Options{})
	m, cmd = press(t, m, "y")
	if cmd != nil || !strings.Contains(m.status, "clipboard not available") {
		t.Errorf("status %q", m.status)
	}
}

func TestSizes(t *testing.T) {
	m := withResult(t, Options{})
	for _, sz := range [][2]int{{60, 16}, {80, 24}, {100, 30}, {120, 20}, {140, 40}, {200, 60}} {
		m.SetSize(sz[0], sz[1])
		for _, alts := range []bool{false, true} {
			m.showAlts = alts
			v := m.View()
			lines := strings.Split(v, "\n")
			if len(lines) != sz[1] {
				t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
			}
			for i, l := range lines {
				if w := lipgloss.Width(l); w > sz[0] {
					t.Errorf("%dx%d: line %d is %d wide: %q", sz[0], sz[1], i, w, l)
				}
			}
			if !strings.Contains(v, "▸ m5") {
				t.Errorf("%dx%d: selected row not visible:\n%s", sz[0], sz[1], v)
			}
		}
	}
	m.SetSize(50, 10)
	if v := m.View(); strings.Contains(v, "\n") || !strings.Contains(v, "too small") {
		t.Errorf("too small view = %q", v)
	}
}

func TestScrollKeepsCursorVisible(t *testing.T) {
	res := sampleResult()
	for i := 0; i < 30; i++ {
		res.Alternatives = append(res.Alternatives, res.Alternatives[0])
	}
	m := newTest(&fakeRec{res: res}, Options{})
	m, cmd := press(t, m, "enter")
	m = feed(m, collect(t, cmd))
	m.SetSize(100, 24)
	m, _ = press(t, m, "a")
	for i := 0; i < 25; i++ {
		m, _ = press(t, m, "j")
	}
	v := m.View()
	if !strings.Contains(v, "▸ m5.xlarge") || !strings.Contains(v, "#26") {
		t.Errorf("cursor row not visible:\n%s", v)
	}
}

func TestSetFilterNarrowsTheTable(t *testing.T) {
	m := withResult(t, Options{})
	all := len(m.rows())
	if all < 2 || !m.ResultsFocused() {
		t.Fatalf("need a focused table of 2+ rows, have %d (focused %v)", all, m.ResultsFocused())
	}
	m, _ = press(t, m, "j")
	want := m.rows()[1].InstanceType
	m.SetFilter(func(c recommend.Choice) bool { return c.InstanceType == want })
	rows := m.rows()
	if len(rows) == 0 || len(rows) == all || m.cursor != 0 {
		t.Fatalf("filtered to %d of %d rows, cursor %d", len(rows), all, m.cursor)
	}
	for _, c := range rows {
		if c.InstanceType != want {
			t.Fatalf("row %s passes a filter for %s", c.InstanceType, want)
		}
	}
	if v := m.View(); strings.Count(v, want) == 0 {
		t.Fatalf("view lost %s:\n%s", want, v)
	}
	// A filter that hides the whole set says so, not that there is no set.
	m.SetFilter(func(recommend.Choice) bool { return false })
	if v := m.View(); !strings.Contains(v, "match the filter (esc clears it)") {
		t.Fatalf("a set hidden by the filter reads as an empty set:\n%s", v)
	}
	m.SetFilter(nil)
	if len(m.rows()) != all {
		t.Fatalf("nil filter shows %d of %d", len(m.rows()), all)
	}
}
