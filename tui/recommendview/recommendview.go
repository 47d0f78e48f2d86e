// Package recommendview is the Recommend tab of the spotscope TUI: a workload
// profile form, the diversified set of capacity pools the model recommends
// with each pool's reasons, the ranked alternatives, and export of the set as
// a launch configuration to a file or to the clipboard (OSC 52).
//
// The root app embeds Model, calls SetSize with the area it gives the tab, and
// must forward every message it does not own to Update, also while another
// tab is showing: results and export outcomes arrive as messages and would
// otherwise be lost.
package recommendview

import (
	"context"
	"io"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/spotscope/spotscope/market/recommend"
)

// Recommender runs the model. Both methods are called only from tea.Cmds, so
// they may block on disk or network; Recommend must honour ctx.
type Recommender interface {
	Recommend(ctx context.Context, p recommend.Profile) (recommend.Result, error)
	Profiles() (map[string]recommend.Profile, error) // named profiles from the config file (may be empty)
}

// Options configures a Model. Zero values are usable.
type Options struct {
	// Defaults fills the form at start; its Regions and Window (which the
	// form does not show) are sent with every request unless a named profile
	// supplies its own.
	Defaults recommend.Profile
	// Regions is used when the profile names none.
	Regions []string
	// Clipboard receives OSC 52 sequences, normally the terminal (os.Stdout
	// or /dev/tty); nil disables copying.
	Clipboard io.Writer
	// ExportDir is where exported files go; "" means the working directory.
	ExportDir string
	// Now is the clock for export file names and the result timestamp.
	Now func() time.Time
	// Timeout bounds one recommendation; 0 means 2 minutes.
	Timeout time.Duration
}

// results is the focus value for the results table, after the form fields.
const results = numFields

// Model is the Recommend tab. It is a value type like the bubbles
// components: Update returns the new Model.
type Model struct {
	rec  Recommender
	opts Options
	keys keyMap
	st   styles
	spin spinner.Model

	form  form
	focus field

	w, h int

	running bool
	touched bool // a key reached the form since the run started
	gen     int  // only the answer to the latest request is shown
	cancel  context.CancelFunc

	result   *recommend.Result
	resultAt time.Time
	err      error // the last recommendation failed; shown instead of the table
	formErr  error // validation; nothing was run

	showAlts bool
	keep     func(recommend.Choice) bool // the host's filter on the table; nil shows all
	cursor   int
	offset   int

	format    int // index into formats
	status    string
	statusErr bool
}

type profilesMsg struct {
	profiles map[string]recommend.Profile
	err      error
}

type resultMsg struct {
	gen int
	res recommend.Result
	err error
}

type exportedMsg struct {
	status string
	err    error
}

// New builds the tab. Nothing runs until Init's command or the user's enter.
func New(r Recommender, opts Options) Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Minute
	}
	m := Model{
		rec:  r,
		opts: opts,
		keys: defaultKeys(),
		st:   defaultStyles(),
		spin: spinner.New(spinner.WithSpinner(spinner.Line)),
		form: newForm(opts.Defaults),
	}
	m.spin.Style = m.st.focus
	m.setFocus(fProfile)
	return m
}

// Init loads the named profiles; the config file is read in a command
// because Update must not do IO.
func (m Model) Init() tea.Cmd {
	r := m.rec
	return func() tea.Msg {
		ps, err := r.Profiles()
		return profilesMsg{profiles: ps, err: err}
	}
}

// SetSize gives the tab its area in cells.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.clampScroll()
}

// Capturing reports whether a text field has focus, so the root app must
// pass every key here instead of treating it as a global shortcut.
func (m Model) Capturing() bool {
	return m.focus < numFields && !specs[m.focus].cycler
}

func (m *Model) setFocus(f field) {
	if m.focus < numFields && !specs[m.focus].cycler {
		m.form.inputs[m.focus].Blur()
	}
	m.focus = f
	if f < numFields && !specs[f].cycler {
		// The cursor is static (see newForm), so Focus's blink command is
		// not needed.
		_ = m.form.inputs[f].Focus()
	}
}

// Update handles keys and the tab's own messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case profilesMsg:
		if msg.err != nil {
			m.setStatus("profiles: "+msg.err.Error(), true)
			return m, nil
		}
		m.form.setProfiles(msg.profiles)
		return m, nil
	case resultMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.running = false
		if m.cancel != nil {
			m.cancel()
			m.cancel = nil
		}
		if msg.err != nil {
			m.err = msg.err
			m.result = nil
			return m, nil
		}
		res := msg.res
		m.err = nil
		m.result = &res
		m.resultAt = m.opts.Now()
		m.showAlts = false
		m.cursor, m.offset = 0, 0
		// Land on the answer, since the next keys are most likely for
		// reading or exporting it, unless the user went on editing: their
		// next keystroke must not turn into a results command.
		if len(res.Pools) > 0 && !m.touched {
			m.setFocus(results)
		}
		return m, nil
	case exportedMsg:
		if msg.err != nil {
			m.setStatus("export failed: "+msg.err.Error(), true)
		} else {
			m.setStatus(msg.status, false)
		}
		return m, nil
	case spinner.TickMsg:
		if !m.running {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		if m.focus == results {
			return m.resultsKey(msg)
		}
		return m.formKey(msg)
	}
	return m, nil
}

