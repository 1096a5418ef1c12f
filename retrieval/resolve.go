package retrieval

import (
	"math"
	"slices"
	"strings"
)

// Candidate is an occupation a question may name, with how well it fits.
// RankOccupations returns them best first; which one to use, or whether to
// offer several, is the caller's decision.
type Candidate struct {
	Occupation *Occupation
	// Name is the title, job title or keyword that fits best.
	Name  string
	Title bool // Name is the occupation's title (or its reference)
	// Score is the share of the name's weight the question holds (each
	// word by how closely: the word itself, a typo of it, a synonym),
	// with small preferences for titles and current standards; about 1
	// for a name said whole, in its own words.
	Score float64
	// Start and End are the byte span of the question's words that name
	// it, so a caller can tell two mentions apart and drop the name from
	// the topic.
	Start, End int
	// Complete is true when every word of the name is in the question as
	// itself (or a typo of itself), in one run.
	Complete bool
	// kind is the head a name lacks when the question says all its other
	// words ("operative" of Shoe operative for "shoe"); kindEnd is where
	// those words end.
	kind    string
	kindEnd int
}

// Weights of a name by where it comes from, and of the ways a question's word
// may stand for a name's word.
const (
	resolveTitle   = 1.0
	resolveJob     = 0.85
	resolveKeyword = 0.6
	// resolveTitleAffinity adds this share of how well the title fits to
	// an occupation found by a job title: of two standards listing
	// "Electrician", the one whose title says so is the one meant.
	resolveTitleAffinity = 0.15
	// A name whose head (the engineer of "network engineer") the
	// question lacks is a topic more often than a name.
	resolveHeadless = 0.6
	// A typo counts a little less than the word; a prefix form
	// (plumbing, plumber) less again.
	resolveTypo   = 0.85
	resolvePrefix = 0.8
	// A name whose words are scattered across the question, or out of
	// order, fits less than one said in a run.
	resolveScattered = 0.6
	// resolveTitlePart raises a title's share found: below 1, so a part
	// of a title fits better than the same part of a job title.
	resolveTitlePart = 0.75
	// resolveOtherKind scales a name whose head the question says after
	// a kind of its own ("tyre fitter", not Engineering fitter).
	resolveOtherKind = 0.75
	// resolveNarrowerKind scales a job title said whole after a noun the
	// question adds ("quantity surveyor" for a standard listing
	// "Surveyor").
	resolveNarrowerKind = 0.9
	// resolveFramedLead is what a title's leading words count when the
	// question frames them as an apprenticeship's name.
	resolveFramedLead = 0.85
	// resolveConjunct is what one part of a name joined by "and" counts:
	// a part of a title is still the title ("credit controller" of Credit
	// controller and collector), above the same words as one of another
	// standard's job titles.
	resolveConjunct = 0.95
	// resolveLonger is added for each word beyond the first of a name
	// said whole.
	resolveLonger = 0.05
	// minResolveScore is the least score worth returning.
	minResolveScore = 0.3
	// maxCandidates bounds the ranking.
	maxCandidates = 24
)

// nameWord is one word of an indexed name, for ranked resolution.
type nameWord struct {
	name int32 // index into nameIndex.names
	pos  int8  // position in the name
}

// resolveIndex holds what RankOccupations needs beyond the exact-match name
// index: every name's words by stem, each stem's weight among names, and
// the typo lookup over every name stem.
type resolveIndex struct {
	byStem  map[string][]nameWord
	idf     map[string]float64
	heads   map[string]bool     // stems that end a name
	deletes map[string][]string // as nameIndex.deletes, over every stem
	total   []float64           // each name's summed stem weights
	// bonus prefers, among names that fit alike, a standard with KSBs
	// and one still open to apprentices, by occupation.
	bonus []float64
	// allCommon marks a name made only of stems in a great many names
	// ("Engineering operative"): no rarer word of it can open it, so its
	// common words may.
	allCommon []bool
}

func buildResolve(ni *nameIndex, occs []*Occupation) *resolveIndex {
	nOccs := len(occs)
	ri := &resolveIndex{byStem: map[string][]nameWord{}, idf: map[string]float64{}, heads: map[string]bool{}, deletes: map[string][]string{}}
	occsWith := map[string]map[int]bool{}
	for i, n := range ni.names {
		if len(n.stems) == 1 && len(ni.heads[n.stems[0]]) > maxOneWordNames {
			continue // "Engineer" alone names no one occupation
		}
		for _, h := range n.heads {
			ri.heads[h] = true
		}
		for p, s := range n.stems {
			if p > 127 {
				break
			}
			ri.byStem[s] = append(ri.byStem[s], nameWord{name: int32(i), pos: int8(p)})
			if occsWith[s] == nil {
				occsWith[s] = map[int]bool{}
			}
			occsWith[s][n.occ] = true
		}
	}
	for s, set := range occsWith {
		// A stem naming few occupations tells more than one in many
		// (engineer, technician, assistant).
		ri.idf[s] = math.Log(1 + float64(nOccs)/float64(len(set)))
		if len(s) >= 5 {
			for _, d := range deletions(s) {
				if !slices.Contains(ri.deletes[d], s) {
					ri.deletes[d] = append(ri.deletes[d], s)
				}
			}
		}
	}
	ri.bonus = make([]float64, nOccs)
	for i, o := range occs {
		if o.HasKSBs() {
			ri.bonus[i] += 0.03
		}
		if !o.Retired() {
			ri.bonus[i] += 0.02
		}
	}
	ri.total = make([]float64, len(ni.names))
	ri.allCommon = make([]bool, len(ni.names))
	for i, n := range ni.names {
		ri.allCommon[i] = len(n.stems) > 1
		for _, s := range n.stems {
			ri.total[i] += ri.idf[s]
			ri.allCommon[i] = ri.allCommon[i] && len(ri.byStem[s]) > commonNameStem
		}
	}
	return ri
}

