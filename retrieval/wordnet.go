package retrieval

import (
	_ "embed"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run ./internal/wordnetgen -dict /usr/share/wordnet -out wordnet.tsv

// wordnetTable is the WordNet 3.0 table of related words (see
// internal/wordnetgen and WORDNET-LICENSE): one line a word, sorted, then
// its parts of speech (a, n, r, v; p a person, l a light word) and tab-separated "stems|weight%" links,
// strongest first.
//
// It is embedded as it is, not compressed: it is searched where it lies,
// so a command that answers one question pays nothing to open it.
//
//go:embed wordnet.tsv
var wordnetTable string

// Related is a stand-in for a word: the stems of a synonym, a derivational
// form or a hypernym, and how much a match on it counts against the word
// itself (below 1).
type Related struct {
	Stems  []string
	Weight float32
	// POS are the parts of speech of the senses the link comes from
	// (a, n, r, v); "" for a link of no one sense.
	POS string
}

// A Thesaurus answers which words relate to a word. It is the lexical
// database behind query expansion and the embedder's concept features; the
// domain lexicon (lexicon.txt) stays for what WordNet does not know
// (acronyms, UK usage).
type Thesaurus struct {
	load sync.Once
	text string // the table

	mu     sync.RWMutex
	cache  map[string][]Related
	people map[string]uint8 // wordFlags' answers
}

// WordNet is the built-in thesaurus.
var WordNet = &Thesaurus{}

// wordNetVersion identifies the table's content in index keys.
var wordNetVersion = shortHash(wordnetTable)

// thesaurusCacheMax bounds the cache of looked-up words, so a server fed
// arbitrary words keeps its memory.
const thesaurusCacheMax = 1 << 16

func (t *Thesaurus) init() {
	t.load.Do(func() {
		t.text = wordnetTable
		t.cache = make(map[string][]Related)
		t.people = make(map[string]uint8)
	})
}

// Related returns a folded word's stand-ins, strongest first: its own entry
// merged with those of its base forms by WordNet's detachment rules
// ("surveyors" is "surveyor", "helping" is also "help"). Nil for a word
// WordNet does not know.
func (t *Thesaurus) Related(word string) []Related {
	if len(word) < 3 || len(word) > 30 {
		return nil
	}
	t.init()
	t.mu.RLock()
	rel, ok := t.cache[word]
	t.mu.RUnlock()
	if ok {
		return rel
	}
	rel, _ = t.lookup(word)
	for _, r := range detachRules {
		base, ok := strings.CutSuffix(word, r.suffix)
		if !ok || len(base)+len(r.ending) < 3 {
			continue
		}
		base += r.ending
		// The base form must be a lemma of the rule's part of speech:
		// "news" is no plural of "new", "paper" no comparative of "pap".
		if more, pos := t.lookup(base); strings.IndexByte(pos, r.pos) >= 0 {
			// Only the base's senses of the rule's part of speech:
			// "plumbing" is the verb plumb's, not the adverb's
			// ("clean").
			more = slices.DeleteFunc(slices.Clone(more), func(m Related) bool {
				return m.POS != "" && strings.IndexByte(m.POS, r.pos) < 0
			})
			rel = mergeRelated(rel, more, Stem(base), Stem(word))
		}
	}
	t.mu.Lock()
	if len(t.cache) < thesaurusCacheMax {
		t.cache[word] = rel
	}
	t.mu.Unlock()
	return rel
}

// Known reports whether WordNet knows a folded word: as a lemma, an
// irregular form, or an inflection of a lemma of the inflection's part of
// speech ("olds" is the plural of the noun "old").
func (t *Thesaurus) Known(word string) bool {
	t.init()
	if _, pos := t.lookup(word); pos != "" || verbLemma(word) != "" {
		return true
	}
	for _, r := range detachRules {
		base, ok := strings.CutSuffix(word, r.suffix)
		if !ok || len(base)+len(r.ending) < 3 {
			continue
		}
		if _, pos := t.lookup(base + r.ending); strings.IndexByte(pos, r.pos) >= 0 {
			return true
		}
	}
	return false
}

// Entry returns a folded word's own links, without those of its base
// forms ("james" is not "jam"s), and its parts of speech as the table
// writes them (a, n, r, v; p for a person); "" when WordNet has no entry
// for the word as written.
func (t *Thesaurus) Entry(word string) ([]Related, string) {
	t.init()
	return t.lookup(word)
}

// Phrase returns the stand-ins of a set phrase or phrasal verb ("sort
// out", "keep an eye on"), its first word as written or as the lemma of an
// inflection ("sorting out", "goes down"); nil when WordNet has no such
// phrase.
//
// The everyday phrases (phrases.txt) are phrases too: what one means
// there comes first, then what WordNet says ("sort out" is fix and
// resolve in British English before it is classify).
func (t *Thesaurus) Phrase(words []string) []Related {
	if len(words) < 2 || len(words) > 4 {
		return nil
	}
	t.init()
	rest := " " + strings.Join(words[1:], " ")
	if rel, ok := t.phrase(words[0] + rest); ok {
		return rel
	}
	for _, r := range detachRules {
		if r.pos != 'v' {
			continue
		}
		if base, ok := strings.CutSuffix(words[0], r.suffix); ok && len(base)+len(r.ending) >= 2 {
			if rel, ok := t.phrase(base + r.ending + rest); ok {
				return rel
			}
		}
	}
	if lemma := verbLemma(words[0]); lemma != "" {
		if rel, ok := t.phrase(lemma + rest); ok {
			return rel
		}
	}
	return nil
}

// phrase looks a whole phrase up in the everyday phrases and WordNet.
func (t *Thesaurus) phrase(key string) ([]Related, bool) {
	rel, pos := t.lookup(key)
	mine, ok := everydayPhrases[key]
	if !ok {
		return rel, pos != ""
	}
	out := slices.Clone(mine)
	for _, r := range rel {
		if !slices.ContainsFunc(out, func(m Related) bool { return slices.Equal(m.Stems, r.Stems) }) {
			out = append(out, r)
		}
	}
	return out, true
}

// verbFormsTable is WordNet's irregular verb forms, "form<TAB>lemma" a
// line, sorted (generated with wordnet.tsv).
//
//go:embed wordnet-forms.tsv
var verbFormsTable string

// familiesTable lists, for the words whose stem another word shares without
// sharing its meaning, the family each belongs to ("animal<TAB>animal",
// "animator<TAB>animate"), sorted (generated with wordnet.tsv).
//
//go:embed wordnet-families.tsv
var familiesTable string

// Family returns the word family of a folded word whose stem collides with
// another family's ("animals": animal; "animation": animate), by the word
// or its base form; "" for a word in no collision.
func Family(word string) string {
	if f := familyOf(word); f != "" {
		return f
	}
	for _, r := range detachRules {
		if base, ok := strings.CutSuffix(word, r.suffix); ok && len(base)+len(r.ending) >= 3 {
			if f := familyOf(base + r.ending); f != "" {
				return f
			}
		}
	}
	if lemma := verbLemma(word); lemma != "" {
		return familyOf(lemma)
	}
	return ""
}

// SameFamily reports whether two folded words of one stem may mean one
// thing: false only when WordNet puts them in different families
// ("animals" and "animator").
func SameFamily(a, b string) bool {
	if a == b {
		return true
	}
	fa, fb := Family(a), Family(b)
	return fa == "" || fb == "" || fa == fb
}

func familyOf(word string) string {
	families.once.Do(func() { families.m = parseTable(familiesTable) })
	return families.m[word]
}

// families and verbForms are their tables read into maps on first use: a
// lookup is on resolution's hot path.
var families, verbForms struct {
	once sync.Once
	m    map[string]string
}

// parseTable reads "key<TAB>value" lines, "#" lines being comments.
func parseTable(text string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(line, "\t")
		if ok && !strings.HasPrefix(k, "#") {
			m[k] = v
		}
	}
	return m
}

