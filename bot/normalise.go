package bot

import (
	_ "embed"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/careersbot/careersbot/retrieval"
)

//go:embed chatspeak.txt
var chatspeakText string

// chatspeak maps a short form of chat to what it means.
var chatspeak = parseChatspeak(chatspeakText)

func parseChatspeak(text string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		from, to, ok := strings.Cut(line, " ")
		if ok {
			to = strings.TrimSpace(to)
			if to == "-" {
				to = ""
			}
			m[from] = to
		}
	}
	return m
}

// reMention matches what chat platforms put in a message to point at
// someone or somewhere: Slack's <@U123>, <!here>, <#C123|general>;
// Discord's <@123>, <@!123>, <@&123>, <#123>, <:emoji:123>; and a typed
// @everyone, @here or @name. A mention is noise, not a topic.
var reMention = regexp.MustCompile(`<[@#!][^<>\s]{0,80}>|<a?:\w{1,40}:\d{1,25}>|(?:^|\s)@[\w.-]{1,40}`)

// normalise rewrites a question as it is meant, for understanding: mentions
// dropped, chat-speak and digits for words spelled out ("wat skills r
// needed 4 a plumber" is "what skills are needed for a plumber"), letters
// repeated for emphasis cut back ("sooo"). The text an answer quotes stays
// the user's own.
func normalise(text string) string {
	text = reMention.ReplaceAllString(text, " ")
	words := splitKeep(text)
	var b strings.Builder
	b.Grow(len(text) + 16)
	for i, w := range words {
		if !w.word {
			b.WriteString(w.text)
			continue
		}
		b.WriteString(normaliseWord(words, i))
	}
	return b.String()
}

// piece is a run of a text: a word, or what lies between words.
type piece struct {
	text string
	word bool
}

// splitKeep cuts text into words (letters, digits and apostrophes inside)
// and the runs between them, keeping every byte, valid UTF-8 or not.
func splitKeep(text string) []piece {
	type rn struct {
		r    rune
		at   int
		size int
	}
	var runes []rn
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		runes = append(runes, rn{r, i, size})
		i += size
	}
	isWord := func(i int) bool {
		r := runes[i].r
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
		// An apostrophe between letters belongs to the word (can't).
		return (r == '\'' || r == '’') && i > 0 && i+1 < len(runes) && unicode.IsLetter(runes[i-1].r) && unicode.IsLetter(runes[i+1].r)
	}
	var out []piece
	start, inWord := 0, false
	for i := range runes {
		w := isWord(i)
		if i == 0 {
			inWord = w
			continue
		}
		if w != inWord {
			out = append(out, piece{text[runes[start].at:runes[i].at], inWord})
			start, inWord = i, w
		}
	}
	if len(runes) > 0 {
		out = append(out, piece{text[runes[start].at:], inWord})
	}
	return out
}

// normaliseWord spells out one word of a split text.
func normaliseWord(words []piece, i int) string {
	raw := words[i].text
	if c, ok := contractions[strings.ReplaceAll(retrieval.Fold(raw), "’", "'")]; ok {
		return c
	}
	w := dropApostrophes.Replace(retrieval.Fold(raw))
	w = squeeze(w)
	prev, next := neighbour(words, i, -1), neighbour(words, i, +1)
	if base, ok := strings.CutSuffix(strings.ReplaceAll(retrieval.Fold(raw), "’", "'"), "'s"); ok && prev == "how" && howWords[base] {
		// "how long's that one": how long is it.
		return base + " is"
	}
	switch w {
	case "4", "2":
		// "skills 4 a plumber", "how 2 become": a digit between words,
		// not a level, grade or number.
		if isLetters(prev) && isLetters(next) && !numberWords[prev] {
			if w == "4" {
				return "for"
			}
			return "to"
		}
		return raw
	case "b":
		if prev == "to" || prev == "2" || prev == "will" || prev == "can" || prev == "wanna" {
			return "be"
		}
		return raw
	}
	to, ok := chatspeak[w]
	if !ok {
		if fix := fixSlip(w); fix != "" {
			return fix
		}
		if w != retrieval.Fold(raw) {
			return w // squeezed
		}
		return raw
	}
	// A single letter stands for a word only inside a sentence: "do
	// analysts use r" ends on the language R.
	if len(w) == 1 && next == "" {
		return raw
	}
	return to
}

// contractions are spelled out only as written, apostrophe and all: "I'd"
// is "I would", where "id" may be an ID.
var contractions = map[string]string{
	"i'd": "i would", "you'd": "you would", "he'd": "he would", "she'd": "she would",
	"we'd": "we would", "they'd": "they would", "it'd": "it would", "i'll": "i will",
	"you'll": "you will", "we'll": "we will", "they'll": "they will",
}

// howWords follow "how" in a question of degree ("how long's it take").
var howWords = wordSet("long much many old far big hard")

// numberWords come before a digit that is a number, not a word.
var numberWords = wordSet(`level levels lvl grade grades year years stage key nvq btec gcse tier band step part
a an the at in of to top under over than only about`)

func neighbour(words []piece, i, dir int) string {
	for j := i + dir; j >= 0 && j < len(words); j += dir {
		if words[j].word {
			return dropApostrophes.Replace(retrieval.Fold(words[j].text))
		}
		if strings.ContainsAny(words[j].text, ".?!;:\n") {
			return ""
		}
	}
	return ""
}

func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// squeeze cuts letters repeated for emphasis ("sooo", "pleeease",
// "helppp"): a run of three or more becomes two when that is a word, else
// one.
func squeeze(w string) string {
	runes := []rune(w)
	hasRun := false
	for i := 2; i < len(runes); i++ {
		if runes[i] == runes[i-1] && runes[i] == runes[i-2] && unicode.IsLetter(runes[i]) {
			hasRun = true
			break
		}
	}
	if !hasRun {
		return w
	}
	cut := func(keep int) string {
		var b strings.Builder
		for i, r := range runes {
			n := 1
			for j := i - 1; j >= 0 && runes[j] == r; j-- {
				n++
			}
			if n <= keep {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	two, one := cut(2), cut(1)
	if known(two) || !known(one) {
		return two
	}
	return one
}

// known reports whether a folded word is an English word or a short form
// this bot knows.
func known(w string) bool {
	if _, ok := chatspeak[w]; ok {
		return true
	}
	return retrieval.IsStopword(w) || retrieval.WordNet.Related(w) != nil
}

// dropApostrophes joins a word's parts (don't, it’s); built once, as a
// Replacer's first use builds its tables.
var dropApostrophes = strings.NewReplacer("'", "", "’", "")
