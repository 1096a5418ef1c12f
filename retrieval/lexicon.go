package retrieval

import (
	_ "embed"
	"slices"
	"strings"
	"unicode"
)

//go:embed lexicon.txt
var lexiconText string

// A Lexicon knows which phrases mean the same: the built-in domain groups
// (lexicon.txt) and the acronyms a corpus defines itself. Phrases are held
// as stem sequences.
type Lexicon struct {
	// groups[i] holds equivalent phrases; byFirst indexes every phrase by
	// its first stem for matching.
	groups  [][]phrase
	byFirst map[string][]phraseRef
	// words holds each phrase's folded words, parallel to groups, for
	// rewriting a question in another phrase's words.
	words [][][]string
}

type phrase []string

type phraseRef struct {
	group, alt int
}

// defaultLexicon is the built-in lexicon without mined acronyms.
var defaultLexicon = parseLexicon(lexiconText)

// lexiconVersion identifies the built-in lexicon's content in index keys.
var lexiconVersion = shortHash(lexiconText)

// parseLexicon reads groups in the lexicon.txt format.
func parseLexicon(text string) *Lexicon {
	lx := &Lexicon{byFirst: map[string][]phraseRef{}}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var g []phrase
		var ws [][]string
		for _, alt := range strings.Split(line, "|") {
			if p := lexiconStems(alt); len(p) > 0 {
				g = append(g, p)
				ws = append(ws, lexiconWords(alt, len(p)))
			}
		}
		lx.addGroup(g, ws)
	}
	return lx
}

// lexiconStems is phraseStems, except that a one-word alternative keeps its
// word even when it is a stopword: "it" in the lexicon is the acronym IT,
// which questions write in capitals.
func lexiconStems(s string) phrase {
	var words []Token
	for _, t := range Tokenize(s) {
		if !t.Joined {
			words = append(words, t)
		}
	}
	if len(words) == 1 {
		return phrase{words[0].Stem}
	}
	return phraseStems(s)
}

// lexiconWords is the folded words of a phrase that lexiconStems stems,
// n of them.
func lexiconWords(s string, n int) []string {
	var words []string
	for _, t := range Tokenize(s) {
		if !t.Joined && (n == 1 || t.Meaningful()) {
			words = append(words, t.Word)
		}
	}
	if len(words) != n {
		return nil
	}
	return words
}

// phraseStems turns a phrase into its meaningful stems, compounds split.
func phraseStems(s string) phrase {
	var p phrase
	for _, t := range Tokenize(s) {
		if t.Joined || !t.Meaningful() {
			continue
		}
		p = append(p, t.Stem)
	}
	return p
}

func (lx *Lexicon) addGroup(g []phrase, words [][]string) {
	if len(g) < 2 {
		return
	}
	gi := len(lx.groups)
	lx.groups = append(lx.groups, g)
	lx.words = append(lx.words, words)
	for ai, p := range g {
		lx.byFirst[p[0]] = append(lx.byFirst[p[0]], phraseRef{gi, ai})
	}
}

// With returns a copy of the lexicon that also knows the given acronyms
// (acronym stem -> expansions).
func (lx *Lexicon) With(acronyms map[string][]string) *Lexicon {
	out := &Lexicon{groups: slices.Clone(lx.groups), words: slices.Clone(lx.words), byFirst: make(map[string][]phraseRef, len(lx.byFirst))}
	for k, v := range lx.byFirst {
		out.byFirst[k] = slices.Clone(v)
	}
	keys := make([]string, 0, len(acronyms))
	for k := range acronyms {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, acr := range keys {
		g := []phrase{{acr}}
		ws := [][]string{{acr}}
		for _, exp := range acronyms[acr] {
			if p := phraseStems(exp); len(p) > 0 {
				g = append(g, p)
				ws = append(ws, lexiconWords(exp, len(p)))
			}
		}
		out.addGroup(g, ws)
	}
	return out
}

// lexMatch is a phrase of the lexicon found in a token sequence.
type lexMatch struct {
	start, end int // token positions, end exclusive
	group      int
	alt        int
}

// match finds lexicon phrases in a sequence of stems, longest first, without
// overlaps.
func (lx *Lexicon) match(stems []string) []lexMatch {
	var out []lexMatch
	for i := 0; i < len(stems); {
		best := lexMatch{start: -1}
		for _, ref := range lx.byFirst[stems[i]] {
			p := lx.groups[ref.group][ref.alt]
			if i+len(p) > len(stems) || (best.start >= 0 && len(p) <= best.end-best.start) {
				continue
			}
			if slices.Equal(stems[i:i+len(p)], p) {
				best = lexMatch{start: i, end: i + len(p), group: ref.group, alt: ref.alt}
			}
		}
		if best.start >= 0 {
			out = append(out, best)
			i = best.end
			continue
		}
		i++
	}
	return out
}

// mineAcronyms finds acronyms a text defines: "Secure Access Service Edge
// SASE", "Hazard Analysis Critical Control Points (HACCP)", "Service level
// agreements, SLAs", "ISMS (Information Security Management System)". It
// adds them to found (acronym stem -> expansions).
func mineAcronyms(text string, found map[string][]string) {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || r == '/' || r == ';' || r == ':'
	})
	clean := func(w string) string {
		return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	for i, w := range words {
		acr := clean(w)
		core := strings.TrimSuffix(acr, "s")
		if len(core) < 2 || len(core) > 7 || !isAcronym(core) {
			continue
		}
		// The long form just before the acronym...
		if exp := initialsBefore(words[:i], core, clean); exp != "" {
			addAcronym(found, core, exp)
			continue
		}
		// ...or in brackets just after it.
		if i+1 < len(words) && strings.HasPrefix(words[i+1], "(") {
			var after []string
			for j := i + 1; j < len(words) && j < i+12; j++ {
				after = append(after, words[j])
				if strings.Contains(words[j], ")") {
					break
				}
			}
			if exp := initialsAfter(after, core, clean); exp != "" {
				addAcronym(found, core, exp)
			}
		}
	}
}

