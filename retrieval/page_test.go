package retrieval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParsePageSeed(t *testing.T) {
	o := parseSeedPage(t)

	checks := []struct {
		name      string
		got, want any
	}{
		{"Reference", o.Reference, "ST0127"},
		{"OccReference", o.OccReference, "OCC0127"},
		{"Title", o.Title, "Network engineer"},
		{"Route", o.Route, "Digital"},
		{"Level", o.Level, 4},
		{"Status", o.Status, "Approved for delivery"},
		{"SalaryMedian", o.SalaryMedian, 43692},
		{"SOCCode", o.SOCCode, "2137"},
		{"SOCTitle", o.SOCTitle, "IT network professionals"},
		{"SOCSubGroups", len(o.SOCSubGroups), 2},
		{"JobTitles", len(o.JobTitles), 10},
		{"Keywords", len(o.Keywords), 6},
		{"Knowledge", len(o.Knowledge), 21},
		{"Skills", len(o.Skills), 14},
		{"Behaviours", len(o.Behaviours), 6},
		{"Duties", len(o.Duties), 10},
		{"Summary", len(o.Summary), 8},
		{"FromPage", o.FromPage, true},
		{"Source", o.Source, seedName},
		{"Version", o.Version, ""}, // a page has no version
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if !strings.HasPrefix(o.Purpose, "The broad purpose") {
		t.Errorf("Purpose = %q, want it to start %q", o.Purpose, "The broad purpose")
	}
	if want := []string{"2137/00 IT network professionals", "3131/02 Network and systems administrators"}; !slices.Equal(o.SOCSubGroups, want) {
		t.Errorf("SOCSubGroups = %q, want %q", o.SOCSubGroups, want)
	}
	if o.JobTitles[0] != "Dynamic network engineer" || o.JobTitles[9] != "Systems engineer" {
		t.Errorf("JobTitles = %q", o.JobTitles)
	}
	if want := []string{"Communication", "Digital", "Engineer", "Ict", "Network", "Technology"}; !slices.Equal(o.Keywords, want) {
		t.Errorf("Keywords = %q, want %q", o.Keywords, want)
	}

	// Statements keep the standard's labels in order.
	for _, list := range []struct {
		letter string
		sts    []Statement
	}{{"K", o.Knowledge}, {"S", o.Skills}, {"B", o.Behaviours}} {
		for i, st := range list.sts {
			if want := fmt.Sprintf("%s%d", list.letter, i+1); st.ID != want {
				t.Errorf("%s list item %d has id %s, want %s", list.letter, i, st.ID, want)
			}
			if st.Text == "" || st.Text != strings.TrimSpace(st.Text) || strings.Contains(st.Text, "  ") {
				t.Errorf("%s text not clean: %q", st.ID, st.Text)
			}
		}
	}
	for i, d := range o.Duties {
		if want := fmt.Sprintf("D%d", i+1); d.ID != want {
			t.Errorf("duty %d has id %s, want %s", i, d.ID, want)
		}
		if d.Text == "" {
			t.Errorf("duty %s has no text", d.ID)
		}
	}
	// Spot checks of text the page wraps in odd white space.
	if got, want := o.Knowledge[11].Text, "Wireless networks technologies and configurations."; got != want {
		t.Errorf("K12 = %q, want %q", got, want)
	}
	if got := o.Skills[13].Text; !strings.HasSuffix(got, "Zero-trust networking .") {
		t.Errorf("S14 = %q", got)
	}
	if got, want := o.Duties[1].Text, "Monitor and analyse network performance data."; got != want {
		t.Errorf("D2 = %q, want %q", got, want)
	}
	for i, p := range o.Summary {
		if strings.ContainsRune(p, '\u00a0') || p != cleanSpace(p) {
			t.Errorf("summary paragraph %d keeps odd white space: %q", i, p)
		}
	}
	// Nothing after the "Occupational Progression" heading is content.
	for _, p := range o.Summary {
		if strings.Contains(p, "progression map") {
			t.Errorf("summary holds the progression section: %q", p)
		}
	}
}

func TestParsePageGolden(t *testing.T) {
	o := parseSeedPage(t)
	got, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "network-engineer.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("ParsePage(seed) differs from %s; run go test -run TestParsePageGolden -update and review the diff\n%s", golden, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n want %s\n  got %s", i+1, w, g)
		}
	}
	return "(no line differs)"
}

// The page parses the same whatever its line endings and byte order mark.
func TestParsePageEncodings(t *testing.T) {
	want := parseSeedPage(t)
	seed := string(seedBytes(t))
	tests := []struct {
		name string
		text string
	}{
		{"CRLF", strings.ReplaceAll(seed, "\n", "\r\n")},
		{"BOM", "\ufeff" + seed},
		{"BOM and CRLF", "\ufeff" + strings.ReplaceAll(seed, "\n", "\r\n")},
		{"no trailing newline", strings.TrimRight(seed, "\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePage(seedName, strings.NewReader(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			if !bytes.Equal(gj, wj) {
				t.Errorf("parsed differently:\n%s", firstDiff(string(wj), string(gj)))
			}
		})
	}
}

