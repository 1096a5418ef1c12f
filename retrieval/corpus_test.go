package retrieval

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/careersbot/careersbot/seeds"
)

func TestOpenSourceDefault(t *testing.T) {
	src, err := OpenSource(seeds.FS, "built-in corpus")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{seedName, "standards.jsonl.gz"}; !slices.Equal(src.Files, want) {
		t.Errorf("Files = %q, want %q", src.Files, want)
	}
}

func TestLoadDefaultCorpus(t *testing.T) {
	c := fullCorpus(t)
	if len(c.Occupations) != 839 {
		t.Errorf("%d occupations, want 839", len(c.Occupations))
	}
	if !slices.IsSortedFunc(c.Occupations, func(a, b *Occupation) int { return strings.Compare(a.Reference, b.Reference) }) {
		t.Error("occupations are not sorted by reference")
	}
	var o *Occupation
	for _, x := range c.Occupations {
		if x.Reference == "ST0127" {
			o = x
		}
	}
	if o == nil {
		t.Fatal("ST0127 missing")
	}
	// The page's content...
	if !o.FromPage || len(o.Knowledge) != 21 || len(o.Skills) != 14 || len(o.Behaviours) != 6 || len(o.Duties) != 10 {
		t.Errorf("ST0127 FromPage %v with %d K, %d S, %d B, %d duties; want the page's 21, 14, 6, 10",
			o.FromPage, len(o.Knowledge), len(o.Skills), len(o.Behaviours), len(o.Duties))
	}
	if o.SalaryMedian != 43692 || o.OccReference != "OCC0127" || len(o.JobTitles) != 10 {
		t.Errorf("ST0127 salary %d, occ ref %q, %d job titles; want the page's", o.SalaryMedian, o.OccReference, len(o.JobTitles))
	}
	if !strings.HasPrefix(o.Purpose, "The broad purpose") {
		t.Errorf("Purpose = %q, want the page's, not the catalogue's overview", o.Purpose)
	}
	// ...and what only the catalogue knows, from its csv_2025 block.
	if o.Version != "1.2" || o.LastUpdated != "2025-03-18" {
		t.Errorf("Version %q LastUpdated %q, want 1.2 and 2025-03-18", o.Version, o.LastUpdated)
	}
	if want := "https://www.instituteforapprenticeships.org/apprenticeships/st0127-v1-2"; o.PageURL != want {
		t.Errorf("PageURL = %q, want %q", o.PageURL, want)
	}
	if !strings.Contains(o.Source, seedName) || !strings.Contains(o.Source, ";") {
		t.Errorf("Source = %q, want the page and the catalogue", o.Source)
	}
}

func TestOpenSourceErrors(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
	}{
		{"empty folder", fstest.MapFS{}},
		{"no seed format", fstest.MapFS{"README.md": {Data: []byte("hi")}, "notes.json": {Data: []byte("{}")}}},
		{"hidden seed only", fstest.MapFS{".draft.txt": {Data: []byte("x")}}},
		{"seed in a subfolder only", fstest.MapFS{"sub/page.txt": {Data: []byte("x")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenSource(tt.files, "my-seeds")
			if !errors.Is(err, ErrNoSeeds) {
				t.Fatalf("error = %v, want ErrNoSeeds", err)
			}
			if !strings.Contains(err.Error(), "my-seeds") {
				t.Errorf("error %q does not name the folder", err)
			}
		})
	}
	t.Run("empty directory on disk", func(t *testing.T) {
		dir := t.TempDir()
		_, err := OpenSource(os.DirFS(dir), dir)
		if !errors.Is(err, ErrNoSeeds) {
			t.Fatalf("error = %v, want ErrNoSeeds", err)
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		dir := t.TempDir() + "/nope"
		_, err := OpenSource(os.DirFS(dir), dir)
		if err == nil || errors.Is(err, ErrNoSeeds) || !strings.Contains(err.Error(), dir) {
			t.Fatalf("error = %v, want a read error naming %s", err, dir)
		}
	})
}

func TestOpenSourceLists(t *testing.T) {
	fsys := fstest.MapFS{
		"b.txt":             {Data: []byte("x")},
		"a.jsonl":           {Data: []byte("x")},
		"c.jsonl.gz":        {Data: []byte("x")},
		"d.json":            {Data: []byte("x")},
		".e.txt":            {Data: []byte("x")},
		"sub/f.txt":         {Data: []byte("x")},
		"g.txt.bak":         {Data: []byte("x")},
		"notes.md":          {Data: []byte("x")},
		"z.catalogue.jsonl": {Data: []byte("x")},
	}
	src, err := OpenSource(fsys, "s")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.jsonl", "b.txt", "c.jsonl.gz", "z.catalogue.jsonl"}; !slices.Equal(src.Files, want) {
		t.Errorf("Files = %q, want %q", src.Files, want)
	}
}