func isAcronym(s string) bool {
	upper := 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsDigit(r):
		default:
			return false
		}
	}
	return upper >= 2
}

// minorWords may sit inside a long form without giving a letter.
var minorWords = wordSet("and of the for in on to a an &")

// initialsBefore looks back from an acronym for words whose initials spell
// it. A minor word ("of", "and") may give its letter or none: "Control of
// Substances Hazardous to Health" is COSHH.
func initialsBefore(before []string, acr string, clean func(string) string) string {
	if len(before) > 0 && strings.HasSuffix(before[len(before)-1], ".") {
		return "" // the acronym starts a new sentence
	}
	var words []string
	for j := len(before) - 1; j >= 0 && len(words) < len(acr)+4; j-- {
		w := clean(before[j])
		if w == "" {
			break
		}
		words = append(words, w)
		if strings.ContainsAny(before[j], ".;:") && j < len(before)-1 {
			break // a sentence or clause ends before this word
		}
	}
	slices.Reverse(words) // nearest last
	letters := strings.ToLower(acr)
	// match(k, li): words[:k] end at the acronym; letters[:li] remain.
	var match func(k, li int) int
	match = func(k, li int) int {
		if li == 0 {
			return k
		}
		if k == 0 {
			return -1
		}
		w := strings.ToLower(words[k-1])
		if _, minor := minorWords[w]; minor && li < len(letters) {
			if got := match(k-1, li); got >= 0 {
				return got
			}
		}
		// A hyphenated word may give one letter a part ("Zero-trust").
		parts := strings.Split(w, "-")
		l := li
		for p := len(parts) - 1; p >= 0; p-- {
			if parts[p] == "" {
				continue
			}
			if l == 0 || parts[p][0] != letters[l-1] {
				if p == len(parts)-1 {
					return -1
				}
				break
			}
			l--
		}
		return match(k-1, l)
	}
	start := match(len(words), len(letters))
	if start < 0 {
		return ""
	}
	return strings.Join(words[start:], " ")
}

// initialsAfter checks a bracketed long form after an acronym.
func initialsAfter(words []string, acr string, clean func(string) string) string {
	var ws []string
	for _, raw := range words {
		if w := clean(raw); w != "" {
			ws = append(ws, w)
		}
	}
	letters := strings.ToLower(acr)
	var match func(k, li int) bool
	match = func(k, li int) bool {
		if k == len(ws) {
			return li == len(letters)
		}
		w := strings.ToLower(ws[k])
		if _, minor := minorWords[w]; minor && li > 0 && match(k+1, li) {
			return true
		}
		return li < len(letters) && w[0] == letters[li] && match(k+1, li+1)
	}
	if !match(0, 0) {
		return ""
	}
	return strings.Join(ws, " ")
}

func addAcronym(found map[string][]string, acr, exp string) {
	key := Stem(strings.ToLower(acr))
	exp = strings.ToLower(exp)
	if slices.Contains(found[key], exp) || len(found[key]) >= 4 {
		return
	}
	found[key] = append(found[key], exp)
}
