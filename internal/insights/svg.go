package insights

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"unicode/utf8"
)

// The charts are SVG drawn here, in the page: no script, no library, no
// request. Colours come from the stylesheet by class (the page's policy
// allows no inline style); each mark carries its figure in data-value, and
// a <title> says it in words for a pointer or a screen reader.

const (
	chartWidth = 720
	rowHeight  = 26
	labelWidth = 250
)

// bar is one row of a horizontal bar chart.
type bar struct {
	Label string
	Key   string // data-key
	Value int
	Class string // the bar's class: an outcome, or ""
	Note  string // after the value: "12.5%"
}

// hbars draws labelled horizontal bars, longest first as given.
func hbars(name string, bars []bar) template.HTML {
	if len(bars) == 0 {
		return template.HTML(`<p class="none">None in this period.</p>`)
	}
	most := 0
	for _, b := range bars {
		most = max(most, b.Value)
	}
	h := len(bars)*rowHeight + 4
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart hbars" data-chart="%s" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		attr(name), chartWidth, h, attr(name))
	barSpace := float64(chartWidth - labelWidth - 90)
	for i, b := range bars {
		y := i*rowHeight + 2
		w := 0.0
		if most > 0 {
			w = barSpace * float64(b.Value) / float64(most)
		}
		if b.Value > 0 && w < 2 {
			w = 2
		}
		value := fmt.Sprint(b.Value)
		if b.Note != "" {
			value += " (" + b.Note + ")"
		}
		fmt.Fprintf(&s, `<g class="row" data-key="%s" data-value="%d"><title>%s: %s</title>`, attr(b.Key), b.Value, esc(b.Label), esc(value))
		fmt.Fprintf(&s, `<text class="label" x="%d" y="%d">%s</text>`, labelWidth-8, y+17, esc(shorten(b.Label, 34)))
		if w > 0 {
			fmt.Fprintf(&s, `<rect class="bar %s" x="%d" y="%d" width="%.1f" height="%d" rx="2"></rect>`, attr(b.Class), labelWidth, y+3, w, rowHeight-8)
		}
		fmt.Fprintf(&s, `<text class="value" x="%.1f" y="%d">%s</text>`, float64(labelWidth)+w+6, y+17, esc(value))
		s.WriteString(`</g>`)
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// dayColumns draws the questions of each day as a column stacked by
// outcome, with the largest day's count on the axis.
func dayColumns(days []DayCount) template.HTML {
	const height, top, bottom, left = 220, 12, 28, 44
	most := 0
	for _, d := range days {
		most = max(most, d.Questions)
	}
	plot := float64(height - top - bottom)
	step := float64(chartWidth-left-8) / float64(max(len(days), 1))
	gap := min(step*0.2, 6)
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart columns" data-chart="questions per day" viewBox="0 0 %d %d" role="img" aria-label="questions per day">`, chartWidth, height)
	// The axis: 0 and the most in a day.
	fmt.Fprintf(&s, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"></line>`, left, height-bottom, chartWidth-4, height-bottom)
	fmt.Fprintf(&s, `<text class="tick" x="%d" y="%d">0</text>`, left-6, height-bottom+4)
	if most > 0 {
		fmt.Fprintf(&s, `<line class="grid" x1="%d" y1="%d" x2="%d" y2="%d"></line>`, left, top, chartWidth-4, top)
		fmt.Fprintf(&s, `<text class="tick" x="%d" y="%d">%d</text>`, left-6, top+4, most)
	}
	for i, d := range days {
		x := float64(left) + float64(i)*step + gap/2
		var parts []string
		for _, o := range Outcomes {
			if n := d.Outcomes[string(o)]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", o.Label(), n))
			}
		}
		title := fmt.Sprintf("%s: %s", d.Day, plural(d.Questions, "question"))
		if len(parts) > 0 {
			title += " (" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(&s, `<g class="day" data-day="%s" data-value="%d"><title>%s</title>`, attr(d.Day), d.Questions, esc(title))
		// A full-height hit area, so an empty day still shows its title.
		fmt.Fprintf(&s, `<rect class="hit" x="%.1f" y="%d" width="%.1f" height="%.0f"></rect>`, x, top, step-gap, plot)
		y := float64(height - bottom)
		for _, o := range Outcomes {
			n := d.Outcomes[string(o)]
			if n == 0 || most == 0 {
				continue
			}
			h := plot * float64(n) / float64(most)
			y -= h
			fmt.Fprintf(&s, `<rect class="bar %s" data-outcome="%s" data-value="%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`,
				o, o, n, x, y, step-gap, h)
		}
		s.WriteString(`</g>`)
	}
	// Dates under the first, middle and last columns.
	for _, i := range dayTicks(len(days)) {
		x := float64(left) + (float64(i)+0.5)*step
		fmt.Fprintf(&s, `<text class="date" x="%.1f" y="%d">%s</text>`, x, height-8, esc(shortDay(days[i].Day)))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

func dayTicks(n int) []int {
	switch {
	case n == 0:
		return nil
	case n <= 2:
		return []int{0, n - 1}[:n]
	}
	return []int{0, n / 2, n - 1}
}

// shortDay writes 2026-03-02 as 2 Mar.
func shortDay(day string) string {
	var y, m, d int
	if _, err := fmt.Sscanf(day, "%d-%d-%d", &y, &m, &d); err != nil || m < 1 || m > 12 {
		return day
	}
	return fmt.Sprintf("%d %s", d, [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[m-1])
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func esc(s string) string  { return html.EscapeString(s) }
func attr(s string) string { return html.EscapeString(s) }
