package retrieval

import (
	"regexp"
	"slices"
	"strings"
)

// nameIndex holds the occupations' names (titles, typical job titles,
// keywords) as stems, for ranked resolution (resolve.go), group words and
// "did you mean" suggestions.
type nameIndex struct {
	names   []occName
	generic map[string]bool // stems too common to name one occupation alone
	// heads maps a stem that ends the names of several occupations (chef,
	// nurse, engineer) to those occupations, titles first.
	heads map[string][]int
	// stemList is every stem of every name, sorted, for word forms.
	stemList []string
}

type occName struct {
	occ     int
	text    string
	stems   []string
	title   bool
	keyword bool // a keyword of the standard, not a name of its job
	// words are the folded words of the stems: whether a word names a
	// person (developer, not development) is told from them when asked,
	// for stemming merges the two and a name does not.
	words []string
	// parts are the stem ranges of a name's conjuncts ("Carpentry" and
	// "joinery"), each of which names the job on its own.
	parts [][2]int
	// heads are the stems that say what job it is (see headStems).
	heads []string
}

var (
	reBracketed = regexp.MustCompile(`\s*\([^)]*\)`)
	// reQualifier is what ends some titles without naming the job: the
	// head of "Robotics engineer - degree" is the engineer.
	reQualifier = regexp.MustCompile(`(?i)(?:[\s,-]+(?:integrated\s+)?degree|[\s,-]+(?:foundation\s+)?apprenticeship|[\s,-]+\d{4})+\s*$`)
	reRefInText = regexp.MustCompile(`(?i)\b((?:ST|FA)\d{4})\b`)
)

func buildNames(occs []*Occupation) *nameIndex {
	ni := &nameIndex{generic: map[string]bool{}, heads: map[string][]int{}}
	// Stem every title and job title first, on every CPU: it is most of
	// the work of a warm start.
	type raw struct {
		occ     int
		text    string
		title   bool
		keyword bool
		stems   []string
		words   []string
		parts   [][2]int
		heads   []string
	}
	var raws []raw
	for i, o := range occs {
		raws = append(raws, raw{occ: i, text: o.Title, title: true})
	}
	for i, o := range occs {
		for _, jt := range o.JobTitles {
			raws = append(raws, raw{occ: i, text: jt})
		}
	}
	for i, o := range occs {
		for _, kw := range o.Keywords {
			raws = append(raws, raw{occ: i, text: kw, keyword: true})
		}
	}
	parallel(len(raws), func(i int) {
		r := &raws[i]
		if strings.ContainsRune(r.text, '(') {
			r.text = reBracketed.ReplaceAllString(r.text, "")
		}
		if low := strings.ToLower(r.text); strings.Contains(low, "degree") || strings.Contains(low, "apprenticeship") || strings.ContainsAny(low, "0123456789") {
			r.text = reQualifier.ReplaceAllString(r.text, "")
		}
		r.text = strings.TrimSpace(r.text)
		r.stems = phraseStems(r.text)
		if len(r.stems) > 0 {
			toks := Tokenize(r.text)
			r.words = meaningfulWords(toks)
			r.parts = conjuncts(toks)
			r.heads = headStems(toks, r.stems)
		}
	})
	seen := map[string]bool{}
	add := func(r raw) {
		occ, text, title, keyword, stems := r.occ, r.text, r.title, r.keyword, r.stems
		if len(stems) == 0 {
			return
		}

		key := strings.Join(stems, " ") + "\x00" + occs[occ].Reference
		if seen[key] {
			// A job title that repeats the title adds nothing; keep the title.
			return
		}
		seen[key] = true
		ni.names = append(ni.names, occName{occ: occ, text: text, stems: stems, title: title, keyword: keyword, words: r.words, parts: r.parts, heads: r.heads})
	}
	for _, r := range raws {
		add(r)
	}
	// A stem found in the names of many occupations ("engineer", "manager")
	// cannot name one occupation on its own.
	occsWith := map[string]map[int]bool{}
	for _, n := range ni.names {
		if n.keyword {
			continue
		}
		for _, s := range n.stems {
			if occsWith[s] == nil {
				occsWith[s] = map[int]bool{}
			}
			occsWith[s][n.occ] = true
		}
	}
	for s, set := range occsWith {
		if len(set) >= 6 {
			ni.generic[s] = true
		}
	}
	// Names are added titles first, so each head's list starts with the
	// occupations whose title ends in it.
	headOccs := map[string][]int{}
	for _, n := range ni.names {
		if n.keyword {
			continue
		}
		h := n.stems[len(n.stems)-1]
		if !slices.Contains(headOccs[h], n.occ) {
			headOccs[h] = append(headOccs[h], n.occ)
		}
	}
	for h, list := range headOccs {
		if len(list) >= 3 {
			ni.heads[h] = list
		}
	}
	stemSet := map[string]bool{}
	for _, n := range ni.names {
		for _, s := range n.stems {
			if !stemSet[s] {
				stemSet[s] = true
				ni.stemList = append(ni.stemList, s)
			}
		}
	}
	slices.Sort(ni.stemList)
	return ni
}