func (m *Model) setStatus(s string, isErr bool) {
	m.status, m.statusErr = s, isErr
}

func (m Model) formKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	m.touched = true
	switch {
	case key.Matches(msg, m.keys.Run):
		return m.run()
	case key.Matches(msg, m.keys.Next):
		next := m.focus + 1
		if next == numFields && !m.hasRows() {
			next = 0
		}
		m.setFocus(next)
		return m, nil
	case key.Matches(msg, m.keys.Prev):
		prev := m.focus - 1
		if prev < 0 {
			prev = numFields - 1
			if m.hasRows() {
				prev = results
			}
		}
		m.setFocus(prev)
		return m, nil
	}
	if specs[m.focus].cycler {
		switch msg.String() {
		case "left":
			m.form.cycle(m.focus, -1)
		case "right", " ":
			m.form.cycle(m.focus, +1)
		}
		return m, nil
	}
	before := m.form.inputs[m.focus].Value()
	var cmd tea.Cmd
	m.form.inputs[m.focus], cmd = m.form.inputs[m.focus].Update(msg)
	if m.form.inputs[m.focus].Value() != before {
		m.formErr = nil
		// Edited values no longer are the named profile, though its
		// regions still apply.
		m.form.modified = true
	}
	return m, cmd
}

func (m Model) resultsKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	// Fast typing or key repeat can arrive as one KeyMsg ("jjj"); each rune
	// is a command here.
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			var cmd tea.Cmd
			m, cmd = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	}
	n := len(m.rows())
	page := max(1, m.layout().tableRows-1)
	switch {
	case key.Matches(msg, m.keys.Run):
		return m.run()
	case key.Matches(msg, m.keys.Up):
		m.cursor--
	case key.Matches(msg, m.keys.Down):
		m.cursor++
	case key.Matches(msg, m.keys.PageUp):
		m.cursor -= page
	case key.Matches(msg, m.keys.PageDown):
		m.cursor += page
	case msg.String() == "home" || msg.String() == "g":
		m.cursor = 0
	case msg.String() == "end" || msg.String() == "G":
		m.cursor = n - 1
	case key.Matches(msg, m.keys.Alts):
		m.showAlts = !m.showAlts
		m.cursor, m.offset = 0, 0
	case key.Matches(msg, m.keys.Format):
		m.format = (m.format + 1) % len(formats)
		m.setStatus("", false) // the status line names the format
	case key.Matches(msg, m.keys.WriteFile):
		return m.export(false)
	case key.Matches(msg, m.keys.Copy):
		return m.export(true)
	case key.Matches(msg, m.keys.Form):
		if msg.String() == "shift+tab" {
			m.setFocus(numFields - 1)
		} else {
			m.setFocus(fVCPUs)
		}
	}
	m.clampScroll()
	return m, nil
}

// run validates the form and starts a recommendation. A run already in
// flight is cancelled and its answer will be dropped by the generation check.
func (m Model) run() (Model, tea.Cmd) {
	p, err := m.form.parse(m.baseProfile())
	if err != nil {
		m.formErr = err
		return m, nil
	}
	m.formErr = nil
	m.touched = false
	if m.cancel != nil {
		m.cancel()
	}
	m.gen++
	ctx, cancel := context.WithTimeout(context.Background(), m.opts.Timeout)
	m.cancel = cancel
	wasRunning := m.running
	m.running = true
	cmd := recommendCmd(ctx, m.rec, m.gen, p)
	if wasRunning {
		return m, cmd
	}
	return m, tea.Batch(m.spin.Tick, cmd)
}

func (m Model) baseProfile() recommend.Profile {
	b := m.form.base
	if len(b.Regions) == 0 {
		b.Regions = append([]string(nil), m.opts.Regions...)
	}
	return b
}

func recommendCmd(ctx context.Context, r Recommender, gen int, p recommend.Profile) tea.Cmd {
	return func() tea.Msg {
		res, err := r.Recommend(ctx, p)
		return resultMsg{gen: gen, res: res, err: err}
	}
}

func (m Model) hasRows() bool {
	return m.result != nil && (len(m.result.Pools) > 0 || len(m.result.Alternatives) > 0)
}

// rows is the table on show: the chosen set or the alternatives, narrowed
// by the host's filter.
func (m Model) rows() []recommend.Choice {
	if m.result == nil {
		return nil
	}
	all := m.result.Pools
	if m.showAlts {
		all = m.result.Alternatives
	}
	if m.keep == nil {
		return all
	}
	out := make([]recommend.Choice, 0, len(all))
	for _, c := range all {
		if m.keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// ResultsFocused reports whether the results table has focus, where the
// host's filter keys act.
func (m Model) ResultsFocused() bool { return m.focus == results }

// SetFilter narrows the results table to the choices keep accepts (nil: all)
// and scrolls it to the top. Exports still write the whole result: the
// filter is a way to look, not part of the recommendation.
func (m *Model) SetFilter(keep func(recommend.Choice) bool) {
	m.keep = keep
	m.cursor, m.offset = 0, 0
	m.clampScroll()
}

func (m *Model) clampScroll() {
	n := len(m.rows())
	m.cursor = min(max(m.cursor, 0), max(n-1, 0))
	vis := max(m.layout().tableRows, 1)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+vis {
		m.offset = m.cursor - vis + 1
	}
	m.offset = min(max(m.offset, 0), max(n-vis, 0))
}
