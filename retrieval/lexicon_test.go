package retrieval

import (
	"slices"
	"strings"
	"testing"
)

func TestMineAcronyms(t *testing.T) {
	tests := []struct {
		text string
		acr  string // acronym stem found; "" for none
		exp  string
	}{
		{"Approaches to change management, Secure Access Service Edge SASE and Zero-trust networking", "sase", "secure access service edge"},
		{"Hazard Analysis Critical Control Points (HACCP) principles", "haccp", "hazard analysis critical control points"},
		{"Service level agreements, SLAs, contractual obligations", "sla", "service level agreements"},
		// The key is the acronym's stem, as a question's word is stemmed.
		{"ISMS (Information Security Management System) audits", Stem("isms"), "information security management system"},
		{"the Health and Safety Executive HSE", "hse", "health and safety executive"},
		{"Zero-trust ZT networks", "zt", "zero-trust"},
		{"use of AI tools", "", ""},
		{"Work safely. SASE is new", "", ""},
		{"Secure Access SASE", "", ""},            // too few words
		{"SLA (something else entirely)", "", ""}, // brackets do not spell it
		{"continuing professional development CPDs", "cpd", "continuing professional development"},
		{"a Very Long Acronym Nobody Ever Really Uses VLANERUX", "", ""}, // eight letters: not an acronym
	}
	for _, tt := range tests {
		found := map[string][]string{}
		mineAcronyms(tt.text, found)
		if tt.acr == "" {
			if len(found) != 0 {
				t.Errorf("MineAcronyms(%q) found %q, want nothing", tt.text, found)
			}
			continue
		}
		if got := found[tt.acr]; !slices.Equal(got, []string{tt.exp}) {
			t.Errorf("MineAcronyms(%q)[%q] = %q, want [%q] (all: %q)", tt.text, tt.acr, got, tt.exp, found)
		}
	}
}

func TestMineAcronymsAccumulates(t *testing.T) {
	found := map[string][]string{}
	mineAcronyms("Service level agreements (SLA)", found)
	mineAcronyms("service level agreements SLA", found) // same expansion, lower-cased
	mineAcronyms("SLA (Software Licence Agreement)", found)
	want := []string{"service level agreements", "software licence agreement"}
	if !slices.Equal(found["sla"], want) {
		t.Errorf("found[sla] = %q, want %q", found["sla"], want)
	}
	// At most four expansions are kept for one acronym.
	for _, exp := range []string{"Sales Ledger Account", "Simple Linear Algebra", "Safe Lifting Area", "Second Language Acquisition"} {
		mineAcronyms(exp+" (SLA)", found)
	}
	if len(found["sla"]) != 4 {
		t.Errorf("found[sla] has %d expansions, want at most 4: %q", len(found["sla"]), found["sla"])
	}
}

func TestMineAcronymsSeed(t *testing.T) {
	o := parseSeedPage(t)
	found := map[string][]string{}
	for _, p := range Passages(o) {
		mineAcronyms(p.Text, found)
	}
	want := map[string][]string{
		"sase": {"secure access service edge"},
		"sla":  {"service level agreements"},
	}
	if len(found) != len(want) {
		t.Errorf("mined %q, want %q", found, want)
	}
	for k, v := range want {
		if !slices.Equal(found[k], v) {
			t.Errorf("mined[%s] = %q, want %q", k, found[k], v)
		}
	}
}

// matched returns the lexicon phrases found in a text, as "start-end:group".
func matched(lx *Lexicon, text string) []string {
	stems := phraseStems(text)
	var out []string
	for _, m := range lx.match(stems) {
		out = append(out, strings.Join(stems[m.start:m.end], " "))
	}
	return out
}

func TestLexiconMatch(t *testing.T) {
	lx := parseLexicon(`
# comment
dns | domain name system
wifi | wi-fi | wireless
health and safety | h&s
lonely
network | networking | net work plan
`)
	if len(lx.groups) != 4 {
		t.Fatalf("%d groups, want 4 (a one-phrase line is no group)", len(lx.groups))
	}
	tests := []struct {
		text string
		want []string
	}{
		{"configure DNS and the domain name system", []string{"dns", "domain name system"}},
		{"Wi-Fi and wireless", []string{"wi fi", "wireless"}},
		{"health and safety rules", []string{"health safeti"}},
		{"net work plan beats network", []string{"net work plan", "network"}}, // longest first
		{"domain name", nil},
		{"lonely", nil},
	}
	for _, tt := range tests {
		if got := matched(lx, tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("match(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestLexiconWith(t *testing.T) {
	base := parseLexicon("dns | domain name system\n")
	acr := map[string][]string{"sase": {"secure access service edge"}, "sla": {"service level agreements", "software licence agreement"}}
	lx := base.With(acr)
	if got := matched(lx, "SASE and secure access service edge and SLA"); !slices.Equal(got, []string{"sase", "secur access servic edg", "sla"}) {
		t.Errorf("with acronyms: %q", got)
	}
	if got := matched(base, "SASE and DNS"); !slices.Equal(got, []string{"dns"}) {
		t.Errorf("With changed the base lexicon: %q", got)
	}
	if len(base.groups) != 1 || len(lx.groups) != 3 {
		t.Errorf("groups: base %d, with acronyms %d", len(base.groups), len(lx.groups))
	}
}

func TestDefaultLexicon(t *testing.T) {
	tests := []struct{ a, b string }{
		{"DNS", "domain name system"},
		{"DHCP", "dynamic host configuration protocol"},
		{"wifi", "wireless"},
		{"salary", "pay"},
		{"PPE", "personal protective equipment"},
		{"ICT", "information technology"},
	}
	group := func(text string) int {
		stems := phraseStems(text)
		ms := defaultLexicon.match(stems)
		if len(ms) != 1 || ms[0].start != 0 || ms[0].end != len(stems) {
			return -1
		}
		return ms[0].group
	}
	for _, tt := range tests {
		ga, gb := group(tt.a), group(tt.b)
		if ga < 0 || ga != gb {
			t.Errorf("%q (group %d) and %q (group %d) are not one lexicon group", tt.a, ga, tt.b, gb)
		}
	}
	t.Run("IT", func(t *testing.T) {
		if ga, gb := group("IT"), group("information technology"); ga < 0 || ga != gb {
			t.Errorf("\"IT\" (group %d) and \"information technology\" (group %d) are not one lexicon group", ga, gb)
		}
	})
	if lexiconVersion == "" || len(lexiconVersion) != 16 {
		t.Errorf("LexiconVersion = %q", lexiconVersion)
	}
}

// TestCompoundAcronymExpands checks that "H&S", whose parts are a letter
// and a stopword, still meets "health and safety" through its joined form.
func TestCompoundAcronymExpands(t *testing.T) {
	ix := newIndex(nil, BuiltinEmbedder(0))
	ix.lex = buildLexical([][]string{passageStems("Health and safety legislation")})
	ix.lexicon = defaultLexicon
	cs := ix.analyse("H&S", false)
	if len(cs) != 1 {
		t.Fatalf("%d concepts for H&S, want 1", len(cs))
	}
	var long bool
	for _, a := range cs[0].alts {
		if len(a.terms) == 2 && a.terms[0] >= 0 && a.terms[1] >= 0 {
			long = true
		}
	}
	if !long {
		t.Errorf("H&S has no \"health and safety\" alternative: %+v", cs[0].alts)
	}
}
