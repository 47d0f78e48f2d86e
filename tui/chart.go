package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/linechart"
	tslc "github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	zone "github.com/lrstanley/bubblezone"

	"github.com/spotscope/spotscope/market"
)

// chartSet is one line: an AZ of a type, or a compared type.
type chartSet struct {
	name   string
	label  string
	points []tslc.TimePoint // step-expanded, clipped to the range
}

// chartState wraps the ntcharts time-series chart. The chart is retained
// mode and seeds itself with time.Now, so every change rebuilds it with the
// time and Y range taken from the data (tui-stack.md §1.3) and caches the
// drawn string; View never draws.
type chartState struct {
	sets         []chartSet
	start, end   time.Time // the window
	vStart, vEnd time.Time // the zoomed view inside it
	w, h         int
	chart        tslc.Model
	drawn        string
	ok           bool
}

// stepPoints turns a step-function series into the corner points a line
// chart needs, so a price holds flat until the next record instead of
// sloping towards it. scale divides prices (per-vCPU view).
func stepPoints(pts []market.Point, start, end time.Time, scale float64) []tslc.TimePoint {
	if len(pts) == 0 {
		return nil
	}
	if scale == 0 {
		scale = 1
	}
	out := make([]tslc.TimePoint, 0, 2*len(pts)+1)
	var prev float64
	for i, p := range pts {
		t := p.Time
		if t.Before(start) {
			t = start
		}
		if t.After(end) {
			break
		}
		v := p.Price / scale
		if i > 0 {
			out = append(out, tslc.TimePoint{Time: t, Value: prev})
		}
		out = append(out, tslc.TimePoint{Time: t, Value: v})
		prev = v
	}
	if len(out) > 0 {
		out = append(out, tslc.TimePoint{Time: end, Value: prev})
	}
	return out
}

func (c chartState) setData(sets []chartSet, start, end time.Time) chartState {
	c.sets, c.start, c.end = sets, start, end
	c.vStart, c.vEnd = start, end
	return c
}

func (c chartState) resize(w, h int) chartState {
	c.w, c.h = w, h
	return c
}

// yRange spans the values inside the view, padded 5% so lines do not sit on
// the axes; a flat series gets a band around its price.
func (c chartState) yRange() (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range c.sets {
		for i, p := range s.points {
			inView := !p.Time.Before(c.vStart) && !p.Time.After(c.vEnd)
			// the step in effect when the view starts counts too
			holds := i+1 < len(s.points) && !p.Time.After(c.vStart) && s.points[i+1].Time.After(c.vStart)
			if inView || holds {
				lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
			}
		}
	}
	if math.IsInf(lo, 0) {
		return 0, 1
	}
	span := hi - lo
	if span < 1e-9 {
		span = math.Max(math.Abs(hi)*0.1, 0.001)
	}
	return math.Max(0, lo-span*0.05), hi + span*0.05
}

// draw rebuilds and renders the chart for the current data, size and view.
func (c chartState) draw(st styles) chartState {
	c.ok = false
	if c.w < 20 || c.h < 4 || len(c.sets) == 0 || !c.end.After(c.start) {
		c.drawn = ""
		return c
	}
	ylo, yhi := c.yRange()
	span := c.vEnd.Sub(c.vStart)
	ch := tslc.New(c.w, c.h,
		tslc.WithTimeRange(c.start, c.end),
		tslc.WithYRange(ylo, yhi),
		tslc.WithXYSteps(2, max(2, c.h/6)),
		tslc.WithXLabelFormatter(timeLabels(span)),
		tslc.WithYLabelFormatter(priceLabels((yhi-ylo)/float64(max(2, c.h/6)))),
		tslc.WithAxesStyles(st.muted, st.muted),
		tslc.WithZoneManager(zone.DefaultManager),
		// mouse wheel zooms and drag pans by a tenth of the view
		tslc.WithUpdateHandler(linechart.XAxisUpdateHandler(math.Max(1, span.Seconds()/10))),
	)
	for i, s := range c.sets {
		ch.SetDataSetStyle(s.name, lipgloss.NewStyle().Foreground(seriesColors[i%len(seriesColors)]))
		for _, p := range s.points {
			ch.PushDataSet(s.name, p)
		}
	}
	ch.SetViewTimeAndYRange(c.vStart, c.vEnd, ylo, yhi)
	ch.DrawBrailleAll()
	ch.Focus()
	c.chart = ch
	c.drawn = ch.View()
	c.ok = true
	return c
}

