package retrieval

import (
	"slices"
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
		{"tired", "fatigu", "similar adjective the corpus uses, kept among many"},
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
		{"news", "new"},       // no plural of the adjective
		{"paper", "pap"},      // no comparative of another noun
		{"computer", "work"},  // the verb "compute" does not leak in
		{"plumbing", "clean"}, // the verb plumb's senses, not the adverb's
	} {
		if _, ok := relatedStems(WordNet.Related(tc.word))[tc.not]; ok {
			t.Errorf("%s relates to %s", tc.word, tc.not)
		}
	}
	if rel := WordNet.Related("xqzzyv"); rel != nil {
		t.Errorf("unknown word: %v", rel)
	}
}

// TestWordNetDefinitionPhrases checks that a phrasal verb a definition
// consists of stands in for the verb it defines, and is found in a text
// with its object between verb and particle, but not where the particle
// is a preposition before its object.
func TestWordNetDefinitionPhrases(t *testing.T) {
	for _, tc := range []struct {
		phrase []string
		want   string
	}{
		{[]string{"keep", "an", "eye", "on"}, "monitor"},
		{[]string{"looking", "over"}, "inspect"},
		{[]string{"keep", "tabs", "on"}, "monitor"},
		// An irregular form of the verb, by WordNet's own list.
		{[]string{"thrown", "away"}, "wast"},
		{[]string{"took", "over"}, "assum"},
	} {
		got := relatedStems(WordNet.Phrase(tc.phrase))
		if _, ok := got[tc.want]; !ok {
			t.Errorf("%v: no %q among %v", tc.phrase, tc.want, got)
		}
	}
	for _, tc := range []struct {
		text, phrase string
		phrasal      bool
	}{
		{"look the van over for problems", "look over", true},
		{"do arborists go up into the trees", "go up", true},
		// "keep ... on" is no gapped "keep on" (continue): "on track" is
		// the phrase.
		{"keep the staff on track", "on track", false},
	} {
		var found *Phrase
		for _, p := range Phrases(tc.text) {
			if p.Text == tc.phrase {
				found = &p
			}
		}
		for _, p := range Phrases(tc.text) {
			if p.Text == "keep on" {
				t.Errorf("%q: read as keep on", tc.text)
			}
		}
		switch {
		case tc.phrase == "" && len(Phrases(tc.text)) > 0:
			t.Errorf("%q: phrases %v, want none", tc.text, Phrases(tc.text))
		case tc.phrase != "" && found == nil:
			t.Errorf("%q: no phrase %q among %v", tc.text, tc.phrase, Phrases(tc.text))
		case found != nil && found.Phrasal != tc.phrasal:
			t.Errorf("%q: %q phrasal %v, want %v", tc.text, tc.phrase, found.Phrasal, tc.phrasal)
		}
	}
}

// TestGappedParticleGoesToTheNearerVerb: in "help people work out a
// budget" the particle makes "work out", not "help out".
func TestGappedParticleGoesToTheNearerVerb(t *testing.T) {
	var got []string
	for _, p := range Phrases("help people work out a budget") {
		got = append(got, p.Text)
	}
	if !slices.Contains(got, "work out") || slices.Contains(got, "help out") {
		t.Errorf("phrases %q, want \"work out\" and no \"help out\"", got)
	}
}

// TestVerbLemma reads WordNet's irregular verb forms.
func TestVerbLemma(t *testing.T) {
	for form, want := range map[string]string{"thrown": "throw", "fell": "fall", "abetted": "abet", "throw": "", "zzz": ""} {
		if got := verbLemma(form); got != want {
			t.Errorf("verbLemma(%q) = %q, want %q", form, got, want)
		}
	}
}