// verbLemma returns the lemma of an irregular verb form ("thrown": throw),
// "" for a word that is none.
func verbLemma(word string) string {
	verbForms.once.Do(func() { verbForms.m = parseTable(verbFormsTable) })
	return verbForms.m[word]
}

// Person reports whether WordNet knows a folded word (or the singular of
// a plural) as a noun for a person ("electrician", "chefs"), and whether it
// knows the word at all.
func (t *Thesaurus) Person(word string) (person, known bool) {
	f := t.wordFlags(word)
	return f&flagPerson != 0, f&flagKnown != 0
}

// Noun reports whether WordNet knows a folded word, or the singular of a
// plural, as a noun ("tyre", "glazing", "buses").
func (t *Thesaurus) Noun(word string) bool { return t.wordFlags(word)&flagNoun != 0 }

// Flags of a word, cached: resolution asks them of every word it reads.
const (
	flagPerson uint8 = 1 << iota
	flagKnown
	flagNoun
)

func (t *Thesaurus) wordFlags(word string) uint8 {
	t.init()
	t.mu.RLock()
	v, ok := t.people[word]
	t.mu.RUnlock()
	if ok {
		return v
	}
	var flags uint8
	for _, w := range []string{word, strings.TrimSuffix(word, "s"), strings.TrimSuffix(word, "es")} {
		if _, pos := t.lookup(w); pos != "" {
			flags |= flagKnown
			if strings.IndexByte(pos, 'n') >= 0 {
				flags |= flagNoun
			}
			if strings.IndexByte(pos, 'p') >= 0 {
				flags |= flagPerson
				break
			}
		}
	}
	t.mu.Lock()
	if len(t.people) < thesaurusCacheMax {
		t.people[word] = flags
	}
	t.mu.Unlock()
	return flags
}

// PersonNoun reports whether WordNet knows a folded word (or the singular
// of a plural) only as a noun, and as a noun for a person: "hairdresser",
// "chemist", not "cook" or "nurse", which are verbs too. Such a word names
// a person wherever it stands ("a men's hairdresser", "a qualified
// plumber").
func (t *Thesaurus) PersonNoun(word string) bool {
	t.init()
	for _, w := range []string{word, strings.TrimSuffix(word, "s"), strings.TrimSuffix(word, "es")} {
		if _, pos := t.lookup(w); pos != "" {
			return strings.IndexByte(pos, 'p') >= 0 && strings.Trim(pos, "npl") == ""
		}
	}
	return false
}

