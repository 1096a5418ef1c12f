package bot

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// longQuestions are questions of 1,000 characters: a real question padded
// with chat, one of random letter strings (every word a typo lookup), and
// one of the corpus's own words (every word a name, cue or phrase lookup).
func longQuestions() []string {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(next func() string) string {
		var b strings.Builder
		for b.Len() < 1000 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(next())
		}
		return b.String()[:1000]
	}
	chat := strings.Fields("hi so basically my mum says i should ask u wat skills a sparky needs cos im thinking about it after my gcses and i dunno if i would be any good at it lol")
	corpus := strings.Fields("network engineer software developer commis chef nurse electrician apprenticeship skills knowledge level salary duties customer service health and safety maintenance technician operative sort out keep an eye on look after")
	i := 0
	return []string{
		fill(func() string { i++; return chat[i%len(chat)] }),
		fill(func() string {
			n := 4 + rng.IntN(8)
			w := make([]byte, n)
			for k := range w {
				w[k] = byte('a' + rng.IntN(26))
			}
			return string(w)
		}),
		fill(func() string { i++; return corpus[i%len(corpus)] }),
	}
}

// BenchmarkUnderstand is the cost of working out what a question asks,
// before any passage is searched: normalising, cues, ranking occupations
// and the intent decision. Any 1,000-character question must stay well
// under 20 ms.
func BenchmarkUnderstand(b *testing.B) {
	bt := catalogueBot(b)
	s := bt.Searcher()
	for _, tc := range []struct {
		name string
		q    string
		occ  string
	}{
		{"short", "whats the level of a hairdresser", ""},
		{"long-chat", longQuestions()[0], ""},
		{"long-random", longQuestions()[1], ""},
		{"long-corpus-words", longQuestions()[2], ""},
		{"long-one-word", strings.Repeat("networkengineer", 67)[:1000], ""},
		{"long-letters", strings.Repeat("a ", 500), ""},
		{"long-accents", strings.Repeat("électricien ", 91)[:1000], ""},
		// Both fields at their limits: a question of words no name holds
		// (nothing found, so the occupation is resolved too) and an
		// occupation of typos.
		{"long-random-and-occupation", longQuestions()[1], longQuestions()[1][:MaxOccupationChars]},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bt.understand(s, Question{Text: tc.q, Occupation: tc.occ})
			}
		})
	}
}

// BenchmarkResolveOccupation is the cost of resolving the occupation a
// platform sends beside the question (/v1/ask's "occupation"), at the
// longest accepted (MaxOccupationChars): random letters (every word a
// typo lookup), the corpus's words, and a real title padded with chat.
func BenchmarkResolveOccupation(b *testing.B) {
	bt := catalogueBot(b)
	s := bt.Searcher()
	for i, name := range []string{"random", "corpus-words", "chat"} {
		occ := longQuestions()[[]int{1, 2, 0}[i]][:MaxOccupationChars]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resolveExplicit(s, occ)
			}
		})
	}
	for name, occ := range map[string]string{
		"one-word": strings.Repeat("networkengineer", 14)[:MaxOccupationChars],
		"letters":  strings.Repeat("a ", MaxOccupationChars/2),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				resolveExplicit(s, occ)
			}
		})
	}
	b.Run("title", func(b *testing.B) {
		for b.Loop() {
			resolveExplicit(s, "Network engineer")
		}
	})
}