// priceLabels shows one decimal more than the gap between two labels needs,
// so evenly spaced ticks read as evenly spaced ($0.16, $0.14, $0.12 would
// otherwise round to $0.16, $0.14, $0.12, $0.10, $0.07) and a flat price's
// narrow band still gets distinct labels.
func priceLabels(step float64) func(int, float64) string {
	dec := 4
	if step > 0 {
		dec = min(6, max(2, int(math.Ceil(-math.Log10(step)))+1))
	}
	return func(_ int, v float64) string { return fmt.Sprintf("$%.*f", dec, v) }
}

func timeLabels(span time.Duration) func(int, float64) string {
	return func(_ int, v float64) string {
		t := time.Unix(int64(v), 0).UTC()
		switch {
		case span <= 2*24*time.Hour:
			return t.Format("01/02 15:04")
		case span <= 200*24*time.Hour:
			return t.Format("01/02")
		default:
			return t.Format("2006-01")
		}
	}
}

// zoom scales the view around its centre; factor < 1 zooms in. The view
// never gets narrower than an hour or wider than the window.
func (c chartState) zoom(factor float64) chartState {
	span := time.Duration(float64(c.vEnd.Sub(c.vStart)) * factor)
	full := c.end.Sub(c.start)
	span = max(min(span, full), min(time.Hour, full))
	mid := c.vStart.Add(c.vEnd.Sub(c.vStart) / 2)
	c.vStart, c.vEnd = mid.Add(-span/2), mid.Add(span/2)
	return c.clampView()
}

// pan moves the view by frac of its width.
func (c chartState) pan(frac float64) chartState {
	d := time.Duration(float64(c.vEnd.Sub(c.vStart)) * frac)
	c.vStart, c.vEnd = c.vStart.Add(d), c.vEnd.Add(d)
	return c.clampView()
}

func (c chartState) clampView() chartState {
	span := c.vEnd.Sub(c.vStart)
	if c.vStart.Before(c.start) {
		c.vStart, c.vEnd = c.start, c.start.Add(span)
	}
	if c.vEnd.After(c.end) {
		c.vStart, c.vEnd = c.end.Add(-span), c.end
	}
	if c.vStart.Before(c.start) {
		c.vStart = c.start
	}
	return c
}

func (c chartState) zoomed() bool { return c.vStart.After(c.start) || c.vEnd.Before(c.end) }

// mouse hands wheel and drag events inside the chart to ntcharts, then reads
// the view range back so the next rebuild keeps it.
func (c chartState) mouse(msg tea.MouseMsg, st styles) chartState {
	if !c.ok || !zone.Get(c.chart.ZoneID()).InBounds(msg) {
		return c
	}
	ch, _ := c.chart.Update(msg)
	vs := time.Unix(int64(ch.ViewMinX()), 0).UTC()
	ve := time.Unix(int64(ch.ViewMaxX()), 0).UTC()
	if !ve.After(vs) {
		return c
	}
	c.chart = ch
	c.vStart, c.vEnd = vs, ve
	return c.clampView().draw(st)
}

func (c chartState) legend(st styles) string {
	var parts []string
	for i, s := range c.sets {
		mark := lipgloss.NewStyle().Foreground(seriesColors[i%len(seriesColors)]).Render(seriesMarks[i%len(seriesMarks)])
		parts = append(parts, mark+" "+s.label)
	}
	return strings.Join(parts, "  ")
}

func (c chartState) viewHint() string {
	full := c.end.Sub(c.start)
	if !c.zoomed() {
		return fmt.Sprintf("showing all %s", fmtSpan(full))
	}
	return fmt.Sprintf("showing %s of %s (%s .. %s)", fmtSpan(c.vEnd.Sub(c.vStart)), fmtSpan(full),
		c.vStart.UTC().Format("01/02 15:04"), c.vEnd.UTC().Format("01/02 15:04"))
}

func fmtSpan(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%.1fd", d.Hours()/24)
	}
	return fmt.Sprintf("%.1fh", d.Hours())
}

// section is a chart view's middle: the load error or "loading", else the
// legend, the chart and the key hint. ready is false when the view should
// stop there.
func (c chartState) section(st styles, w int, err error, loading bool, keys string) (out string, ready bool) {
	switch {
	case err != nil:
		return st.errText.Render("could not load the series: " + err.Error()), false
	case loading && !c.ok:
		return st.muted.Render("loading series…"), false
	}
	return truncate(c.legend(st), w) + "\n" + c.drawn + "\n" + truncate(st.muted.Render(c.viewHint()+keys), w) + "\n", true
}
