package bot

import (
	"regexp"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// excerptChars is the longest passage quoted whole in an answer's text; a
// longer one (an overview paragraph) is quoted by its best sentence. The
// citation still carries the whole passage.
const excerptChars = 320

var reSentenceEnd = regexp.MustCompile(`[.!?;](?:\s+|$)`)

// excerpt returns the passage, or for a long one the sentence that holds
// most of the topic's words, marked with ellipses where text was left out.
func excerpt(text, topic string) string {
	if len(text) <= excerptChars {
		return text
	}
	want := map[string]bool{}
	for _, t := range retrieval.Tokenize(topic) {
		if t.Meaningful() {
			want[t.Stem] = true
		}
	}
	var sentences []string
	last := 0
	for _, m := range reSentenceEnd.FindAllStringIndex(text, -1) {
		sentences = append(sentences, strings.TrimSpace(text[last:m[1]]))
		last = m[1]
	}
	if last < len(text) {
		sentences = append(sentences, strings.TrimSpace(text[last:]))
	}
	best, bestScore := 0, -1
	for i, s := range sentences {
		score := 0
		for _, t := range retrieval.Tokenize(s) {
			if want[t.Stem] {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	out := sentences[best]
	if len(out) > excerptChars {
		cut := strings.LastIndex(out[:excerptChars], " ")
		if cut < excerptChars/2 {
			cut = excerptChars
		}
		out = out[:cut] + " …"
	}
	if best > 0 {
		out = "… " + out
	}
	if best < len(sentences)-1 && !strings.HasSuffix(out, "…") {
		out += " …"
	}
	return out
}
