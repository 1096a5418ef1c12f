package retrieval

import (
	_ "embed"
	"strings"
)

// phrasesText is the table of everyday phrases (phrases.txt): phrasal
// verbs and set expressions keyed on all their words, particles included,
// so a sense WordNet lacks ("sort out": fix) is data, and the phrase's
// first word alone ("sort") is never sent anywhere.
//
//go:embed phrases.txt
var phrasesText string

// wEveryday is the weight of an everyday phrase's meaning: a synonym's,
// below the question's own words.
const wEveryday = 0.8

// everydayPhrases maps a phrase, its words joined by spaces and its first
// word a lemma, to what it means.
var everydayPhrases = parsePhrases(phrasesText)

// everydayFirst are the first words of the everyday phrases: a phrase that
// opens with a particle ("on track") is looked for only where one stands.
var everydayFirst = func() map[string]bool {
	out := map[string]bool{}
	for k := range everydayPhrases {
		first, _, _ := strings.Cut(k, " ")
		out[first] = true
	}
	return out
}()

// parsePhrases reads the phrases.txt format: "phrase: meaning, meaning".
func parsePhrases(text string) map[string][]Related {
	out := map[string][]Related{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, meanings, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.Join(strings.Fields(strings.ToLower(key)), " ")
		if strings.Count(key, " ") == 0 {
			continue // a phrase is two words or more
		}
		for _, m := range strings.Split(meanings, ",") {
			if st := phraseStems(m); len(st) > 0 {
				out[key] = append(out[key], Related{Stems: st, Weight: wEveryday})
			}
		}
	}
	return out
}
