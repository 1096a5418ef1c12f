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
	// stem is a one-word concept's stem, for its distributional
	// neighbours; "" for a phrase.
	stem string
	alts []alternative
	idf  float32 // the concept's weight in coverage: how telling a match is
}

type alternative struct {
	terms  []int32 // term ids; -1 for a stem no passage holds
	weight float32 // 1 for the question's own words, less for stand-ins
	// soft marks a stand-in by word vectors: it ranks passages but is
	// no evidence that a passage says what was asked (Hit.Soft).
	soft bool
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
	// wAltKnownWordNet scales the WordNet stand-ins of a word the corpus
	// holds itself.
	wAltKnownWordNet = 0.6
	// maxWordNetAlternatives bounds a word's WordNet stand-ins, strongest
	// first, so a question's cost stays bounded.
	maxWordNetAlternatives = 8
	// commonTermShare: a stand-in held by more than this share of passages
	// is too common to stand in for anything.
	commonTermShare = 0.05
)

// analyse turns a question's text into concepts over this index's
// vocabulary; wide is a search across more than one standard.
func (ix *Index) analyse(text string, wide bool) []concept {
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
	phrases := phraseMatches(toks, seq)
	var out []concept
	mi := 0
	for i := 0; i < len(seq); {
		if ph, ok := phrases[i]; ok && (mi >= len(matches) || matches[mi].start > i) && i+ph.n <= len(seq) {
			// A set phrase or phrasal verb: its own words, or what it
			// means ("sort out": resolve, fix).
			c := concept{text: joinWords(seq[i : i+ph.n])}
			c.alts = append(c.alts, alternative{terms: ix.termIDs(stems[i : i+ph.n]), weight: 1})
			if ph.n == 1 {
				c.alts = append(c.alts, ix.termAlternatives(seq[i], wide)...)
			}
			n := 0
			for _, r := range ph.rel {
				if n == maxWordNetAlternatives {
					break
				}
				ids := ix.termIDs(r.Stems)
				if slices.Contains(ids, -1) || ix.tooCommon(ids) {
					continue
				}
				c.alts = append(c.alts, alternative{terms: ids, weight: min(r.Weight, wAltWordNetMax)})
				n++
			}
			out = append(out, ix.weigh(c))
			i += ph.n
			continue
		}
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
			c := concept{text: j.Word, stem: j.Stem}
			c.alts = append(c.alts, alternative{terms: ix.termIDs(stems[i:end]), weight: 1})
			c.alts = append(c.alts, ix.termAlternatives(j, wide)...)
			out = append(out, ix.weigh(c))
			i = end
			continue
		}
		c := concept{text: seq[i].Word, stem: seq[i].Stem, alts: ix.termAlternatives(seq[i], wide)}
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

// phraseMatch is a WordNet phrase found in a question: it starts at a
// meaningful word and spans n of them (the particles of a phrasal verb are
// stopwords, and the words between a verb and its particle, as in "look
// the van over", stay concepts of their own).
type phraseMatch struct {
	n   int
	rel []Related
}

// phraseParticles end phrasal verbs.
var phraseParticles = wordSet("up down out over off on in after away back through around about")

// phraseMatches finds WordNet phrases in a question, keyed by the position
// in seq (its meaningful words) of the phrase's first word.
func phraseMatches(toks []Token, seq []Token) map[int]phraseMatch {
	var words []Token
	for _, t := range toks {
		if !t.Joined {
			words = append(words, t)
		}
	}
	out := map[int]phraseMatch{}
	for _, m := range phraseWords(words, seq) {
		out[m.seqPos] = phraseMatch{n: m.meaningful, rel: m.rel}
	}
	return out
}

// foundPhrase is a phrase found among a text's words.
type foundPhrase struct {
	words      []int // word positions, gaps left out
	seqPos     int   // position of its first word among the meaningful ones
	meaningful int   // meaningful words it spans in a run (1 for a gapped verb)
	rel        []Related
}

// phraseWords finds WordNet phrases among words (seq being the meaningful
// ones): contiguous phrases, longest first ("keep an eye on"), and a verb
// with up to two words before its particle ("sort it out").
func phraseWords(words []Token, seq []Token) []foundPhrase {
	seqAt := map[int]int{} // byte start -> position in seq
	for i, t := range seq {
		seqAt[t.Start] = i
	}
	var out []foundPhrase
	for i := 0; i < len(words) && i < maxPhraseScan; i++ {
		si, ok := seqAt[words[i].Start]
		if !ok && !everydayFirst[words[i].Word] {
			continue
		}
		found := false
		for n := min(4, len(words)-i); n >= 2 && !found; n-- {
			ws := make([]string, n)
			idx := make([]int, n)
			for k := range n {
				ws[k], idx[k] = words[i+k].Word, i+k
			}
			// A phrase of the everyday table may open with a
			// particle ("on track"): it is found at its first
			// meaningful word. WordNet's ("as well") are not.
			first := si
			if !ok {
				if _, everyday := everydayPhrases[strings.Join(ws, " ")]; !everyday {
					continue
				}
				first = -1
				for k := 1; k < n && first < 0; k++ {
					if p, ok := seqAt[words[i+k].Start]; ok {
						first = p
					}
				}
				if first < 0 {
					continue
				}
			}
			if rel := WordNet.Phrase(ws); rel != nil {
				meaningful := 0
				for k := range n {
					if _, ok := seqAt[words[i+k].Start]; ok {
						meaningful++
					}
				}
				out = append(out, foundPhrase{words: idx, seqPos: first, meaningful: max(meaningful, 1), rel: rel})
				found = true
				i += n - 1
			}
		}
		if !ok {
			continue
		}
		for gap := 1; gap <= 2 && !found && i+gap+1 < len(words); gap++ {
			p := words[i+gap+1]
			if _, ok := phraseParticles[p.Word]; !ok {
				continue
			}
			if i+gap+2 < len(words) && (words[i+gap+2].Word == "of" || words[i+gap+2].Meaningful()) {
				// "cutting shapes out of metal", "keep the staff on
				// track": a preposition with its object, no particle.
				continue
			}
			if gap == 2 && WordNet.Phrase([]string{words[i+gap].Word, p.Word}) != nil {
				// "help people work out": the particle is the nearer
				// verb's.
				continue
			}
			if rel := WordNet.Phrase([]string{words[i].Word, p.Word}); rel != nil {
				out = append(out, foundPhrase{words: []int{i, i + gap + 1}, seqPos: si, meaningful: 1, rel: rel})
				found = true
			}
		}
	}
	return out
}

// Phrase is a WordNet phrase found in a text ("sorting it out", "keep an
// eye on"): the byte spans of its words, and the phrase as it must be
// searched for, its words together ("sorting out").
type Phrase struct {
	Spans [][2]int
	Text  string
	// Phrasal is a verb with its particle ("go up", "look the truck
	// over"): it means more than its words, each of which may be light on
	// its own.
	Phrasal bool
}

// Phrases finds the set phrases and phrasal verbs of a text, for callers
// that cut a question's topic out of it and must keep a phrase whole.
func Phrases(text string) []Phrase {
	toks := Tokenize(text)
	var seq []Token
	for _, t := range toks {
		if t.Meaningful() && !t.Joined {
			seq = append(seq, t)
		}
	}
	var words []Token
	for _, t := range toks {
		if !t.Joined {
			words = append(words, t)
		}
	}
	var out []Phrase
	// The lexicon's phrases of several words ("special needs", "health
	// and safety") are kept whole too.
	stems := make([]string, len(seq))
	for i, t := range seq {
		stems[i] = t.Stem
	}
	for _, m := range defaultLexicon.match(stems) {
		if m.end-m.start < 2 {
			continue
		}
		p := Phrase{}
		var ws []string
		for _, t := range seq[m.start:m.end] {
			p.Spans = append(p.Spans, [2]int{t.Start, t.End})
			ws = append(ws, t.Word)
		}
		p.Text = strings.Join(ws, " ")
		out = append(out, p)
	}
	for _, m := range phraseWords(words, seq) {
		p := Phrase{}
		var ws []string
		for _, k := range m.words {
			p.Spans = append(p.Spans, [2]int{words[k].Start, words[k].End})
			ws = append(ws, words[k].Word)
		}
		p.Text = strings.Join(ws, " ")
		_, p.Phrasal = phraseParticles[ws[len(ws)-1]]
		out = append(out, p)
	}
	return out
}

// maxPhraseScan bounds the words searched for phrases.
const maxPhraseScan = 200

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
func (ix *Index) termAlternatives(t Token, wide bool) []alternative {
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
		// Across many standards, a word they use is mostly meant as
		// itself: its stand-ins count less than those of a word they
		// never use (spanners, paperwork), which are all there is to go
		// on; within one standard, a stand-in finds the passage meant.
		scale := float32(1)
		if _, known := ix.lex.terms[stem]; known && wide {
			scale = wAltKnownWordNet
		}
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
			alts = append(alts, alternative{terms: ids, weight: scale * min(r.Weight, wAltWordNetMax)})
			n++
		}
	}
	// Word forms: a stem that extends this one, or that this one extends,
	// by a few letters ("cryptographi" and "cryptograph").
	const minPrefix = 5
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
	// A closed compound no passage holds, which the standards write as two
	// words ("forklift", "fork lift"; "windscreen").
	if _, known := ix.lex.terms[stem]; !known {
		if parts := ix.splitTerm(t.Word); parts != nil {
			alts = append(alts, alternative{terms: parts, weight: wAltCompound})
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

// wAltCompound is the weight of a compound's two words: the word itself,
// spelt apart.
const wAltCompound = 0.9

// splitTerm splits a word into two words passages hold, each at least
// minCompoundPart letters: of the splits, the one whose rarer word is
// rarest. Nil when there is none.
func (ix *Index) splitTerm(word string) []int32 {
	if len(word) < 2*minCompoundPart+1 || strings.ContainsAny(word, "0123456789") {
		return nil
	}
	var best []int32
	bestDF := 0
	for i := minCompoundPart; i <= len(word)-minCompoundPart; i++ {
		l, lok := ix.lex.terms[Stem(word[:i])]
		r, rok := ix.lex.terms[Stem(word[i:])]
		if !lok || !rok {
			continue
		}
		if df := min(len(ix.lex.postings[l]), len(ix.lex.postings[r])); best == nil || df < bestDF {
			best, bestDF = []int32{int32(l), int32(r)}, df
		}
	}
	return best
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
