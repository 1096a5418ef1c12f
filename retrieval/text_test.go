package retrieval

import (
	"slices"
	"strings"
	"testing"
)

// words lists the tokens' words, joined ones marked with a +.
func words(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Word
		if t.Joined {
			out[i] = "+" + t.Word
		}
	}
	return out
}

func TestTokenizeWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Wi-Fi", []string{"wi", "fi", "+wifi"}},
		{"configure wi-fi networks", []string{"configure", "wi", "fi", "+wifi", "networks"}},
		{"TCP/IP", []string{"tcp", "ip", "+tcpip"}},
		{"H&S", []string{"h", "s", "+hs"}},
		{"e-waste reduction", []string{"e", "waste", "+ewaste", "reduction"}},
		{"the organisation’s requirements", []string{"the", "organisation", "requirements"}},
		{"the organisation's requirements", []string{"the", "organisation", "requirements"}},
		{"ORGANISATION'S", []string{"organisation"}},
		{"clients’ or stakeholders’ requests", []string{"clients", "or", "stakeholders", "requests"}},
		{"don't", []string{"dont"}},
		{"it's", []string{"it"}},
		{"Café naïve façade Œuvre STRASSE straße", []string{"cafe", "naive", "facade", "oeuvre", "strasse", "strasse"}},
		{"up-to-date", []string{"up", "to", "date", "+uptodate"}},
		{"state-of-the-art-technology", []string{"state", "of", "the", "art", "technology"}}, // joined form too long
		{"well - defined", []string{"well", "defined"}},                                      // a spaced dash is not a compound
		{"Level 4, £43,692", []string{"level", "4", "43", "692"}},
		{"", nil},
		{"  ...  ", nil},
		{"end-", []string{"end"}},
	}
	for _, tt := range tests {
		if got := words(Tokenize(tt.in)); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokenizeOffsets(t *testing.T) {
	text := "Réseau Wi-Fi, and IT’s tools"
	for _, tok := range Tokenize(text) {
		if tok.Start < 0 || tok.End > len(text) || tok.Start >= tok.End {
			t.Fatalf("token %+v has a bad span", tok)
		}
		if got := Fold(text[tok.Start:tok.End]); !strings.Contains(strings.NewReplacer("-", "", "’s", "").Replace(got), tok.Word) {
			t.Errorf("token %q spans %q", tok.Word, text[tok.Start:tok.End])
		}
	}
	toks := Tokenize(text)
	if toks[0].Word != "reseau" || text[toks[0].Start:toks[0].End] != "Réseau" {
		t.Errorf("first token %+v", toks[0])
	}
	// The joined token spans its parts.
	for _, tok := range toks {
		if tok.Joined && text[tok.Start:tok.End] != "Wi-Fi" {
			t.Errorf("joined token %q spans %q", tok.Word, text[tok.Start:tok.End])
		}
	}
}

func TestTokenizeFlags(t *testing.T) {
	tests := []struct {
		in         string
		word       string
		upper      bool
		meaningful bool
	}{
		{"IT", "it", true, true},
		{"it", "it", false, false},
		{"It", "it", false, false},
		{"AI", "ai", true, true},
		{"NHS", "nhs", true, true},
		{"The", "the", false, false},
		{"A", "a", false, false}, // one capital is not an acronym
		{"HACCPSEC", "haccpsec", false, true},
		{"network", "network", false, true},
		{"WHO", "who", true, true},
	}
	for _, tt := range tests {
		toks := Tokenize(tt.in)
		if len(toks) != 1 {
			t.Errorf("Tokenize(%q) = %+v, want one token", tt.in, toks)
			continue
		}
		tok := toks[0]
		if tok.Word != tt.word || tok.Upper != tt.upper || tok.Meaningful() != tt.meaningful {
			t.Errorf("Tokenize(%q) = %+v meaningful %v; want word %q upper %v meaningful %v",
				tt.in, tok, tok.Meaningful(), tt.word, tt.upper, tt.meaningful)
		}
		if tok.Stem == "" {
			t.Errorf("Tokenize(%q) gave no stem", tt.in)
		}
	}
}

func TestStemSpellings(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"behavior", "behaviour", true},
		{"behaviors", "behaviours", true},
		{"organization", "organisation", true},
		{"organizations", "organisations", true},
		{"organize", "organise", true},
		{"organized", "organised", true},
		{"organizing", "organising", true},
		{"analyze", "analyse", true},
		{"analyzed", "analysed", true},
		{"color", "colour", true},
		{"center", "centre", true},
		{"program", "programme", true},
		{"catalog", "catalogue", true},
		{"fiber", "fibre", true},
		{"modeling", "modelling", true},
		{"network", "networks", true},
		{"networking", "networks", true},
		{"troubleshooting", "troubleshoot", true},
		{"senior", "seniour", false}, // words that end in -ior but are not American spellings
		{"interior", "interiour", false},
	}
	for _, tt := range tests {
		sa, sb := Stem(tt.a), Stem(tt.b)
		if (sa == sb) != tt.same {
			t.Errorf("Stem(%q) = %q, Stem(%q) = %q: same = %v, want %v", tt.a, sa, tt.b, sb, sa == sb, tt.same)
		}
	}
	t.Run("behavioral", func(t *testing.T) {
		if a, b := Stem("behavioral"), Stem("behavioural"); a != b {
			t.Errorf("Stem(behavioral) = %q, Stem(behavioural) = %q, want the same", a, b)
		}
	})
	if Stem("senior") != "senior" {
		t.Errorf("Stem(senior) = %q", Stem("senior"))
	}
}

func TestStemConcurrent(t *testing.T) {
	// The stem cache is shared; the race detector checks its locking.
	done := make(chan []string)
	ws := []string{"organization", "behaviors", "networking", "troubleshooting", "configurations"}
	for range 4 {
		go func() {
			var out []string
			for range 50 {
				for _, w := range ws {
					out = append(out, Stem(w))
				}
			}
			done <- out[:len(ws)]
		}()
	}
	first := <-done
	for range 3 {
		if got := <-done; !slices.Equal(got, first) {
			t.Errorf("concurrent stems differ: %q vs %q", got, first)
		}
	}
}

func TestFoldAndStopwords(t *testing.T) {
	if got := Fold("Crème Brûlée ÆON"); got != "creme brulee aeon" {
		t.Errorf("Fold = %q", got)
	}
	for _, w := range []string{"the", "and", "it", "within", "whilst", "per"} {
		if !IsStopword(w) {
			t.Errorf("%q is not a stopword", w)
		}
	}
	for _, w := range []string{"network", "ai", "salary", "IT"} {
		if IsStopword(w) {
			t.Errorf("%q is a stopword", w)
		}
	}
}
