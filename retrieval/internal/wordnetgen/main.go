// Command wordnetgen turns the WordNet 3.0 database into the compact table
// of related words that retrieval embeds (wordnet.tsv): for each word
// (a lemma, or an irregular form of one), the stems of its synonyms, its
// derivational forms and, for nouns, one hop of hypernyms, each with a
// weight.
//
// It runs at `go generate` time on a machine with Debian's wordnet-base
// package (or any WordNet 3.0 dict folder); the build itself never needs
// WordNet. The table's notice is in retrieval/WORDNET-LICENSE.
//
//	go run ./internal/wordnetgen -dict /usr/share/wordnet -out wordnet.tsv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
	"github.com/careersbot/careersbot/retrieval/internal/corpusvocab"
)

// Weights of each relation, for a word's first sense; later senses lose
// senseDecay each. The question's own word weighs 1, so every stand-in
// ranks below an exact match.
const (
	wDerivation = 0.85 // survey -> surveyor, paint -> painter
	wPertainym  = 0.80 // electrical -> electricity
	wSynonym    = 0.80 // customer -> client
	wSimilar    = 0.55 // adjective satellites to their head
	wHypernym   = 0.50 // spanner -> hand tool (nouns)
	// Verbs: a verb group's other senses, and one hop up.
	wVerbGroup    = 0.55
	wVerbHypernym = 0.45
	// wSecondHop scales a link reached through another (an adjective's
	// similar adjective's derivations).
	wSecondHop = 0.8
	// wGloss links the everyday phrasal verb a definition opens with to
	// the verbs it defines: "keep an eye on" to monitor, "look over" to
	// inspect. WordNet defines formal verbs in the words people ask in.
	wGloss     = 0.7
	senseDecay = 0.10
	// maxSenses is how many of a word's senses are followed, commonest
	// first: the rare ones (kit, a young fox) are noise in careers
	// questions.
	maxSenses         = 3
	maxHypernymSenses = 2
	// minHypernymDepth keeps hypernyms specific enough to mean something.
	minHypernymDepth = 5
	// domainWeight is how much a sense's use in the corpus counts against
	// its frequency in general English; minSenseScore is the least score
	// of a sense followed after the first.
	domainWeight  = 1.0
	minSenseScore = 0.3
	// maxLinks bounds each word's entry: the strongest links are kept.
	maxLinks = 16
	// lexNounPerson is the lexicographer file of nouns for people.
	lexNounPerson = 18
	// lightCount: a lemma whose verb senses are tagged this often in the
	// semantic concordance is one of general English's workhorse verbs
	// (do, leave, keep): said in a question, it carries the sentence, not
	// its topic. Adjectives are left out: "good" or "best" may be what is
	// asked.
	lightCount = 250
)

type pointer struct {
	symbol         string
	offset         string
	pos            byte
	source, target int // word numbers, 0 for a semantic pointer
}

type synset struct {
	words   []string // lower case, as lemmas
	proper  []bool   // the word is a proper name (capitalised in WordNet)
	lexIDs  []int
	lexFile int
	ssType  byte
	ptrs    []pointer
	gloss   string // the definitions and examples after "|"
}

// db holds the synsets by part of speech and offset.
type db map[byte]map[string]*synset

func main() {
	dict := flag.String("dict", "/usr/share/wordnet", "WordNet 3.0 dict folder (data.noun, index.noun, ...)")
	out := flag.String("out", "wordnet.tsv", "table to write")
	flag.Parse()
	if err := run(*dict, *out); err != nil {
		log.Fatalf("wordnetgen: %v", err)
	}
}

var posFiles = map[byte]string{'n': "noun", 'v': "verb", 'a': "adj", 'r': "adv"}

// posOrder is the order parts of speech are read in: a lemma's senses
// are listed in it, and senses that tie keep it, so the table is the same
// on every run.
var posOrder = []byte{'n', 'v', 'a', 'r'}

