package bot

import (
	_ "embed"
	"strings"
	"unicode"

	"github.com/careersbot/careersbot/retrieval"
)

//go:embed distress.txt
var distressText string

// DefaultDistressReply is the fixed, kind reply to a message that shows
// distress or danger. It points to people, and does not counsel.
const DefaultDistressReply = "It sounds like you might be going through something really hard, and I'm sorry. " +
	"I'm only a careers bot, so I'm not the right one to help with this, but people are ready to listen. " +
	"Please talk to someone you trust, such as a teacher, tutor, parent or your careers adviser. " +
	"You can call Samaritans free, day or night, on 116 123, or text SHOUT to 85258. " +
	"If you are under 19 you can call Childline on 0800 1111. " +
	"If you are in danger right now, call 999."

// distressDetector matches the phrases of distress.txt on whole words.
type distressDetector struct {
	phrases []string // each " word word " with spaces around
}

func newDistressDetector(text string) *distressDetector {
	d := &distressDetector{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		d.phrases = append(d.phrases, " "+normaliseForPhrases(line)+" ")
	}
	return d
}

// normaliseForPhrases folds a message to lower-case words separated by
// single spaces, apostrophes dropped.
func normaliseForPhrases(s string) string {
	s = retrieval.Fold(s)
	s = strings.NewReplacer("'", "", "’", "").Replace(s)
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// Match reports whether a message shows distress.
func (d *distressDetector) Match(text string) bool {
	norm := " " + normaliseForPhrases(text) + " "
	for _, p := range d.phrases {
		if strings.Contains(norm, p) {
			return true
		}
	}
	return false
}