// saidBeside reports whether a word next to question word qi is another of
// a name's stems: a name of common words only is opened where two of them
// stand together, not wherever one of them is said.
func saidBeside(stems []string, seq []resolveWord, qi int) bool {
	return qi+1 < len(seq) && slices.Contains(stems, seq[qi+1].Stem) ||
		qi > 0 && slices.Contains(stems, seq[qi-1].Stem)
}

// maxOneWordNames: a one-word name (Electrician) shared by more occupations
// than this (Engineer, Manager) names none of them.
const maxOneWordNames = 25

// headStems are the stems that say what job a name is: its last, and the
// last before each "and" or "or" ("Carpentry and joinery").
func headStems(toks []Token, stems []string) []string {
	heads := []string{stems[len(stems)-1]}
	for i := 1; i < len(toks); i++ {
		if toks[i].Word == "and" || toks[i].Word == "or" {
			if p := toks[i-1]; p.Meaningful() && !p.Joined {
				heads = append(heads, p.Stem)
			}
		}
	}
	return heads
}

// standIn is a name stem a question's word may stand for, and how closely;
// exact marks the word itself or a typo of it.
type standIn struct {
	stem   string
	weight float64
	exact  bool
}

// RankOccupations ranks the occupations a text names: by title, typical job
// title, keyword or reference, each word as itself, a typo, a word form, a
// synonym of the lexicon (UK usage: sparky) or of WordNet (coder,
// programmer). Candidates come best first, at most one per occupation.
func (ix *Index) RankOccupations(text string) []Candidate {
	best := map[int]Candidate{}
	consider := func(c Candidate) {
		if prev, ok := best[ix.byRef[c.Occupation.Reference]]; !ok || betterCandidate(c, prev) {
			best[ix.byRef[c.Occupation.Reference]] = c
		}
	}
	for _, m := range reRefInText.FindAllStringSubmatchIndex(text, -1) {
		ref := strings.ToUpper(text[m[2]:m[3]])
		if i, ok := ix.byRef[ref]; ok {
			consider(Candidate{Occupation: ix.occupations[i], Name: ref, Title: true, Score: 1.5, Start: m[0], End: m[1], Complete: true})
		}
	}

	var seq []resolveWord
	words := make([]Token, 0, 32)
	for _, t := range Tokenize(text) {
		if !t.Joined {
			words = append(words, t)
		}
	}
	for i, t := range words {
		if t.Meaningful() && len(seq) < maxResolveWords {
			seq = append(seq, resolveWord{Token: t, nounLike: personUse(words, i), framed: framedAsJob(words, i), agent: agentNoun(t.Word)})
		}
	}
	seq = ix.compounds(seq)
	said, saidFit := ix.rankWords(seq)
	for _, c := range said {
		consider(c)
	}
	// What the lexicon knows by other names (chippy, PT, beautician) is
	// ranked as if said in the standards' words, a little below.
	stems := make([]string, len(seq))
	for i, w := range seq {
		stems[i] = w.Stem
	}
	rewrites := 0
	for _, m := range ix.lexicon.match(stems) {
		for ai, alt := range ix.lexicon.words[m.group] {
			if ai == m.alt || len(alt) == 0 || rewrites == maxRewrites {
				continue
			}
			rewrites++
			virt := make([]resolveWord, 0, len(seq)+len(alt))
			virt = append(virt, seq[:m.start]...)
			for k, w := range alt {
				virt = append(virt, resolveWord{
					Token:    Token{Word: w, Stem: ix.lexicon.groups[m.group][ai][k], Start: seq[m.start].Start, End: seq[m.end-1].End},
					nounLike: true, agent: agentNoun(w), virtual: true,
				})
			}
			virt = append(virt, seq[m.end:]...)
			cands, fit := ix.rankWords(virt)
			for _, c := range cands {
				// How well a title fits the words as said counts too:
				// "hairdressing" read as "hair stylist" still names
				// Hairdressing professional best.
				if occ := ix.byRef[c.Occupation.Reference]; !c.Title && saidFit[occ] > fit[occ] {
					c.Score += resolveTitleAffinity * (saidFit[occ] - fit[occ])
				}
				c.Score *= wAltSynonym
				consider(c)
			}
		}
	}
	// A word for a person that WordNet says in several words a name uses
	// (undertaker: funeral director) is ranked as if said so, a little
	// below as the link weighs.
	for i, w := range seq {
		if rewrites == maxRewrites {
			break
		}
		if w.Upper || namedWell(said, w) {
			continue // a word that names a standard as said needs no synonym
		}
		if person, _ := WordNet.Person(w.Word); !person {
			continue
		}
		for _, r := range WordNet.Related(w.Word) {
			if len(r.Stems) < 2 || r.Weight < minPersonSynonym || rewrites == maxRewrites || !ix.allNameStems(r.Stems) {
				continue
			}
			rewrites++
			virt := make([]resolveWord, 0, len(seq)+len(r.Stems))
			virt = append(virt, seq[:i]...)
			for _, st := range r.Stems {
				virt = append(virt, resolveWord{
					Token:    Token{Word: st, Stem: st, Start: w.Start, End: w.End},
					nounLike: true, virtual: true,
				})
			}
			virt = append(virt, seq[i+1:]...)
			cands, _ := ix.rankWords(virt)
			for _, c := range cands {
				c.Score *= float64(r.Weight) / wSynonymLink
				consider(c)
			}
		}
	}
	out := make([]Candidate, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Occupation.Reference, b.Occupation.Reference)
	})
	if len(out) > maxCandidates {
		out = out[:maxCandidates]
	}
	return out
}

