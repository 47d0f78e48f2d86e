package tui

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/canvas/runes"
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
	short  string           // in the crosshair readout
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
	cross        time.Time // the crosshair; zero when off
	ref          refLine   // the On-Demand price, when known
	setRefs      []refLine // per set, its own reference (Compare's On-Demand of each type); value 0: none
	w, h         int
	chart        tslc.Model
	drawn        string
	ok           bool
}

// refLine is a horizontal reference drawn across the chart.
type refLine struct {
	label string
	value float64 // 0: none
	est   bool    // an estimate, not a list price
}

// near says the reference is worth bending the Y range for: within half the
// prices' top again, so a far-off On-Demand price does not flatten the spot
// lines (the legend says when it is off the chart).
func (r refLine) near(hi float64) bool { return r.value > 0 && r.value <= hi*1.5 }

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
// the axes; a flat series gets a band around its price. The reference line
// is included when it is near the prices (within half their top again), so
// a far-off On-Demand price does not flatten the spot lines; the legend says
// when it is off the chart.
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
	top := hi
	for _, r := range append([]refLine{c.ref}, c.setRefs...) {
		if r.near(top) {
			lo, hi = math.Min(lo, r.value), math.Max(hi, r.value)
		}
	}
	span := hi - lo
	if span < 1e-9 {
		span = math.Max(math.Abs(hi)*0.1, 0.001)
	}
	return math.Max(0, lo-span*0.05), hi + span*0.05
}

// draw rebuilds and renders the chart for the current data, size and view.
// Over ntcharts' braille lines it draws what colour alone cannot carry: each
// line's marker (the legend's), round time ticks, the reference line and the
// crosshair.
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
		// the X labels are drawn below at round times
		tslc.WithXLabelFormatter(func(int, float64) string { return "" }),
		tslc.WithYLabelFormatter(priceLabels((yhi-ylo)/float64(max(2, c.h/6)))),
		tslc.WithAxesStyles(st.muted, st.muted),
		tslc.WithZoneManager(zone.DefaultManager),
		// mouse wheel zooms and drag pans by a tenth of the view
		tslc.WithUpdateHandler(linechart.XAxisUpdateHandler(math.Max(1, span.Seconds()/10))),
	)
	for i, s := range c.sets {
		ch.SetDataSetStyle(s.name, seriesStyle(i))
		for _, p := range s.points {
			ch.PushDataSet(s.name, p)
		}
	}
	ch.SetViewTimeAndYRange(c.vStart, c.vEnd, ylo, yhi)
	ch.DrawBrailleAll()
	c.chart = ch
	c.drawRef(st, ylo, yhi)
	c.drawSetRefs(ylo, yhi)
	c.drawMarkers()
	c.drawTicks(st)
	c.drawCross(st)
	c.chart.Focus()
	c.drawn = c.chart.View()
	c.ok = true
	return c
}

func seriesStyle(i int) lipgloss.Style {
	return lipgloss.NewStyle().Foreground(seriesColors[i%len(seriesColors)])
}

func seriesMark(i int) rune { return []rune(seriesMarks[i%len(seriesMarks)])[0] }

// col maps a time to a graph column, and colTime back; the graph's first
// column sits right of the Y axis.
func (c chartState) col(t time.Time) int {
	gw := c.chart.GraphWidth()
	span := c.vEnd.Sub(c.vStart)
	if gw <= 1 || span <= 0 {
		return 0
	}
	return int(math.Round(float64(t.Sub(c.vStart)) / float64(span) * float64(gw-1)))
}

func (c chartState) colTime(col int) time.Time {
	gw := c.chart.GraphWidth()
	if gw <= 1 {
		return c.vStart
	}
	return c.vStart.Add(time.Duration(float64(c.vEnd.Sub(c.vStart)) * float64(col) / float64(gw-1)))
}

// canvasX is where graph column col is on the canvas.
func (c chartState) canvasX(col int) int { return c.chart.Origin().X + 1 + col }

// valueAt is set i's price at t: the step in effect then.
func (s chartSet) valueAt(t time.Time) (float64, bool) {
	j := sort.Search(len(s.points), func(j int) bool { return s.points[j].Time.After(t) })
	if j == 0 {
		return 0, false
	}
	return s.points[j-1].Value, true
}