// Verb reports whether WordNet knows a folded word, or the base form its
// ending gives ("adores": adore), as a verb.
func (t *Thesaurus) Verb(word string) bool {
	t.init()
	if _, pos := t.lookup(word); strings.IndexByte(pos, 'v') >= 0 {
		return true
	}
	for _, r := range detachRules {
		if r.pos != 'v' {
			continue
		}
		if base, ok := strings.CutSuffix(word, r.suffix); ok && len(base)+len(r.ending) >= 2 {
			if _, pos := t.lookup(base + r.ending); strings.IndexByte(pos, 'v') >= 0 {
				return true
			}
		}
	}
	return false
}

// Light reports whether a folded word is one of general English's
// workhorse verbs (do, done, leave, left): so common in everyday English
// that in a question it carries the sentence, not the topic. Its own
// entry says so, or that of its base form.
func (t *Thesaurus) Light(word string) bool {
	t.init()
	if _, pos := t.lookup(word); pos != "" {
		return strings.IndexByte(pos, 'l') >= 0
	}
	for _, r := range detachRules {
		if r.pos != 'v' {
			continue
		}
		if base, ok := strings.CutSuffix(word, r.suffix); ok && len(base)+len(r.ending) >= 2 {
			if _, pos := t.lookup(base + r.ending); strings.IndexByte(pos, r.pos) >= 0 {
				return strings.IndexByte(pos, 'l') >= 0
			}
		}
	}
	return false
}

// lookup reads one word's line by binary search over the sorted table,
// by byte offset (a line starts after the newline before the offset): its
// links and its parts of speech.
func (t *Thesaurus) lookup(word string) ([]Related, string) {
	text := t.text
	lo, hi := 0, len(text) // the line sought starts in [lo, hi)
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := strings.LastIndexByte(text[lo:mid], '\n') + 1 + lo
		if start < lo {
			start = lo
		}
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text) - start
		}
		line := text[start : start+end]
		key, _, _ := strings.Cut(line, "\t")
		switch c := strings.Compare(key, word); {
		case strings.HasPrefix(line, "#"):
			lo = start + end + 1
		case c == 0:
			return parseLine(line)
		case c < 0:
			lo = start + end + 1
		default:
			hi = start
		}
	}
	return nil, ""
}

// parseLine reads a table line's links and parts of speech.
func parseLine(line string) ([]Related, string) {
	fields := strings.Split(line, "\t")
	if len(fields) < 2 {
		return nil, ""
	}
	pos := fields[1]
	fields = fields[2:]
	out := make([]Related, 0, len(fields))
	for _, f := range fields {
		stems, w, ok := strings.Cut(f, "|")
		digits := strings.TrimRight(w, "anrv")
		pct, err := strconv.Atoi(digits)
		if !ok || err != nil || stems == "" {
			continue
		}
		out = append(out, Related{Stems: strings.Fields(stems), Weight: float32(pct) / 100, POS: w[len(digits):]})
	}
	return out, pos
}

// mergeRelated adds a base form's links to a word's: the base form itself
// counts almost as the word, and a stem the word already has keeps its
// stronger weight.
func mergeRelated(rel, more []Related, baseStem, wordStem string) []Related {
	if baseStem != wordStem {
		more = append([]Related{{Stems: []string{baseStem}, Weight: 0.9}}, more...)
	}
	for _, m := range more {
		key := strings.Join(m.Stems, " ")
		if key == wordStem {
			continue
		}
		found := false
		for i := range rel {
			if strings.Join(rel[i].Stems, " ") == key {
				rel[i].Weight = max(rel[i].Weight, m.Weight)
				found = true
				break
			}
		}
		if !found {
			rel = append(rel, m)
		}
	}
	// Strongest first, stably.
	for i := 1; i < len(rel); i++ {
		for j := i; j > 0 && rel[j].Weight > rel[j-1].Weight; j-- {
			rel[j], rel[j-1] = rel[j-1], rel[j]
		}
	}
	return rel
}

// detachRules are WordNet's detachment rules (morphy without its exception
// lists, which the table holds as entries of their own): a suffix, what
// replaces it, and the part of speech the base form must have.
var detachRules = []struct {
	suffix, ending string
	pos            byte
}{
	{"s", "", 'n'}, {"ses", "s", 'n'}, {"xes", "x", 'n'}, {"zes", "z", 'n'}, {"ches", "ch", 'n'}, {"shes", "sh", 'n'}, {"men", "man", 'n'}, {"ies", "y", 'n'},
	{"s", "", 'v'}, {"ies", "y", 'v'}, {"es", "e", 'v'}, {"es", "", 'v'}, {"ed", "e", 'v'}, {"ed", "", 'v'}, {"ing", "e", 'v'}, {"ing", "", 'v'},
	{"er", "", 'a'}, {"est", "", 'a'}, {"er", "e", 'a'}, {"est", "e", 'a'},
}