// compounds reads a question's closed compound as the two words names say
// apart ("forklift" for "Fork lift truck engineer", "windscreen") and two
// words as the compound a name says ("fork lift" for "Forklift driver"):
// each reading is the standards' own spelling, so it counts in full.
func (ix *Index) compounds(seq []resolveWord) []resolveWord {
	ri := ix.resolve
	var out []resolveWord
	changed := false
	for i := 0; i < len(seq); i++ {
		w := seq[i]
		if _, isName := ri.idf[w.Stem]; !isName && i+1 < len(seq) && seq[i+1].Start-w.End <= 1 {
			joined := w.Word + seq[i+1].Word
			if st := Stem(joined); ri.idf[st] > 0 {
				tok := Token{Word: joined, Stem: st, Start: w.Start, End: seq[i+1].End}
				out = append(out, resolveWord{Token: tok, nounLike: w.nounLike || seq[i+1].nounLike,
					framed: w.framed || seq[i+1].framed, agent: agentNoun(joined), virtual: true})
				i++
				changed = true
				continue
			}
		}
		if left, right, ok := ix.splitCompound(w.Word); ok {
			for _, part := range []string{left, right} {
				out = append(out, resolveWord{Token: Token{Word: part, Stem: Stem(part), Start: w.Start, End: w.End},
					nounLike: w.nounLike, framed: w.framed, agent: agentNoun(part), virtual: true})
			}
			changed = true
			continue
		}
		out = append(out, w)
	}
	if !changed {
		return seq
	}
	return out
}

// minCompoundPart is the shortest part of a compound split: shorter parts
// (a, in, up) split too many words.
const minCompoundPart = 3

// splitCompound splits a word no name holds into two that names hold, in
// that order of a name ("forklifts": fork, lifts): the split whose rarer
// part is rarest among names.
func (ix *Index) splitCompound(word string) (left, right string, ok bool) {
	ri := ix.resolve
	if len(word) < 2*minCompoundPart+1 {
		return "", "", false
	}
	if _, isName := ri.idf[Stem(word)]; isName {
		return "", "", false
	}
	best := 0.0
	for i := minCompoundPart; i <= len(word)-minCompoundPart; i++ {
		l, r := word[:i], word[i:]
		li, lok := ri.idf[Stem(l)]
		rj, rok := ri.idf[Stem(r)]
		if !lok || !rok || !followsInName(ix, Stem(l), Stem(r)) {
			continue
		}
		if v := min(li, rj); v > best {
			best, left, right, ok = v, l, r, true
		}
	}
	return left, right, ok
}

// followsInName reports whether some name has stem a just before stem b.
func followsInName(ix *Index, a, b string) bool {
	for _, nw := range ix.resolve.byStem[a] {
		n := ix.names.names[nw.name]
		if int(nw.pos)+1 < len(n.stems) && n.stems[nw.pos+1] == b {
			return true
		}
	}
	return false
}

// wDerivationForm is the least weight of WordNet's derivational links;
// resolveNamedSynonym discounts a synonym of a word that names occupations
// itself.
const (
	wDerivationForm     = 0.85
	resolveNamedSynonym = 0.7
)

// personUse reports whether word i is used as a noun for a person: WordNet
// knows it as one (or not at all), and it is a plural, follows an article
// or "as", or comes before a word such as "apprenticeship".
func personUse(words []Token, i int) bool {
	t := words[i]
	person, known := WordNet.Person(t.Word)
	if known && !person {
		return false
	}
	if person && WordNet.PersonNoun(t.Word) {
		return true // no other use to mistake it for
	}
	if strings.HasSuffix(t.Word, "s") && len(t.Word) > 3 {
		return true
	}
	if i > 0 {
		if _, ok := personBefore[words[i-1].Word]; ok {
			return true
		}
	}
	if i+1 < len(words) {
		if _, ok := personAfter[words[i+1].Word]; ok {
			return true
		}
	}
	return i == 0 || !known
}

