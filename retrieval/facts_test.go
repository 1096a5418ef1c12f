package retrieval

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/careersbot/careersbot/seeds"
)

func testdataFacts(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "facts", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func builtinTables(t *testing.T) *FactTables {
	t.Helper()
	src, err := OpenSource(seeds.FS, "built-in corpus")
	if err != nil {
		t.Fatal(err)
	}
	tables, err := src.LoadTables()
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

func TestBuiltinTables(t *testing.T) {
	tables := builtinTables(t)
	if len(tables.Facts) != 839 || len(tables.SOC) != 766 || tables.Pay == nil || len(tables.Pay.Rows) != 412 {
		t.Fatalf("%d facts lines, %d SOC lines, pay %v; want 839, 766 and 412 unit groups", len(tables.Facts), len(tables.SOC), tables.Pay != nil)
	}
	if tables.Pay.Edition != (PayEdition{2024, "provisional"}) || tables.Pay.Published() != 358 {
		t.Errorf("pay edition %v with %d medians to quote, want 2024 (provisional) with 358", tables.Pay.Edition, tables.Pay.Published())
	}
	// ST0127's three values of its seed's README example: 24 months and
	// £19,000 as of 2026-06-28.
	f := tables.Facts["ST0127"]
	if f.TypicalDuration != "24 months" || f.MaxFunding != 19000 || f.Prov(FieldDuration).AsOf != "2026-06-28" ||
		f.Prov(FieldDuration).Source != "Skills England apprenticeships export" {
		t.Errorf("ST0127 facts: %s %d %+v", f.TypicalDuration, f.MaxFunding, f.Prov(FieldDuration))
	}
	if r := tables.Pay.Rows["2137"]; r.Median != 45084 || r.CV != "5.3" {
		t.Errorf("2137 row %+v", r)
	}
	// The dropped regulator of a standard no longer regulated is not kept.
	if f := tables.Facts["ST0568"]; f.RegulatedBody != "" || f.Regulated != "no" {
		t.Errorf("ST0568 regulated %q body %q", f.Regulated, f.RegulatedBody)
	}
	// Qualifications keep their level.
	if q := tables.Facts["ST0019"].Qualifications; len(q) == 0 || !strings.HasSuffix(q[0], "(Level 2)") {
		t.Errorf("ST0019 qualifications %q", q)
	}
}

func TestJoinFactsDefaultCorpus(t *testing.T) {
	c := fullCorpus(t)
	byRef := map[string]*Occupation{}
	for _, o := range c.Occupations {
		byRef[o.Reference] = o
	}
	counts := CountFacts(c.Occupations)
	want := FactCounts{Standards: 839, Salary: 644, SalaryWithheld: 40, SOC: 684, SOCOptions: 47, Duration: 815, Funding: 786,
		Recognition: 264, Regulated: 837, RegulatedBody: 33, IntegratedDegree: 189, Entry: 90, EnglishMaths: 234,
		Qualifications: 95, EntryAny: 247, PaySource: "ONS ASHE 2024 (provisional)", EntryYear: "2023"}
	if counts != want {
		t.Errorf("counts %+v\nwant   %+v", counts, want)
	}
	// The page's own figures win over the joined ones.
	ne := byRef["ST0127"]
	if ne.SalaryMedian != 43692 || ne.SalaryGroup != "" || ne.Prov(FieldSalary).Source != PageSource || ne.Prov(FieldSOC).Source != PageSource {
		t.Errorf("ST0127 salary %d group %q from %+v", ne.SalaryMedian, ne.SalaryGroup, ne.Provenance)
	}
	if ne.TypicalDuration != "24 months" || ne.MaxFunding != 19000 {
		t.Errorf("ST0127 duration %q funding %d", ne.TypicalDuration, ne.MaxFunding)
	}
	// Pay by unit group, with its quality.
	el := byRef["ST0152"]
	if el.SalaryMedian != 38077 || el.SalaryGroup != "5241 Electricians and electrical fitters" || el.SalaryQuality != "precise (CV 3.2%)" ||
		el.Prov(FieldSalary) != (Provenance{Source: "ONS ASHE 2024 (provisional)", AsOf: "2024", Origin: "built-in corpus/ashe-2024-provisional-soc2020-median.csv"}) {
		t.Errorf("ST0152 pay %d %q %q %+v", el.SalaryMedian, el.SalaryGroup, el.SalaryQuality, el.Prov(FieldSalary))
	}
	// A suppressed median is withheld, saying why.
	pl := byRef["ST0096"]
	if pl.SalaryMedian != 0 || pl.SalaryWithheld != "ONS suppressed it as unreliable (CV > 20%)" || pl.SOCCode != "5321" {
		t.Errorf("ST0096 pay %d withheld %q SOC %q", pl.SalaryMedian, pl.SalaryWithheld, pl.SOCCode)
	}
	// Options that map to different unit groups: no one code, no pay.
	fa := byRef["FA0001"]
	if fa.SOCCode != "" || len(fa.SOCOptions) != 2 || fa.Has(FieldSalary) || !strings.HasPrefix(fa.SOCOptions[0], "5315 ") {
		t.Errorf("FA0001 SOC %q options %q salary %d", fa.SOCCode, fa.SOCOptions, fa.SalaryMedian)
	}
	// The loaded corpus keeps the join out of the standards it merged.
	src, _ := OpenSource(seeds.FS, "built-in corpus")
	plain, err := src.Standards()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range plain.Occupations {
		if o.Reference == "ST0152" && (o.Has(FieldSalary) || o.Has(FieldDuration)) {
			t.Errorf("Standards() has joined facts: %+v", o.Provenance)
		}
	}
}

func TestJoinFactsRules(t *testing.T) {
	older := Provenance{Source: OfficialSource, AsOf: "2021-04-01"}
	newer := Provenance{Source: OfficialSource, AsOf: "2027-01-01"}
	table := &FactTables{
		Facts: map[string]*Occupation{"ST0001": {Reference: "ST0001", TypicalDuration: "18 months", MaxFunding: 9000,
			Provenance: map[FactField]Provenance{FieldDuration: {Source: "IfATE CSV export", AsOf: "2025-05-25"}, FieldFunding: {Source: "IfATE CSV export", AsOf: "2025-05-25"}}}},
		SOC: map[string]*SOCLine{},
		Pay: &PayTable{Edition: PayEdition{2024, "provisional"}, Rows: map[string]PayRow{
			"5241": {SOC: "5241", Title: "Electricians", Median: 38077, Quality: "precise (CV <= 5%)", CV: "3.2"},
			"1112": {SOC: "1112", Title: "Elected officers", Median: 50000, Quality: "unreliable (CV > 20%)", CV: "35"},
		}},
	}
	c := &Corpus{Occupations: []*Occupation{
		{Reference: "ST0001", Title: "Record with an older duration and a newer funding", TypicalDuration: "12 months", MaxFunding: 12000,
			Provenance: map[FactField]Provenance{FieldDuration: older, FieldFunding: newer}},
		{Reference: "ST0002", Title: "Page", SalaryMedian: 40000, SOCCode: "5241", FromPage: true,
			Provenance: map[FactField]Provenance{FieldSalary: {Source: PageSource}, FieldSOC: {Source: PageSource}}},
		{Reference: "ST0003", Title: "Unreliable", SOCCode: "1112"},
	}}
	got := JoinFacts(c, table).Occupations
	if o := got[0]; o.TypicalDuration != "18 months" || o.MaxFunding != 12000 || o.Prov(FieldDuration).Source != "IfATE CSV export" || o.Prov(FieldFunding) != newer {
		t.Errorf("newer wins: duration %q (%+v), funding %d (%+v)", o.TypicalDuration, o.Prov(FieldDuration), o.MaxFunding, o.Prov(FieldFunding))
	}
	if o := got[1]; o.SalaryMedian != 40000 || o.SalaryGroup != "" {
		t.Errorf("the page's salary lost to the table: %d %q", o.SalaryMedian, o.SalaryGroup)
	}
	// A median ONS marks unreliable is not quoted, even when the cell has one.
	if o := got[2]; o.SalaryMedian != 0 || o.SalaryWithheld != "ONS suppressed it as unreliable (CV 35%)" {
		t.Errorf("unreliable median: %d %q", o.SalaryMedian, o.SalaryWithheld)
	}
	// The input corpus is not changed.
	if c.Occupations[0].TypicalDuration != "12 months" || c.Occupations[2].SalaryWithheld != "" {
		t.Error("JoinFacts changed its input")
	}
}

func TestParsePayTable(t *testing.T) {
	ed, ok := PayEditionFromName("ashe-2025-provisional-soc2020-median.csv")
	if !ok || ed != (PayEdition{2025, "provisional"}) {
		t.Fatalf("edition from name: %v %v", ed, ok)
	}
	p, err := ParsePayTable("t.csv", testdataFacts(t, "ashe-2025-provisional-soc2020-median.csv"), ed)
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Rows["5321"]; r.Median != 30100 || !r.quotable() {
		t.Errorf("5321 %+v", r)
	}
	for _, tc := range []struct{ file, says string }{
		{"ashe-2026-bad-header.csv", "t.csv:1: the header lacks soc2020, title, median_annual_gbp, quality, cv_median_pct, note"},
		{"ashe-2026-bad-median.csv", `t.csv:2: 5241: median_annual_gbp "about 40k" is not a whole number`},
	} {
		_, err := ParsePayTable("t.csv", testdataFacts(t, tc.file), ed)
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want a ParseError saying %q", tc.file, err, tc.says)
		}
	}
	for _, tc := range []struct {
		in   string
		want PayEdition
		ok   bool
	}{
		{"2025", PayEdition{2025, "provisional"}, true},
		{"2025 revised", PayEdition{2025, "revised"}, true},
		{"2024 (Provisional)", PayEdition{2024, "provisional"}, true},
		{"next year", PayEdition{}, false},
	} {
		got, err := ParsePayEdition(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParsePayEdition(%q) = %v, %v", tc.in, got, err)
		}
	}
	if (PayEdition{2024, "revised"}).Compare(PayEdition{2024, "provisional"}) <= 0 || (PayEdition{2024, "revised"}).Compare(PayEdition{2025, "provisional"}) >= 0 {
		t.Error("Compare: revised should follow provisional, and a later year both")
	}
}

func TestParseSOCTable(t *testing.T) {
	soc, err := ParseSOCTable("u.jsonl", testdataFacts(t, "soc-update.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if l := soc["ST0152"]; l.SOC != "5249" || l.AsOf() != "2027-01-15" || len(l.Raw) == 0 {
		t.Errorf("ST0152 %+v", l)
	}
	_, err = ParseSOCTable("bad.jsonl", testdataFacts(t, "soc-bad.jsonl"))
	if err == nil || !strings.Contains(err.Error(), `bad.jsonl:2: ST0152: soc2020 "52-41" is not a four-digit`) {
		t.Errorf("bad SOC line: %v", err)
	}
	// Per reference the later retrieval wins; an older line does not.
	merged := MergeSOC(builtinTables(t).SOC, soc)
	if merged["ST0152"].SOC != "5249" || merged["FA0001"].SOC != "5315" || merged["ST0096"].SOC != "5321" {
		t.Errorf("merged: ST0152 %s FA0001 %s ST0096 %s", merged["ST0152"].SOC, merged["FA0001"].SOC, merged["ST0096"].SOC)
	}
}

// Imported tables in the data dir overlay the built-in ones, change the
// corpus key, and lose to a newer built-in edition.
func TestImportedTablesOverlay(t *testing.T) {
	dir := t.TempDir()
	src := func() *Source {
		s, err := OpenSource(seeds.FS, "built-in corpus")
		if err != nil {
			t.Fatal(err)
		}
		s.TableDir = dir
		return s
	}
	key := func() string {
		k, err := src().Key()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	before := key()
	newer, err := ParsePayTable("n.csv", testdataFacts(t, "ashe-2025-provisional-soc2020-median.csv"), PayEdition{2025, "provisional"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteImportedPay(dir, newer); err != nil {
		t.Fatal(err)
	}
	soc, _ := ParseSOCTable("u.jsonl", testdataFacts(t, "soc-update.jsonl"))
	if _, err := WriteImportedSOC(dir, soc); err != nil {
		t.Fatal(err)
	}
	if key() == before {
		t.Error("the corpus key did not change with the imported tables")
	}
	c, err := src().Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range c.Occupations {
		switch o.Reference {
		case "ST0152": // moved to 5249, paid at the 2025 test table's figure
			if o.SOCCode != "5249" || o.SalaryMedian != 46084 || o.Prov(FieldSalary).Source != "ONS ASHE 2025 (provisional)" {
				t.Errorf("ST0152 SOC %s pay %d %+v", o.SOCCode, o.SalaryMedian, o.Prov(FieldSalary))
			}
		case "ST0096": // the older SOC line lost; 5321 is published in the test table
			if o.SOCCode != "5321" || o.SalaryMedian != 30100 || o.SalaryQuality != "acceptable (CV 14.1%)" {
				t.Errorf("ST0096 SOC %s pay %d %q", o.SOCCode, o.SalaryMedian, o.SalaryQuality)
			}
		case "ST0127": // the page still wins
			if o.SalaryMedian != 43692 {
				t.Errorf("ST0127 pay %d", o.SalaryMedian)
			}
		}
	}
	// An older table in the data dir loses to the built-in 2024 one.
	older, _ := ParsePayTable("o.csv", testdataFacts(t, "ashe-2023-provisional-soc2020-median.csv"), PayEdition{2023, "provisional"})
	if _, err := WriteImportedPay(dir, older); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "ashe-*.csv")); len(files) != 1 {
		t.Errorf("imported pay tables %q, want only the last", files)
	}
	tables, err := src().LoadTables()
	if err != nil || tables.Pay.Edition != (PayEdition{2024, "provisional"}) {
		t.Errorf("pay edition in use %v (%v), want the built-in 2024", tables.Pay.Edition, err)
	}
}

func TestOpenSourceTables(t *testing.T) {
	fsys := fstest.MapFS{
		"page.txt":          {Data: []byte("x")},
		"facts.jsonl.gz":    {Data: []byte("x")},
		"soc.jsonl":         {Data: []byte("x")},
		"ashe-2024-x.csv":   {Data: []byte("x")},
		"standards.jsonl":   {Data: []byte("x")},
		"other-numbers.csv": {Data: []byte("x")},
	}
	src, err := OpenSource(fsys, "s")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"page.txt", "standards.jsonl"}; !slices.Equal(src.Files, want) {
		t.Errorf("Files %q, want %q", src.Files, want)
	}
	if want := []string{"ashe-2024-x.csv", "facts.jsonl.gz", "soc.jsonl"}; !slices.Equal(src.Tables, want) {
		t.Errorf("Tables %q, want %q", src.Tables, want)
	}
	// Tables alone are no corpus.
	if _, err := OpenSource(fstest.MapFS{"soc.jsonl": {Data: []byte("x")}}, "s"); !errors.Is(err, ErrNoSeeds) {
		t.Errorf("tables alone: %v, want ErrNoSeeds", err)
	}
	// A damaged table is an error naming it.
	_, err = src.LoadTables()
	if err == nil || !strings.Contains(err.Error(), "s/ashe-2024-x.csv") {
		t.Errorf("damaged table: %v", err)
	}
}
