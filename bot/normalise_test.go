package bot

import (
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"whats the level of a hairdresser", "what is the level of a hairdresser"},
		{"wat skills r needed 4 a plumber", "what skills are needed for a plumber"},
		{"is it a level 4 apprenticeship", "is it a level 4 apprenticeship"},
		{"how 2 b a nurse pls", "how to be a nurse please"},
		{"do data analysts use r", "do data analysts use r"},
		{"<@U123ABC> what skills does a bricklayer need", " what skills does a bricklayer need"},
		{"@everyone whats the level of a roofer", " what is the level of a roofer"},
		{"hi <!here> and <#C1|general> <@!42> <@&7> <:wave:123>", "hi   and     "},
		{"i cant do maths sooo", "i can not do maths so"},
		{"I'm dont know", "i am do not know"},
		{"What's ST0127?", "what is ST0127?"},
		{"it's cool, coool", "its cool, cool"},
		{"can u tell me abt chefs", "can you tell me about chefs"},
		{"once youve done it", "once you have done it"},
		{"and how long's that one?", "and how long is that one?"},
		{"the dog's bowl", "the dogs bowl"},
		{"shes brilliant with kids", "she is brilliant with kids"},
		// A slip in a word that says what is asked; a real word is left.
		{"what skils do u need", "what skills do you need"},
		{"how much is the salray", "how much is the salary"},
		{"is it still a course", "is it still a course"},
		{"look it over, higher than that", "look it over, higher than that"},
		// Laughter and asides are dropped: they are no topic.
		{"omg wat do roofers learn lol", "what do roofers learn"},
	} {
		if got := normalise(tc.in); strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(tc.want), " ") {
			t.Errorf("normalise(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"whats the level of a hairdresser", "\xff\xfe skills?", "<@U1> r u ok", "it’s sooo cool 4 u"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := normalise(s)
		if len(out) > 4*len(s)+16 {
			t.Errorf("normalise grew %d bytes into %d", len(s), len(out))
		}
	})
}