// framedAsJob reports whether word i stands next to a word that frames a
// job: "a bricklaying apprenticeship", "the butchery course".
func framedAsJob(words []Token, i int) bool {
	if i+1 < len(words) {
		if _, ok := personAfter[words[i+1].Word]; ok {
			return true
		}
	}
	// "my level 2 bricklaying": a level said before it.
	if i >= 2 && words[i-2].Word == "level" && isDigits(words[i-1].Word) {
		return true
	}
	return false
}

var (
	personBefore = wordSet("a an the as my your their his her our become becoming being trainee junior senior apprentice")
	personAfter  = wordSet("apprenticeship apprenticeships job jobs role roles career careers standard course courses training need needs earn earns do does")
)

// nameMatch is one place a question's word stands for a name's word.
type nameMatch struct {
	qi    int // position in the question's meaningful words
	w     float64
	exact bool
}

// emptyHeads are the stems of heads that say little of the job by
// themselves (Hairdressing professional, Improvement practitioner).
var emptyHeads = stemSet("professional practitioner specialist operative worker")

// questionWord holds the stems of words questions use about any
// occupation: alone they name none ("learn" is no Learning and development
// practitioner, "skills" no Learning and skills teacher).
var questionWord = stemSet(`learn learning skill skills level need job work apprenticeship apprentice course
training train career pay salary role duty duties knowledge behaviour study qualification`)

func stemSet(words string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(words) {
		out[Stem(w)] = true
	}
	return out
}

// anchors are the question positions a reading of a name may centre on:
// the places its most seldom found word (at position rarest of the name)
// is found.
func anchors(h [][]nameMatch) (rarest int, qis []int) {
	rarest = -1
	for p, ms := range h {
		if len(ms) > 0 && (rarest < 0 || len(ms) < len(h[rarest])) {
			rarest = p
		}
	}
	if rarest < 0 {
		return -1, nil
	}
	qis = make([]int, 0, len(h[rarest]))
	for _, m := range h[rarest] {
		if !slices.Contains(qis, m.qi) {
			qis = append(qis, m.qi)
		}
	}
	return rarest, qis
}

// place reads a name around an anchor (the name's word at anchorPos found
// at question position anchor): for each of its words, the match nearest
// the anchor among the strongest, on the side the name's order puts it;
// one question word names one word of the name (nurse is not also the
// nursery of "Nursery nurse").
func place(h [][]nameMatch, anchorPos, anchor int) []nameMatch {
	out := make([]nameMatch, len(h))
	value := func(p int, m nameMatch) float64 {
		v := m.w - 0.05*float64(abs(m.qi-anchor))
		if (p < anchorPos && m.qi > anchor) || (p > anchorPos && m.qi < anchor) {
			v -= 0.08 // out of the name's order: worse than a word further off
		}
		if m.exact {
			v += 0.01
		}
		return v
	}
	used := make(map[int]bool, len(h))
	for p, ms := range h {
		best := -1
		for i, m := range ms {
			if !used[m.qi] && (best < 0 || value(p, m) > value(p, ms[best])) {
				best = i
			}
		}
		if best >= 0 {
			out[p] = ms[best]
			used[ms[best].qi] = true
		}
	}
	return out
}

// nameFit is how well one reading of a name fits the question.
type nameFit struct {
	score    float64
	lo, hi   int
	complete bool
	// kindOnly: the question says the name's words before its head, in a
	// run, exactly, and not its head ("shoe" of Shoe operative); head is
	// that head's word.
	kindOnly bool
	head     string
}

