package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/careersbot/careersbot/retrieval"
)

// normaliser turns a message into the words the safeguarding patterns are
// written in, so that one pattern covers the ways people type it: lower
// case and accents folded, apostrophes dropped ("can't" is "cant"), letters
// stretched for feeling cut back ("sooo", "pleeease"), chat-speak and
// contractions spelled out ("u", "ur", "im", "wanna", "idk", "rn", "ppl",
// "kms"), words split or joined the other way ("no one", "my self"), and a
// word one letter away from a word the patterns know corrected ("sucide",
// "bulied", "threatning").
type normaliser struct {
	// spell maps one word, or two or three joined by a space, to what it
	// stands for: none, one or several words.
	spell    map[string][]string
	maxSpell int // the most words a spell key has
	// heads are the first words of spell keys of several words: only
	// after one of them is a longer key tried.
	heads map[string]bool
	vocab map[string]bool
	// deletes maps a known word with one letter removed to the word, for
	// words typed with a letter missing; "" when two words collide.
	deletes map[string]string
	// isWord reports a word of English the vocabulary lacks: it is what
	// was meant, not a slip for another word ("reading" is no
	// "dreading"), though it may be another form of the word the
	// vocabulary has ("accounts": account). Nil trusts the vocabulary.
	isWord func(string) bool
}

// minCorrect is the shortest word spelling correction touches: shorter
// words are too often other real words one letter apart.
const minCorrect = 6

func newNormaliser(spell map[string][]string, vocab map[string]bool) *normaliser {
	n := &normaliser{spell: spell, vocab: vocab, deletes: map[string]string{}, maxSpell: 1, heads: map[string]bool{}}
	for k := range spell {
		n.maxSpell = max(n.maxSpell, strings.Count(k, " ")+1)
		if head, _, ok := strings.Cut(k, " "); ok {
			n.heads[head] = true
		}
	}
	for w := range vocab {
		if len(w) < minCorrect {
			continue
		}
		for i := range len(w) {
			d := w[:i] + w[i+1:]
			if vocab[d] {
				continue
			}
			if prev, ok := n.deletes[d]; ok && prev != w {
				n.deletes[d] = ""
				continue
			}
			n.deletes[d] = w
		}
	}
	return n
}

// rawWords splits a message into folded words and boundaries: sentence
// ends (. ! ? ; new line) and clause breaks (, : brackets, quotes); other
// characters (spaces, hyphens, slashes, emoji) only separate words, and
// apostrophes join ("can't" is "cant"). ASCII, nearly every message, is
// folded in place; other letters go through retrieval.Fold. The words share
// one string.
func rawWords(text string) []token {
	buf := make([]byte, 0, len(text))
	type span struct {
		from, to int
		brk      byte
	}
	spans := make([]span, 0, len(text)/4)
	start := -1
	flush := func() {
		if start >= 0 {
			spans = append(spans, span{from: start, to: len(buf)})
			start = -1
		}
	}
	boundary := func(b byte) {
		flush()
		if n := len(spans); n > 0 && spans[n-1].brk != 0 {
			if b == '.' {
				spans[n-1].brk = '.'
			}
			return
		}
		if len(spans) > 0 {
			spans = append(spans, span{brk: b})
		}
	}
	letter := func(fold string) {
		if start < 0 {
			start = len(buf)
		}
		buf = append(buf, fold...)
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				if start < 0 {
					start = len(buf)
				}
				buf = append(buf, c)
			case 'A' <= c && c <= 'Z':
				if start < 0 {
					start = len(buf)
				}
				buf = append(buf, c+'a'-'A')
			case c == '\'' || c == '`':
				// joins a word's parts; alone it separates nothing
			case strings.IndexByte(".!?;\n", c) >= 0:
				boundary('.')
			case strings.IndexByte(",:()[]\"", c) >= 0:
				boundary(',')
			default:
				flush()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case strings.ContainsRune("’‘´", r):
		case strings.ContainsRune("“”«»", r):
			boundary(',')
		case r == '…':
			boundary('.')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			letter(retrieval.Fold(string(r)))
		default:
			flush()
		}
	}
	flush()
	if n := len(spans); n > 0 && spans[n-1].brk != 0 {
		spans = spans[:n-1]
	}
	folded := string(buf)
	out := make([]token, len(spans))
	for i, sp := range spans {
		if sp.brk != 0 {
			out[i] = token{brk: sp.brk}
		} else {
			out[i] = token{text: folded[sp.from:sp.to]}
		}
	}
	return out
}

