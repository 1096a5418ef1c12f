package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// progressionNext is how many standards above an occupation a progression
// answer names.
const progressionNext = 4

// progression answers where an occupation leads: the jobs its standard
// names, and the standards at a higher level on the same route that build
// on it (those whose names and words it shares most), each cited.
func (c *composer) progression(ctx context.Context) (Answer, error) {
	o := c.u.occ
	var a Answer
	var b strings.Builder
	fmt.Fprintf(&b, "Where %s %s can lead, from the standards:", article(o.Title), name(o))
	prof := profileOf(c.s, o.Reference)
	a.Citations = append(a.Citations, citationOf(prof, 1))
	if len(o.JobTitles) > 0 {
		fmt.Fprintf(&b, "\n- Jobs it names: %s. [%s profile]", strings.Join(o.JobTitles, ", "), o.Reference)
	}
	next, err := c.higherOnRoute(ctx, o, c.u.topic, progressionNext)
	if err != nil {
		return Answer{}, err
	}
	if len(next) > 0 {
		fmt.Fprintf(&b, "\nStandards at a higher level on the same route (%s) that build on it:", o.Route)
		for _, h := range next {
			p := h.Passage
			cit := citationOf(p, h.Score)
			a.Citations = append(a.Citations, cit)
			fmt.Fprintf(&b, "\n- %s: %s %s", name(p.Occupation), excerpt(p.Text, ""), cit.Marker())
		}
		b.WriteString("\nAsk me about any of them. A careers adviser can help you weigh them up.")
	} else {
		fmt.Fprintf(&b, "\nI have no standard at a higher level than %d on its route (%s) that builds on it.", o.Level, orUnknown(o.Route))
	}
	a.Text = b.String()
	return c.grounded(a), nil
}

// higherOnRoute ranks the standards above o's level on its route by how
// much of o's names and words they share, and returns for each the passage
// that says what it is (its first overview paragraph, else its best match).
//
// aim is what the asker wants to get to, in their words ("a route into
// management", "teaching"): a standard named for it is the step meant.
func (c *composer) higherOnRoute(ctx context.Context, o *retrieval.Occupation, aim string, n int) ([]retrieval.Hit, error) {
	var refs []string
	for _, x := range c.s.Occupations() {
		if x.Reference != o.Reference && sameRoute(x.Route, o.Route) && x.Level > o.Level && !x.Retired() {
			refs = append(refs, x.Reference)
		}
	}
	if len(refs) == 0 {
		return nil, nil
	}
	query := strings.Join(append([]string{o.Title}, o.JobTitles...), " ")
	if len(o.Overview()) > 0 {
		query += " " + o.Overview()[0]
	}
	hits, err := c.b.search(ctx, c.s, retrieval.Query{Text: query, Occupations: refs, Limit: 200, MinCoverage: 0.08})
	if err != nil {
		return nil, err
	}
	titleStems := stemSet(o.Title + " " + strings.Join(o.JobTitles, " "))
	aimStems := stemSet(aim)
	type ranked struct {
		occ   *retrieval.Occupation
		score float64
		best  retrieval.Hit
	}
	byRef := map[string]*ranked{}
	for _, h := range hits {
		r := byRef[h.Passage.Ref()]
		if r == nil {
			x := h.Passage.Occupation
			// Sharing the name (bricklayer, craft bricklayer) is the
			// strongest sign of a next step; a level just above is a
			// nearer step than one far above.
			shared := 0.0
			for st := range stemSet(x.Title) {
				if titleStems[st] {
					shared++
				}
			}
			for st := range stemSet(x.Title + " " + strings.Join(x.JobTitles, " ")) {
				if aimStems[st] && !titleStems[st] {
					shared += aimWeight
				}
			}
			r = &ranked{occ: x, best: h, score: shared - 0.1*float64(x.Level-o.Level-1)}
			byRef[h.Passage.Ref()] = r
		}
		r.score += h.Score / 3
	}
	list := make([]*ranked, 0, len(byRef))
	for _, r := range byRef {
		list = append(list, r)
	}
	sortRanked(list, func(r *ranked) (float64, string) { return r.score, r.occ.Reference })
	var out []retrieval.Hit
	for _, r := range list[:min(n, len(list))] {
		h := r.best
		if ov := firstOverview(c.s, r.occ.Reference); ov != nil {
			h = retrieval.Hit{Passage: ov, Score: h.Score}
		}
		out = append(out, h)
	}
	return out, nil
}

// sameRoute reports whether two standards' routes are one: a standard may
// list several ("Health and science;Care services"), and the catalogue
// holds one route under its older and newer names (routeRenamed).
func sameRoute(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	for _, x := range strings.Split(a, ";") {
		for _, y := range strings.Split(b, ";") {
			if routeName(x) == routeName(y) {
				return true
			}
		}
	}
	return false
}

func routeName(r string) string {
	r = strings.TrimSpace(r)
	if to, ok := routeRenamed[r]; ok {
		return to
	}
	return r
}

// routeRenamed maps a route's older name, still on standards not
// republished since, to its newer one.
var routeRenamed = map[string]string{"Education and childcare": "Education and early years"}

// aimWeight is what a word of the asker's aim in a standard's names counts
// for, against one the standard shares with where they are now.
const aimWeight = 1.5

// sortRanked orders occupations best first by their score, then by
// reference, for answers that are the same whatever the map order.
func sortRanked[T any](list []T, key func(T) (score float64, ref string)) {
	slices.SortFunc(list, func(x, y T) int {
		sx, rx := key(x)
		sy, ry := key(y)
		switch {
		case sx > sy:
			return -1
		case sx < sy:
			return 1
		}
		return strings.Compare(rx, ry)
	})
}

// stemSet is the meaningful stems of a text.
func stemSet(text string) map[string]bool {
	out := map[string]bool{}
	for _, t := range retrieval.Tokenize(text) {
		if t.Meaningful() && !t.Joined && !fillerWords[t.Word] {
			out[t.Stem] = true
		}
	}
	return out
}