// fitName scores a reading: the weighted share of the name's words found,
// less when they are scattered or out of order, or when the word that
// says what the job is (its head) is missing.
func (ix *Index) fitName(n occName, total float64, at []nameMatch, words int, seq []resolveWord) nameFit {
	ri := ix.resolve
	var sum float64
	lo, hi := words, -1
	exact, inOrder, prev := 0, true, -1
	telling := false // some word found is more than a question's own word
	for p, st := range n.stems {
		m := at[p]
		if m.w == 0 {
			continue
		}
		if !questionWord[seq[m.qi].Stem] {
			telling = true
		}
		sum += ri.idf[st] * m.w
		lo, hi = min(lo, m.qi), max(hi, m.qi)
		if m.exact {
			exact++
		}
		if m.qi < prev {
			inOrder = false
		}
		prev = m.qi
	}
	complete := exact == len(n.stems) && hi-lo+1 == len(n.stems) && inOrder
	if hi < 0 || total == 0 || (!telling && !complete) {
		// "learn" alone does not name Learning and development
		// practitioner.
		return nameFit{}
	}
	score := sum / total
	// One part of "Carpentry and joinery" said whole names it, a little
	// less than the whole title.
	for _, part := range n.parts {
		var got, all float64
		for p := part[0]; p < part[1] && p < len(n.stems); p++ {
			all += ri.idf[n.stems[p]]
			got += ri.idf[n.stems[p]] * at[p].w
		}
		if all > 0 && !modifiedPart(part, at, seq) {
			score = max(score, resolveConjunct*got/all)
		}
	}
	if n.title {
		// Titles carry qualifiers a question leaves out (Junior estate
		// agent, Advanced butcher): a part of a title fits better than
		// the same part of a job title.
		score = math.Pow(score, resolveTitlePart)
	}
	run := hi - lo + 1
	if run > len(n.stems)+1 || !inOrder {
		score *= resolveScattered
	}
	headMatched, headEmpty := false, true
	heads := n.heads
	for p, st := range n.stems {
		if !slices.Contains(heads, st) {
			continue
		}
		if !emptyHeads[st] {
			headEmpty = false
		}
		if at[p].w > 0 {
			headMatched = true
		}
	}
	if !headMatched && !headEmpty && !personHeadAfter(seq, hi) {
		// A head that says little (professional, practitioner) may go
		// unsaid: "hairdressing" names Hairdressing professional. A
		// question saying only "person" or "worker" for the head says
		// which field and leaves the job open ("an HR person": HR
		// support).
		score *= resolveHeadless
	}
	if !headMatched && !complete && nounAfter(at, seq, hi) {
		// A name's word said before a noun the name lacks is that
		// thing's: "national insurance number" is a number, not
		// Insurance professional.
		score *= resolveHeadless
	}
	if headMatched && !complete && otherKind(n, at, seq) {
		// "tyre fitter" is another kind of fitter than Engineering
		// fitter: the question's own word before the head says which.
		score *= resolveOtherKind
	}
	if complete && !n.title && kindBefore(at, seq) {
		// "quantity surveyor" names a kind of the job title "Surveyor":
		// a little less than a name that says the kind too.
		score *= resolveNarrowerKind
	}
	if n.title && framedLead(n, at, seq) {
		// "the plumbing apprenticeship": the title's leading words,
		// said as the name of an apprenticeship, name it (Plumbing and
		// domestic heating technician), whatever its head.
		score = max(score, resolveFramedLead)
	}
	fit := nameFit{score: score, lo: lo, hi: hi, complete: complete}
	if last := len(n.stems) - 1; !complete && last > 0 && slices.Contains(heads, n.stems[last]) && at[last].w == 0 && hi-lo+1 == last {
		fit.kindOnly = true
		for p := range last {
			fit.kindOnly = fit.kindOnly && at[p].w > 0 && at[p].exact
		}
		fit.head = n.words[last]
	}
	return fit
}

// otherKind reports whether the question says a name's head right after a
// noun of its own that the name lacks, while the name's words before its
// head go unsaid: "tyre fitter" for Engineering fitter. A word for a person
// ("apprentice electrician"), an adjective, a number or a question's own
// word says no kind.
func otherKind(n occName, at []nameMatch, seq []resolveWord) bool {
	head := -1
	for p, st := range n.stems {
		if slices.Contains(n.heads, st) && at[p].w > 0 {
			head = p
			break
		}
	}
	if head <= 0 {
		return false
	}
	missing := false
	for p := 0; p < head; p++ {
		if at[p].w == 0 {
			missing = true
		}
	}
	return missing && kindWordBefore(at, seq, at[head].qi)
}

// kindBefore reports whether the question says a noun of its own right
// before a name said whole (the "quantity" of "quantity surveyor" before
// the job title "Surveyor"): the question names a narrower kind.
func kindBefore(at []nameMatch, seq []resolveWord) bool {
	first := -1
	for _, m := range at {
		if m.w > 0 && (first < 0 || m.qi < first) {
			first = m.qi
		}
	}
	return first >= 0 && kindWordBefore(at, seq, first)
}

// kindWordBefore reports whether the question word right before word qi
// names a kind: a noun (or a verb's -ing form, "glazing") the name does not
// hold, not a word for a person ("apprentice electrician"), an adjective, a
// number or a question's own word.
func kindWordBefore(at []nameMatch, seq []resolveWord, qi int) bool {
	if qi <= 0 || seq[qi].Start-seq[qi-1].End > 2 || questionWord[seq[qi-1].Stem] {
		return false
	}
	for _, m := range at {
		if m.w > 0 && m.qi == qi-1 {
			return false
		}
	}
	prev := seq[qi-1].Word
	if isDigits(prev) {
		return false
	}
	f := seq[qi-1].wordNetFlags()
	noun := f&flagNoun != 0 || (strings.HasSuffix(prev, "ing") && WordNet.Known(prev))
	return noun && f&flagPerson == 0
}

// personHeadAfter reports whether the question word right after word hi
// is a word for someone that names no job ("person", "worker", "guy").
func personHeadAfter(seq []resolveWord, hi int) bool {
	return hi >= 0 && hi+1 < len(seq) && seq[hi+1].Start-seq[hi].End <= 1 && genericPerson[seq[hi+1].Stem]
}

var genericPerson = stemSet(`person people worker workers guy guys bloke blokes lady ladies staff someone`)

