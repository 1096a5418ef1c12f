package retrieval

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// Token is one word of a text: its folded surface form, its stem, and where
// it is in the text (byte offsets), so a caller can cut a phrase out.
type Token struct {
	Word  string
	Stem  string
	Start int
	End   int
	// Joined marks the extra token made of a hyphenated or slashed compound
	// ("wifi" from "Wi-Fi"), which sits on top of its parts.
	Joined bool
	// Upper marks a word written in capitals ("IT", "AI"): an acronym, kept
	// even when its lower-case form is a stopword.
	Upper bool
}

// Meaningful reports whether the token carries meaning for search.
func (t Token) Meaningful() bool {
	return t.Upper || !IsStopword(t.Word)
}

// Tokenize splits text into lower-case, accent-folded words and stems them.
// A compound such as "Wi-Fi", "e-waste" or "TCP/IP" gives its parts and, when
// short, the joined form as well, so that "wifi" and "wi-fi" meet.
func Tokenize(text string) []Token {
	var out []Token
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		// A compound: word runs joined by single - / or & characters.
		start := i
		var parts []Token
		for {
			ws := i
			upper := true
			var b strings.Builder
			for i < len(text) {
				r, size := utf8.DecodeRuneInString(text[i:])
				if !isWordRune(r) {
					// An apostrophe inside a word: drop a possessive 's,
					// keep the rest ("don't" -> "dont").
					if (r == '\'' || r == '’') && i+size < len(text) {
						nr, nsize := utf8.DecodeRuneInString(text[i+size:])
						if isWordRune(nr) {
							if (nr == 's' || nr == 'S') && (i+size+nsize == len(text) || !isWordRune(peekRune(text[i+size+nsize:]))) {
								i += size + nsize
								break
							}
							i += size
							continue
						}
					}
					break
				}
				if !unicode.IsUpper(r) {
					upper = false
				}
				writeFolded(&b, r)
				i += size
			}
			if b.Len() > 0 {
				w := b.String()
				isUpper := upper && len(w) >= 2 && len(w) <= 6
				// An acronym's plural ("SLAs", "KPIs") is the acronym.
				if surface := text[ws:i]; !upper && len(surface) >= 3 && len(surface) <= 7 && surface[len(surface)-1] == 's' && isCapitals(surface[:len(surface)-1]) {
					w, isUpper = w[:len(w)-1], true
				}
				parts = append(parts, Token{Word: w, Start: ws, End: i, Upper: isUpper})
			}
			if i+1 < len(text) && (text[i] == '-' || text[i] == '/' || text[i] == '&') && isWordRune(peekRune(text[i+1:])) {
				i++
				continue
			}
			break
		}
		for k := range parts {
			parts[k].Stem = Stem(parts[k].Word)
		}
		out = append(out, parts...)
		if len(parts) > 1 {
			var joined strings.Builder
			for _, p := range parts {
				joined.WriteString(p.Word)
			}
			if w := joined.String(); len(w) <= 14 {
				out = append(out, Token{Word: w, Stem: Stem(w), Start: start, End: i, Joined: true})
			}
		}
	}
	return out
}

// isCapitals reports whether s is made of capital letters (and digits),
// with at least two letters.
func isCapitals(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			letters++
		case unicode.IsDigit(r):
		default:
			return false
		}
	}
	return letters >= 2
}

func peekRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// writeFolded writes a rune lower-cased and without its accent, with no
// allocation for ASCII.
func writeFolded(b *strings.Builder, r rune) {
	if r < 128 {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteByte(byte(r))
		return
	}
	b.WriteString(foldRune(r))
}

// foldRune lower-cases a rune and strips its accent: "é" -> "e".
func foldRune(r rune) string {
	r = unicode.ToLower(r)
	if r < 128 {
		return string(r)
	}
	if f, ok := accentFold[r]; ok {
		return f
	}
	return string(r)
}

var accentFold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'æ': "ae",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i",
	'î': "i", 'ï': "i", 'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'ö': "o",
	'õ': "o", 'ø': "o", 'œ': "oe", 'ù': "u", 'ú': "u", 'û': "u", 'ü': "u",
	'ý': "y", 'ÿ': "y", 'ß': "ss",
}

