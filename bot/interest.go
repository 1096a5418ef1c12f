package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// interestSuggestions is how many standards an interest answer suggests.
const interestSuggestions = 5

// interest suggests standards that fit what someone likes or is good at:
// those whose titles, job titles, overview and knowledge, skills and
// duties speak of it most, each with the passage that does.
func (c *composer) interest(ctx context.Context) (Answer, error) {
	topic := c.u.topic
	if topic == "" {
		return c.notCovered(ctx, ""), nil
	}
	hits, err := c.b.search(ctx, c.s, retrieval.Query{Text: topic, Limit: 300, MinCoverage: 0.5})
	if err != nil {
		return Answer{}, err
	}
	type ranked struct {
		occ   *retrieval.Occupation
		score float64
		hits  []retrieval.Hit
	}
	byRef := map[string]*ranked{}
	for _, h := range hits {
		r := byRef[h.Passage.Ref()]
		if r == nil {
			r = &ranked{occ: h.Passage.Occupation}
			byRef[h.Passage.Ref()] = r
		}
		// An occupation fits when much of its standard speaks of the
		// interest, its overview and profile (what the job is) most.
		w := h.Score
		if h.Passage.Kind == retrieval.KindOverview || h.Passage.Kind == retrieval.KindProfile {
			w *= 1.5
		}
		if len(r.hits) < 4 {
			r.score += w
			r.hits = append(r.hits, h)
		}
	}
	// A name that says it outright (cooking: cook, chef) fits best.
	for _, cand := range c.s.RankOccupations(topic) {
		if cand.Score < groupFloor {
			continue
		}
		r := byRef[cand.Occupation.Reference]
		if r == nil {
			r = &ranked{occ: cand.Occupation}
			byRef[cand.Occupation.Reference] = r
		}
		r.score += 2 * cand.Score
	}
	list := make([]*ranked, 0, len(byRef))
	for _, r := range byRef {
		if !r.occ.Retired() {
			list = append(list, r)
		}
	}
	sortRanked(list, func(r *ranked) (float64, string) { return r.score, r.occ.Reference })
	if len(list) == 0 {
		return c.notCovered(ctx, topic), nil
	}
	var a Answer
	var b strings.Builder
	fmt.Fprintf(&b, "Some standards that fit an interest in %s (suggestions from what the standards say, not advice):", topic)
	for _, r := range list[:min(interestSuggestions, len(list))] {
		var p *retrieval.Passage
		score := r.score
		if len(r.hits) > 0 {
			p = r.hits[0].Passage
		} else if ov := firstOverview(c.s, r.occ.Reference); ov != nil {
			p = ov
		} else {
			p = profileOf(c.s, r.occ.Reference)
		}
		cit := citationOf(p, min(score/3, 1))
		a.Citations = append(a.Citations, cit)
		fmt.Fprintf(&b, "\n- %s: %s %s", name(r.occ), excerpt(p.Text, topic), cit.Marker())
	}
	b.WriteString("\nAsk me about any of them. Your careers adviser can help you find what suits you.")
	a.Text = b.String()
	return c.grounded(a), nil
}
