package retrieval

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// parseOne parses a catalogue of one record (compacted to one line) and
// returns its occupation.
func parseOne(t *testing.T, record string) *Occupation {
	t.Helper()
	var line bytes.Buffer
	if err := json.Compact(&line, []byte(record)); err != nil {
		t.Fatalf("test record is not JSON: %v", err)
	}
	occs, err := parseCatalogue("test.jsonl", strings.NewReader(line.String()+"\n"))
	if err != nil {
		t.Fatalf("ParseCatalogue(%s): %v", line.String(), err)
	}
	if len(occs) != 1 {
		t.Fatalf("ParseCatalogue gave %d occupations, want 1", len(occs))
	}
	return occs[0]
}

func TestParseCatalogueLabels(t *testing.T) {
	o := parseOne(t, `{"reference":" st0001 ","title":"  Pastry   chef ","level":"3",
		"knowledge":[{"id":"K001","text":"Food  safety."},{"id":"k002","text":"Allergens."},{"id":"K003","text":"  "}],
		"skills":[{"text":"Bake."},{"text":"Decorate."}],
		"behaviours":[{"id":"","text":"Tidy."}],
		"duties":[{"text":"Prepare pastry.","ksbs":["K001","s2","junk","B01"]},{"id":"D002","text":"Serve."},{"id":"D3","text":""}],
		"typical_job_titles":["Pastry chef"," pastry chef ","Baker",""]}`)

	if o.Reference != "ST0001" || o.Title != "Pastry chef" || o.Level != 3 {
		t.Errorf("Reference %q Title %q Level %d", o.Reference, o.Title, o.Level)
	}
	tests := []struct {
		name string
		got  []Statement
		want []Statement
	}{
		{"knowledge: K001 becomes K1, empty text dropped", o.Knowledge, []Statement{{"K1", "Food safety."}, {"K2", "Allergens."}}},
		{"skills: missing ids numbered by order", o.Skills, []Statement{{"S1", "Bake."}, {"S2", "Decorate."}}},
		{"behaviours: empty id numbered", o.Behaviours, []Statement{{"B1", "Tidy."}}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
	if len(o.Duties) != 2 {
		t.Fatalf("Duties = %+v, want 2 (the empty one dropped)", o.Duties)
	}
	if d := o.Duties[0]; d.ID != "D1" || d.Text != "Prepare pastry." || !slices.Equal(d.KSBs, []string{"K1", "S2", "B1"}) {
		t.Errorf("duty 1 = %+v", d)
	}
	if d := o.Duties[1]; d.ID != "D2" || d.Text != "Serve." {
		t.Errorf("duty 2 = %+v", d)
	}
	if want := []string{"Pastry chef", "Baker"}; !slices.Equal(o.JobTitles, want) {
		t.Errorf("JobTitles = %q, want %q (cleaned, deduplicated)", o.JobTitles, want)
	}
	if o.FromPage {
		t.Error("a catalogue record is marked FromPage")
	}
	if o.Source != "test.jsonl" {
		t.Errorf("Source = %q, want the file name when the line has no snapshot", o.Source)
	}
}

func TestParseCatalogueLooseFields(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		check func(t *testing.T, o *Occupation)
	}{
		{"numeric level and lars code", `{"reference":"ST0001","title":"T","level":4,"lars_code":805}`, func(t *testing.T, o *Occupation) {
			if o.Level != 4 || o.LarsCode != "805" {
				t.Errorf("Level %d LarsCode %q", o.Level, o.LarsCode)
			}
		}},
		{"null level and lars code", `{"reference":"ST0001","title":"T","level":null,"lars_code":null}`, func(t *testing.T, o *Occupation) {
			if o.Level != 0 || o.LarsCode != "" {
				t.Errorf("Level %d LarsCode %q", o.Level, o.LarsCode)
			}
		}},
		{"salary and soc", `{"reference":"ST0001","title":"T","salary":"43692","soc":"2137 IT network professionals"}`, func(t *testing.T, o *Occupation) {
			if o.SalaryMedian != 43692 || o.SOCCode != "2137" || o.SOCTitle != "IT network professionals" {
				t.Errorf("salary %d soc %q %q", o.SalaryMedian, o.SOCCode, o.SOCTitle)
			}
		}},
		{"overview becomes purpose", `{"reference":"ST0001","title":"T","overview":" Designing  networks. "}`, func(t *testing.T, o *Occupation) {
			if o.Purpose != "Designing networks." {
				t.Errorf("Purpose %q", o.Purpose)
			}
		}},
		{"source snapshot", `{"reference":"ST0001","title":"T","source_snapshot":"CSV export, May 2025"}`, func(t *testing.T, o *Occupation) {
			if o.Source != "CSV export, May 2025" {
				t.Errorf("Source %q", o.Source)
			}
		}},
		{"entity-escaped HTML summary", `{"reference":"ST0001","title":"T","summary":"&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two &amp;amp; three&lt;/p&gt;"}`, func(t *testing.T, o *Occupation) {
			if want := []string{"One", "Two & three"}; !slices.Equal(o.Summary, want) {
				t.Errorf("Summary %q, want %q", o.Summary, want)
			}
		}},
		{"API facts", `{"reference":"ST0001","title":"T","typical_duration":"24 months","max_funding":9000,"qualifications":["Level 2 maths"],"regulated":"No"}`, func(t *testing.T, o *Occupation) {
			if o.TypicalDuration != "24 months" || o.MaxFunding != 9000 || !slices.Equal(o.Qualifications, []string{"Level 2 maths"}) || o.Regulated != "no" {
				t.Errorf("facts %+v", o)
			}
		}},
		{"regulated as catalogues wrote it before the regulator had a field", `{"reference":"ST0001","title":"T","regulated":"Regulated General Dental Council"}`, func(t *testing.T, o *Occupation) {
			if o.Regulated != "yes" || o.RegulatedBody != "General Dental Council" {
				t.Errorf("regulated %q body %q", o.Regulated, o.RegulatedBody)
			}
		}},
		{"facts with their provenance", `{"reference":"ST0001","title":"T","typical_duration":"18 months","english_maths":"Level 2.","professional_recognition":["BCS"],"regulated":true,"integrated_degree":"integrated degree","soc_options":["5315 Plumbers","5225 Fitters"],` +
			`"provenance":{"duration":{"source":"IfATE CSV export","as_of":"2025-05-25","version":"1.1","origin":"x.json"}}}`, func(t *testing.T, o *Occupation) {
			want := Provenance{Source: "IfATE CSV export", AsOf: "2025-05-25", Version: "1.1", Origin: "x.json"}
			if o.Prov(FieldDuration) != want || o.EnglishMaths != "Level 2." || !slices.Equal(o.Recognition, []string{"BCS"}) ||
				o.Regulated != "yes" || o.IntegratedDegree != "integrated degree" || len(o.SOCOptions) != 2 {
				t.Errorf("facts %+v", o)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, parseOne(t, tt.line)) })
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2022-06-01T00:00:00 +00:00", "2022-06-01"},
		{"2022-06-01T09:30:00 +01:00", "2022-06-01"},
		{"2022-06-01T09:30:00Z", "2022-06-01"},
		{"2022-06-01T09:30:00", "2022-06-01"},
		{"2025-03-18", "2025-03-18"},
		{" 2025-03-18 ", "2025-03-18"},
		{"01-08-2025", "2025-08-01"}, // day first
		{"31-12-2024", "2024-12-31"},
		{"18/03/2025", "2025-03-18"},
		{"2025-03-18 extra", "2025-03-18"},
		{"01-01-0001", ""}, // unknown
		{"0001-01-01T00:00:00 +00:00", ""},
		{"", ""},
		{"soon", ""},
		{"12-31-2024", ""}, // month first is not a format the sources use
	}
	for _, tt := range tests {
		if got := parseDate(tt.in); got != tt.want {
			t.Errorf("ParseDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseCatalogueDatesAndVersions(t *testing.T) {
	const csv = `"csv_2025":{"version":"1.2","status":"Approved for delivery","link":"https://example.org/st0001-v1-2","last_updated":"18-03-2025"}`
	tests := []struct {
		name                        string
		line                        string
		version, url, date, newerVs string
	}{
		{"last_updated with offset", `{"reference":"ST0001","title":"T","last_updated":"2022-06-01T00:00:00 +00:00"}`, "", "", "2022-06-01", ""},
		{"last_updated day first", `{"reference":"ST0001","title":"T","last_updated":"01-08-2025"}`, "", "", "2025-08-01", ""},
		{"last_updated unknown", `{"reference":"ST0001","title":"T","last_updated":"01-01-0001"}`, "", "", "", ""},
		{"last_updated null", `{"reference":"ST0001","title":"T","last_updated":null}`, "", "", "", ""},
		{"csv_2025 fills a line without version", `{"reference":"ST0001","title":"T","version":null,"page_url":null,"last_updated":null,` + csv + `}`,
			"1.2", "https://example.org/st0001-v1-2", "2025-03-18", ""},
		{"csv_2025 fills a line of the same version", `{"reference":"ST0001","title":"T","version":"1.2",` + csv + `}`,
			"1.2", "https://example.org/st0001-v1-2", "2025-03-18", ""},
		{"csv_2025 of another version fills nothing", `{"reference":"ST0001","title":"T","version":"1.0",` + csv + `}`,
			"1.0", "", "", ""},
		{"the line's own link and date win", `{"reference":"ST0001","title":"T","page_url":"https://example.org/own","last_updated":"2024-01-02",` + csv + `}`,
			"1.2", "https://example.org/own", "2024-01-02", ""},
		{"csv_2025 fills only what is missing", `{"reference":"ST0001","title":"T","last_updated":"01-01-0001",` + csv + `}`,
			"1.2", "https://example.org/st0001-v1-2", "2025-03-18", ""},
		{"newer version", `{"reference":"ST0001","title":"T","version":"1.0","newer_version_exists":"1.1"}`, "1.0", "", "", "1.1"},
		{"newer version equal to own", `{"reference":"ST0001","title":"T","version":"1.1","newer_version_exists":"1.1"}`, "1.1", "", "", ""},
		{"newer version false", `{"reference":"ST0001","title":"T","version":"1.1","newer_version_exists":false}`, "1.1", "", "", ""},
		{"newer version against csv version", `{"reference":"ST0001","title":"T","newer_version_exists":"1.3",` + csv + `}`,
			"1.2", "https://example.org/st0001-v1-2", "2025-03-18", "1.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := parseOne(t, tt.line)
			if o.Version != tt.version {
				t.Errorf("Version = %q, want %q", o.Version, tt.version)
			}
			if o.PageURL != tt.url {
				t.Errorf("PageURL = %q, want %q", o.PageURL, tt.url)
			}
			if o.LastUpdated != tt.date {
				t.Errorf("LastUpdated = %q, want %q", o.LastUpdated, tt.date)
			}
			if o.NewerVersion != tt.newerVs {
				t.Errorf("NewerVersion = %q, want %q", o.NewerVersion, tt.newerVs)
			}
		})
	}
}

func TestParseCatalogueLines(t *testing.T) {
	// Blank lines are skipped but counted, CRLF is accepted, and the last
	// line needs no newline.
	in := "{\"reference\":\"ST0001\",\"title\":\"A\"}\r\n\n   \n{\"reference\":\"ST0002\",\"title\":\"B\"}"
	occs, err := parseCatalogue("c.jsonl", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, o := range occs {
		refs = append(refs, o.Reference)
	}
	if want := []string{"ST0001", "ST0002"}; !slices.Equal(refs, want) {
		t.Errorf("references %q, want %q", refs, want)
	}
	occs, err = parseCatalogue("c.jsonl", strings.NewReader(""))
	if err != nil || len(occs) != 0 {
		t.Errorf("empty catalogue: %d occupations, error %v", len(occs), err)
	}
}

func TestParseCatalogueErrors(t *testing.T) {
	const ok = `{"reference":"ST0001","title":"A"}`
	tests := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"bad JSON on line 3", ok + "\n" + ok + "\n{\"reference\": \"ST0003\", \n" + ok + "\n", 3, "not a JSON object"},
		{"bad JSON after a blank line", ok + "\n\n[1, 2]\n", 3, "not a JSON object"},
		{"no reference", ok + "\n" + `{"title":"No ref"}` + "\n", 2, `no "reference"`},
		{"empty reference", `{"reference":"","title":"No ref"}`, 1, `no "reference"`},
		{"no title", `{"reference":"ST0001"}`, 1, `ST0001 has no "title"`},
		{"level not a number", `{"reference":"ST0001","title":"A","level":"four"}`, 1, `level "four" is not a number`},
		{"skill under knowledge", `{"reference":"ST0001","title":"A","knowledge":[{"id":"S1","text":"x"}]}`, 1, `"S1" is listed under the K list`},
		{"duplicate knowledge id", `{"reference":"ST0001","title":"A","knowledge":[{"id":"K1","text":"x"},{"id":"K001","text":"y"}]}`, 1, "K1 appears twice"},
		{"wrong type", `{"reference":"ST0001","title":"A","knowledge":"K1"}`, 1, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			occs, err := parseCatalogue("seeds/c.jsonl", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; got %d occupations", len(occs))
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.File != "seeds/c.jsonl" || pe.Line != tt.line {
				t.Errorf("error at %s:%d, want seeds/c.jsonl:%d (%s)", pe.File, pe.Line, tt.line, pe.Msg)
			}
			if !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("Msg = %q, want it to hold %q", pe.Msg, tt.msg)
			}
		})
	}
}

// A reference or title that is only white space is as missing as an empty
// one: the occupation it would make cannot be saved and loaded.
func TestParseCatalogueBlankReferenceOrTitle(t *testing.T) {
	for _, line := range []string{
		`{"reference":"   ","title":"A","knowledge":[{"id":"K1","text":"x"}]}`,
		`{"reference":"ST0001","title":"   ","knowledge":[{"id":"K1","text":"x"}]}`,
	} {
		occs, err := parseCatalogue("c.jsonl", strings.NewReader(line))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 1 {
			t.Errorf("ParseCatalogue(%s) = %d occupations, error %v; want a ParseError on line 1", line, len(occs), err)
		}
	}
}

func TestHTMLParagraphs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
		bug  string
	}{
		{"entity-escaped", "&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two &amp;amp; three&lt;/p&gt;", []string{"One", "Two & three"}, ""},
		{"plain HTML", "<p>One <strong>bold</strong> word.</p>\n<ul><li>First</li><li>Second</li></ul>", []string{"One bold word.", "First", "Second"}, ""},
		{"double break", "Line one<br><br/>Line two<br>still two", []string{"Line one", "Line two still two"}, ""},
		{"blank line", "Para one\n\nPara two", []string{"Para one", "Para two"}, ""},
		{"entities and nbsp", "<p>Fish&nbsp;&amp; chips</p>", []string{"Fish & chips"}, ""},
		{"empty", "", nil, ""},
		{"only tags", "<p></p><div> </div>", nil, ""},
		{"escaped less-than in text", "<p>Salary &lt; £30,000 for <strong>most</strong> roles</p>", []string{"Salary < £30,000 for most roles"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlParagraphs(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("HTMLParagraphs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if got, want := htmlText("<p>One</p><p>Two</p>"), "One Two"; got != want {
		t.Errorf("HTMLText = %q, want %q", got, want)
	}
}

func TestParseCatalogueReal(t *testing.T) {
	occs, err := parseCatalogue("standards.jsonl", bytes.NewReader(catalogueBytes(t)))
	if err != nil {
		t.Fatal(err)
	}
	if len(occs) != 839 {
		t.Errorf("%d occupations, want 839", len(occs))
	}
	withK, refs := 0, map[string]bool{}
	for _, o := range occs {
		if len(o.Knowledge) > 0 {
			withK++
		}
		if refs[o.Reference] {
			t.Errorf("reference %s twice", o.Reference)
		}
		refs[o.Reference] = true
		if o.Reference == "" || o.Title == "" {
			t.Errorf("occupation without reference or title: %+v", o)
		}
		if o.LastUpdated != "" && len(o.LastUpdated) != len("2006-01-02") {
			t.Errorf("%s LastUpdated %q is not YYYY-MM-DD", o.Reference, o.LastUpdated)
		}
		for _, p := range o.Summary {
			if strings.ContainsAny(p, "<>") || strings.Contains(p, "&lt;") || strings.Contains(p, "&amp;") {
				t.Errorf("%s summary keeps HTML: %q", o.Reference, p)
				break
			}
		}
	}
	if withK != 662 {
		t.Errorf("%d occupations have knowledge, want 662", withK)
	}
	if !refs["ST0127"] {
		t.Error("ST0127 missing from the catalogue")
	}
}
