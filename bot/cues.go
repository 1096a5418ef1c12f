package bot

import (
	"cmp"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

//go:embed cues.txt
var cuesText string

// cue is one line of cues.txt: words that say what kind of answer a
// question wants.
type cue struct {
	intent Intent
	weight float64
	stems  []string // "*" matches any one word, "**" up to four; "=word" the folded word itself
	start  bool     // only at the question's start
}

// cueSet indexes cues by their first stem.
type cueSet struct {
	byFirst map[string][]cue
	anyLead []cue           // cues starting with "*"
	stems   map[string]bool // every word of every cue, as a stem
	// feeling holds the words of interest cues (love, enjoy, like): the
	// verbs another verb may stand for.
	feeling map[string]bool
}

var cues = mustParseCues(cuesText)

func mustParseCues(text string) *cueSet {
	cs, err := parseCues(text)
	if err != nil {
		panic(err)
	}
	return cs
}

// parseCues reads cues.txt; errors name the line.
func parseCues(text string) (*cueSet, error) {
	cs := &cueSet{byFirst: map[string][]cue{}, stems: map[string]bool{}, feeling: map[string]bool{}}
	seen := map[string]int{} // a cue's intent and stems -> its line
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("cues.txt:%d: want an intent, a weight and words", n+1)
		}
		w, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return nil, fmt.Errorf("cues.txt:%d: weight %q: %v", n+1, f[1], err)
		}
		c := cue{intent: Intent(f[0]), weight: w}
		if !cueIntents[c.intent] {
			return nil, fmt.Errorf("cues.txt:%d: %q is no intent a cue can say", n+1, f[0])
		}
		for i, word := range f[2:] {
			if i == 0 && strings.HasPrefix(word, "^") {
				c.start = true
				word = word[1:]
			}
			if word == "*" || word == "**" {
				c.stems = append(c.stems, word)
				continue
			}
			if strings.HasPrefix(word, "=") {
				// The word itself, where stemming would lose what
				// matters ("apprenticeships" asks across them).
				c.stems = append(c.stems, "="+retrieval.Fold(word[1:]))
				continue
			}
			c.stems = append(c.stems, retrieval.Stem(retrieval.Fold(word)))
			cs.stems[c.stems[len(c.stems)-1]] = true
			if c.intent == IntentInterest {
				cs.feeling[c.stems[len(c.stems)-1]] = true
			}
		}
		key := fmt.Sprint(c.intent, c.start, c.stems)
		if first, dup := seen[key]; dup {
			return nil, fmt.Errorf("cues.txt:%d: the same cue as line %d once stemmed: keep one", n+1, first)
		}
		seen[key] = n + 1
		if strings.HasPrefix(c.stems[0], "*") || strings.HasPrefix(c.stems[0], "=") {
			cs.anyLead = append(cs.anyLead, c)
		} else {
			cs.byFirst[c.stems[0]] = append(cs.byFirst[c.stems[0]], c)
		}
	}
	return cs, nil
}

// maxStandInWords bounds the words whose WordNet stand-ins are looked up:
// what someone likes is said early, and a pasted essay must cost no more.
const maxStandInWords = 48

// minCueLink is the least weight of a WordNet link by which a verb stands
// for a cue's verb: a synonym, or the more general verb ("adores": love,
// "prefer": like), not looser links.
const minCueLink = 0.45

// verbStandIns are the cue words a question's verb may stand for, when it
// is no cue word itself: interest cues list the everyday verbs of liking,
// and WordNet knows the others that say as much ("adore", "relish").
// Other cues' words are left to themselves: "repair" links to "better",
// which is no comparison.
func (cs *cueSet) verbStandIns(w retrieval.Token) []string {
	if cs.stems[w.Stem] || len(w.Word) < 4 || !w.Meaningful() || !retrieval.WordNet.Verb(w.Word) {
		return nil
	}
	var out []string
	for _, r := range retrieval.WordNet.Related(w.Word) {
		if len(r.Stems) == 1 && r.Weight >= minCueLink && cs.feeling[r.Stems[0]] && !slices.Contains(out, r.Stems[0]) {
			out = append(out, r.Stems[0])
		}
	}
	return out
}

// cueIntents are the intents cues may weigh for.
var cueIntents = map[Intent]bool{
	IntentCompare: true, IntentProgression: true, IntentInterest: true, IntentRole: true,
	IntentOverview: true, IntentSearch: true, IntentHelp: true, IntentOutOfScope: true,
}

