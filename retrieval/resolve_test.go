package retrieval

import (
	"slices"
	"strings"
	"testing"
)

// TestRankOccupationsAsPeopleSay pins the ways people name occupations that
// the standards write otherwise, over the whole catalogue: each case is a
// class (a noun only ever a person, a clipped word, a closed compound, a
// word for a person after the name, a conjunct that is another job,
// readings in the name's order), with the data's own names.
func TestRankOccupationsAsPeopleSay(t *testing.T) {
	ix := fullIndex(t)
	tests := []struct {
		name, text string
		want       string // best candidate, at useful score (0.72)
		span       string // the words that name it; "" not checked
	}{
		{"person noun after a possessive", "could my son train as a ladies' hairdresser", "ST0213", "hairdresser"},
		{"person noun after an adjective", "what does a qualified plumber earn", "ST0303", "plumber"},
		{"clipped word", "what would a lab tech apprentice do", "ST0248", "lab tech"},
		{"person word after the name", "is a removal man apprenticeship a thing", "ST1393", "removal man"},
		{"name in its order", "the difference between an early years practitioner and an early years educator", "ST0888", "early years practitioner"},
		// One part of a title joined by "and" is the title's: it beats
		// the same words among another standard's eleven job titles.
		{"part of a title before a job title", "where can a credit controller go from here", "ST0176", "credit controller"},
		// A title's leading word said as an apprenticeship's name.
		{"title's lead framed", "what does the plumbing apprenticeship cover", "ST0303", "plumbing"},
		// A trade after a level names its standard.
		{"trade after a level", "i have done level 2 bricklaying, what next", "ST0095", "bricklaying"},
		// A person WordNet names in a name's words (undertaker: funeral
		// director).
		{"person's synonym in several words", "how do i become an undertaker", "ST0584", "undertaker"},
		// A kind of its own before a name's head: tyre fitter is no
		// Engineering fitter.
		{"another kind of the head", "is there a tyre fitter apprenticeship", "ST0498", ""},
		// A clipping no dictionary knows, of few name words.
		{"clipped word of its own", "is there a physio apprenticeship", "ST0519", "physio"},
		{"title's lead framed, whatever its head", "how long does the jewellery apprenticeship take", "ST0439", "jewellery"},
		// The kind said before a one-word job title names the name that
		// says it, where the heads are near in meaning; not a title.
		{"kind before a one-word job title", "i'd love to be a saddle maker", "ST0328", "saddle maker"},
		{"kind before another's job title", "are there apprenticeships for prison guards", "ST0386", ""},
		{"kind before a title", "what does a school teacher learn", "ST0490", "teacher"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := ix.RankOccupations(tt.text)
			if len(cs) == 0 || cs[0].Occupation.Reference != tt.want || cs[0].Score < 0.72 {
				t.Fatalf("RankOccupations(%q) = %s, want %s first", tt.text, summary(cs), tt.want)
			}
			if got := tt.text[cs[0].Start:cs[0].End]; tt.span != "" && got != tt.span {
				t.Errorf("named by %q, want %q", got, tt.span)
			}
		})
	}

	// One reading, every time: readings of one occupation that tie are
	// ordered, not left to the order a map is visited in.
	first := ix.RankOccupations("is first aid part of the large goods vehicle driver apprenticeship")
	for range 30 {
		again := ix.RankOccupations("is first aid part of the large goods vehicle driver apprenticeship")
		if len(again) != len(first) || again[0].Start != first[0].Start || again[0].End != first[0].End || again[0].Name != first[0].Name {
			t.Fatalf("readings differ between runs: %s then %s", summary(first), summary(again))
		}
	}
	// Animals are no animator: one stem, two words.
	for _, c := range ix.RankOccupations("i love animals") {
		if c.Occupation.Reference == "ST0488" {
			t.Errorf("animals names Junior animator at %.2f", c.Score)
		}
	}
	// "refuse collector" is not the "collector" of Credit controller and
	// collector: a one-word part of a name after a word the name lacks.
	for _, c := range ix.RankOccupations("what does a refuse collector do") {
		if c.Occupation.Reference == "ST0176" && c.Score >= 0.72 {
			t.Errorf("refuse collector names ST0176 at %.2f", c.Score)
		}
	}
	// A name's word before a noun the name lacks is that thing's:
	// "national insurance number" is no Insurance professional.
	for _, c := range ix.RankOccupations("how do i get a national insurance number") {
		if c.Occupation.Reference == "ST0241" && c.Score >= 0.72 {
			t.Errorf("national insurance number names ST0241 at %.2f", c.Score)
		}
	}
	// "Person" for a name's head leaves the job open: an HR person is
	// named by HR support, and ops is operations.
	if cs := ix.RankOccupations("what does an HR person do all day"); !slices.ContainsFunc(cs[:min(2, len(cs))], func(c Candidate) bool { return c.Occupation.Reference == "ST0239" }) {
		t.Errorf("an HR person: %s, want HR support (ST0239) among the first two", summary(cs))
	}
	if cs := ix.RankOccupations("what does an ops manager do"); len(cs) == 0 || cs[0].Occupation.Reference != "ST0385" {
		t.Errorf("an ops manager: %s, want Operations manager (ST0385) first", summary(cs))
	}
	// A closed compound meets a name that writes it apart ("Fork lift
	// truck engineer"), and a word that is a name's own is not split.
	if l, r, ok := ix.splitCompound("forklifts"); !ok || l != "fork" || r != "lifts" {
		t.Errorf("splitCompound(forklifts) = %q %q %v, want fork lifts", l, r, ok)
	}
	if _, _, ok := ix.splitCompound("groundsman"); ok {
		t.Error("groundsman, a job title's own word, was split")
	}
	if terms := ix.splitTerm("forklifts"); len(terms) != 2 {
		t.Errorf("splitTerm(forklifts) = %v, want the two words passages hold", terms)
	}
}

func summary(cs []Candidate) string {
	var b strings.Builder
	for i, c := range cs {
		if i == 4 {
			break
		}
		b.WriteString(c.Occupation.Reference + " " + c.Name + "; ")
	}
	return b.String()
}

// Every open standard's title, said in a question, names that standard
// (or ties with it). A few titles differ from another's only by a
// bracketed qualifier or a year ("Dental technician (integrated)",
// "Science manufacturing technician 2023") or repeat a word across "and"
// ("Rail and rail systems engineer"); a name made only of words in a great
// many names ("Engineering operative") must be found too.
func TestEveryTitleNamesItsStandard(t *testing.T) {
	ix := fullIndex(t)
	var missed []string
	n := 0
	for _, o := range ix.occupations {
		if o.Retired() {
			continue
		}
		n++
		cs := ix.RankOccupations("what does a " + o.Title + " do")
		found := false
		for _, c := range cs {
			if c.Score < cs[0].Score-0.001 {
				break
			}
			found = found || c.Occupation.Title == o.Title
		}
		if !found {
			missed = append(missed, o.Reference+" "+o.Title)
		}
	}
	t.Logf("%d of %d titles name another standard first: %v", len(missed), n, missed)
	if len(missed) > 6 {
		t.Errorf("%d titles name another standard first, want at most 6: %v", len(missed), missed)
	}
	for _, m := range missed {
		if strings.Contains(m, "Engineering operative") {
			t.Errorf("%s: a name of common words only is not found", m)
		}
	}
}
