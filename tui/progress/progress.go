// Package progress shows the progress of long command-line operations
// (fetch, export, import) on a stream: on a terminal, one redrawn line per
// item with a bar, the amount in its unit, the rate and an ETA; otherwise
// plain lines, a few of them, so that logs of cron jobs stay readable.
//
//	p := progress.New(os.Stderr, isTerminal, time.Now)
//	p.Update(progress.State{Key: "sa-east-1", Done: 120, Total: 300, Unit: "records"})
//	...
//	p.Update(progress.State{Key: "sa-east-1", Done: 300, Total: 300, Unit: "records", Finished: true})
//	p.Clear()
//
// A Printer is not safe for concurrent use; callers serialize updates.
package progress

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// State is one item's progress.
type State struct {
	Key   string  // identifies the item across updates; shown as its label
	Done  float64 // amount done, in Unit
	Total float64 // amount in all, in Unit; 0 when unknown
	// Fraction, when > 0, is the share done (0..1) when it is not
	// Done/Total: a fetch knows how much time its pages cover, not how
	// many pages are left.
	Fraction float64
	Unit     string // plural noun of Done and the rate: "pages", "records"
	Note     string // anything else worth a glance: "2 retries"
	Finished bool
	Err      error // set with Finished when the item failed
}

// PlainEvery is how often a plain (non-terminal) printer writes a line for
// an item that is still running.
const PlainEvery = 30 * time.Second

// BarWidth is the width of a bar between its brackets.
const BarWidth = 20

// Printer writes the progress of items to a stream.
type Printer struct {
	// Width, when > 0, is the terminal's width: longer lines are cut, as a
	// wrapped line would break the redraw.
	Width int

	w   io.Writer
	tty bool
	now func() time.Time

	order  []string
	states map[string]State
	start  map[string]time.Time
	last   map[string]time.Time // last plain line
	drawn  int                  // lines on screen from the last redraw
}

// New returns a printer writing to w: redrawn bars when tty, else plain
// lines. now is the clock for rates and ETAs.
func New(w io.Writer, tty bool, now func() time.Time) *Printer {
	if now == nil {
		now = time.Now
	}
	return &Printer{w: w, tty: tty, now: now, states: map[string]State{}, start: map[string]time.Time{}, last: map[string]time.Time{}}
}

// Update records s and shows it.
func (p *Printer) Update(s State) {
	now := p.now()
	if _, ok := p.states[s.Key]; !ok {
		p.order = append(p.order, s.Key)
		p.start[s.Key] = now
		p.last[s.Key] = now
	}
	prev := p.states[s.Key]
	p.states[s.Key] = s
	if p.tty {
		p.redraw(now)
		return
	}
	switch {
	case s.Finished && !prev.Finished:
		fmt.Fprintln(p.w, Line(s, now.Sub(p.start[s.Key])))
	case !s.Finished && now.Sub(p.last[s.Key]) >= PlainEvery:
		p.last[s.Key] = now
		fmt.Fprintln(p.w, Line(s, now.Sub(p.start[s.Key])))
	}
}

// Clear removes the bars from a terminal, leaving the cursor where they
// began, so that a summary line can follow. It does nothing on a plain
// stream.
func (p *Printer) Clear() {
	if !p.tty || p.drawn == 0 {
		return
	}
	var b strings.Builder
	p.moveUp(&b)
	for i := range p.drawn {
		b.WriteString("\x1b[2K")
		if i < p.drawn-1 {
			b.WriteString("\n")
		}
	}
	p.moveUp(&b)
	p.drawn = 0
	io.WriteString(p.w, b.String())
}

func (p *Printer) moveUp(b *strings.Builder) {
	b.WriteString("\r")
	if p.drawn > 1 {
		fmt.Fprintf(b, "\x1b[%dA", p.drawn-1)
	}
}

func (p *Printer) redraw(now time.Time) {
	var b strings.Builder
	p.moveUp(&b)
	for i, k := range p.order {
		b.WriteString("\x1b[2K")
		b.WriteString(cut(Line(p.states[k], now.Sub(p.start[k])), p.Width))
		if i < len(p.order)-1 {
			b.WriteString("\n")
		}
	}
	p.drawn = len(p.order)
	io.WriteString(p.w, b.String())
}

// cut shortens s to fewer than width runes (the last column stays free,
// as some terminals wrap when it is written).
func cut(s string, width int) string {
	if width <= 1 {
		return s
	}
	r := []rune(s)
	if len(r) < width {
		return s
	}
	return string(r[:width-2]) + "…"
}

// Line renders one item after elapsed: its label, a bar, the share done,
// the amount, the rate and either the ETA, the time taken or the error.
//
//	sa-east-1 [████████░░░░░░░░░░░░]  40%  120 pages  19.8 pages/s  ETA 9s
func Line(s State, elapsed time.Duration) string {
	f := fraction(s)
	parts := []string{s.Key}
	if f >= 0 {
		parts = append(parts, Bar(f, BarWidth), fmt.Sprintf("%3.0f%%", math.Floor(f*100)))
	}
	amount := Amount(s.Done)
	if s.Total > 0 && s.Fraction <= 0 {
		amount += "/" + Amount(s.Total)
	}
	parts = append(parts, amount+" "+unitOf(s.Done, s.Total, s.Unit))
	if secs := elapsed.Seconds(); secs > 0 && s.Done > 0 {
		parts = append(parts, fmt.Sprintf("%s %s/s", Rate(s.Done/secs), s.Unit))
	}
	switch {
	case s.Err != nil:
		parts = append(parts, "failed: "+strings.Join(strings.Fields(s.Err.Error()), " "))
	case s.Finished:
		parts = append(parts, "done in "+Duration(elapsed))
	case f > 0 && f < 1 && elapsed > 0:
		parts = append(parts, "ETA "+Duration(time.Duration(float64(elapsed)*(1-f)/f)))
	}
	if s.Note != "" {
		parts = append(parts, s.Note)
	}
	return strings.Join(parts, "  ")
}

// unitOf is unit in the singular for one of one (or of an unknown total):
// "1 page", but "1/4 pages".
func unitOf(done, total float64, unit string) string {
	if math.Round(done) == 1 && (total == 0 || total == 1) {
		return strings.TrimSuffix(unit, "s")
	}
	return unit
}

// fraction is the share done, or -1 when unknown.
func fraction(s State) float64 {
	switch {
	case s.Finished && s.Err == nil:
		return 1
	case s.Fraction > 0:
		return min(s.Fraction, 1)
	case s.Total > 0:
		return min(max(s.Done/s.Total, 0), 1)
	}
	return -1
}

// Bar draws f (0..1) in width cells.
func Bar(f float64, width int) string {
	n := int(math.Round(min(max(f, 0), 1) * float64(width)))
	return "[" + strings.Repeat("█", n) + strings.Repeat("░", width-n) + "]"
}

// Amount spells a count with thousands separators: 1234567 -> "1,234,567".
func Amount(v float64) string {
	n := int64(math.Round(v))
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Rate spells a per-second rate with sensible precision.
func Rate(v float64) string {
	switch {
	case v >= 1000:
		return Amount(v)
	case v >= 10:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// Duration spells an ETA or a time taken: "45s", "3m05s", "1h02m".
func Duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