func run(dict, out string) error {
	d := db{}
	for pos, name := range posFiles {
		m, err := readData(filepath.Join(dict, "data."+name), pos)
		if err != nil {
			return err
		}
		d[pos] = m
	}
	counts, err := readCounts(filepath.Join(dict, "cntlist.rev"))
	if err != nil {
		return err
	}
	depth := depths(d['n'])
	vocab, err := corpusvocab.Stems()
	if err != nil {
		return err
	}
	senses := map[string][]sense{} // lemma -> its senses in every part of speech
	for _, pos := range posOrder {
		name := posFiles[pos]
		f, err := os.Open(filepath.Join(dict, "index."+name))
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, " ") {
				continue // the licence header
			}
			lemma, offsets := parseIndex(line)
			if strings.ContainsAny(lemma, "-.'0123456789") {
				continue // codes and hyphenated forms are no word of a question
			}
			if strings.Contains(lemma, "_") {
				// Phrasal verbs and set phrases ("sort out", "keep an eye
				// on") are how people ask; noun compounds the standards
				// spell out themselves.
				if pos == 'n' || strings.Count(lemma, "_") > 3 {
					continue
				}
				lemma = strings.ReplaceAll(lemma, "_", " ")
			}
			for rank, off := range offsets {
				ss := d[pos][off]
				if ss == nil {
					continue
				}
				key := strings.ReplaceAll(lemma, " ", "_")
				senses[lemma] = append(senses[lemma], sense{pos: pos, ss: ss, rank: rank, count: counts[senseKey(d, ss, key)]})
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}

	links := map[string]map[string]float64{} // source word -> target stems -> weight
	posOf := map[string]string{}             // source word -> its parts of speech, "nv"
	for lemma, all := range senses {
		for _, sn := range all {
			if !strings.ContainsRune(posOf[lemma], rune(sn.pos)) {
				posOf[lemma] += string(sn.pos)
			}
			// p marks a noun for a person (WordNet's noun.person file):
			// what a one-word job title must be.
			if sn.pos == 'n' && sn.ss.lexFile == lexNounPerson && !strings.ContainsRune(posOf[lemma], 'p') {
				posOf[lemma] += "p"
			}
		}
		// l marks a light word (lightCount).
		if light(all) {
			posOf[lemma] += "l"
		}
	}
	// linkPOS records the parts of speech of the senses a link comes
	// from: an inflection borrows only its own part of speech's links
	// ("plumbing" the verb plumb's, not the adverb's "clean"). curPOS is
	// the sense being followed, 0 for a link of no one sense.
	linkPOS := map[string]map[string]string{}
	var curPOS byte
	add := func(src, tgt string, w float64) {
		if src == "" || tgt == "" || tgt == stems(src) || w <= 0 {
			return
		}
		if links[src] == nil {
			links[src] = map[string]float64{}
			linkPOS[src] = map[string]string{}
		}
		old, seen := links[src][tgt]
		links[src][tgt] = max(old, w)
		switch p := linkPOS[src][tgt]; {
		case curPOS == 0 || (seen && p == ""):
			linkPOS[src][tgt] = "" // untagged: any part of speech
		case !strings.ContainsRune(p, rune(curPOS)):
			linkPOS[src][tgt] = p + string(curPOS)
		}
	}
	addWords := func(src string, ss *synset, w float64) {
		for i, word := range ss.words {
			if !ss.proper[i] {
				add(src, stems(word), w)
			}
		}
	}
	type derivation struct {
		from, to string
		weight   float64
	}
	var reverse []derivation
	for lemma, all := range senses {
		// The table is keyed by the lemma itself, not its stem: stems
		// merge words of other meanings (computer, compute and
		// computation), and a question's word finds its lemma by
		// WordNet's own detachment rules at run time.
		src := lemma
		if stems(lemma) == "" {
			continue
		}
		for order, sn := range common(d, all, vocab) {
			curPOS = sn.pos
			decay := senseDecay * float64(order)
			ss := sn.ss
			self := slices.Index(ss.words, strings.ReplaceAll(lemma, " ", "_")) + 1 // word number, 1-based
			addWords(src, ss, wSynonym-decay)
			for _, p := range ss.ptrs {
				switch {
				case p.symbol == "+" && p.source == self:
					add(src, wordAt(d, p), wDerivation-decay)
					// Derivation runs both ways (carpentry and
					// carpenter), whichever word WordNet lists it on.
					if w := lemmaAt(d, p); w != "" && !strings.ContainsAny(w, "_-.'") {
						reverse = append(reverse, derivation{from: w, to: stems(lemma), weight: wDerivation - decay})
					}
				case p.symbol == `\` && p.source == self:
					add(src, wordAt(d, p), wPertainym-decay)
					if w := lemmaAt(d, p); w != "" && !strings.ContainsAny(w, "_-.'") {
						reverse = append(reverse, derivation{from: w, to: stems(lemma), weight: wPertainym - decay})
					}
				case p.symbol == "&" && sn.pos == 'a':
					sim := target(d, p)
					addWords(src, sim, wSimilar-decay)
					// A second hop: the nouns and verbs a similar
					// adjective derives from (tired ~ fatigued ->
					// fatigue), for the standards name states as nouns.
					for _, q := range sim.ptrs {
						if q.symbol == "+" || q.symbol == `\` {
							add(src, wordAt(d, q), (wSimilar-decay)*wSecondHop)
						}
					}
				case (p.symbol == "^" || p.symbol == "*") && sn.pos == 'v':
					// A verb's "also see" and entailment: "snore" entails
					// "sleep", "calm down" sees "calm".
					addWords(src, target(d, p), wVerbGroup-decay)
				case p.symbol == "$" && sn.pos == 'v':
					// A verb group: senses of one verb close in meaning.
					addWords(src, target(d, p), wVerbGroup-decay)
				case p.symbol == "@" && sn.pos == 'v' && order < maxHypernymSenses:
					// A verb's hypernym: "interrogate" is a way to
					// "question", "monitor" one to "watch".
					addWords(src, target(d, p), wVerbHypernym-decay)
				case (p.symbol == "@" || p.symbol == "@i") && sn.pos == 'n' && order < maxHypernymSenses:
					// A hypernym near the top of the hierarchy (act,
					// object, work) relates everything to everything.
					if depth[p.offset] >= minHypernymDepth {
						addWords(src, target(d, p), wHypernym-decay)
					}
				}
			}
		}
	}
	curPOS = 0
	for _, r := range reverse {
		if senses[r.from] != nil {
			add(r.from, r.to, r.weight)
		}
	}
	curPOS = 'v'
	for _, g := range glossHeads(d['v'], senses) {
		addWords(g.phrase, g.ss, wGloss)
		if !strings.ContainsRune(posOf[g.phrase], 'v') {
			posOf[g.phrase] += "v"
		}
	}
	// Irregular forms (children, went, better) share their lemma's entry.
	for _, pos := range posOrder {
		name := posFiles[pos]
		b, err := os.ReadFile(filepath.Join(dict, name+".exc"))
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || links[f[1]] == nil || strings.ContainsAny(f[0], "_-.'") {
				continue
			}
			// The form of a light verb is light, whatever else it is
			// ("done", "left").
			lightForm := pos == 'v' && light(senses[f[1]]) && !strings.ContainsRune(posOf[f[0]], 'l')
			if links[f[0]] != nil {
				if lightForm {
					posOf[f[0]] += "l"
				}
				continue
			}
			links[f[0]] = map[string]float64{}
			linkPOS[f[0]] = map[string]string{}
			posOf[f[0]] = string(pos)
			if lightForm {
				posOf[f[0]] += "l"
			}
			for t, w := range links[f[1]] {
				links[f[0]][t] = w
				linkPOS[f[0]][t] = linkPOS[f[1]][t]
			}
			if st := stems(f[1]); st != stems(f[0]) {
				links[f[0]][st] = 1 // the lemma itself, as a stand-in of full weight
			}
		}
	}
	if err := writeVerbForms(filepath.Join(dict, "verb.exc"), filepath.Join(filepath.Dir(out), "wordnet-forms.tsv")); err != nil {
		return err
	}
	if err := writeFamilies(d, senses, vocab, filepath.Join(filepath.Dir(out), "wordnet-families.tsv")); err != nil {
		return err
	}
	return write(out, links, linkPOS, posOf, vocab)
}

// writeFamilies writes, for the words whose stem another word shares
// without sharing its meaning ("animal" and "animator" are both "anim";
// "cook" and "cooking" are one family), the family each belongs to: the
// words WordNet's derivational links join, named by the first of them.
// Only stems that join two or more families are written, so a word not
// in the table is in no collision.
func writeFamilies(d db, senses map[string][]sense, vocab map[string]bool, path string) error {
	parent := map[string]string{}
	var find func(string) string
	find = func(w string) string {
		if p, ok := parent[w]; ok && p != w {
			r := find(p)
			parent[w] = r
			return r
		}
		parent[w] = w
		return w
	}
	union := func(a, b string) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if rb < ra {
			ra, rb = rb, ra
		}
		parent[rb] = ra
	}
	single := func(w string) bool { return w != "" && !strings.ContainsAny(w, " _-.'") }
	lemmas := make([]string, 0, len(senses))
	for lemma := range senses {
		if single(lemma) {
			lemmas = append(lemmas, lemma)
		}
	}
	slices.Sort(lemmas)
	for _, lemma := range lemmas {
		find(lemma)
		for _, sn := range senses[lemma] {
			self := slices.Index(sn.ss.words, lemma) + 1
			for _, p := range sn.ss.ptrs {
				if p.symbol != "+" || p.source != self {
					continue
				}
				if w := lemmaAt(d, p); single(w) {
					union(lemma, w)
				}
			}
		}
	}
	byStem := map[string][]string{}
	for _, lemma := range lemmas {
		st := stems(lemma)
		if st != "" && !strings.Contains(st, " ") {
			byStem[st] = append(byStem[st], lemma)
		}
	}
	// WordNet's derivational links are not complete (bricklayer and
	// bricklaying are not linked): words of one stem that are one root
	// with an agent's or an action's ending are one family too.
	for _, ws := range byStem {
		byRoot := map[string]string{}
		for _, w := range ws {
			r := familyRoot(w)
			if first, ok := byRoot[r]; ok {
				union(first, w)
			} else {
				byRoot[r] = w
			}
		}
	}
	var lines []string
	for _, ws := range byStem {
		fams := map[string]bool{}
		for _, w := range ws {
			fams[find(w)] = true
		}
		if len(fams) < 2 || !vocab[stems(ws[0])] {
			continue // no collision, or none the corpus can show
		}
		for _, w := range ws {
			lines = append(lines, w+"\t"+find(w))
		}
	}
	slices.Sort(lines)
	text := "# WordNet 3.0 word families where a stem is shared (word, family); generated by retrieval/internal/wordnetgen. WordNet 3.0 Copyright 2006 by Princeton University: see WORDNET-LICENSE.\n" + strings.Join(lines, "\n") + "\n"
	log.Printf("wordnetgen: %d words of colliding stems written to %s", len(lines), path)
	return os.WriteFile(path, []byte(text), 0o644)
}

// familyRoot strips the ending of an agent or an action (bricklayer,
// bricklaying: bricklay; animator, animation: animat), not of other
// derivations (animal stays animal).
func familyRoot(w string) string {
	for _, suf := range []string{"ment", "ance", "ence", "ing", "ion", "ist", "ant", "ent", "ery", "er", "or", "e"} {
		if r, ok := strings.CutSuffix(w, suf); ok && len(r) >= 3 {
			return r
		}
	}
	return w
}

// writeVerbForms copies WordNet's irregular verb forms (verb.exc: "thrown
// throw", "fell fall", "abetted abet"), one-word forms only, the first lemma
// of each: a phrasal verb is written in any tense ("thrown away", "fell
// over") and looked up by its lemma.
func writeVerbForms(exc, path string) error {
	b, err := os.ReadFile(exc)
	if err != nil {
		return err
	}
	var buf strings.Builder
	buf.WriteString("# WordNet 3.0 irregular verb forms (verb.exc); generated by retrieval/internal/wordnetgen. WordNet 3.0 Copyright 2006 by Princeton University: see WORDNET-LICENSE.\n")
	seen := map[string]bool{}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || seen[f[0]] || strings.ContainsAny(f[0]+f[1], "_-.'") || f[0] == f[1] {
			continue
		}
		seen[f[0]] = true
		fmt.Fprintf(&buf, "%s\t%s\n", f[0], f[1])
		n++
	}
	log.Printf("wordnetgen: %d verb forms written to %s", n, path)
	return os.WriteFile(path, []byte(buf.String()), 0o644)
}

// glossHead is a phrasal verb that opens a verb's definition, and the
// synset it defines.
type glossHead struct {
	phrase string
	ss     *synset
}

// glossParticles end a phrasal verb in a definition ("look over
// carefully").
var glossParticles = map[string]bool{"up": true, "down": true, "out": true, "over": true, "off": true, "on": true,
	"in": true, "after": true, "away": true, "back": true, "through": true, "around": true, "about": true}

// glossHeads finds each verb synset's definitions (the parts of its gloss
// between semicolons that are no quoted example) that are a phrasal verb
// alone, but for adverbs: a multiword verb WordNet lists ("keep an eye
// on"), or a verb and its particle ("look over carefully"). Sorted, so
// the table is the same on every run.
func glossHeads(verbs map[string]*synset, senses map[string][]sense) []glossHead {
	isPOS := func(lemma string, pos byte) bool {
		for _, sn := range senses[lemma] {
			if sn.pos == pos {
				return true
			}
		}
		return false
	}
	offsets := make([]string, 0, len(verbs))
	for off := range verbs {
		offsets = append(offsets, off)
	}
	slices.Sort(offsets)
	var out []glossHead
	for _, off := range offsets {
		ss := verbs[off]
		for _, def := range strings.Split(ss.gloss, ";") {
			def = strings.TrimSpace(def)
			if def == "" || strings.HasPrefix(def, "\"") {
				continue
			}
			words := glossWords(def)
			if len(words) < 2 {
				continue
			}
			// The phrase must be the whole definition but for adverbs
			// ("look over carefully"): a phrase with more after it is a
			// preposition before its object ("put in order") or names a
			// narrower act ("take part in a riot").
			ends := func(n int) bool {
				for _, w := range words[n:] {
					if !isPOS(w, 'r') || isPOS(w, 'n') || isPOS(w, 'v') || isPOS(w, 'a') {
						return false
					}
				}
				return true
			}
			phrase := ""
			for n := min(4, len(words)); n >= 2 && phrase == ""; n-- {
				if p := strings.Join(words[:n], " "); isPOS(p, 'v') && ends(n) {
					phrase = p
				}
			}
			if phrase == "" && glossParticles[words[1]] && isPOS(words[0], 'v') && ends(2) {
				phrase = words[0] + " " + words[1]
			}
			if phrase == "" || slices.Contains(ss.words, strings.ReplaceAll(phrase, " ", "_")) {
				continue
			}
			out = append(out, glossHead{phrase: phrase, ss: ss})
		}
	}
	return out
}

// glossWords are a definition's words, lower case, without what it puts
// in brackets ("make (one thing) compatible").
func glossWords(def string) []string {
	var b strings.Builder
	depth := 0
	for _, r := range strings.ToLower(def) {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth = max(depth-1, 0)
		case depth > 0:
		case r >= 'a' && r <= 'z' || r == '\'':
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// light reports whether a lemma's verb senses are tagged at least
// lightCount times in the semantic concordance.
func light(all []sense) bool {
	n := 0
	for _, sn := range all {
		if sn.pos == 'v' {
			n += sn.count
		}
	}
	return n >= lightCount
}

// sense is one synset of a lemma, with its rank in its part of speech
// (WordNet's frequency order) and its count in the semantic concordance.
type sense struct {
	pos   byte
	ss    *synset
	rank  int
	count int
}

// common picks the senses worth following, most frequent first: those used
// at least a quarter as often as the lemma's commonest sense in the
// concordance; for a lemma the concordance never saw (spanner, beautician),
// the first sense of each part of speech. At most maxSenses.
func common(d db, all []sense, vocab map[string]bool) []sense {
	top := 0
	for _, s := range all {
		top = max(top, s.count)
	}
	type scored struct {
		s     sense
		score float64
	}
	var list []scored
	for _, s := range all {
		share := 0.0
		if top > 0 {
			share = float64(s.count) / float64(top)
		} else if s.rank == 0 {
			share = 1
		}
		// A sense whose neighbours the careers corpus uses is the one a
		// careers question means: a hacker breaks into computers, no
		// golfer; a bug is a fault, no insect.
		score := share + domainWeight*domain(d, s, vocab)
		if s.rank >= 4 {
			score = share
		}
		list = append(list, scored{s, score})
	}
	slices.SortStableFunc(list, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return a.s.rank - b.s.rank
	})
	var out []sense
	for _, sc := range list {
		if len(out) == maxSenses || (len(out) > 0 && sc.score < minSenseScore) {
			break
		}
		out = append(out, sc.s)
	}
	return out
}

// domain is the share of a sense's neighbours (its synset's other words,
// its hypernyms' and the words derived from it) that the corpus uses.
func domain(d db, s sense, vocab map[string]bool) float64 {
	var n, in int
	count := func(ss *synset) {
		for i, w := range ss.words {
			if ss.proper[i] {
				continue
			}
			for _, st := range strings.Fields(stems(w)) {
				n++
				if vocab[st] {
					in++
				}
			}
		}
	}
	count(s.ss)
	for _, p := range s.ss.ptrs {
		if p.symbol == "@" || p.symbol == "+" {
			count(target(d, p))
		}
	}
	if n == 0 {
		return 0
	}
	return float64(in) / float64(n)
}

// senseKey is the lemma's sense key in this synset, as cntlist.rev names it:
// lemma%ss_type:lex_filenum:lex_id:head_word:head_id.
func senseKey(d db, ss *synset, lemma string) string {
	i := slices.Index(ss.words, lemma)
	if i < 0 {
		return ""
	}
	ssType := map[byte]int{'n': 1, 'v': 2, 'a': 3, 'r': 4, 's': 5}[ss.ssType]
	head := ":"
	if ss.ssType == 's' {
		for _, p := range ss.ptrs {
			if p.symbol == "&" {
				h := target(d, p)
				if len(h.words) > 0 {
					head = fmt.Sprintf("%s:%02d", h.words[0], h.lexIDs[0])
				}
				break
			}
		}
	}
	return fmt.Sprintf("%s%%%d:%02d:%02d:%s", lemma, ssType, ss.lexFile, ss.lexIDs[i], head)
}

// readCounts reads cntlist.rev: how often each sense is tagged in the
// semantic concordance.
func readCounts(path string) (map[string]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		n, _ := strconv.Atoi(f[2])
		out[f[0]] = n
	}
	return out, nil
}

// depths gives each noun synset's shortest distance to a root of the
// hypernym hierarchy.
func depths(nouns map[string]*synset) map[string]int {
	memo := map[string]int{}
	var depth func(off string, seen int) int
	depth = func(off string, seen int) int {
		if d, ok := memo[off]; ok {
			return d
		}
		ss := nouns[off]
		best := -1
		if ss != nil && seen < 40 {
			for _, p := range ss.ptrs {
				if p.symbol == "@" || p.symbol == "@i" {
					if d := depth(p.offset, seen+1) + 1; best < 0 || d < best {
						best = d
					}
				}
			}
		}
		if best < 0 {
			best = 0
		}
		memo[off] = best
		return best
	}
	for off := range nouns {
		depth(off, 0)
	}
	return memo
}

// stems turns a WordNet lemma ("hand_tool") into the stems retrieval uses
// ("hand tool"), stopwords dropped; "" when nothing meaningful is left.
func stems(lemma string) string {
	lemma = strings.ReplaceAll(lemma, "_", " ")
	var out []string
	for _, t := range retrieval.Tokenize(lemma) {
		if t.Joined || !t.Meaningful() {
			continue
		}
		out = append(out, t.Stem)
	}
	if len(out) == 0 || len(out) > 2 {
		return ""
	}
	return strings.Join(out, " ")
}

func target(d db, p pointer) *synset {
	if ss := d[p.pos][p.offset]; ss != nil {
		return ss
	}
	return &synset{}
}

// lemmaAt is the word a lexical pointer points to, as a lemma.
func lemmaAt(d db, p pointer) string {
	ss := target(d, p)
	if p.target < 1 || p.target > len(ss.words) || ss.proper[p.target-1] {
		return ""
	}
	return ss.words[p.target-1]
}

func wordAt(d db, p pointer) string {
	ss := target(d, p)
	if p.target < 1 || p.target > len(ss.words) {
		return ""
	}
	return stems(ss.words[p.target-1])
}

// parseIndex reads one line of index.pos: the lemma and its synsets, most
// frequent sense first.
func parseIndex(line string) (string, []string) {
	f := strings.Fields(line)
	if len(f) < 6 {
		return "", nil
	}
	synsetCnt, _ := strconv.Atoi(f[2])
	pCnt, _ := strconv.Atoi(f[3])
	i := 4 + pCnt + 2 // past the pointer symbols, sense_cnt and tagsense_cnt
	if i+synsetCnt > len(f) {
		return "", nil
	}
	return f[0], f[i : i+synsetCnt]
}

// readData reads data.pos: each synset's words and pointers.
func readData(path string, pos byte) (map[string]*synset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]*synset{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, " ") {
			continue
		}
		head, gloss, _ := strings.Cut(line, " | ")
		fl := strings.Fields(head)
		if len(fl) < 4 {
			return nil, fmt.Errorf("%s:%d: short synset line", path, n)
		}
		wCnt, err := strconv.ParseInt(fl[3], 16, 32)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: word count %q: %v", path, n, fl[3], err)
		}
		lexFile, _ := strconv.Atoi(fl[1])
		ss := &synset{lexFile: lexFile, ssType: fl[2][0], gloss: strings.TrimSpace(gloss)}
		i := 4
		for range wCnt {
			w := fl[i]
			if j := strings.IndexByte(w, '('); j >= 0 {
				w = w[:j] // adjective markers: "beautiful(a)"
			}
			lexID, _ := strconv.ParseInt(fl[i+1], 16, 32)
			ss.words = append(ss.words, strings.ToLower(w))
			ss.proper = append(ss.proper, strings.ToLower(w) != w)
			ss.lexIDs = append(ss.lexIDs, int(lexID))
			i += 2 // word, lex_id
		}
		pCnt, err := strconv.Atoi(fl[i])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: pointer count %q: %v", path, n, fl[i], err)
		}
		i++
		for range pCnt {
			st := fl[i+3]
			src, _ := strconv.ParseInt(st[:2], 16, 32)
			tgt, _ := strconv.ParseInt(st[2:], 16, 32)
			tpos := fl[i+2][0]
			if tpos == 's' {
				tpos = 'a'
			}
			ss.ptrs = append(ss.ptrs, pointer{symbol: fl[i], offset: fl[i+1], pos: tpos, source: int(src), target: int(tgt)})
			i += 4
		}
		out[fl[0]] = ss
	}
	return out, sc.Err()
}

// write stores the table: one line a source word, sorted, with its parts of
// speech (a, n, r, v; p for a noun naming a person, l for a light word) and then each link as "stems|weight%" after a tab,
// strongest first, followed by the parts of speech of the senses it comes
// from ("clean|80r"; none for a link of no one sense).
//
// When a word has more links than maxLinks, those whose every stem the
// corpus uses are kept first: a stand-in no passage holds finds nothing,
// and alphabetical order among equal weights would otherwise decide
// (tired kept "bleary" and lost "fatigued").
func write(path string, links map[string]map[string]float64, linkPOS map[string]map[string]string, posOf map[string]string, vocab map[string]bool) error {
	srcs := make([]string, 0, len(links))
	for s := range links {
		srcs = append(srcs, s)
	}
	slices.Sort(srcs)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	fmt.Fprintln(bw, "# WordNet 3.0 related words by stem; generated by retrieval/internal/wordnetgen. WordNet 3.0 Copyright 2006 by Princeton University: see WORDNET-LICENSE.")
	entries := 0
	for _, s := range srcs {
		type link struct {
			t string
			w float64
		}
		var ls []link
		for t, w := range links[s] {
			ls = append(ls, link{t, w})
		}
		slices.SortFunc(ls, func(a, b link) int {
			if a.w != b.w {
				if a.w > b.w {
					return -1
				}
				return 1
			}
			return strings.Compare(a.t, b.t)
		})
		if len(ls) > maxLinks {
			known := func(l link) bool {
				for _, st := range strings.Fields(l.t) {
					if !vocab[st] {
						return false
					}
				}
				return true
			}
			slices.SortStableFunc(ls, func(a, b link) int {
				switch ka, kb := known(a), known(b); {
				case ka && !kb:
					return -1
				case kb && !ka:
					return 1
				}
				return 0
			})
			ls = ls[:maxLinks]
			slices.SortStableFunc(ls, func(a, b link) int {
				if a.w != b.w {
					if a.w > b.w {
						return -1
					}
					return 1
				}
				return strings.Compare(a.t, b.t)
			})
		}
		pos := []byte(posOf[s])
		slices.Sort(pos)
		bw.WriteString(s + "\t" + string(pos))
		for _, l := range ls {
			p := []byte(linkPOS[s][l.t])
			slices.Sort(p)
			fmt.Fprintf(bw, "\t%s|%d%s", l.t, int(l.w*100+0.5), p)
		}
		bw.WriteByte('\n')
		entries++
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	log.Printf("wordnetgen: %d entries written to %s", entries, path)
	return nil
}
