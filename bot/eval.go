package bot

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// EvalCase is one line of an eval file (docs/interfaces.md section 6): a question
// and the checks a good answer passes.
type EvalCase struct {
	Q         string   `json:"q"`
	Ref       string   `json:"ref,omitempty"`
	All       []string `json:"all,omitempty"`
	Any       []string `json:"any,omitempty"`
	AnswerHas []string `json:"answer_has,omitempty"`
	Grounded  *bool    `json:"grounded,omitempty"`
	RefsAny   []string `json:"refs_any,omitempty"`
	RefTop    string   `json:"ref_top,omitempty"`
	// Distress checks that the answer is (true) or is not (false) the
	// safeguarding reply.
	Distress *bool `json:"distress,omitempty"`
	// Category names the line's class, for pass rates per class.
	Category string `json:"category,omitempty"`
	// After holds earlier questions of the same conversation, asked first
	// in order, as a follow-up through chat would be.
	After []string `json:"after,omitempty"`
	Line  int      `json:"-"`
}

// ParseEval reads an eval file; errors name the line.
func ParseEval(name string, r io.Reader) ([]EvalCase, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var out []EvalCase
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var c EvalCase
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s:%d: not an eval line (one JSON object with \"q\" and a check): %v", name, n, err)
		}
		if strings.TrimSpace(c.Q) == "" {
			return nil, fmt.Errorf("%s:%d: no question in \"q\"", name, n)
		}
		if c.All == nil && c.Any == nil && c.AnswerHas == nil && c.Grounded == nil && c.RefsAny == nil && c.RefTop == "" && c.Distress == nil {
			return nil, fmt.Errorf("%s:%d: no check: give one of all, any, answer_has, grounded, refs_any, ref_top, distress", name, n)
		}
		// An expected label is read as the index writes it: a file
		// written from the sources says K047 where the citation says
		// K47.
		for _, ids := range [][]string{c.All, c.Any} {
			for i, id := range ids {
				ids[i] = retrieval.NormaliseLabel(id)
			}
		}
		c.Line = n
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// Check reports whether an answer passes the case, and if not, why.
func (c EvalCase) Check(a Answer) (bool, string) {
	ids := func(cits []Citation, ref string) []string {
		var out []string
		for _, ct := range cits {
			if ref == "" || ct.Reference == ref {
				out = append(out, ct.ID)
			}
		}
		return out
	}
	top := func(n int) []Citation { return a.Citations[:min(n, len(a.Citations))] }
	if c.Distress != nil && (a.Intent == IntentDistress) != *c.Distress {
		if *c.Distress {
			return false, "not the safeguarding reply"
		}
		return false, "the safeguarding reply to a question that shows no distress"
	}
	if c.Grounded != nil && a.Grounded != *c.Grounded {
		return false, fmt.Sprintf("grounded is %v, want %v", a.Grounded, *c.Grounded)
	}
	if len(c.All) > 0 {
		have := ids(a.Citations, c.Ref)
		var missing []string
		for _, id := range c.All {
			if !slices.Contains(have, id) {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			return false, fmt.Sprintf("citations%s lack %s", ofRef(c.Ref), strings.Join(missing, " "))
		}
	}
	if len(c.Any) > 0 {
		found := false
		for _, ct := range top(5) {
			if c.Ref != "" && ct.Reference != c.Ref {
				continue
			}
			for _, id := range c.Any {
				if ct.ID == id || (id == "overview" && strings.HasPrefix(ct.ID, "overview-")) {
					found = true
				}
			}
		}
		if !found {
			return false, fmt.Sprintf("none of %s%s among the top 5 citations (got %s)", strings.Join(c.Any, " "), ofRef(c.Ref), keys(top(5)))
		}
	}
	if len(c.AnswerHas) > 0 {
		lower := strings.ToLower(a.Text)
		for _, s := range c.AnswerHas {
			if !strings.Contains(lower, strings.ToLower(s)) {
				return false, fmt.Sprintf("answer lacks %q", s)
			}
		}
	}
	if len(c.RefsAny) > 0 {
		if !slices.ContainsFunc(top(10), func(ct Citation) bool { return slices.Contains(c.RefsAny, ct.Reference) }) {
			return false, fmt.Sprintf("no top-10 citation from %s (got %s)", strings.Join(c.RefsAny, " "), keys(top(10)))
		}
	}
	if c.RefTop != "" {
		if len(a.Citations) == 0 || a.Citations[0].Reference != c.RefTop {
			return false, fmt.Sprintf("first citation is not from %s (got %s)", c.RefTop, keys(top(1)))
		}
	}
	return true, ""
}

func ofRef(ref string) string {
	if ref == "" {
		return ""
	}
	return " of " + ref
}

func keys(cits []Citation) string {
	if len(cits) == 0 {
		return "none"
	}
	var out []string
	for _, c := range cits {
		out = append(out, c.Reference+" "+c.ID)
	}
	return strings.Join(out, ", ")
}

// EvalResult is one case's outcome.
type EvalResult struct {
	Case   EvalCase
	Pass   bool
	Why    string
	Answer Answer
}

// RunEval asks every case's question and checks the answer.
func RunEval(ctx context.Context, asker Asker, cases []EvalCase) ([]EvalResult, error) {
	out := make([]EvalResult, 0, len(cases))
	for _, c := range cases {
		var conv Context
		for _, earlier := range c.After {
			if a, err := asker.Ask(ctx, Question{Text: earlier, Context: conv, Via: "eval"}); err == nil && a.Occupation != "" {
				conv = Context{Occupation: a.Occupation}
			}
		}
		a, err := asker.Ask(ctx, Question{Text: c.Q, Context: conv, Via: "eval"})
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			out = append(out, EvalResult{Case: c, Why: "error: " + err.Error()})
			continue
		}
		pass, why := c.Check(a)
		out = append(out, EvalResult{Case: c, Pass: pass, Why: why, Answer: a})
	}
	return out, nil
}

// CategoryRate is the pass rate of one category of an eval file.
type CategoryRate struct {
	Category      string
	Passed, Total int
}

// Rate is the category's share of passing results.
func (c CategoryRate) Rate() float64 {
	if c.Total == 0 {
		return 0
	}
	return float64(c.Passed) / float64(c.Total)
}

// PassRateByCategory is the pass rate of each category named in the
// results, in the order categories first appear; nil when no case names one.
func PassRateByCategory(rs []EvalResult) []CategoryRate {
	var out []CategoryRate
	at := map[string]int{}
	for _, r := range rs {
		if r.Case.Category == "" {
			continue
		}
		i, ok := at[r.Case.Category]
		if !ok {
			i = len(out)
			at[r.Case.Category] = i
			out = append(out, CategoryRate{Category: r.Case.Category})
		}
		out[i].Total++
		if r.Pass {
			out[i].Passed++
		}
	}
	return out
}

// PassRate is the share of passing results.
func PassRate(rs []EvalResult) (passed int, rate float64) {
	for _, r := range rs {
		if r.Pass {
			passed++
		}
	}
	if len(rs) == 0 {
		return 0, 0
	}
	return passed, float64(passed) / float64(len(rs))
}
