package retrieval

import (
	"slices"
	"strings"
)

// A concept is one thing a question asks for: a word, or a phrase the
// lexicon knows, with the alternatives that would answer it equally (a
// synonym, the acronym's long form, a correction of a typo). A passage covers
// a concept when it holds one alternative.
type concept struct {
	text string
	alts []alternative
	idf  float32 // the concept's weight in coverage: how telling a match is
}

type alternative struct {
	terms  []int32 // term ids; -1 for a stem no passage holds
	weight float32 // 1 for the question's own words, less for stand-ins
}

// Weights of stand-ins relative to the question's own words.
const (
	wAltSynonym = 0.9
	wAltFuzzy1  = 0.8
	wAltFuzzy2  = 0.6
	wAltPrefix  = 0.75
	// WordNet's links carry their own weights (synonyms 0.8, hypernyms
	// 0.5); none counts as much as the lexicon's domain synonyms.
	wAltWordNetMax = 0.85
	// maxWordNetAlternatives bounds a word's WordNet stand-ins, strongest
	// first, so a question's cost stays bounded.
	maxWordNetAlternatives = 8
	// commonTermShare: a stand-in held by more than this share of passages
	// is too common to stand in for anything.
	commonTermShare = 0.02
)

// analyse turns a question's text into concepts over this index's vocabulary.
func (ix *Index) analyse(text string) []concept {
	toks := Tokenize(text)
	var seq []Token
	joinedAt := map[int]Token{} // position of a compound's first part -> joined token
	for _, t := range toks {
		if !t.Meaningful() {
			continue
		}
		if t.Joined {
			// Its parts are the tokens just before it in seq that it spans.
			first := len(seq)
			for first > 0 && seq[first-1].Start >= t.Start {
				first--
			}
			if first < len(seq) {
				joinedAt[first] = t
			}
			continue
		}
		seq = append(seq, t)
	}
	stems := make([]string, len(seq))
	for i, t := range seq {
		stems[i] = t.Stem
	}
	matches := ix.lexicon.match(stems)
	var out []concept
	mi := 0
	for i := 0; i < len(seq); {
		if mi < len(matches) && matches[mi].start == i {
			m := matches[mi]
			mi++
			c := concept{text: joinWords(seq[m.start:m.end])}
			for ai, p := range ix.lexicon.groups[m.group] {
				w := float32(wAltSynonym)
				if ai == m.alt {
					w = 1
				}
				c.alts = append(c.alts, alternative{terms: ix.termIDs(p), weight: w})
			}
			out = append(out, ix.weigh(c))
			i = m.end
			continue
		}
		for mi < len(matches) && matches[mi].start < i {
			mi++
		}
		if j, ok := joinedAt[i]; ok {
			end := i
			for end < len(seq) && seq[end].End <= j.End {
				end++
			}
			c := concept{text: j.Word}
			c.alts = append(c.alts, alternative{terms: ix.termIDs(stems[i:end]), weight: 1})
			c.alts = append(c.alts, ix.termAlternatives(j)...)
			out = append(out, ix.weigh(c))
			i = end
			continue
		}
		c := concept{text: seq[i].Word, alts: ix.termAlternatives(seq[i])}
		out = append(out, ix.weigh(c))
		i++
	}
	return out
}

// tooCommon reports whether a stand-in holds a term too common to tell
// passages apart.
func (ix *Index) tooCommon(ids []int32) bool {
	limit := max(int(commonTermShare*float64(len(ix.passages))), 20)
	for _, id := range ids {
		if len(ix.lex.postings[id]) > limit {
			return true
		}
	}
	return false
}

func joinWords(ts []Token) string {
	ws := make([]string, len(ts))
	for i, t := range ts {
		ws[i] = t.Word
	}
	return strings.Join(ws, " ")
}

func (ix *Index) termIDs(stems []string) []int32 {
	ids := make([]int32, len(stems))
	for i, s := range stems {
		if id, ok := ix.lex.terms[s]; ok {
			ids[i] = int32(id)
		} else {
			ids[i] = -1
		}
	}
	return ids
}