// conjuncts splits a name's meaningful words at "and" and "or" when each
// part names the job alone ("Carpentry and joinery"): the stem ranges of
// its parts, or nil.
func conjuncts(toks []Token) [][2]int {
	var parts [][2]int
	start, n := 0, 0
	for _, t := range toks {
		if t.Joined {
			continue
		}
		if t.Word == "and" || t.Word == "or" {
			if n > start {
				parts = append(parts, [2]int{start, n})
			}
			start = n
			continue
		}
		if t.Meaningful() {
			n++
		}
	}
	if len(parts) == 0 || n == start {
		return nil
	}
	if n-start > 1 {
		// "Maintenance and operations engineering technician": the last
		// part's words are shared, so no part names the job alone.
		return nil
	}
	return append(parts, [2]int{start, n})
}

// meaningfulWords are the folded words of a name that have stems.
func meaningfulWords(toks []Token) []string {
	var out []string
	for _, t := range toks {
		if !t.Joined && t.Meaningful() {
			out = append(out, t.Word)
		}
	}
	return out
}

// agentNoun reports whether a folded word names a person by its form or
// by WordNet: engineer, developer, electrician, chef; not engineering or
// development.
func agentNoun(w string) bool {
	w = strings.TrimSuffix(w, "s")
	for _, suf := range []string{"er", "or", "ist", "ian", "ant", "ent", "man", "woman", "person"} {
		if strings.HasSuffix(w, suf) && !strings.HasSuffix(w, "ment") {
			return true
		}
	}
	person, _ := WordNet.Person(w)
	return person
}

// personWord reports whether a folded word names a person, as far as
// WordNet knows: a word it does not know (sparky, barista) is given the
// benefit of the doubt.
func personWord(w string) bool {
	person, known := WordNet.Person(w)
	return person || !known
}

// deletions returns s and every string made by deleting one byte of it.
func deletions(s string) []string {
	out := make([]string, 0, len(s)+1)
	out = append(out, s)
	for i := range len(s) {
		d := s[:i] + s[i+1:]
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// OccupationsNamed returns the occupations whose title or a job title ends
// in a word ("chef" -> Commis chef, Pastry chef, ...), when several do;
// occupations whose title ends in it come first.
func (ix *Index) OccupationsNamed(word string) []*Occupation {
	list := ix.names.heads[Stem(Fold(word))]
	out := make([]*Occupation, len(list))
	for i, occ := range list {
		out[i] = ix.occupations[occ]
	}
	return out
}

// IsGenericName reports whether a stem is too common among occupation names
// to name one on its own ("engineer", "technician").
func (ix *Index) IsGenericName(stem string) bool { return ix.names.generic[stem] }

// stemsClose reports whether two stems are one slip apart (a typo, a
// transposition), for stems long enough that this is not another word.
func stemsClose(a, b string) bool {
	if len(a) < 5 || len(b) < 5 || abs(len(a)-len(b)) > 1 {
		return false
	}
	return osaDistance(a, b, 1) <= 1
}

// SuggestOccupations ranks occupations whose names look like a phrase, for
// "did you mean" answers: shared words first, then shared letter trigrams.
func (ix *Index) SuggestOccupations(phrase string, n int) []*Occupation {
	want := trigrams(Fold(phrase))
	if len(want) == 0 {
		return nil
	}
	type scored struct {
		occ   int
		score float64
	}
	best := map[int]float64{}
	for _, nm := range ix.names.names {
		got := trigrams(Fold(nm.text))
		shared := 0
		for g := range want {
			if got[g] {
				shared++
			}
		}
		s := float64(shared) / float64(len(want)+len(got)-shared)
		if s > best[nm.occ] {
			best[nm.occ] = s
		}
	}
	var list []scored
	for occ, s := range best {
		if s >= 0.25 {
			list = append(list, scored{occ, s})
		}
	}
	slices.SortFunc(list, func(a, b scored) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return a.occ - b.occ
	})
	var out []*Occupation
	for i := 0; i < len(list) && i < n; i++ {
		out = append(out, ix.occupations[list[i].occ])
	}
	return out
}

func trigrams(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		w = " " + w + " "
		for i := 0; i+3 <= len(w); i++ {
			out[w[i:i+3]] = true
		}
	}
	return out
}
