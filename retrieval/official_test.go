package retrieval

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readOfficial(t *testing.T, name string) []*Occupation {
	t.Helper()
	path := filepath.Join("..", "testdata", "official", name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	occs, err := ParseOfficial(path, b)
	if err != nil {
		t.Fatal(err)
	}
	return occs
}

func TestParseOfficial(t *testing.T) {
	occs := readOfficial(t, "standards_559.json")
	if len(occs) != 1 {
		t.Fatalf("%d standards", len(occs))
	}
	o := occs[0]
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"reference", o.Reference, "ST0865"},
		{"title", o.Title, "Cyber security technician"},
		{"level", o.Level, 3},
		{"version", o.Version, "1.0"},
		{"knowledge", len(o.Knowledge), 30},
		{"skills", len(o.Skills), 22},
		{"behaviours", len(o.Behaviours), 7},
		{"duties", len(o.Duties), 18},
		{"duration", o.TypicalDuration, "18 months"},
		{"funding", o.MaxFunding, 11000},
		{"last updated", o.LastUpdated, "2021-04-01"},
		{"purpose", o.Purpose, "Provide first line cyber security support."},
		{"K9", o.Knowledge[8].Text, "Cryptography, certificates and use of certificate management tools"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	// Duties link to KSB labels by GUID; D6 is the cryptography duty.
	d6 := o.Duties[5]
	if !strings.Contains(d6.Text, "cryptographic") || !slices.Contains(d6.KSBs, "K9") || !slices.Contains(d6.KSBs, "S1") || !slices.Contains(d6.KSBs, "B1") {
		t.Errorf("D6 %q maps to %v", d6.Text, d6.KSBs)
	}
	// The summary's escaped HTML is plain text.
	if len(o.Summary) < 2 || strings.ContainsAny(strings.Join(o.Summary, " "), "<>") || strings.Contains(o.Summary[0], "&lt;") {
		t.Errorf("summary %q", o.Summary)
	}
	if !strings.Contains(o.EnglishMaths, "English and maths") || o.EntryRequirements != "" {
		t.Errorf("entry requirements %q, English and maths %q; want the English and maths text alone", o.EntryRequirements, o.EnglishMaths)
	}
	// Each fact is as of the record's date until an update stamps it.
	want := Provenance{Source: OfficialSource, AsOf: "2021-04-01", Version: "1.0", Origin: filepath.Join("..", "testdata", "official", "standards_559.json")}
	if got := o.Prov(FieldDuration); got != want || o.Prov(FieldFunding) != want || o.Prov(FieldEnglishMaths) != want {
		t.Errorf("provenance %+v, want %+v", o.Provenance, want)
	}
	StampFacts(occs, "2026-12-01")
	if got := o.Prov(FieldFunding).AsOf; got != "2026-12-01" {
		t.Errorf("stamped as of %q", got)
	}
}

func TestParseOfficialListAndErrors(t *testing.T) {
	list := []byte(`[{"referenceNumber":"ST9001","title":"One","level":2,"version":"1.0","status":"Approved for delivery",
		"knowledges":[{"knowledgeId":"a","detail":"K one"}],"skills":[],"behaviours":[],"duties":[]},
		{"referenceNumber":"ST9002","title":"Two","level":"3","version":"","versionNumber":"1.1","status":"Retired","knowledges":[]}]`)
	occs, err := ParseOfficial("list.json", list)
	if err != nil || len(occs) != 2 {
		t.Fatalf("%d, %v", len(occs), err)
	}
	if occs[1].Version != "1.1" || !occs[1].Retired() || occs[1].Level != 3 {
		t.Errorf("second: %+v", occs[1])
	}
	for _, bad := range []string{``, `nope`, `{"title": "no reference"}`, `[{"referenceNumber": "ST1", "title": "t"`, `{"referenceNumber":"ST1","title":"t","level":"high"}`} {
		if _, err := ParseOfficial("bad.json", []byte(bad)); err == nil || !strings.Contains(err.Error(), "bad.json") {
			t.Errorf("ParseOfficial(%q) = %v, want an error naming the file", bad, err)
		}
	}
}

func TestImportRules(t *testing.T) {
	src, err := OpenSource(os.DirFS(filepath.Join("..", "seeds")), "seeds")
	if err != nil {
		t.Fatal(err)
	}
	corpus, err := src.Load()
	if err != nil {
		t.Fatal(err)
	}
	base := corpus.Occupations
	var incoming []*Occupation
	for _, f := range []string{"standards_1.json", "standards_2.json", "standards_93.json", "standards_288.json", "standards_529.json", "standards_559.json"} {
		incoming = append(incoming, readOfficial(t, f)...)
	}
	overlay, report := Import(base, nil, incoming)
	after := NewCorpus(append(append([]*Occupation{}, base...), overlay...))
	get := func(ref string) *Occupation {
		for _, o := range after.Occupations {
			if o.Reference == ref {
				return o
			}
		}
		t.Fatalf("%s missing", ref)
		return nil
	}
	// Retired v1.0 records without KSBs replace nothing.
	for ref, k := range map[string]int{"ST0127": 21, "ST0116": 12, "ST0228": 37} {
		if o := get(ref); len(o.Knowledge) != k || o.Retired() {
			t.Errorf("%s: %d knowledge, retired %v after importing a retired v1.0 without KSBs", ref, len(o.Knowledge), o.Retired())
		}
	}
	// The page keeps its facts.
	if o := get("ST0127"); o.SalaryMedian != 43692 {
		t.Errorf("ST0127 lost its salary: %d", o.SalaryMedian)
	}
	// The official record adds facts the snapshot lacks.
	if o := get("ST0865"); o.TypicalDuration != "18 months" || o.MaxFunding != 11000 {
		t.Errorf("ST0865 duration %q funding %d", o.TypicalDuration, o.MaxFunding)
	}
	if !slices.Contains(report.Updated, "ST0865") || !slices.Contains(report.Unchanged, "ST0127") {
		t.Errorf("report %+v", report)
	}

	// A newer version wins; then an older one changes nothing.
	newer := readOfficial(t, "standards_559.json")[0]
	newer.Version, newer.LastUpdated = "1.1", "2025-01-01"
	newer.Skills = append(newer.Skills, Statement{ID: "S23", Text: "Explain quantum-safe cryptography"})
	overlay2, r2 := Import(base, overlay, []*Occupation{newer})
	if !slices.Equal(r2.Updated, []string{"ST0865"}) {
		t.Errorf("newer version: %+v", r2)
	}
	older := readOfficial(t, "standards_559.json")[0]
	older.Version = "0.9"
	if _, r3 := Import(base, overlay2, []*Occupation{older}); !slices.Equal(r3.Unchanged, []string{"ST0865"}) {
		t.Errorf("older version: %+v", r3)
	}
	// On a tie of version and date the newer import wins.
	tie := *newer
	tie.Skills = append(slices.Clone(newer.Skills), Statement{ID: "S24", Text: "A later import"})
	_, r4 := Import(base, overlay2, []*Occupation{&tie})
	if !slices.Equal(r4.Updated, []string{"ST0865"}) {
		t.Errorf("tie: %+v", r4)
	}
	// A new standard is new; a newer retired record of a standard marks it.
	ret := *newer
	ret.Version, ret.Status = "1.2", "Retired"
	brand := &Occupation{Reference: "ST9999", Title: "Astronaut", Knowledge: []Statement{{ID: "K1", Text: "Orbits"}}}
	_, r5 := Import(base, overlay2, []*Occupation{&ret, brand})
	if !slices.Equal(r5.Retired, []string{"ST0865"}) || !slices.Equal(r5.New, []string{"ST9999"}) {
		t.Errorf("retire and new: %+v", r5)
	}
}

func TestCatalogueRoundTrip(t *testing.T) {
	occs := readOfficial(t, "standards_559.json")
	path := filepath.Join(t.TempDir(), CatalogueFile)
	if err := WriteCatalogueFile(path, occs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCatalogueFile(path)
	if err != nil || len(back) != 1 {
		t.Fatalf("%d, %v", len(back), err)
	}
	if !sameRecord(occs[0], back[0]) {
		a, _ := marshalCatalogueLine(occs[0])
		b, _ := marshalCatalogueLine(back[0])
		t.Errorf("round trip changed the record:\n%s\n%s", a, b)
	}
	if len(back[0].Provenance) == 0 || !maps.Equal(back[0].Provenance, occs[0].Provenance) {
		t.Errorf("round trip changed the provenance:\n%+v\n%+v", occs[0].Provenance, back[0].Provenance)
	}
	if missing, err := ReadCatalogueFile(filepath.Join(t.TempDir(), "none.jsonl")); err != nil || missing != nil {
		t.Errorf("a missing catalogue: %v, %v", missing, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("catalogue mode %v", st.Mode().Perm())
	}
}