// tokens normalises a message.
func (n *normaliser) tokens(text string) []token {
	raw := rawWords(text)
	for i := range raw {
		if raw[i].brk == 0 {
			raw[i].text = n.unstretch(raw[i].text)
		}
	}
	out := make([]token, 0, len(raw)+8)
	for i := 0; i < len(raw); i++ {
		if raw[i].brk != 0 {
			out = append(out, raw[i])
			continue
		}
		// The longest run of words the spelling table knows.
		matched := false
		for l := min(n.maxSpell, len(raw)-i); l >= 2 && n.heads[raw[i].text]; l-- {
			if !allWords(raw[i : i+l]) {
				continue
			}
			if rep, ok := n.spell[joinWords(raw[i:i+l])]; ok {
				out = appendWords(out, rep)
				i += l - 1
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		w := raw[i].text
		if rep, ok := n.spell[w]; ok {
			out = appendWords(out, rep)
			continue
		}
		out = append(out, token{text: n.correct(w)})
	}
	return out
}

func allWords(ts []token) bool {
	for _, t := range ts {
		if t.brk != 0 {
			return false
		}
	}
	return true
}

func joinWords(ts []token) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

func appendWords(out []token, words []string) []token {
	for _, w := range words {
		out = append(out, token{text: w})
	}
	return out
}

// unstretch cuts runs of three or more of one letter ("sooo", "hellllp")
// to two or one, whichever makes a known word; one when neither does.
func (n *normaliser) unstretch(w string) string {
	if !hasRun3(w) {
		return w
	}
	two, one := collapseRuns(w, 2), collapseRuns(w, 1)
	switch {
	case n.known(two):
		return two
	case n.known(one):
		return one
	}
	return one
}

func (n *normaliser) known(w string) bool {
	if n.vocab[w] {
		return true
	}
	_, ok := n.spell[w]
	return ok
}

func hasRun3(w string) bool {
	run := 0
	var prev rune
	for _, r := range w {
		if r == prev {
			run++
			if run >= 3 {
				return true
			}
		} else {
			prev, run = r, 1
		}
	}
	return false
}

func collapseRuns(w string, keep int) string {
	var b strings.Builder
	run := 0
	var prev rune
	for _, r := range w {
		if r == prev {
			run++
		} else {
			prev, run = r, 1
		}
		if run <= keep {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// correct returns w, or the known word it is one slip away from: a
// dropped "g" ("cuttin"), a letter missing ("sucide"), a letter too many
// ("abuseing") or two letters swapped ("suicdie"). Substitutions are not
// tried: "putting" is not "cutting".
func (n *normaliser) correct(w string) string {
	fix := n.slip(w)
	if fix != w && n.isWord != nil && n.isWord(w) && !inflects(fix, w) {
		return w
	}
	return fix
}

// inflects reports whether one word is the other with an ending added or
// dropped ("accounts", "account"): a real word is corrected only to a
// form of itself. Sharing a stem is not enough: "offices" is not
// "officers".
func inflects(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	return strings.HasPrefix(a, b) && retrieval.Stem(a) == retrieval.Stem(b)
}

// slip is correct by the vocabulary alone.
func (n *normaliser) slip(w string) string {
	if n.vocab[w] || len(w) < minCorrect-1 || !isASCIIWord(w) {
		return w
	}
	if strings.HasSuffix(w, "in") && n.vocab[w+"g"] {
		return w + "g"
	}
	if fix, ok := n.deletes[w]; ok && fix != "" {
		return fix
	}
	if len(w) < minCorrect {
		return w
	}
	var buf [64]byte
	if len(w) > len(buf) {
		return w
	}
	found := ""
	try := func(c []byte) bool {
		if n.vocab[string(c)] {
			if found != "" && found != string(c) {
				found = "\x00" // ambiguous
				return false
			}
			found = string(c)
		}
		return true
	}
	for i := range len(w) {
		c := append(append(buf[:0], w[:i]...), w[i+1:]...)
		if len(c) >= minCorrect && !try(c) {
			return w
		}
	}
	for i := 0; i+1 < len(w); i++ {
		if w[i] == w[i+1] {
			continue
		}
		c := append(buf[:0], w...)
		c[i], c[i+1] = c[i+1], c[i]
		if !try(c) {
			return w
		}
	}
	if found != "" && found != "\x00" {
		return found
	}
	return w
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
