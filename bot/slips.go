package bot

import (
	"strings"
	"sync"

	"github.com/careersbot/careersbot/retrieval"
)

// The words that say what a question asks (skills, salary, apprenticeship,
// qualifications) carry it, so a slip in one loses the question: "what
// skils do u need" asked for nothing. A word no dictionary knows that is
// one slip from one of them (a letter dropped or doubled, two swapped) is
// that word. Substitutions are not tried, and a word WordNet knows, or a
// stopword, is left alone: "skill" and "still" are both words, and "than"
// is no "thank".

// minSlip is the shortest word corrected: shorter ones are too close to
// too many others.
const minSlip = 5

// askVocab is the asking words, and each one's forms with a letter dropped
// ("skils" for "skills"), so a slip is found by lookups, not by trying
// every letter: a pasted essay of unknown words costs little.
type askVocab struct {
	words   map[string]bool
	dropped map[string]string // a word less one letter -> the word; "" when two words give it
}

var askWords = sync.OnceValue(func() askVocab {
	v := askVocab{words: map[string]bool{}, dropped: map[string]string{}}
	add := func(w string) {
		if len(w) >= minSlip && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == "" {
			v.words[w] = true
		}
	}
	for w := range kindWords {
		add(w)
	}
	for w := range factWords {
		add(w)
	}
	for _, set := range []map[string]bool{fillerWords, softFillers, searchNouns, factModifiers} {
		for w := range set {
			add(w)
		}
	}
	// The cues' own words ("progression 2 next step": next, step).
	for _, line := range strings.Split(cuesText, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range f[2:] {
			add(strings.Trim(w, "=^$"))
		}
	}
	for w := range v.words {
		for i := range len(w) {
			d := w[:i] + w[i+1:]
			if prev, ok := v.dropped[d]; ok && prev != w {
				v.dropped[d] = ""
			} else {
				v.dropped[d] = w
			}
		}
	}
	return v
})

// fixSlip returns the asking word w is one slip from, or "" when there is
// none, or more than one.
func fixSlip(w string) string {
	v := askWords()
	if len(w) < minSlip-1 || len(w) > 30 || v.words[w] || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" || retrieval.IsStopword(w) || retrieval.WordNet.Known(w) {
		return ""
	}
	found := ""
	try := func(c string) bool {
		if c == "" || c == found {
			return true
		}
		if found != "" {
			return false // ambiguous
		}
		found = c
		return true
	}
	// A letter missing.
	if c, ok := v.dropped[w]; ok && (c == "" || !try(c)) {
		return ""
	}
	for i := range len(w) {
		// A letter too many.
		if d := w[:i] + w[i+1:]; len(w) > minSlip && v.words[d] && !try(d) {
			return ""
		}
		// Two letters swapped.
		if i+1 < len(w) && w[i] != w[i+1] {
			if t := w[:i] + string(w[i+1]) + string(w[i]) + w[i+2:]; v.words[t] && !try(t) {
				return ""
			}
		}
	}
	return found
}