// minimalPage builds a small valid page; lines are joined with newlines.
func minimalPage(lines ...string) string {
	return strings.Join(lines, "\n") + "\n"
}

func TestParsePageMinimal(t *testing.T) {
	page := minimalPage(
		"Apprenticeship", // legend: not the title
		"Pastry chef",
		"Level 3",
		"Technical Education Products",
		"ST9001:",
		"Knowledge, skills and behaviours (KSBs)",
		"K01: Food safety.",
		"S1) Bake bread.",
		"B1. Work cleanly.",
		"Duties",
		"Duty D1",
		"Prepare pastry",
		"to recipe.",
		"KSBs: K1, S1 and B1",
	)
	o, err := parsePage("chef.txt", strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if o.Title != "Pastry chef" || o.Reference != "ST9001" || o.Level != 3 {
		t.Errorf("got title %q ref %q level %d", o.Title, o.Reference, o.Level)
	}
	if len(o.Knowledge) != 1 || o.Knowledge[0] != (Statement{"K1", "Food safety."}) {
		t.Errorf("Knowledge = %+v", o.Knowledge)
	}
	if len(o.Skills) != 1 || o.Skills[0].ID != "S1" || len(o.Behaviours) != 1 || o.Behaviours[0].ID != "B1" {
		t.Errorf("Skills = %+v, Behaviours = %+v", o.Skills, o.Behaviours)
	}
	if len(o.Duties) != 1 {
		t.Fatalf("Duties = %+v", o.Duties)
	}
	d := o.Duties[0]
	if d.ID != "D1" || d.Text != "Prepare pastry to recipe." || !slices.Equal(d.KSBs, []string{"K1", "S1", "B1"}) {
		t.Errorf("duty = %+v", d)
	}
}

func TestParsePageErrors(t *testing.T) {
	tests := []struct {
		name     string
		page     string
		line     int
		msg      []string // substrings Msg must hold
		bug      string   // set for a case that exposes a known bug
		fileName string
	}{
		{
			name: "empty file",
			page: "",
			line: 1,
			msg:  []string{"no title"},
		},
		{
			name: "only the legend",
			page: minimalPage("Apprenticeship", "T Level"),
			line: 1,
			msg:  []string{"no title"},
		},
		{
			name: "title but no KSB section",
			page: minimalPage("Network engineer", "", "Level 4", "ST0127:", "Summary", "", "Some text."),
			line: 7,
			msg:  []string{"no \"Knowledge, skills and behaviours (KSBs)\" section"},
		},
		{
			name: "KSB heading with nothing under it",
			page: minimalPage("Network engineer", "ST0127:", "Knowledge, skills and behaviours (KSBs)", "", "Duties"),
			line: 3,
			msg:  []string{"no knowledge, skills or behaviours under"},
		},
		{
			name: "malformed line under the KSB heading",
			page: minimalPage("Network engineer", "ST0127:", "", "Knowledge, skills and behaviours (KSBs)", "", "K1: Fine.", "K2 has no colon"),
			line: 7,
			msg:  []string{"expected a K, S or B line", `"K2 has no colon"`},
		},
		{
			name: "KSB with no text",
			page: minimalPage("Network engineer", "ST0127:", "Knowledge, skills and behaviours (KSBs)", "K1:   "),
			line: 4,
			msg:  []string{"K1 has no text"},
		},
		{
			name: "duplicate K1",
			page: minimalPage("Network engineer", "ST0127:", "Knowledge, skills and behaviours (KSBs)", "K1: One.", "K2: Two.", "", "K01: One again."),
			line: 7,
			msg:  []string{"K1 appears twice", "first on line 4"},
		},
		{
			name: "duty with no text at the end of the file",
			page: "Network engineer\nST0127:\nKnowledge, skills and behaviours (KSBs)\nK1: One.\nDuties\nDuty D1",
			line: 6,
			msg:  []string{"duty D1 has no text"},
		},
		{
			name: "duty with no text followed by another duty",
			page: minimalPage("Network engineer", "ST0127:", "Knowledge, skills and behaviours (KSBs)", "K1: One.", "Duties", "Duty D1", "", "Duty D2", "Do things."),
			line: 6,
			msg:  []string{"duty D1 has no text"},
		},
		{
			name: "text under Duties before any duty",
			page: minimalPage("Network engineer", "ST0127:", "Knowledge, skills and behaviours (KSBs)", "K1: One.", "Duties", "Install things."),
			line: 6,
			msg:  []string{`expected "Duty D1"`},
		},
		{
			name: "salary that is not a number",
			page: minimalPage("Network engineer", "", "Average (median) salary: not published", "ST0127:", "Knowledge, skills and behaviours (KSBs)", "K1: One."),
			line: 3,
			msg:  []string{"salary", `"not published"`, "not an amount"},
		},
		{
			name: "salary of zero",
			page: minimalPage("Network engineer", "Average (median) salary: £0 per year", "ST0127:", "Knowledge, skills and behaviours (KSBs)", "K1: One."),
			line: 2,
			msg:  []string{"salary", "not an amount"},
		},
		{
			name: "SOC code without digits",
			page: minimalPage("Network engineer", "SOC 2020 code: IT network professionals", "ST0127:", "Knowledge, skills and behaviours (KSBs)", "K1: One."),
			line: 2,
			msg:  []string{"SOC code", "four digits"},
		},
		{
			name: "no standard reference",
			page: minimalPage("Network engineer", "Knowledge, skills and behaviours (KSBs)", "K1: One.", "S1: Two."),
			line: 4,
			msg:  []string{"no standard reference"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const file = "seeds/broken.txt"
			o, err := parsePage(file, strings.NewReader(tt.page))
			if err == nil {
				t.Fatalf("ParsePage succeeded (%+v), want an error", o)
			}
			if o != nil {
				t.Errorf("ParsePage returned an occupation with its error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.File != file {
				t.Errorf("File = %q, want %q", pe.File, file)
			}
			if pe.Line != tt.line {
				t.Errorf("Line = %d, want %d (%s)", pe.Line, tt.line, pe.Msg)
			}
			for _, s := range tt.msg {
				if !strings.Contains(pe.Msg, s) {
					t.Errorf("Msg = %q, want it to hold %q", pe.Msg, s)
				}
			}
			if want := fmt.Sprintf("%s:%d: %s", file, pe.Line, pe.Msg); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

// A duty label may appear only once in a standard, as a KSB label may: the
// passage key "ST0127 D1" must name one passage.
func TestParsePageRejectsDuplicateDuty(t *testing.T) {
	page := minimalPage("Network engineer", "ST0127:", "Knowledge, skills and behaviours (KSBs)", "K1: One.",
		"Duties", "Duty D1", "Install things.", "Duty D1", "Monitor things.")
	_, err := parsePage("dup.txt", strings.NewReader(page))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("ParsePage error = %v, want a *ParseError for the second Duty D1", err)
	}
	if pe.Line != 8 || !strings.Contains(pe.Msg, "D1") {
		t.Errorf("ParseError = %+v, want line 8 naming D1", pe)
	}
}

func TestParsePageSalaryLineWithWideLowercase(t *testing.T) {
	page := minimalPage("Network engineer", "ȺȺȺȺȺȺȺȺȺȺ salary: £1", "ST0127:", "Knowledge, skills and behaviours (KSBs)", "K1: One.")
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("ParsePage panicked: %v", r)
		}
	}()
	o, err := parsePage("wide.txt", strings.NewReader(page))
	if err != nil {
		t.Fatalf("ParsePage: %v", err)
	}
	if o.SalaryMedian != 1 {
		t.Errorf("SalaryMedian = %d, want 1", o.SalaryMedian)
	}
}

func FuzzParsePage(f *testing.F) {
	seed := string(seedBytes(f))
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add(strings.Replace(seed, "K2:", "K1:", 1))
	f.Add(strings.Replace(seed, "Duty D3\n\nOptimise", "Duty D3\n\nDuty D4\n\nOptimise", 1))
	f.Add(strings.ReplaceAll(seed, "\n", "\r\n"))
	f.Add(strings.Replace(seed, "£43,692", "unknown", 1))
	f.Add("")
	f.Add("\ufeff")
	f.Add(minimalPage("T", "ST0001:", "Knowledge, skills and behaviours", "K1: x"))
	f.Add(minimalPage("T", "FA0001", "(Level 2)", "Summary", "p", "Knowledge, skills and behaviours", "B7 - y", "Duties", "Duty D01: z", "K7 S1"))
	f.Fuzz(func(t *testing.T, page string) {
		o, err := parsePage("fuzz.txt", strings.NewReader(page))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.File != "fuzz.txt" || pe.Line < 1 || pe.Msg == "" {
				t.Fatalf("ParseError %+v lacks file, line or message", pe)
			}
			if o != nil {
				t.Fatalf("occupation returned with an error")
			}
			return
		}
		if o.Title == "" {
			t.Fatal("parsed without a title")
		}
		if o.Reference == "" {
			t.Fatal("parsed without a reference")
		}
		if !o.HasKSBs() {
			t.Fatal("parsed without any KSB")
		}
		ids := map[string]bool{}
		for _, k := range []Kind{KindKnowledge, KindSkill, KindBehaviour} {
			for _, st := range o.Statements(k) {
				if ids[st.ID] {
					t.Fatalf("id %s twice", st.ID)
				}
				ids[st.ID] = true
				if st.Text == "" || !utf8.ValidString(st.ID) || len(st.ID) < 2 || st.ID[:1] != strings.ToUpper(string(k[0])) {
					t.Fatalf("statement %+v under %s is malformed", st, k)
				}
			}
		}
		for _, d := range o.Duties {
			if d.Text == "" {
				t.Fatalf("duty %s has no text", d.ID)
			}
			if ids[d.ID] {
				t.Fatalf("duty %s appears twice", d.ID)
			}
			ids[d.ID] = true
		}
	})
}
