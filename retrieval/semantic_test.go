package retrieval

import (
	"context"
	"slices"
	"testing"
)

func TestWordVectorsTable(t *testing.T) {
	v := Vectors
	v.init()
	if v.dims != 100 {
		t.Fatalf("dims %d, want 100 (the GloVe 100-dimension vectors)", v.dims)
	}
	n := len(v.stems) - 1
	if n < 20000 {
		t.Fatalf("%d stems, want at least 20,000", n)
	}
	// row searches the stems by halves: they must be sorted and unique.
	for i := 1; i < n; i++ {
		if string(v.stem(i-1)) >= string(v.stem(i)) {
			t.Fatalf("stems out of order at %d: %q, %q", i, v.stem(i-1), v.stem(i))
		}
	}
	for _, i := range []int{0, n / 2, n - 1} {
		if got := v.row(string(v.stem(i))); got != int32(i) {
			t.Errorf("row(%q) = %d, want %d", v.stem(i), got, i)
		}
	}
	if v.row("zzzznotaword") != -1 {
		t.Error("an unknown stem has a row")
	}
}

func TestWordVectorsSimilarity(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float32
	}{
		{"customers", "clients", 0.6, 1},
		{"question", "interview", 0.45, 1},
		{"kit", "equipment", 0.35, 1},
		{"customers", "bricklaying", -1, 0.25},
		{"plumbing", "sonnet", -1, 0.25},
		{"customer", "customers", 0.99, 1.01}, // one stem
		{"customers", "zzzznotaword", 0, 0},
	}
	for _, tt := range tests {
		got := Vectors.Similarity(tt.a, tt.b)
		if got < tt.min || got > tt.max {
			t.Errorf("Similarity(%q, %q) = %.3f, want %.2f..%.2f", tt.a, tt.b, got, tt.min, tt.max)
		}
		if back := Vectors.Similarity(tt.b, tt.a); back != got {
			t.Errorf("Similarity(%q, %q) = %.3f, but %.3f the other way", tt.a, tt.b, got, back)
		}
	}
}

// A word no passage of a standard uses reaches the standard's words near it
// in meaning, within that standard only, and what a passage holds through
// them ranks it without counting as coverage.
func TestSoftStandInsRankButAreNoEvidence(t *testing.T) {
	ix := fullIndex(t)
	const police = "ST0304"
	q := Query{Text: "burglary", Occupation: police, MinCoverage: 0.01, Limit: 20}
	hits := search(t, ix, q)
	soft := 0
	for _, h := range hits {
		if h.Soft > 0 {
			soft++
			if h.Coverage != 0 {
				t.Errorf("%s: coverage %.2f from a word the passage does not hold", h.Passage.Key(), h.Coverage)
			}
			var near float32
			for _, tok := range Tokenize(h.Passage.Text) {
				near = max(near, Vectors.Similarity(q.Text, tok.Word))
			}
			if near < softLo {
				t.Errorf("%s reached by vectors holds no word near %q (best %.2f): %.80s", h.Passage.Key(), q.Text, near, h.Passage.Text)
			}
		}
	}
	if soft == 0 {
		t.Fatalf("no passage of %s reached through a word near %q: %v", police, q.Text, hitSummary(hits))
	}
	// At the default floor, a soft match alone is not enough.
	q.MinCoverage = 0
	if hits := search(t, ix, q); len(hits) != 0 {
		t.Errorf("default floor: %d hits for a word only near the standard's, want none: %v", len(hits), hitSummary(hits))
	}
	// Across every standard there are no soft stand-ins.
	all, err := ix.Search(context.Background(), Query{Text: "burglary crime scene", Limit: 50, MinCoverage: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range all {
		if h.Soft != 0 {
			t.Errorf("all-corpus search: %s has soft coverage %.2f", h.Passage.Key(), h.Soft)
		}
	}
}

// A word most passages of the standard hold (its own name) stands in for
// nothing there.
func TestSoftStandInsSkipTheScopesCommonWords(t *testing.T) {
	ix := fullIndex(t)
	i, ok := ix.byRef["ST0865"] // Cyber security technician
	if !ok {
		t.Fatal("the catalogue has no ST0865")
	}
	for _, st := range ix.scopeTerms(ix.occRange[i]) {
		if ix.lex.vocab[st.id] == "cyber" {
			t.Fatal(`"cyber", in most of the cyber security standard's passages, is one of its stand-ins`)
		}
	}
}

func TestNear(t *testing.T) {
	ix := fullIndex(t)
	near := ix.Near("gigs", 4, 0.5)
	if len(near) == 0 || len(near) > 4 {
		t.Fatalf("Near(gigs) = %v, want 1 to 4 words", near)
	}
	var words []string
	for i, n := range near {
		words = append(words, n.Word)
		if i > 0 && n.Similarity > near[i-1].Similarity {
			t.Errorf("Near(gigs) not nearest first: %v", near)
		}
		if Stem(n.Word) == Stem("gigs") {
			t.Errorf("Near(gigs) holds its own word %q", n.Word)
		}
		if _, ok := ix.lex.terms[Stem(n.Word)]; !ok {
			t.Errorf("Near(gigs) gave %q, which no passage uses", n.Word)
		}
	}
	if !slices.Contains(words, "concert") {
		t.Errorf("Near(gigs) = %v, want concert among them", words)
	}
	if got := ix.Near("zzzznotaword", 4, 0.5); got != nil {
		t.Errorf("Near of an unknown word = %v", got)
	}
	if got := ix.Near("gigs", 4, 0.99); len(got) != 0 {
		t.Errorf("Near(gigs) at similarity 0.99 = %v, want none", got)
	}
}
