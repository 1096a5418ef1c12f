package retrieval

import (
	"slices"
	"sync"
)

// Soft stand-ins: within the few standards a question names, each of its
// words may be stood in for by the standard's words nearest it in meaning
// by the word vectors ("question" a suspect: "interview"; "tired":
// "fatigue"). Word vectors cannot tell a synonym from a neighbour or an
// opposite ("tired": "bored"), so a soft stand-in weighs at most softMax,
// below every WordNet link, and what a passage holds only through one is
// kept apart (Hit.Soft): it ranks the passage, and may lift it over the
// relevance floor, but is no evidence that the passage says what was asked.
const (
	// softLo is the least similarity that counts; at softHi a stand-in
	// weighs softMax.
	softLo  = 0.40
	softHi  = 0.80
	softMax = 0.5
	// softPerConcept is how many of the scope's words stand in for one of
	// the question's, and softConcepts how many of its concepts get them
	// (a long question costs no more than a short one).
	softPerConcept = 3
	softConcepts   = 16
	// softScopeShare: a word held by more than this share of a scope's
	// passages stands in for nothing there.
	softScopeShare = 0.2
	// softScopeCache bounds the scopes whose words are remembered, and
	// softNearCache the words whose nearest terms are.
	softScopeCache = 4096
	softNearCache  = 1 << 16
)

// softIndex remembers each scope's words and their rows in Vectors.
type softIndex struct {
	mu     sync.Mutex
	scopes map[[2]uint32][]scopeTerm // occupation range -> its terms with a row
	near   map[nearKey][]nearTerm    // a word's nearest terms in a scope
}

// scopeTerm is a term of a scope and its row in Vectors.
type scopeTerm struct {
	id, row int32
}

// scopeTerms returns the terms, with a vector, that passages of [lo, hi)
// hold.
func (ix *Index) scopeTerms(r [2]uint32) []scopeTerm {
	ix.soft.mu.Lock()
	terms, ok := ix.soft.scopes[r]
	ix.soft.mu.Unlock()
	if ok {
		return terms
	}
	// A word most of the scope's passages hold (the standard's own name:
	// "cyber" for hackers) tells them apart no better than none.
	limit := max(int(softScopeShare*float64(r[1]-r[0])), 2)
	terms = []scopeTerm{}
	for id := range ix.lex.postings {
		if n := len(inRange(ix.lex.postings[id], r[0], r[1])); n == 0 || n > limit || ix.tooCommon([]int32{int32(id)}) {
			continue
		}
		if row := Vectors.row(ix.lex.vocab[id]); row >= 0 {
			terms = append(terms, scopeTerm{int32(id), row})
		}
	}
	ix.soft.mu.Lock()
	if ix.soft.scopes == nil || len(ix.soft.scopes) >= softScopeCache {
		ix.soft.scopes = map[[2]uint32][]scopeTerm{}
	}
	ix.soft.scopes[r] = terms
	ix.soft.mu.Unlock()
	return terms
}

// addSoftAlternatives gives each one-word concept the scope's words nearest
// it as stand-ins.
func (ix *Index) addSoftAlternatives(concepts []concept, ranges [][2]uint32) {
	n := 0
	var best []nearTerm
	for ci := range concepts {
		c := &concepts[ci]
		if c.stem == "" || n == softConcepts {
			continue
		}
		qr := Vectors.row(c.stem)
		if qr < 0 {
			continue
		}
		n++
		best = best[:0]
		for _, r := range ranges {
			for _, t := range ix.nearest(r, qr) {
				if !c.holds(t.id) && !slices.ContainsFunc(best, func(b nearTerm) bool { return b.id == t.id }) {
					best = append(best, t)
				}
			}
		}
		slices.SortFunc(best, byNearness)
		for i, b := range best {
			if i == softPerConcept {
				break
			}
			w := softMax * min((b.sim-softLo)/(softHi-softLo), 1)
			c.alts = append(c.alts, alternative{terms: []int32{b.id}, weight: w, soft: true})
		}
	}
}

// nearTerm is a scope's term near a word, and how near.
type nearTerm struct {
	id  int32
	sim float32
}

func byNearness(a, b nearTerm) int {
	switch {
	case a.sim > b.sim:
		return -1
	case a.sim < b.sim:
		return 1
	}
	return int(a.id - b.id)
}

// nearKey is a word's row in a scope, and how many of its nearest terms
// are kept.
type nearKey struct {
	scope [2]uint32
	row   int32
	keep  int
}

// nearest returns the terms of scope r nearest row qr, nearest first: the
// most any concept can take and one more (the word itself may be among
// them).
func (ix *Index) nearest(r [2]uint32, qr int32) []nearTerm {
	return ix.nearestKept(r, qr, softPerConcept+1)
}

// nearestKept returns up to keep terms of scope r nearest row qr (other
// than its own), nearest first. It is remembered: each costs a similarity
// with every word of the scope, and questions about one standard share
// their words.
func (ix *Index) nearestKept(r [2]uint32, qr int32, keep int) []nearTerm {
	key := nearKey{r, qr, keep}
	ix.soft.mu.Lock()
	out, ok := ix.soft.near[key]
	ix.soft.mu.Unlock()
	if ok {
		return out
	}
	out = []nearTerm{}
	for _, t := range ix.scopeTerms(r) {
		if t.row == qr {
			continue
		}
		if sim := Vectors.similarity(qr, t.row); sim >= softLo {
			out = append(out, nearTerm{t.id, sim})
		}
	}
	slices.SortFunc(out, byNearness)
	out = slices.Clip(out[:min(len(out), keep)])
	ix.soft.mu.Lock()
	if ix.soft.near == nil || len(ix.soft.near) >= softNearCache {
		ix.soft.near = map[nearKey][]nearTerm{}
	}
	ix.soft.near[key] = out
	ix.soft.mu.Unlock()
	return out
}

// holds reports whether one of the concept's alternatives is term t alone.
func (c *concept) holds(t int32) bool {
	for _, a := range c.alts {
		if len(a.terms) == 1 && a.terms[0] == t {
			return true
		}
	}
	return false
}

// Near returns, nearest first, up to n words the corpus uses that are near
// word in meaning by the word vectors (at least minSim), each as its
// commonest form: "gigs" gives concert, venue, festival. A word most
// passages hold, or one of word's own stem, is none. It is for callers
// that look for each word on its own (interests), where a near word is
// weighed below the word said.
func (ix *Index) Near(word string, n int, minSim float32) []NearWord {
	qr := Vectors.row(Stem(word))
	if qr < 0 || n <= 0 {
		return nil
	}
	var out []NearWord
	for _, t := range ix.nearestKept([2]uint32{0, uint32(len(ix.passages))}, qr, nearAll) {
		if t.sim < minSim || len(out) == n {
			break
		}
		out = append(out, NearWord{Word: Vectors.word(int(Vectors.row(ix.lex.vocab[t.id]))), Similarity: t.sim})
	}
	return out
}

// NearWord is a word near another in meaning, and how near (a cosine).
type NearWord struct {
	Word       string
	Similarity float32
}

// nearAll is how many of the corpus's words nearest a word are kept.
const nearAll = 8