// termAlternatives gives a word's stem and its stand-ins: the lexicon's
// single-word synonyms, WordNet's related words (synonyms, derivational
// forms, hypernyms), related word forms that stemming misses
// ("cryptography" and "cryptographic"), and, for a word no passage holds,
// the nearest spellings.
func (ix *Index) termAlternatives(t Token) []alternative {
	stem := t.Stem
	alts := []alternative{{terms: ix.termIDs([]string{stem}), weight: 1}}
	seen := map[string]bool{stem: true}
	add := func(s string, w float32) {
		if seen[s] {
			return
		}
		if id, ok := ix.lex.terms[s]; ok {
			seen[s] = true
			alts = append(alts, alternative{terms: []int32{int32(id)}, weight: w})
		}
	}
	for _, ref := range ix.lexicon.byFirst[stem] {
		if len(ix.lexicon.groups[ref.group][ref.alt]) != 1 {
			continue
		}
		for _, p := range ix.lexicon.groups[ref.group] {
			if len(p) == 1 {
				add(p[0], wAltSynonym)
			} else if !slices.Equal(p, []string{stem}) {
				alts = append(alts, alternative{terms: ix.termIDs(p), weight: wAltSynonym})
			}
		}
	}
	// WordNet's related words, weighted below the word itself; a stand-in
	// most passages hold (work, make) tells nothing and costs a long
	// posting list, and so does a stand-in for a word written in capitals
	// (IT is no pronoun).
	if !t.Upper && !strings.ContainsAny(stem, "0123456789") {
		n := 0
		for _, r := range WordNet.Related(t.Word) {
			if n == maxWordNetAlternatives {
				break
			}
			ids := ix.termIDs(r.Stems)
			if slices.Contains(ids, -1) || ix.tooCommon(ids) {
				continue
			}
			key := strings.Join(r.Stems, " ")
			if seen[key] {
				continue
			}
			seen[key] = true
			alts = append(alts, alternative{terms: ids, weight: min(r.Weight, wAltWordNetMax)})
			n++
		}
	}
	// Word forms: a stem that extends this one, or that this one extends,
	// by a few letters ("cryptographi" and "cryptograph").
	const minPrefix = 6
	if len(stem) >= minPrefix && !strings.ContainsAny(stem, "0123456789") {
		for k := max(minPrefix, len(stem)-3); k < len(stem); k++ {
			add(stem[:k], wAltPrefix)
		}
		vocab := ix.lex.vocab
		i, _ := slices.BinarySearch(vocab, stem)
		for ; i < len(vocab) && strings.HasPrefix(vocab[i], stem); i++ {
			if len(vocab[i])-len(stem) <= 3 {
				add(vocab[i], wAltPrefix)
			}
		}
	}
	// Typos: only for a word no passage holds, long enough that one slip
	// does not turn it into another real word, and not a code or number
	// (ST9999 is no typo of ST0999).
	if _, known := ix.lex.terms[stem]; !known && len(stem) >= 6 && !strings.ContainsAny(stem, "0123456789") {
		maxDist := 1
		if len(stem) >= 10 {
			maxDist = 2
		}
		type cand struct {
			s  string
			d  int
			df int
		}
		var cands []cand
		for id, v := range ix.lex.vocab {
			if abs(len(v)-len(stem)) > maxDist {
				continue
			}
			if d := osaDistance(stem, v, maxDist); d <= maxDist {
				cands = append(cands, cand{v, d, len(ix.lex.postings[id])})
			}
		}
		slices.SortFunc(cands, func(a, b cand) int {
			if a.d != b.d {
				return a.d - b.d
			}
			return b.df - a.df
		})
		for i, c := range cands {
			if i == 3 {
				break
			}
			w := float32(wAltFuzzy1)
			if c.d == 2 {
				w = wAltFuzzy2
			}
			add(c.s, w)
		}
	}
	return alts
}

// weigh sets a concept's weight: the best weighted IDF among its
// alternatives that some passage holds; a concept no passage can answer gets
// the highest IDF, for it is the most telling thing a question can lack.
func (ix *Index) weigh(c concept) concept {
	var best float32
	for _, a := range c.alts {
		var sum float32
		known := true
		for _, t := range a.terms {
			if t < 0 {
				known = false
				break
			}
			sum += ix.lex.termIDF(t)
		}
		if !known || len(a.terms) == 0 {
			continue
		}
		if v := a.weight * sum / float32(len(a.terms)); v > best {
			best = v
		}
	}
	if best == 0 {
		best = ix.lex.termIDF(-1)
	}
	c.idf = best
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// osaDistance is the optimal string alignment distance (edits, with
// transposition of neighbours as one), giving up beyond limit.
func osaDistance(a, b string, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	la, lb := len(a), len(b)
	prev2 := make([]int, lb+1)
	prev := make([]int, lb+1)
	cur := make([]int, lb+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}