// drawMarkers puts each line's legend marker on it every few columns,
// staggered between lines so they do not land on each other.
func (c *chartState) drawMarkers() {
	gw := c.chart.GraphWidth()
	every := max(6, gw/8)
	for i, s := range c.sets {
		style := seriesStyle(i)
		r := seriesMark(i)
		for col := (i*every)/len(c.sets) + every/2; col < gw; col += every {
			t := c.colTime(col)
			if v, ok := s.valueAt(t); ok {
				c.chart.DrawRuneWithStyle(canvas.Float64Point{X: float64(t.Unix()), Y: v}, r, style)
			}
		}
	}
}

// drawRef draws the reference price as a dashed line on the cells the lines
// leave empty.
func (c *chartState) drawRef(st styles, ylo, yhi float64) {
	if c.ref.value <= 0 || c.ref.value < ylo || c.ref.value > yhi {
		return
	}
	gw := c.chart.GraphWidth()
	for col := 0; col < gw; col++ {
		c.chart.DrawRuneWithStyle(canvas.Float64Point{X: float64(c.colTime(col).Unix()), Y: c.ref.value}, '╌', st.warn)
	}
}

// drawSetRefs draws each set's reference as a dashed line in the set's
// colour with its marker every few columns (staggered, as on the lines), so
// under NO_COLOR each still says whose it is. Dashes go first, markers
// after, so a reference on the same row as another keeps its markers.
func (c *chartState) drawSetRefs(ylo, yhi float64) {
	gw := c.chart.GraphWidth()
	every := max(6, gw/8)
	shown := func(r refLine) bool { return r.value > 0 && r.value >= ylo && r.value <= yhi }
	for i, r := range c.setRefs {
		if shown(r) {
			for col := 0; col < gw; col++ {
				c.chart.DrawRuneWithStyle(canvas.Float64Point{X: float64(c.colTime(col).Unix()), Y: r.value}, '╌', seriesStyle(i))
			}
		}
	}
	for i, r := range c.setRefs {
		if shown(r) {
			for col := (i*every)/len(c.setRefs) + every/4; col < gw; col += every {
				c.chart.DrawRuneWithStyle(canvas.Float64Point{X: float64(c.colTime(col).Unix()), Y: r.value}, seriesMark(i), seriesStyle(i))
			}
		}
	}
}

// drawTicks labels the X axis at round times, skipping a label that would
// run into the previous one or off the canvas.
func (c *chartState) drawTicks(st styles) {
	y := c.chart.Origin().Y + 1
	next := 0
	for _, tk := range timeTicks(c.vStart, c.vEnd, c.chart.GraphWidth()) {
		x := c.canvasX(c.col(tk.t))
		if x < next || x+len(tk.label) > c.chart.Canvas.Width() {
			continue
		}
		c.chart.Canvas.SetCell(canvas.Point{X: x, Y: y - 1}, canvas.NewCellWithStyle('┬', st.muted))
		c.chart.Canvas.SetStringWithStyle(canvas.Point{X: x, Y: y}, tk.label, st.muted)
		next = x + len(tk.label) + 1
	}
}

// drawCross draws the crosshair column on the cells the lines leave empty.
func (c *chartState) drawCross(st styles) {
	if c.cross.IsZero() {
		return
	}
	x := c.canvasX(c.col(c.cross))
	for y := 0; y < c.chart.Origin().Y; y++ {
		p := canvas.Point{X: x, Y: y}
		if cell := c.chart.Canvas.Cell(p); cell.Rune == runes.Null || cell.Rune == ' ' {
			c.chart.Canvas.SetCell(p, canvas.NewCellWithStyle('┊', st.accent))
		}
	}
}

// crossOn puts the crosshair at the view's centre, or takes it away.
func (c chartState) toggleCross() chartState {
	if !c.cross.IsZero() {
		c.cross = time.Time{}
		return c
	}
	c.cross = c.vStart.Add(c.vEnd.Sub(c.vStart) / 2)
	return c
}

