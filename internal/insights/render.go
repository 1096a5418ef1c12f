package insights

import (
	"encoding/csv"
	"encoding/json"

	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// ParseSince reads a period's length: days (7d), weeks (2w), or a Go
// duration (36h, 90m).
func ParseSince(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("--since %q is not a period: use days (7d), weeks (2w) or hours (36h)", s)
	if s == "" {
		return 0, bad
	}
	unit := 24 * time.Hour
	switch s[len(s)-1] {
	case 'w':
		unit *= 7
		fallthrough
	case 'd':
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil || n <= 0 || n > 3650 {
			return 0, bad
		}
		return time.Duration(n) * unit, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, bad
	}
	return d, nil
}

// WriteJSON writes the report as indented JSON (the API's body).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteCSV writes the report as one long table for spreadsheets: each row
// is section, key, label, value.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := func(section, key, label string, value any) {
		var v string
		switch x := value.(type) {
		case int:
			v = strconv.Itoa(x)
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			v = fmt.Sprint(x)
		}
		_ = cw.Write([]string{section, key, label, v})
	}
	row("section", "key", "label", "value")
	row("period", "from", "", r.From.Format(time.RFC3339))
	row("period", "to", "", r.To.Format(time.RFC3339))
	row("questions", "total", "", r.Questions)
	for _, o := range r.Outcomes {
		row("outcome", string(o.Outcome), o.Label, o.Count)
	}
	for _, o := range r.Outcomes {
		row("outcome_share", string(o.Outcome), o.Label, round(o.Share, 4))
	}
	for _, d := range r.Days {
		row("day", d.Day, "", d.Questions)
	}
	for _, d := range r.Days {
		for _, o := range Outcomes {
			row("day_outcome", d.Day, string(o), d.Outcomes[string(o)])
		}
	}
	for _, c := range r.Platforms {
		row("platform", c.Key, "", c.Count)
	}
	for _, c := range r.Intents {
		row("intent", c.Key, "", c.Count)
	}
	for _, oc := range r.Occupations {
		row("occupation", oc.Reference, oc.Title, oc.Questions)
	}
	for _, oc := range r.Occupations {
		for _, o := range Outcomes {
			row("occupation_outcome", oc.Reference, string(o), oc.Outcomes[string(o)])
		}
	}
	for _, c := range r.Routes {
		row("route", c.Key, "", c.Count)
	}
	for _, c := range r.Levels {
		row("level", c.Key, "", c.Count)
	}
	for _, c := range r.UnansweredTerms {
		row("unanswered_term", c.Key, "", c.Count)
	}
	for _, f := range r.Feedback {
		row("feedback_up", f.Reference, f.Title, f.Up)
		row("feedback_down", f.Reference, f.Title, f.Down)
	}
	for _, s := range r.Slowest {
		row("slowest", s.At.Format(time.RFC3339), strings.Join(nonEmpty(s.Platform, string(s.Outcome), s.Intent, s.Occupation), " "), round(s.LatencyMS, 1))
	}
	row("latency_ms", "mean", "", round(r.LatencyMS.Mean, 1))
	row("latency_ms", "max", "", round(r.LatencyMS.Max, 1))
	cw.Flush()
	return cw.Error()
}

// WriteText writes the report for a person at a terminal.
func (r *Report) WriteText(w io.Writer, where string) error {
	ew := &errWriter{w: w}
	days := len(r.Days)
	fmt.Fprintf(ew, "careersbot insights: %s to %s (%s, UTC)\n", r.From.Format("2006-01-02 15:04"), r.To.Format("2006-01-02 15:04"), plural(days, "day"))
	if where != "" {
		fmt.Fprintf(ew, "store: %s\n", where)
	}
	fmt.Fprintf(ew, "\nQuestions: %d\n", r.Questions)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, o := range r.Outcomes {
		fmt.Fprintf(tw, "  %s\t%d\t%.1f%%\t\n", o.Label, o.Count, 100*o.Share)
	}
	tw.Flush()

	section(ew, "Questions per day")
	most := 0
	for _, d := range r.Days {
		most = max(most, d.Questions)
	}
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, d := range r.Days {
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", d.Day, d.Questions, textBar(d.Questions, most, 40))
	}
	tw.Flush()

	list(ew, "Platforms", r.Platforms)
	list(ew, "Kinds of question", r.Intents)

	section(ew, "Top occupations")
	if len(r.Occupations) == 0 {
		fmt.Fprintln(ew, "  none")
	}
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, oc := range r.Occupations {
		var parts []string
		for _, o := range Outcomes {
			if n := oc.Outcomes[string(o)]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", o.Label(), n))
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\n", oc.Reference, oc.Title, strings.Join(nonEmpty(levelName(oc.Level), oc.Route), ", "), oc.Questions, strings.Join(parts, ", "))
	}
	tw.Flush()
	list(ew, "Top routes", r.Routes)
	list(ew, "Levels", r.Levels)
	list(ew, "Top unanswered terms", r.UnansweredTerms)

	section(ew, "Feedback per occupation")
	if len(r.Feedback) == 0 {
		fmt.Fprintln(ew, "  none")
	}
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, f := range r.Feedback {
		ref, title := f.Reference, f.Title
		if ref == "" {
			ref, title = "-", "(no occupation)"
		}
		fmt.Fprintf(tw, "  %s\t%s\thelpful %d\tnot helpful %d\n", ref, title, f.Up, f.Down)
	}
	tw.Flush()

	section(ew, "Slowest answers")
	if len(r.Slowest) == 0 {
		fmt.Fprintln(ew, "  none")
	}
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, s := range r.Slowest {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%.0f ms", s.At.Format("2006-01-02 15:04:05"), s.Platform, s.Outcome.Label(), orDash(s.Intent), orDash(s.Occupation), s.LatencyMS)
		if s.Question != "" {
			fmt.Fprintf(tw, "\t%q", s.Question)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(ew, "\nTime to answer: mean %.1f ms, longest %.1f ms\n", r.LatencyMS.Mean, r.LatencyMS.Max)
	return ew.err
}

func section(w io.Writer, title string) { fmt.Fprintf(w, "\n%s\n", title) }

func list(w io.Writer, title string, cs []Count) {
	section(w, title)
	if len(cs) == 0 {
		fmt.Fprintln(w, "  none")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range cs {
		fmt.Fprintf(tw, "  %s\t%d\n", orDash(c.Key), c.Count)
	}
	tw.Flush()
}

func textBar(n, most, width int) string {
	if most == 0 || n == 0 {
		return ""
	}
	return strings.Repeat("█", max(1, n*width/most))
}

func levelName(l int) string {
	if l <= 0 {
		return ""
	}
	return "level " + strconv.Itoa(l)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func round(x float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

// errWriter keeps the first write error, so a report's many writes are
// checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}
