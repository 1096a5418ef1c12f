package insights

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/careersbot/careersbot/retrieval"
)

// maxTerms bounds the terms kept of one question.
const maxTerms = 12

// reScrub finds what is never a term and may identify someone: e-mail and
// web addresses, platform mentions (<@U123>, <#C123|name>) and @handles.
// Digits (ages, phone numbers, postcodes) go with the tokens that hold them.
var reScrub = regexp.MustCompile(`(?i)\S+@\S+|\b(?:https?://|www\.)\S+|<[@#!][^>]*>|@\w+`)

// introductions end the words before someone says their name: "I'm",
// "I am", "my name is", "name's", "call me". The word after one is dropped
// whatever it is.
var introductions = [][]string{{"im"}, {"i", "am"}, {"name", "is"}, {"name"}, {"call", "me"}}

// SalientTerms returns what a question was about, with nothing that could
// identify who asked: its meaningful words, folded, in the question's order,
// at most maxTerms. topic, when not empty, is the bot's reading of what the
// question was about (bot.Answer.Topic): only its words are kept, so the
// words that only shape a question ("how do I become") are not counted as
// gaps.
//
// Dropped: stop-words; anything with a digit; e-mail and web addresses,
// mentions and handles; words of fewer than three letters (acronyms such as
// IT excepted); and names, by three signs: a word capitalised inside a
// sentence, the word after a self-introduction, and a word known neither to
// the corpus (vocabulary, which may be nil) nor to WordNet as more than a
// name (commonWord). The last sign also drops typos and slang no dictionary
// knows: privacy comes first.
func SalientTerms(question, topic string, vocabulary func(word string) bool) []string {
	text := reScrub.ReplaceAllString(question, " . ")
	if !hasLower(text) {
		// A question in capitals says nothing by its capitals.
		text = strings.ToLower(text)
	}
	var want map[string]bool
	if topic = strings.TrimSpace(topic); topic != "" {
		want = map[string]bool{}
		for _, t := range retrieval.Tokenize(reScrub.ReplaceAllString(topic, " ")) {
			want[t.Word] = true
		}
	}
	var out, before []string
	prevEnd := 0
	for _, t := range retrieval.Tokenize(text) {
		if t.Joined {
			continue
		}
		startsSentence := len(before) == 0 || strings.ContainsAny(text[prevEnd:t.Start], ".!?\n")
		afterIntro := !startsSentence && endsWithAny(before, introductions)
		if startsSentence {
			before = before[:0]
		}
		before = append(before, t.Word)
		prevEnd = t.End
		switch {
		case !t.Meaningful(), hasDigit(t.Word), slices.Contains(out, t.Word):
			continue
		case want != nil && !want[t.Word]:
			continue
		case afterIntro:
			continue
		case t.Upper:
			// An acronym (NHS, IT): kept.
		case utf8.RuneCountInString(t.Word) < 3:
			continue
		case !startsSentence && startsUpper(text[t.Start:t.End]):
			continue // capitalised inside a sentence: a name
		case !(vocabulary != nil && vocabulary(t.Word)) && !commonWord(t.Word):
			continue
		}
		out = append(out, t.Word)
		if len(out) == maxTerms {
			break
		}
	}
	return out
}

// commonWord reports whether WordNet knows a word as more than a name: the
// entry of someone's name is a person that links only to what it is an
// instance of, at half weight ("sarah": wife; "james": king), where a
// person's job also has its synonyms ("plumber": pipe fitter).
func commonWord(word string) bool {
	rel, pos := retrieval.WordNet.Entry(word)
	if pos == "" {
		// Not a lemma: an inflection of one ("spaceships") counts as it.
		return retrieval.WordNet.Known(word)
	}
	if !strings.Contains(pos, "p") {
		return true
	}
	for _, r := range rel {
		if r.Weight > 0.5 {
			return true
		}
	}
	return false
}

func endsWithAny(words []string, phrases [][]string) bool {
	for _, p := range phrases {
		if len(words) >= len(p) && slices.Equal(words[len(words)-len(p):], p) {
			return true
		}
	}
	return false
}

func hasLower(s string) bool {
	return strings.IndexFunc(s, unicode.IsLower) >= 0
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, unicode.IsDigit) >= 0
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}