func TestSourceKey(t *testing.T) {
	page := seedBytes(t)
	key := func(t *testing.T, fsys fstest.MapFS) string {
		t.Helper()
		src, err := OpenSource(fsys, "s")
		if err != nil {
			t.Fatal(err)
		}
		k, err := src.Key()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	base := key(t, fstest.MapFS{"a.txt": {Data: page}, "b.jsonl": {Data: []byte("{}\n")}})
	edited := slices.Clone(page)
	edited[len(edited)/2] ^= 1

	tests := []struct {
		name string
		fsys fstest.MapFS
		same bool
	}{
		{"same bytes, new FS", fstest.MapFS{"a.txt": {Data: slices.Clone(page)}, "b.jsonl": {Data: []byte("{}\n")}}, true},
		{"non-seed file added", fstest.MapFS{"a.txt": {Data: page}, "b.jsonl": {Data: []byte("{}\n")}, "README.md": {Data: []byte("x")}}, true},
		{"one byte changed", fstest.MapFS{"a.txt": {Data: edited}, "b.jsonl": {Data: []byte("{}\n")}}, false},
		{"byte appended", fstest.MapFS{"a.txt": {Data: append(slices.Clone(page), '\n')}, "b.jsonl": {Data: []byte("{}\n")}}, false},
		{"file renamed", fstest.MapFS{"c.txt": {Data: page}, "b.jsonl": {Data: []byte("{}\n")}}, false},
		{"file removed", fstest.MapFS{"a.txt": {Data: page}}, false},
		// The names and lengths are hashed too, so moving bytes from one
		// file to the next is a change.
		{"bytes moved between files", fstest.MapFS{"a.txt": {Data: append(slices.Clone(page), '{')}, "b.jsonl": {Data: []byte("}\n")}}, false},
		// The fact tables are joined into the index: they are part of it.
		{"fact table added", fstest.MapFS{"a.txt": {Data: page}, "b.jsonl": {Data: []byte("{}\n")}, "soc.jsonl": {Data: []byte("{}\n")}}, false},
		{"pay table added", fstest.MapFS{"a.txt": {Data: page}, "b.jsonl": {Data: []byte("{}\n")}, "ashe-2025-x.csv": {Data: []byte("x")}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := key(t, tt.fsys); (got == base) != tt.same {
				t.Errorf("key %s vs base %s: same = %v, want %v", got, base, got == base, tt.same)
			}
		})
	}
	if again := key(t, fstest.MapFS{"a.txt": {Data: page}, "b.jsonl": {Data: []byte("{}\n")}}); again != base {
		t.Error("Key is not stable")
	}
}

func TestSourceLoadErrors(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"reference":"ST0001","title":"A"}` + "\n" + `{"reference":"ST0002"}` + "\n"))
	zw.Close()
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		file  string
		line  int
		inMsg string
	}{
		{"bad page", fstest.MapFS{"a.txt": {Data: []byte("Title only\n")}}, "seeds/a.txt", 1, "no \"Knowledge"},
		{"bad catalogue line", fstest.MapFS{"c.jsonl": {Data: []byte("{}\n")}}, "seeds/c.jsonl", 1, "reference"},
		{"bad line in gzip", fstest.MapFS{"c.jsonl.gz": {Data: gz.Bytes()}}, "seeds/c.jsonl.gz", 2, "title"},
		{"not gzip", fstest.MapFS{"c.jsonl.gz": {Data: []byte("plain text")}}, "seeds/c.jsonl.gz", 1, "not gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := OpenSource(tt.fsys, "seeds")
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.Load()
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Load error = %v, want a *ParseError", err)
			}
			if pe.File != tt.file || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.inMsg) {
				t.Errorf("ParseError %s:%d %q, want %s:%d holding %q", pe.File, pe.Line, pe.Msg, tt.file, tt.line, tt.inMsg)
			}
		})
	}
}

// occ is a record for merge tests.
func occ(version, date, status string, ksbs bool, fromPage bool, title string) *Occupation {
	o := &Occupation{Reference: "ST0001", Title: title, Version: version, LastUpdated: date, Status: status, FromPage: fromPage, Source: title}
	if ksbs {
		o.Knowledge = []Statement{{"K1", title + " knowledge"}}
	}
	return o
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name       string
		a, b       *Occupation // b is read later
		wantTitle  string      // whose content wins
		wantStatus string
		wantKSBs   bool
	}{
		{"newer version wins read last", occ("1.0", "", "Approved", true, false, "old"), occ("1.1", "", "Approved", true, false, "new"), "new", "Approved", true},
		{"newer version wins read first", occ("1.1", "", "Approved", true, false, "new"), occ("1.0", "", "Approved", true, false, "old"), "new", "Approved", true},
		{"versions compare by number", occ("1.10", "", "Approved", true, false, "new"), occ("1.9", "", "Approved", true, false, "old"), "new", "Approved", true},
		{"equal version, later date wins", occ("1.0", "2024-05-01", "Approved", true, false, "new"), occ("1.0", "2023-01-01", "Approved", true, false, "old"), "new", "Approved", true},
		{"equal version, later date wins read last", occ("1.0", "2023-01-01", "Approved", true, false, "old"), occ("1.0", "2024-05-01", "Approved", true, false, "new"), "new", "Approved", true},
		{"all equal, later record wins", occ("1.0", "2024-05-01", "Approved", true, false, "first"), occ("1.0", "2024-05-01", "Approved", true, false, "second"), "second", "Approved", true},
		{"retired newer without KSBs never replaces KSBs", occ("1.0", "", "Approved for delivery", true, false, "old"), occ("1.1", "", "Retired", false, false, "new"), "old", "Retired", true},
		{"retired newer without KSBs read first", occ("1.1", "", "Retired", false, false, "new"), occ("1.0", "", "Approved for delivery", true, false, "old"), "old", "Retired", true},
		{"newer without KSBs never replaces KSBs", occ("1.0", "", "Approved", true, false, "old"), occ("1.1", "", "Approved", false, false, "new"), "old", "Approved", true},
		{"retired newer with KSBs does not replace active", occ("1.0", "", "Approved", true, false, "old"), occ("1.1", "", "Retired", true, false, "new"), "old", "Retired", true},
		{"newer with KSBs replaces retired", occ("1.0", "", "Retired", true, false, "old"), occ("1.1", "", "Approved", true, false, "new"), "new", "Approved", true},
		{"page wins read first", occ("", "", "", true, true, "page"), occ("1.5", "2025-01-01", "Approved", true, false, "cat"), "page", "Approved", true},
		{"page wins read last", occ("1.5", "2025-01-01", "Approved", true, false, "cat"), occ("", "", "", true, true, "page"), "page", "Approved", true},
		{"page without KSBs still wins", occ("1.5", "", "Approved", true, false, "cat"), occ("", "", "", false, true, "page"), "page", "Approved", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge(tt.a, tt.b)
			if got.Title != tt.wantTitle {
				t.Errorf("winner %q, want %q", got.Title, tt.wantTitle)
			}
			if got.Status != tt.wantStatus {
				t.Errorf("Status %q, want %q", got.Status, tt.wantStatus)
			}
			if got.HasKSBs() != tt.wantKSBs {
				t.Errorf("HasKSBs %v, want %v", got.HasKSBs(), tt.wantKSBs)
			}
			if got.HasKSBs() && got.Knowledge[0].Text != tt.wantTitle+" knowledge" {
				t.Errorf("KSBs from %q, want from %q", got.Knowledge[0].Text, tt.wantTitle)
			}
		})
	}
}

func TestMergePageFillsFromCatalogue(t *testing.T) {
	page := &Occupation{Reference: "ST0127", Title: "Network engineer", FromPage: true, Source: "page.txt",
		SalaryMedian: 43692, Purpose: "Page purpose", Knowledge: []Statement{{"K1", "page"}}}
	cat := &Occupation{Reference: "ST0127", Title: "Network Engineer (catalogue)", Source: "cat.jsonl",
		Version: "1.2", PageURL: "https://example.org", LastUpdated: "2025-03-18", Level: 4, Purpose: "Catalogue overview",
		SalaryMedian: 1, Summary: []string{"cat summary"}, Knowledge: []Statement{{"K1", "cat"}}, LarsCode: "123"}
	pageCopy := *page
	for _, order := range []string{"page first", "catalogue first"} {
		t.Run(order, func(t *testing.T) {
			var got *Occupation
			if order == "page first" {
				got = Merge(page, cat)
			} else {
				got = Merge(cat, page)
			}
			if got.Title != "Network engineer" || got.Purpose != "Page purpose" || got.SalaryMedian != 43692 || got.Knowledge[0].Text != "page" {
				t.Errorf("page fields replaced: %+v", got)
			}
			if got.Version != "1.2" || got.PageURL != "https://example.org" || got.LastUpdated != "2025-03-18" || got.Level != 4 || got.LarsCode != "123" {
				t.Errorf("missing fields not filled: %+v", got)
			}
			if !slices.Equal(got.Summary, []string{"cat summary"}) {
				t.Errorf("Summary = %q, want the catalogue's as the page has none", got.Summary)
			}
			if got.Source != "page.txt; cat.jsonl" {
				t.Errorf("Source = %q", got.Source)
			}
			if !got.FromPage {
				t.Error("merged record lost FromPage")
			}
		})
	}
	if page.Version != "" || page.Source != pageCopy.Source {
		t.Error("Merge changed its page argument")
	}
}

func TestNewCorpus(t *testing.T) {
	c := NewCorpus([]*Occupation{
		occ("1.0", "", "Approved", true, false, "b-old"),
		{Reference: "ST0002", Title: "second"},
		occ("1.1", "", "Approved", true, false, "b-new"),
		{Reference: "FA0001", Title: "first"},
	})
	var got []string
	for _, o := range c.Occupations {
		got = append(got, o.Reference+" "+o.Title)
	}
	if want := []string{"FA0001 first", "ST0001 b-new", "ST0002 second"}; !slices.Equal(got, want) {
		t.Errorf("corpus = %q, want %q", got, want)
	}
}