// contentCues are intents whose cue words are also what the question is
// about ("weather" may be an air traffic controller's topic): they stay in
// the topic.
var contentCues = map[Intent]bool{IntentOutOfScope: true}

// maxGap is the most words a "**" of a cue skips.
const maxGap = 4

// cueMatch is what the cues found in a question: a weight per intent, and
// which words are cue words.
type cueMatch struct {
	weight map[Intent]float64
	words  []bool // by word position
	// at are the word positions of each cue counted, by intent.
	at map[Intent][][]int
}

// match finds the cues in a question's words (not the joined compounds):
// each cue counts once, and a word may serve several cues.
func (cs *cueSet) match(words []retrieval.Token) cueMatch {
	m := cueMatch{weight: map[Intent]float64{}, words: make([]bool, len(words)), at: map[Intent][][]int{}}
	alts := make([][]string, len(words))
	for i, w := range words[:min(len(words), maxStandInWords)] {
		alts[i] = cs.verbStandIns(w)
	}
	seen := map[*cue]bool{}
	var used []int
	var found []foundCue
	// at matches c.stems[k:] from word i, recording the words it used.
	var at func(c *cue, k, i int) bool
	at = func(c *cue, k, i int) bool {
		if k == len(c.stems) {
			return true
		}
		switch s := c.stems[k]; s {
		case "**":
			for skip := 0; skip <= maxGap && i+skip <= len(words); skip++ {
				if at(c, k+1, i+skip) {
					return true
				}
			}
			return false
		case "*":
			return i < len(words) && at(c, k+1, i+1)
		default:
			if i >= len(words) {
				return false
			}
			if w, exact := strings.CutPrefix(s, "="); (exact && words[i].Word != w) || (!exact && words[i].Stem != s && !slices.Contains(alts[i], s)) {
				return false
			}
			n := len(used)
			used = append(used, i)
			if at(c, k+1, i+1) {
				return true
			}
			used = used[:n]
			return false
		}
	}
	try := func(c *cue, i int) {
		if seen[c] || (c.start && i != 0) {
			return
		}
		used = used[:0]
		if !at(c, 0, i) {
			return
		}
		seen[c] = true
		if c.weight < 0 {
			m.weight[c.intent] += c.weight
		} else {
			found = append(found, foundCue{c, slices.Clone(used)})
		}
		if !contentCues[c.intent] {
			for _, k := range used {
				m.words[k] = true
			}
		}
	}
	for i, w := range words {
		list := cs.byFirst[w.Stem]
		for j := range list {
			try(&list[j], i)
		}
		for _, st := range alts[i] {
			list := cs.byFirst[st]
			for j := range list {
				try(&list[j], i)
			}
		}
		for j := range cs.anyLead {
			try(&cs.anyLead[j], i)
		}
	}
	// A cue's wildcard does not stand for another intent's cue: in "is
	// there a higher level apprenticeship" the words "is there a **
	// apprenticeship" would take for a name are a sign of progression.
	literal := map[Intent][]bool{}
	for _, f := range found {
		if literal[f.c.intent] == nil {
			literal[f.c.intent] = make([]bool, len(words))
		}
		for _, k := range f.words {
			literal[f.c.intent][k] = true
		}
	}
	found = slices.DeleteFunc(found, func(f foundCue) bool {
		if len(f.words) == 0 {
			return false
		}
		for k := f.words[0]; k < f.words[len(f.words)-1]; k++ {
			if slices.Contains(f.words, k) {
				continue
			}
			for in, lit := range literal {
				if in != f.c.intent && lit[k] {
					return true
				}
			}
		}
		return false
	})
	// Cues of one intent over the same words say it once: "is there a *
	// apprenticeship" and "is there a ** apprenticeship" are one sign,
	// worth the heavier, not two.
	slices.SortStableFunc(found, func(a, b foundCue) int { return cmp.Compare(b.c.weight, a.c.weight) })
	taken := map[Intent][]bool{}
	for _, f := range found {
		t := taken[f.c.intent]
		if t == nil {
			t = make([]bool, len(words))
			taken[f.c.intent] = t
		}
		if slices.ContainsFunc(f.words, func(k int) bool { return t[k] }) {
			continue
		}
		for _, k := range f.words {
			t[k] = true
		}
		m.weight[f.c.intent] += f.c.weight
		m.at[f.c.intent] = append(m.at[f.c.intent], f.words)
	}
	return m
}

// foundCue is a cue found, and the words it used.
type foundCue struct {
	c     *cue
	words []int
}