// Fold lower-cases and accent-folds a whole string, keeping other runes.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		writeFolded(&b, r)
	}
	return b.String()
}

// stemCache remembers stems: the corpus's vocabulary is small and a build
// stems every word many times. It stops growing at stemCacheMax entries so a
// long-running server fed arbitrary words keeps its memory.
var stemCache = struct {
	sync.RWMutex
	m map[string]string
}{m: make(map[string]string, 1<<15)}

const stemCacheMax = 1 << 18

// Stem reduces a folded word to its stem, after mapping American spellings
// to the British ones the standards use ("behavior", "organize").
func Stem(word string) string {
	stemCache.RLock()
	s, ok := stemCache.m[word]
	stemCache.RUnlock()
	if ok {
		return s
	}
	s = english.Stem(britishSpelling(word), true)
	stemCache.Lock()
	if len(stemCache.m) < stemCacheMax {
		stemCache.m[word] = s
	}
	stemCache.Unlock()
	return s
}

// britishSpelling maps common American spellings to British ones, so both
// stem alike.
func britishSpelling(w string) string {
	if b, ok := usToUK[w]; ok {
		return b
	}
	for _, suf := range []struct{ us, uk string }{
		{"ization", "isation"}, {"izations", "isations"}, {"ize", "ise"}, {"izes", "ises"},
		{"ized", "ised"}, {"izing", "ising"}, {"yze", "yse"}, {"yzed", "ysed"}, {"yzing", "ysing"},
		{"ior", "iour"}, {"iors", "iours"}, {"ioral", "ioural"}, {"iorally", "iourally"},
	} {
		if len(w) > len(suf.us)+2 && strings.HasSuffix(w, suf.us) {
			stem := w[:len(w)-len(suf.us)]
			if _, keep := keepIZ[w]; keep {
				return w
			}
			return stem + suf.uk
		}
	}
	return w
}

var keepIZ = map[string]struct{}{"size": {}, "sizes": {}, "prize": {}, "prizes": {}, "seize": {}, "citizen": {}, "senior": {}, "seniors": {}, "junior": {}, "juniors": {}, "interior": {}, "exterior": {}, "superior": {}, "inferior": {}, "prior": {}, "warrior": {}, "anterior": {}, "posterior": {}}

var usToUK = map[string]string{
	"color": "colour", "colors": "colours", "labor": "labour", "favor": "favour",
	"honor": "honour", "center": "centre", "centers": "centres", "theater": "theatre",
	"meter": "metre", "meters": "metres", "liter": "litre", "fiber": "fibre",
	"defense": "defence", "license": "licence", "catalog": "catalogue",
	"program": "programme", "programs": "programmes", "analog": "analogue",
	"fulfill": "fulfil", "enroll": "enrol", "aluminum": "aluminium",
	"pediatric": "paediatric", "anesthetic": "anaesthetic", "gray": "grey",
	"mold": "mould", "jewelry": "jewellery", "tire": "tyre", "tires": "tyres",
	"check": "check", "modeling": "modelling", "traveling": "travelling",
	"counseling": "counselling", "labeling": "labelling",
}

// stopwords are words too common to carry meaning in a question or passage.
var stopwords = wordSet(`a about above after again against all am an and any are aren as at be because
been before being below between both but by can cannot could couldn did didn do does doesn doing don
down during each few for from further had hadn has hasn have haven having he her here hers herself him
himself his how i if in into is isn it its itself just let me more most my myself no nor not of off on
once only or other ought our ours ourselves out over own same shall she should shouldn so some such than
that the their theirs them themselves then there these they this those through to too under until up
upon very was wasn we were weren what when where which while who whom why will with won would wouldn
you your yours yourself yourselves eg e.g ie etc via s t also whilst within per`)

// IsStopword reports whether a folded word carries no meaning of its own.
func IsStopword(word string) bool {
	_, ok := stopwords[word]
	return ok
}

func wordSet(s string) map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(s) {
		m[w] = struct{}{}
	}
	return m
}