// preferKind puts a name that says the question's kind above a one-word
// name said whole after it: "a shoe maker" is Shoe operative (the kind said,
// a head near in meaning to "maker"), not the job title "Maker" of Model
// maker; "a prison guard" is Prison officer, not the train Guard. The one
// word must be a job title, not a title ("a school teacher" is a Teacher),
// said right after the kind, and the heads near in meaning by the word
// vectors (kindHeadSimilarity).
func preferKind(cs []Candidate, seq []resolveWord) {
	for i := range cs {
		a := &cs[i]
		if !a.Complete || a.Title || strings.Contains(a.Name, " ") {
			continue
		}
		for j := range cs {
			b := &cs[j]
			if b.kind == "" || b.Score >= a.Score || b.kindEnd > a.Start || a.Start-b.kindEnd > 1 {
				continue
			}
			said := ""
			for _, w := range seq {
				if w.Start == a.Start {
					said = w.Word
				}
			}
			if said != "" && Vectors.Similarity(said, b.kind) >= kindHeadSimilarity {
				b.Score = a.Score + 0.01
				b.End = a.End
			}
		}
	}
}

// kindHeadSimilarity is how near in meaning a question's head and a name's
// must be for the name that says the kind to be meant (maker and operative
// 0.41, guard and officer 0.60).
const kindHeadSimilarity = 0.4

// nounAfter reports whether the question word right after word hi is a
// noun the name does not hold, not a word for a person, a number or a
// question's own word ("plumbing apprenticeship", "hairdressing level").
func nounAfter(at []nameMatch, seq []resolveWord, hi int) bool {
	if hi < 0 || hi+1 >= len(seq) || seq[hi+1].Start-seq[hi].End > 1 || questionWord[seq[hi+1].Stem] {
		return false
	}
	for _, m := range at {
		if m.w > 0 && m.qi == hi+1 {
			return false
		}
	}
	if isDigits(seq[hi+1].Word) {
		return false
	}
	f := seq[hi+1].wordNetFlags()
	return f&flagNoun != 0 && f&flagPerson == 0
}

// isDigits reports whether a word is a number written in digits.
func isDigits(w string) bool { return w != "" && strings.Trim(w, "0123456789") == "" }

// framedLead reports whether the question says a title's leading words,
// and only those, exactly and in order, the last of them framed as a job
// ("plumbing apprenticeship"), and the title goes on past them.
func framedLead(n occName, at []nameMatch, seq []resolveWord) bool {
	k := 0
	for k < len(n.stems) && at[k].w > 0 && at[k].exact && (k == 0 || at[k].qi == at[k-1].qi+1) {
		k++
	}
	if k == 0 || k == len(n.stems) || !seq[at[k-1].qi].framed {
		return false
	}
	for p := k; p < len(n.stems); p++ {
		if at[p].w > 0 {
			return false
		}
	}
	return true
}

// modifiedPart reports whether a one-word part of a name ("collector" of
// "Credit controller and collector") is found right after a word of the
// question the name lacks: "refuse collector" is another job, not that
// part said whole.
func modifiedPart(part [2]int, at []nameMatch, seq []resolveWord) bool {
	if part[1]-part[0] != 1 || part[0] >= len(at) || at[part[0]].w == 0 {
		return false
	}
	qi := at[part[0]].qi
	if qi == 0 || seq[qi].Start-seq[qi-1].End > 1 || questionWord[seq[qi-1].Stem] {
		return false
	}
	for _, m := range at {
		if m.w > 0 && m.qi == qi-1 {
			return false
		}
	}
	return true
}

// resolveWord is a meaningful word of a question, as resolution sees it.
type resolveWord struct {
	Token
	nounLike bool // used as a noun for a person
	framed   bool // next to a word that frames a job ("apprenticeship")
	agent    bool // its form names a person (developer, not development)
	virtual  bool // put in by a rewrite, spanning the words it replaced
	// flags are WordNet's flags of the word (flagNoun...), read once a
	// question: fitting names asks them of the same words many times.
	flags    uint8
	flagsSet bool
}

func (w *resolveWord) wordNetFlags() uint8 {
	if !w.flagsSet {
		w.flags, w.flagsSet = WordNet.wordFlags(w.Word), true
	}
	return w.flags
}

// maxRewrites bounds the lexicon's rewrites of one question.
const maxRewrites = 8

