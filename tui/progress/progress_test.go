package progress

import (
	"errors"
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLine(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       State
		elapsed time.Duration
		want    string
	}{
		{"counted", State{Key: "export", Done: 250_000, Total: 1_000_000, Unit: "records"}, 10 * time.Second,
			"export  [█████░░░░░░░░░░░░░░░]   25%  250,000/1,000,000 records  25,000 records/s  ETA 30s"},
		{"by fraction", State{Key: "sa-east-1", Done: 40, Fraction: 0.4, Unit: "pages", Note: "1 retry"}, 2 * time.Second,
			"sa-east-1  [████████░░░░░░░░░░░░]   40%  40 pages  20 pages/s  ETA 3s  1 retry"},
		{"unknown total", State{Key: "import", Done: 1234, Unit: "records"}, 4 * time.Second,
			"import  1,234 records  308 records/s"},
		{"finished", State{Key: "us-east-1", Done: 7, Fraction: 0.5, Unit: "pages", Finished: true}, 2 * time.Second,
			"us-east-1  [████████████████████]  100%  7 pages  3.5 pages/s  done in 2s"},
		{"failed", State{Key: "us-east-1", Done: 3, Fraction: 0.5, Unit: "pages", Finished: true, Err: errors.New("cannot\nreach")}, time.Minute + 5*time.Second,
			"us-east-1  [██████████░░░░░░░░░░]   50%  3 pages  0.0 pages/s  failed: cannot reach"},
		{"one", State{Key: "eu-west-1", Done: 1, Fraction: 0.5, Unit: "pages", Finished: true}, time.Second,
			"eu-west-1  [████████████████████]  100%  1 page  1.0 pages/s  done in 1s"},
		{"nothing yet", State{Key: "x", Total: 10, Unit: "files"}, 0,
			"x  [░░░░░░░░░░░░░░░░░░░░]    0%  0/10 files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.s, tc.elapsed); got != tc.want {
				t.Errorf("\ngot  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestFormatting(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4321: "-4,321"} {
		if got := Amount(in); got != want {
			t.Errorf("Amount(%v) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[time.Duration]string{4 * time.Second: "4s", 185 * time.Second: "3m05s", 3720 * time.Second: "1h02m"} {
		if got := Duration(in); got != want {
			t.Errorf("Duration(%v) = %q, want %q", in, got, want)
		}
	}
	if got := Bar(1.5, 4); got != "[████]" {
		t.Errorf("Bar clamps: %q", got)
	}
}

func TestTerminalRedrawsInPlace(t *testing.T) {
	var b strings.Builder
	c := &clock{t: time.Unix(0, 0)}
	p := New(&b, true, c.now)
	p.Update(State{Key: "a", Done: 1, Total: 4, Unit: "pages"})
	p.Update(State{Key: "b", Done: 0, Total: 2, Unit: "pages"})
	c.advance(time.Second)
	p.Update(State{Key: "a", Done: 2, Total: 4, Unit: "pages"})
	p.Clear()
	out := b.String()
	// Each redraw returns to the first line of the block, clears and
	// writes every line; the last one leaves the cursor at the block's
	// start.
	frames := strings.Split(out, "\r")
	if len(frames) != 6 || frames[0] != "" {
		t.Fatalf("frames %q", frames)
	}
	if !strings.HasPrefix(frames[3], "\x1b[1A\x1b[2Ka  [") || !strings.Contains(frames[3], "2/4 pages  2.0 pages/s  ETA 1s\n\x1b[2Kb  [") {
		t.Errorf("third frame %q", frames[3])
	}
	if frames[4] != "\x1b[1A\x1b[2K\n\x1b[2K" || frames[5] != "\x1b[1A" {
		t.Errorf("clear %q", frames[4:])
	}
}

func TestPlainLinesAreFew(t *testing.T) {
	var b strings.Builder
	c := &clock{t: time.Unix(0, 0)}
	p := New(&b, false, c.now)
	for i := range 100 {
		c.advance(time.Second)
		p.Update(State{Key: "sa-east-1", Done: float64(i), Fraction: float64(i) / 100, Unit: "pages"})
	}
	p.Update(State{Key: "sa-east-1", Done: 100, Unit: "pages", Finished: true})
	p.Update(State{Key: "sa-east-1", Done: 100, Unit: "pages", Finished: true})
	p.Clear()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	// One line every PlainEvery while running, one when done, and no
	// escape codes.
	if len(lines) != 100/int(PlainEvery.Seconds())+1 || strings.Contains(b.String(), "\x1b") {
		t.Fatalf("plain output:\n%s", b.String())
	}
	if !strings.Contains(lines[len(lines)-1], "done in 1m39s") || !strings.Contains(lines[0], "ETA") {
		t.Errorf("lines %q", lines)
	}
}

func TestTerminalLinesFitTheWidth(t *testing.T) {
	var b strings.Builder
	p := New(&b, true, (&clock{t: time.Unix(0, 0)}).now)
	p.Width = 40
	p.Update(State{Key: "us-east-1", Done: 330, Fraction: 0.94, Unit: "pages", Note: "324,469 records, 308,447 new"})
	line := strings.TrimPrefix(b.String(), "\r\x1b[2K")
	if n := len([]rune(line)); n != 39 || !strings.HasSuffix(line, "…") {
		t.Errorf("%d runes: %q", n, line)
	}
}