// TestEverydayPhrases checks the everyday phrases: found whole, in any
// form of their first word and with an object between verb and particle,
// their own meaning first and WordNet's after; the first word alone is
// never sent to the phrase's meaning.
func TestEverydayPhrases(t *testing.T) {
	for _, tc := range []struct {
		phrase     []string
		want, also string // also: a WordNet sense kept after the everyday one
	}{
		{[]string{"sorting", "out"}, "fix", "classifi"},
		{[]string{"sort", "out"}, "troubleshoot", ""},
		{[]string{"mucked", "out"}, "clean", ""},
		{[]string{"kicks", "off"}, "conflict", "kickoff"},
		{[]string{"sat", "nav"}, "satellit navig", ""},
	} {
		rel := WordNet.Phrase(tc.phrase)
		got := relatedStems(rel)
		if _, ok := got[tc.want]; !ok {
			t.Errorf("%v: no %q among %v", tc.phrase, tc.want, got)
			continue
		}
		if w := got[tc.want]; w != wEveryday {
			t.Errorf("%v -> %s weighs %v, want %v", tc.phrase, tc.want, w, wEveryday)
		}
		if strings.Join(rel[0].Stems, " ") == "" || rel[0].Weight != wEveryday {
			t.Errorf("%v: first link %v, want an everyday meaning", tc.phrase, rel[0])
		}
		if _, ok := got[tc.also]; tc.also != "" && !ok {
			t.Errorf("%v: WordNet's %q lost among %v", tc.phrase, tc.also, got)
		}
	}
	for _, w := range []string{"sort", "muck", "kick"} {
		for _, r := range WordNet.Related(w) {
			if s := strings.Join(r.Stems, " "); s == "troubleshoot" || (w == "kick" && s == "conflict") {
				t.Errorf("%s alone relates to %s", w, s)
			}
		}
	}
	found := false
	for _, p := range Phrases("who sorts it out when the network goes down") {
		if p.Text == "sorts out" && p.Phrasal {
			found = true
		}
	}
	if !found {
		t.Errorf("gapped everyday phrase not found: %v", Phrases("who sorts it out when the network goes down"))
	}
	// An everyday phrase may open with a particle ("on track"); WordNet's
	// phrases that do ("as well") are not looked for.
	texts := func(q string) []string {
		var out []string
		for _, p := range Phrases(q) {
			out = append(out, p.Text)
		}
		return out
	}
	if got := texts("how do you keep the staff on track"); !slices.Contains(got, "on track") {
		t.Errorf("phrase opening with a particle not found: %v", got)
	}
	if got := texts("do they learn to colour hair as well"); slices.Contains(got, "as well") {
		t.Errorf("WordNet's particle-led phrase found: %v", got)
	}
	for _, bad := range []string{"sort: fix", "x", "", "# sort out: fix"} {
		if got := parsePhrases(bad); len(got) != 0 {
			t.Errorf("parsePhrases(%q) = %v, want nothing", bad, got)
		}
	}
}

// TestWordNetLight checks which words are general English's workhorse
// verbs: their lemmas, inflections and irregular forms, and no content
// word or adjective.
func TestWordNetLight(t *testing.T) {
	for word, want := range map[string]bool{
		"do": true, "done": true, "keeps": true, "left": true, "provide": true,
		"network": false, "clean": false, "monitor": false, "good": false, "staying": false, "xqzzyv": false,
	} {
		if got := WordNet.Light(word); got != want {
			t.Errorf("Light(%q) = %v, want %v", word, got, want)
		}
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

// TestWordFamilies: words of one stem are one word only when WordNet
// makes them one family (or they are one root with an agent's or an
// action's ending).
func TestWordFamilies(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"animals", "animator", false},
		{"animal", "animation", false},
		{"animator", "animation", true},
		{"cooking", "cook", true},
		{"bricklaying", "bricklayer", true},
		{"engineering", "engineer", true},
		{"welding", "welder", true}, // no collision at all
	} {
		if got := SameFamily(tc.a, tc.b); got != tc.same {
			t.Errorf("SameFamily(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