// rankWords ranks the occupations a sequence of question words names, at
// most one candidate per occupation, and says how well each occupation's
// title fits the words.
func (ix *Index) rankWords(seq []resolveWord) ([]Candidate, map[int]float64) {
	ni, ri := ix.names, ix.resolve
	// Where each name's words are found: every occurrence, so that a name
	// said twice ("software developer vs software tester") is read where
	// its words stand together.
	hits := map[int32][][]nameMatch{}
	// A word names an occupation a few times in a question at most: a
	// pasted essay repeating "engineer" costs no more than a question.
	seen := map[string]int{}
	var common []struct {
		qi int
		st standIn
	}
	for qi, w := range seq {
		if seen[w.Stem]++; seen[w.Stem] > maxOccurrences {
			continue
		}
		for _, st := range ix.nameStandIns(w) {
			if len(ri.byStem[st.stem]) > commonNameStem {
				// A stem in a great many names (engineer, technician)
				// only completes names other words found.
				common = append(common, struct {
					qi int
					st standIn
				}{qi, st})
				continue
			}
			ix.collectName(hits, seq, qi, st, true)
		}
	}
	for _, c := range common {
		ix.collectName(hits, seq, c.qi, c.st, false)
	}
	best := map[int]Candidate{}
	titleFit := map[int]float64{} // occupation -> how well its title fits
	for ni32, h := range hits {
		n := ni.names[ni32]
		if !n.title && len(n.stems) == 1 && len(n.words) == 1 && !personWord(n.words[0]) {
			// A one-word job title or keyword must name a person
			// ("Electrician"), not an activity ("coding"), or a topic
			// word would name the occupation.
			continue
		}
		var fit nameFit
		anchorPos, qis := anchors(h)
		for _, anchor := range qis {
			if fit.score > 0 && fit.complete {
				break // a reading said whole is as good as any
			}
			if f := ix.fitName(n, ri.total[ni32], place(h, anchorPos, anchor), len(seq), seq); f.score > fit.score {
				fit = f
			}
		}
		score := fit.score
		if score == 0 {
			continue
		}
		switch {
		case n.title:
			titleFit[n.occ] = max(titleFit[n.occ], score)
			score *= resolveTitle
		case n.keyword:
			score *= resolveKeyword
		default:
			score *= resolveJob
		}
		o := ix.occupations[n.occ]
		score += ri.bonus[n.occ]
		if score < minResolveScore {
			continue
		}
		if len(n.stems) == 1 && !seq[fit.lo].nounLike && !(n.title && seq[fit.lo].framed) {
			// A one-word name (Cook, Developer) is named only by a word
			// used for a person: not "how to cook", not "development";
			// a one-word title also by its trade framed as one
			// ("a bricklaying apprenticeship").
			continue
		}
		if fit.complete {
			// The longest name said whole wins: "actuarial analyst"
			// over "actuary", "forest craftsperson" over "forester".
			score += resolveLonger * float64(len(n.stems)-1)
		}
		c := Candidate{
			Occupation: o, Name: n.text, Title: n.title, Score: score,
			Start: seq[fit.lo].Start, End: ix.personTail(seq, fit.hi), Complete: fit.complete,
		}
		if fit.kindOnly {
			c.kind = fit.head
			c.kindEnd = seq[fit.hi].End
		}
		if prev, ok := best[n.occ]; !ok || betterCandidate(c, prev) {
			best[n.occ] = c
		}
	}
	out := make([]Candidate, 0, len(best))
	for occ, c := range best {
		if !c.Title {
			c.Score += resolveTitleAffinity * titleFit[occ]
		}
		out = append(out, c)
	}
	preferKind(out, seq)
	return out, titleFit
}

// personTail is where a mention ending at word hi ends: after the word for
// a person that follows it when no name uses that word ("removal man",
// "lollipop lady"), for that word says who, not what about.
func (ix *Index) personTail(seq []resolveWord, hi int) int {
	end := seq[hi].End
	if hi+1 >= len(seq) {
		return end
	}
	next := seq[hi+1]
	if next.Start-end > 1 || next.virtual {
		return end
	}
	if _, named := ix.resolve.idf[next.Stem]; named {
		return end
	}
	if person, _ := WordNet.Person(next.Word); !person {
		return end
	}
	return next.End
}

// Bounds on resolution's work: how many times one stem of a question is
// followed, and how many names a stem may be in before it only completes
// names found by other words.
const (
	maxOccurrences = 3
	commonNameStem = 150
)

// collectName records where the names holding a stand-in's stem are found;
// with open false, only names already found.
func (ix *Index) collectName(hits map[int32][][]nameMatch, seq []resolveWord, qi int, st standIn, open bool) {
	ni, ri := ix.names, ix.resolve
	w := seq[qi]
	for _, nw := range ri.byStem[st.stem] {
		h := hits[nw.name]
		if h == nil && !open && !(ri.allCommon[nw.name] && saidBeside(ni.names[nw.name].stems, seq, qi)) {
			continue
		}
		wt, exact := st.weight, st.exact
		if nm := ni.names[nw.name]; st.stem == w.Stem && int(nw.pos) < len(nm.words) && !SameFamily(w.Word, nm.words[nw.pos]) {
			// One stem, another meaning: animals are no animator.
			continue
		}
		if nm := ni.names[nw.name]; int(nw.pos) < len(nm.words) && agentNoun(nm.words[nw.pos]) != w.agent {
			// One stem, another word: development for developer,
			// engineering for engineer.
			wt, exact = min(wt, resolvePrefix), false
		}
		if h == nil {
			h = make([][]nameMatch, len(ni.names[nw.name].stems))
			hits[nw.name] = h
		}
		h[nw.pos] = append(h[nw.pos], nameMatch{qi: qi, w: wt, exact: exact})
	}
}

// minPersonSynonym is the least weight of a WordNet synonym in several
// words read as a person's name; wSynonymLink, WordNet's weight of a
// synonym, reads it at wAltSynonym's place (as the lexicon's).
const (
	minPersonSynonym = 0.7
	wSynonymLink     = 0.8 / wAltSynonym
)

