package bot

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// interestWords are the words of an interest worth looking for on their
// own (the topic holds no negated words: understand leaves them out).
func interestWords(topic string) []string {
	var out []string
	for _, t := range retrieval.Tokenize(topic) {
		if t.Joined || !t.Meaningful() || fillerWords[t.Word] {
			continue
		}
		if !slices.Contains(out, t.Word) && len(out) < maxInterestWords {
			out = append(out, t.Word)
		}
	}
	return out
}

// maxInterestWords bounds the searches an interest costs.
const maxInterestWords = 6

// An interest word's near words (by the word vectors): how many, how near
// at least, and how much one counts for each unit of similarity against
// the word said.
const (
	interestNear       = 4
	interestNearSim    = 0.5
	interestNearWeight = 0.6
)

// unfocusedWeight is what a word of an interest its cues do not point at
// counts for.
const unfocusedWeight = 0.5

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
	type ranked struct {
		occ   *retrieval.Occupation
		score float64
		hits  []retrieval.Hit
	}
	byRef := map[string]*ranked{}
	// Each word of the interest is looked for on its own, and a standard
	// scores by how many of them it speaks of anywhere (planes in one
	// passage, airports in another), weighted by how telling each is and
	// by where it says so: what the job is (its overview) counts most.
	type interestWord struct {
		word   string
		weight float64
	}
	var words []interestWord
	// The words the interest's cues point at come first and count fully;
	// the rest of what was said ("at school", "my favourite subject")
	// counts less.
	said := interestWords(strings.Join(append(slices.Clone(c.u.focus), topic), " "))
	for _, w := range said {
		weight := 1.0
		if len(c.u.focus) > 0 && !slices.Contains(c.u.focus, w) {
			weight = unfocusedWeight
		}
		words = append(words, interestWord{w, weight})
	}
	// Words near each in meaning, that the standards use, count too,
	// below the word said: "gigs" speaks of concerts, venues, festivals.
	for _, w := range words[:len(words):len(words)] {
		for _, n := range c.s.Near(w.word, interestNear, interestNearSim) {
			if !slices.ContainsFunc(words, func(x interestWord) bool { return x.word == n.Word }) {
				words = append(words, interestWord{n.Word, interestNearWeight * float64(n.Similarity)})
			}
		}
	}
	for _, iw := range words {
		w := iw.word
		hits, err := c.b.search(ctx, c.s, retrieval.Query{Text: w, Limit: 400, MinCoverage: 0.5})
		if err != nil {
			return Answer{}, err
		}
		best := map[string]float64{}
		colliding := retrieval.Family(w) != ""
		// A word many standards speak of ("school", "always") tells
		// less of what someone likes than one few do ("motorbike").
		spread := map[string]bool{}
		for _, h := range hits {
			spread[h.Passage.Ref()] = true
		}
		spec := specificity(len(spread), len(c.s.Occupations()))
		for _, h := range hits {
			if h.Passage.Kind == retrieval.KindProfile {
				continue // its labels and pay line say nothing of the work
			}
			if colliding && !saysFamily(h.Passage.Text, w) {
				continue // one stem, another word: animation for animals
			}
			ref := h.Passage.Ref()
			r := byRef[ref]
			if r == nil {
				r = &ranked{occ: h.Passage.Occupation}
				byRef[ref] = r
			}
			v := h.Score * iw.weight * spec
			if h.Passage.Kind == retrieval.KindOverview {
				v *= 1.5
			}
			// Breadth: a standard that says it often fits more than one
			// that says it once, with diminishing returns.
			best[ref] += v / float64(1+len(r.hits))
			if len(r.hits) < 4 {
				r.hits = append(r.hits, h)
			}
		}
		for ref, v := range best {
			byRef[ref].score += min(v, 2*iw.weight*spec)
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

// specificity weighs an interest word by how few of the n standards speak
// of it (spread): 1 for a handful (specificWithin or fewer), down to
// minSpecificity for a word nearly every standard uses.
func specificity(spread, n int) float64 {
	if spread <= specificWithin || n <= specificWithin {
		return 1
	}
	v := math.Log(float64(n)/float64(spread)) / math.Log(float64(n)/specificWithin)
	return max(v, minSpecificity)
}

const (
	specificWithin = 20
	minSpecificity = 0.5
)

// saysFamily reports whether a text holds a word of w's family where it
// holds w's stem: "animals" is in "animal welfare", not in "key
// animation". A text holding a stand-in only (no word of w's stem) says
// it too.
func saysFamily(text, w string) bool {
	stem := retrieval.Stem(w)
	found := false
	for _, t := range retrieval.Tokenize(text) {
		if t.Stem != stem {
			continue
		}
		if retrieval.SameFamily(w, t.Word) {
			return true
		}
		found = true
	}
	return !found
}
