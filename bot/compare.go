package bot

import (
	"fmt"
	"slices"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// compareDiffers is how many passages of each side a comparison quotes as
// where the two differ.
const compareDiffers = 2

// compare puts two occupations side by side: level, route, duration and
// typical jobs from their profiles, what each is about, and the passages
// of each that the other's standard shares least, all cited from both.
func (c *composer) compare() Answer {
	a, b := c.u.occ, c.u.second
	var ans Answer
	var out strings.Builder
	fmt.Fprintf(&out, "%s and %s, side by side:", name(a), name(b))
	pa, pb := profileOf(c.s, a.Reference), profileOf(c.s, b.Reference)
	ans.Citations = append(ans.Citations, citationOf(pa, 1), citationOf(pb, 1))
	marks := fmt.Sprintf("[%s profile] [%s profile]", a.Reference, b.Reference)
	row := func(label string, va, vb string) {
		if va == "" && vb == "" {
			return
		}
		fmt.Fprintf(&out, "\n- %s: %s %s; %s %s. %s", label, a.Title, orNotGiven(va), b.Title, orNotGiven(vb), marks)
	}
	level := func(o *retrieval.Occupation) string {
		if o.Level > 0 {
			return fmt.Sprintf("Level %d", o.Level)
		}
		return ""
	}
	row("Level", level(a), level(b))
	row("Route", a.Route, b.Route)
	row("Typical duration", a.TypicalDuration, b.TypicalDuration)
	jobs := func(o *retrieval.Occupation) string {
		if len(o.JobTitles) == 0 {
			return ""
		}
		return strings.Join(o.JobTitles[:min(4, len(o.JobTitles))], ", ")
	}
	row("Typical job titles", jobs(a), jobs(b))
	if a.Level > 0 && b.Level > 0 && a.Level != b.Level {
		hi, lo := a, b
		if b.Level > a.Level {
			hi, lo = b, a
		}
		fmt.Fprintf(&out, "\n%s is the higher level (%d against %d). %s", hi.Title, hi.Level, lo.Level, marks)
	}
	for _, o := range []*retrieval.Occupation{a, b} {
		if ov := firstOverview(c.s, o.Reference); ov != nil {
			cit := citationOf(ov, 1)
			ans.Citations = append(ans.Citations, cit)
			fmt.Fprintf(&out, "\n- About %s: %s %s", o.Title, excerpt(ov.Text, c.u.topic), cit.Marker())
		}
	}
	for _, pair := range [][2]*retrieval.Occupation{{a, b}, {b, a}} {
		diff := differing(c.s, pair[0], pair[1], compareDiffers)
		if len(diff) == 0 {
			continue
		}
		fmt.Fprintf(&out, "\nOnly in %s, in the standard's words:", pair[0].Title)
		for _, p := range diff {
			cit := citationOf(p, 1)
			ans.Citations = append(ans.Citations, cit)
			fmt.Fprintf(&out, "\n- %s: %s %s", kindLabel[p.Kind], excerpt(p.Text, ""), cit.Marker())
		}
	}
	ans.Text = out.String()
	return c.grounded(ans)
}

func orNotGiven(s string) string {
	if s == "" {
		return "(not given)"
	}
	return s
}

func firstOverview(s Searcher, ref string) *retrieval.Passage {
	ps := s.Passages(ref)
	for i := range ps {
		if ps[i].Kind == retrieval.KindOverview {
			return &ps[i]
		}
	}
	return nil
}

// differing picks a's knowledge, skills and duties whose words b's
// standard shares least: what sets a apart.
func differing(s Searcher, a, b *retrieval.Occupation, n int) []*retrieval.Passage {
	other := map[string]bool{}
	bps := s.Passages(b.Reference)
	for i := range bps {
		for _, t := range retrieval.Tokenize(bps[i].Text) {
			if t.Meaningful() && !t.Joined {
				other[t.Stem] = true
			}
		}
	}
	type scored struct {
		p      *retrieval.Passage
		shared float64
	}
	var list []scored
	aps := s.Passages(a.Reference)
	for i := range aps {
		p := &aps[i]
		if p.Kind != retrieval.KindSkill && p.Kind != retrieval.KindKnowledge && p.Kind != retrieval.KindDuty {
			continue
		}
		total, shared := 0, 0
		for _, t := range retrieval.Tokenize(p.Text) {
			if !t.Meaningful() || t.Joined {
				continue
			}
			total++
			if other[t.Stem] {
				shared++
			}
		}
		if total < 3 {
			continue
		}
		list = append(list, scored{p, float64(shared) / float64(total)})
	}
	slices.SortStableFunc(list, func(x, y scored) int {
		switch {
		case x.shared < y.shared:
			return -1
		case x.shared > y.shared:
			return 1
		}
		return 0
	})
	var out []*retrieval.Passage
	for _, sc := range list[:min(n, len(list))] {
		out = append(out, sc.p)
	}
	return out
}
