package retrieval

import (
	"strings"
	"testing"
)

func relatedStems(rel []Related) map[string]float32 {
	out := map[string]float32{}
	for _, r := range rel {
		out[strings.Join(r.Stems, " ")] = r.Weight
	}
	return out
}

// TestWordNetRelated checks the kinds of link the table holds, each below
// the weight of the word itself, and the detachment of inflections.
func TestWordNetRelated(t *testing.T) {
	for _, tc := range []struct {
		word, want string
		why        string
	}{
		{"customer", "client", "synonym"},
		{"customers", "client", "plural detached"},
		{"spanner", "hand tool", "hypernym phrase"},
		{"spanners", "wrench", "synonym of a plural"},
		{"surveyor", "survey", "derivational form"},
		{"coder", "programm", "synonym"},
		{"faulty", "fault", "derivational form"},
		{"repairing", "mend", "inflection to its lemma"},
		{"went", "go", "irregular form"},
		{"helping", "assist", "verb base of a noun lemma"},
	} {
		got := relatedStems(WordNet.Related(tc.word))
		w, ok := got[tc.want]
		if !ok {
			t.Errorf("%s (%s): no %q among %v", tc.word, tc.why, tc.want, got)
			continue
		}
		if w <= 0 || w > 1 {
			t.Errorf("%s -> %s weighs %v, want in (0, 1]", tc.word, tc.want, w)
		}
	}
	for _, tc := range []struct{ word, not string }{
		{"news", "new"},      // no plural of the adjective
		{"paper", "pap"},     // no comparative of another noun
		{"computer", "work"}, // the verb "compute" does not leak in
	} {
		if _, ok := relatedStems(WordNet.Related(tc.word))[tc.not]; ok {
			t.Errorf("%s relates to %s", tc.word, tc.not)
		}
	}
	if rel := WordNet.Related("xqzzyv"); rel != nil {
		t.Errorf("unknown word: %v", rel)
	}
}

func BenchmarkWordNetRelated(b *testing.B) {
	words := strings.Fields("customers spanners surveyor repairing faulty kit tidy paperwork coding networks engineers xqzzyv")
	WordNet.Related("warm")
	b.ResetTimer()
	for i := range b.N {
		WordNet.lookup(words[i%len(words)])
	}
}
