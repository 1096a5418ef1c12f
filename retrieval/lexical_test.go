package retrieval

import (
	"slices"
	"testing"
)

func TestOSADistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"network", "network", 1, 0},
		{"netwrok", "network", 1, 1}, // one transposition
		{"ab", "ba", 1, 1},
		{"abcd", "badc", 2, 2}, // two transpositions
		{"troubleshot", "troubleshoot", 1, 1},
		{"troubleshoting", "troubleshooting", 2, 1},
		{"network", "networks", 1, 1},
		{"cat", "cut", 1, 1},
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3}, // beyond the limit: limit+1
		{"abc", "abcdef", 1, 2},     // lengths too far apart
		{"", "abc", 3, 3},
		{"abc", "", 3, 3},
		{"", "", 0, 0},
		{"ca", "abc", 3, 3}, // OSA, not full Damerau: no edit of a transposed pair
		{"abcdef", "badcfe", 2, 3},
	}
	for _, tt := range tests {
		if got := osaDistance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("osaDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
		if got := osaDistance(tt.b, tt.a, tt.limit); got != tt.want {
			t.Errorf("osaDistance(%q, %q, %d) = %d, want %d (symmetry)", tt.b, tt.a, tt.limit, got, tt.want)
		}
	}
}

func TestStemsClose(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"netwrok", "network", true},
		{"engin", "engine", true},
		{"cat", "cut", false}, // too short to tell a typo from another word
		{"manag", "manag", true},
		{"network", "netwo", false},
		{"secur", "secr", false},
	}
	for _, tt := range tests {
		if got := stemsClose(tt.a, tt.b); got != tt.want {
			t.Errorf("stemsClose(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestBuildLexical(t *testing.T) {
	docs := [][]string{
		{"network", "secur", "network"},
		{"cloud"},
		{"network", "cloud", "servic", "model"},
		{},
	}
	li := buildLexical(docs)
	if want := []string{"cloud", "model", "network", "secur", "servic"}; !slices.Equal(li.vocab, want) {
		t.Fatalf("vocab = %q, want %q", li.vocab, want)
	}
	net := li.postings[li.terms["network"]]
	if want := []posting{{0, 2}, {2, 1}}; !slices.Equal(net, want) {
		t.Errorf("postings(network) = %v, want %v", net, want)
	}
	if !slices.Equal(li.docLen, []uint16{3, 1, 4, 0}) || li.avgLen != 2 {
		t.Errorf("docLen %v avgLen %v", li.docLen, li.avgLen)
	}
	// Rarer terms weigh more; an unknown term weighs most.
	if !(li.termIDF(-1) > li.termIDF(int32(li.terms["model"])) && li.termIDF(int32(li.terms["model"])) > li.termIDF(int32(li.terms["network"]))) {
		t.Errorf("idf: unknown %v, model %v, network %v", li.termIDF(-1), li.termIDF(int32(li.terms["model"])), li.termIDF(int32(li.terms["network"])))
	}
	// More occurrences score more, in a shorter passage more still.
	idf := li.termIDF(int32(li.terms["network"]))
	if !(li.bm25(idf, 2, 0) > li.bm25(idf, 1, 0)) || !(li.bm25(idf, 1, 1) > li.bm25(idf, 1, 2)) {
		t.Error("bm25 is not monotonic in tf and length")
	}
}

func TestInRange(t *testing.T) {
	ps := []posting{{1, 1}, {3, 1}, {4, 1}, {8, 1}}
	tests := []struct {
		lo, hi uint32
		want   []uint32
	}{
		{0, 9, []uint32{1, 3, 4, 8}},
		{0, 100, []uint32{1, 3, 4, 8}},
		{3, 5, []uint32{3, 4}},
		{2, 3, nil},
		{4, 8, []uint32{4}},
		{8, 9, []uint32{8}},
		{9, 20, nil},
		{0, 1, nil},
	}
	for _, tt := range tests {
		var got []uint32
		for _, p := range inRange(ps, tt.lo, tt.hi) {
			got = append(got, p.doc)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("inRange([%d, %d)) = %v, want %v", tt.lo, tt.hi, got, tt.want)
		}
	}
	if got := inRange(nil, 0, 5); len(got) != 0 {
		t.Errorf("inRange(nil) = %v", got)
	}
}