// betterCandidate orders two readings of one occupation: the higher score,
// then the longer span said, then a title, then the name, so that the
// reading kept (and the words it takes out of the topic) never depends on
// the order names are visited in.
func betterCandidate(a, b Candidate) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	if la, lb := a.End-a.Start, b.End-b.Start; la != lb {
		return la > lb
	}
	if a.Title != b.Title {
		return a.Title
	}
	return a.Name < b.Name
}

// namedWell reports whether a candidate named by the words as said, at a
// useful score (0.72), spans w.
func namedWell(said []Candidate, w resolveWord) bool {
	for _, c := range said {
		if c.Score >= 0.72 && c.Start <= w.Start && w.End <= c.End {
			return true
		}
	}
	return false
}

// allNameStems reports whether every stem is some name's word.
func (ix *Index) allNameStems(stems []string) bool {
	for _, s := range stems {
		if _, ok := ix.resolve.idf[s]; !ok {
			return false
		}
	}
	return true
}

// maxClipped is the most name words a clipped word may begin: more, and
// it is a word of its own, not a clipping.
const maxClipped = 3

// maxResolveWords bounds the words of a question resolution looks at: names
// are said early, and the cost must not grow with a pasted essay.
const maxResolveWords = 160

// nameStandIns gives the name stems a question's word may stand for.
func (ix *Index) nameStandIns(rw resolveWord) []standIn {
	t := rw.Token
	ri := ix.resolve
	var out []standIn
	add := func(s string, w float64, exact bool) {
		if _, ok := ri.idf[s]; !ok {
			return
		}
		for i := range out {
			if out[i].stem == s {
				if w > out[i].weight {
					out[i].weight, out[i].exact = w, exact
				}
				return
			}
		}
		out = append(out, standIn{stem: s, weight: w, exact: exact})
	}
	add(t.Stem, 1, true)
	if rw.virtual {
		return out // a rewrite's word is the standards' own
	}
	_, isName := ri.idf[t.Stem]
	// Typos and word forms of a name's word, for a word no name has
	// (police is neither a typo nor a form of policy); typos only for a
	// word that is no English word (better is no typo of setter).
	_, knownWord := WordNet.Person(t.Word)
	if len(t.Stem) >= 5 && !t.Upper && !isName && !knownWord {
		for _, d := range deletions(t.Stem) {
			for _, s := range ri.deletes[d] {
				if s != t.Stem && stemsClose(t.Stem, s) {
					add(s, resolveTypo, true)
				}
			}
		}
	}
	// Word forms stemming keeps apart: plumbing and plumber.
	if len(t.Stem) >= 5 && !isName {
		for k := max(5, len(t.Stem)-3); k < len(t.Stem); k++ {
			add(t.Stem[:k], resolvePrefix, false)
		}
		i, _ := slices.BinarySearch(ix.names.stemList, t.Stem)
		for ; i < len(ix.names.stemList) && strings.HasPrefix(ix.names.stemList[i], t.Stem); i++ {
			if len(ix.names.stemList[i])-len(t.Stem) <= 3 {
				add(ix.names.stemList[i], resolvePrefix, false)
			}
		}
	}
	// A clipped word no dictionary knows (physio, cardio): the one or two
	// name words it begins.
	if !knownWord && !isName && !t.Upper && len(t.Word) >= 4 && strings.Trim(t.Word, "0123456789") != "" {
		i, _ := slices.BinarySearch(ix.names.stemList, t.Word)
		var longer []string
		for ; i < len(ix.names.stemList) && strings.HasPrefix(ix.names.stemList[i], t.Word); i++ {
			if len(ix.names.stemList[i]) >= len(t.Word)+3 {
				longer = append(longer, ix.names.stemList[i])
			}
		}
		if len(longer) <= maxClipped {
			for _, s := range longer {
				add(s, resolvePrefix, false)
			}
		}
	}
	// WordNet: a derivational form (carpenter: carpentry), or, for a word
	// naming a person, a synonym that ends some name (coder: programmer).
	// Other links of everyday words (level: degree; programming:
	// scheduling) would find names in any question.
	if !t.Upper {
		person, _ := WordNet.Person(t.Word)
		for _, r := range WordNet.Related(t.Word) {
			if len(r.Stems) == 1 && r.Weight >= 0.7 && len(t.Stem) >= 3 && len(r.Stems[0]) > len(t.Stem)+2 && strings.HasPrefix(r.Stems[0], t.Stem) {
				// A clipped form and its synonym in full (lab,
				// laboratory; vet, veterinary) are one word.
				add(r.Stems[0], resolveTypo, false)
				continue
			}
			if len(r.Stems) != 1 || r.Weight < 0.6 || (r.Weight < wDerivationForm && (!person || !ri.heads[r.Stems[0]])) {
				continue
			}
			w := float64(r.Weight)
			if isName && r.Weight < wDerivationForm {
				// A word that is itself a name (engineer) is meant as
				// itself more than as its synonym (technologist).
				w *= resolveNamedSynonym
			}
			add(r.Stems[0], w, false)
		}
	}
	return out
}
