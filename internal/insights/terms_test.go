package insights

import (
	"slices"
	"strings"
	"testing"
)

// corpusWords stands in for the index's vocabulary.
func corpusWords(words ...string) func(string) bool {
	return func(w string) bool { return slices.Contains(words, w) }
}

func TestSalientTerms(t *testing.T) {
	for _, tc := range []struct {
		name, question, topic string
		want                  []string
	}{
		{"topic words only", "How do I become an astronaut?", "astronaut", []string{"astronaut"}},
		{"no topic: every meaningful word", "underwater basket weaving jobs", "", []string{"underwater", "basket", "weaving", "jobs"}},
		{"self-introduction", "Hi I'm Sarah, how do I become a youtuber?", "sarah youtuber", nil},
		{"introduction in lower case", "hi im oliver and i want to be an astronaut", "", []string{"want", "astronaut"}},
		{"my name is", "my name is george and I like maths", "", []string{"name", "like", "maths"}},
		{"capitalised inside a sentence", "Can my friend Jacob work with Thomas on spaceships?", "", []string{"friend", "work", "spaceships"}},
		{"a name only WordNet's instances know", "does james want to fly", "", []string{"want", "fly"}},
		{"unknown words: names, slang, typos", "can jamie and chloe become esports pros", "", []string{"become"}},
		{"numbers, ages, phone numbers", "I am 15 and live at 22 Acacia Road, 07700 900123, is welding for 16 year olds?", "", []string{"live", "welding", "year", "olds"}},
		{"emails, links, handles, mentions", "email jamie.smith@example.com or see https://example.com/x @jsmith <@U123ABC> about forestry", "", []string{"email", "see", "forestry"}},
		{"capitals are no sign in a shouted question", "HOW DO I BECOME A PLUMBER", "", []string{"become", "plumber"}},
		{"acronyms kept", "Does the NHS need IT people?", "", []string{"nhs", "need", "it", "people"}},
		{"the corpus's words kept though WordNet knows them not", "Does a chef need patisserie?", "patisserie", []string{"patisserie"}},
		{"a sentence's first word may be capitalised", "Welding. Is it covered?", "", []string{"welding", "covered"}},
		{"each term once", "coding coding and more coding", "", []string{"coding"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SalientTerms(tc.question, tc.topic, corpusWords("patisserie"))
			if !slices.Equal(got, tc.want) {
				t.Errorf("SalientTerms(%q, %q) = %q, want %q", tc.question, tc.topic, got, tc.want)
			}
		})
	}
}

func TestSalientTermsAtMost(t *testing.T) {
	q := strings.Repeat("welding plumbing roofing carpentry forestry farming fishing mining baking brewing nursing teaching coding ", 3)
	if got := SalientTerms(q, "", nil); len(got) != maxTerms {
		t.Errorf("%d terms, want at most %d: %q", len(got), maxTerms, got)
	}
}