// moveCross moves the crosshair by n graph columns, staying in the view.
func (c chartState) moveCross(n int) chartState {
	if c.cross.IsZero() {
		c = c.toggleCross()
	}
	gw := c.chart.GraphWidth()
	col := min(max(c.col(c.cross)+n, 0), max(gw-1, 0))
	c.cross = c.colTime(col)
	return c
}

// readout is the crosshair's time and every line's price then.
func (c chartState) readout(st styles) string {
	parts := []string{st.accent.Render("┊ " + c.cross.UTC().Format("2006-01-02 15:04Z"))}
	for i, s := range c.sets {
		v := "-"
		if p, ok := s.valueAt(c.cross); ok {
			v = fmtPrice(p)
		}
		parts = append(parts, seriesStyle(i).Render(seriesMarks[i%len(seriesMarks)])+" "+s.short+" "+v)
	}
	return strings.Join(parts, "  ")
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
	if !c.cross.IsZero() {
		if c.cross.Before(c.vStart) {
			c.cross = c.vStart
		}
		if c.cross.After(c.vEnd) {
			c.cross = c.vEnd
		}
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
	if msg.Action == tea.MouseActionPress && msg.Button == tea.MouseButtonLeft {
		// a click puts the crosshair under the pointer
		x, _ := zone.Get(c.chart.ZoneID()).Pos(msg)
		c.cross = c.colTime(min(max(x-c.chart.Origin().X-1, 0), c.chart.GraphWidth()-1))
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

// legend names every line and reference. When that does not fit in w
// cells, the lines go by their short names (an AZ without its ID, a type
// without its AZ), then the references lose their "above the chart" (the Y
// axis says as much), so the references, last, still show.
func (c chartState) legend(st styles, w int) string {
	l := c.legendWith(st, false, false)
	for _, short := range [][2]bool{{true, false}, {true, true}} {
		if lipgloss.Width(l) <= w {
			break
		}
		l = c.legendWith(st, short[0], short[1])
	}
	return truncate(l, w)
}

func (c chartState) legendWith(st styles, short, bare bool) string {
	var parts []string
	for i, s := range c.sets {
		name := s.label
		if short {
			name = s.short
		}
		parts = append(parts, seriesStyle(i).Render(seriesMarks[i%len(seriesMarks)])+" "+name)
	}
	if c.ref.value > 0 {
		ref := st.warn.Render("╌") + " " + c.ref.label + " " + fmtPrice(c.ref.value)
		if _, hi := c.yRange(); c.ref.value > hi && !bare {
			ref += " (above the chart)"
		}
		parts = append(parts, ref)
	}
	if ref := c.setRefsLegend(st, bare); ref != "" {
		parts = append(parts, ref)
	}
	return strings.Join(parts, "  ")
}

// setRefsLegend names the sets' references in one entry, each value with
// its set's marker: "╌ On-Demand ● 0.0960 ■ 0.1700 est.", with "est." up
// front when every one is an estimate and "above the chart" when every one
// is; bare leaves "above" out.
func (c chartState) setRefsLegend(st styles, bare bool) string {
	_, hi := c.yRange()
	allEst, allAbove, known := true, true, false
	for _, r := range c.setRefs {
		if r.value > 0 {
			known = true
			allEst = allEst && r.est
			allAbove = allAbove && r.value > hi
		}
	}
	if !known {
		return ""
	}
	head := "On-Demand"
	if allEst {
		head += " est."
	}
	if allAbove && !bare {
		head += ", above the chart:"
	}
	parts := []string{st.muted.Render("╌") + " " + head}
	for i, r := range c.setRefs {
		if r.value <= 0 {
			continue
		}
		v := seriesStyle(i).Render(seriesMarks[i%len(seriesMarks)]) + " " + fmtPrice(r.value)
		if r.est && !allEst {
			v += " est."
		}
		if r.value > hi && !allAbove && !bare {
			v += " (above)"
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, " ")
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
	hint := st.muted.Render(c.viewHint() + keys)
	if !c.cross.IsZero() {
		hint = c.readout(st)
	}
	return c.legend(st, w) + "\n" + c.drawn + "\n" + truncate(hint, w) + "\n", true
}
