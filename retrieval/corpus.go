package retrieval

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNoSeeds is returned for a seed folder that holds no seed document.
var ErrNoSeeds = errors.New("no seed documents: expected *.txt (page format) or *.jsonl / *.jsonl.gz (catalogue format)")

// Corpus is every occupation the seeds describe, one per reference, sorted by
// reference.
type Corpus struct {
	Occupations []*Occupation
}

// Source is a set of seed documents: the files at the root of an fs.FS,
// read lazily so that a warm start can check its key without parsing.
type Source struct {
	FS    fs.FS
	Name  string   // for messages: "built-in corpus" or the folder
	Files []string // the seed documents, sorted
	// Tables are the fact tables among the folder's files (facts.jsonl,
	// soc.jsonl, ashe-*.csv, each perhaps .gz), sorted: joined to the
	// merged standards (JoinFacts).
	Tables []string
	// Overlay is the path of an imported catalogue (the data dir's
	// catalogue.jsonl) that overlays the seeds by Merge's rules; "" or a
	// missing file is none.
	Overlay string
	// TableDir is the folder of fact tables imported by seeds import --pay
	// and --soc (the data dir): they overlay Tables, the newer winning.
	// "" is none.
	TableDir string
}

// OpenSource lists the seed documents of fsys. name says where they come from.
func OpenSource(fsys fs.FS, name string) (*Source, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read seed folder %s: %w", name, err)
	}
	s := &Source{FS: fsys, Name: name}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		switch {
		case tableKind(e.Name()) != "":
			s.Tables = append(s.Tables, e.Name())
		case seedFormat(e.Name()) != "":
			s.Files = append(s.Files, e.Name())
		}
	}
	if len(s.Files) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrNoSeeds)
	}
	slices.Sort(s.Files)
	slices.Sort(s.Tables)
	return s, nil
}

func seedFormat(name string) string {
	switch {
	case strings.HasSuffix(name, ".txt"):
		return "page"
	case strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".jsonl.gz"):
		return "catalogue"
	}
	return ""
}

// Key is a hash of the seed documents' names and bytes: the corpus part of
// the persisted index's key.
func (s *Source) Key() (string, error) {
	h := sha256.New()
	for _, name := range slices.Concat(s.Files, s.Tables) {
		b, err := fs.ReadFile(s.FS, name)
		if err != nil {
			return "", fmt.Errorf("read seed %s: %w", s.path(name), err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	imported, err := s.importedTables()
	if err != nil {
		return "", err
	}
	for _, p := range imported {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("the data dir's imported table %s cannot be read: %w", p, err)
		}
		fmt.Fprintf(h, "imported %s\x00%d\x00", filepath.Base(p), len(b))
		h.Write(b)
	}
	if s.Overlay != "" {
		b, err := os.ReadFile(s.Overlay)
		switch {
		case err == nil:
			fmt.Fprintf(h, "overlay\x00%d\x00", len(b))
			h.Write(b)
		case !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("the data dir's imported catalogue %s cannot be read (set --data-dir or CAREERSBOT_DATA_DIR to a writable folder): %w", s.Overlay, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (s *Source) path(name string) string {
	if s.Name == "" {
		return name
	}
	return path.Join(s.Name, name)
}

// Load parses every seed document, merges them into one corpus and joins
// the fact tables to it.
func (s *Source) Load() (*Corpus, error) {
	c, err := s.Standards()
	if err != nil {
		return nil, err
	}
	t, err := s.LoadTables()
	if err != nil {
		return nil, err
	}
	return JoinFacts(c, t), nil
}

// Standards parses every seed document and the imported catalogue and
// merges them into one corpus, without the fact tables: what seeds import
// merges into.
func (s *Source) Standards() (*Corpus, error) {
	var all []*Occupation
	for _, name := range s.Files {
		b, err := fs.ReadFile(s.FS, name)
		if err != nil {
			return nil, fmt.Errorf("read seed %s: %w", s.path(name), err)
		}
		occs, err := parseSeed(s.path(name), b)
		if err != nil {
			return nil, err
		}
		all = append(all, occs...)
	}
	if s.Overlay != "" {
		occs, err := ReadCatalogueFile(s.Overlay)
		if err != nil {
			return nil, fmt.Errorf("imported catalogue: %w", err)
		}
		all = append(all, occs...)
	}
	return NewCorpus(all), nil
}

func parseSeed(name string, b []byte) ([]*Occupation, error) {
	switch {
	case strings.HasSuffix(name, ".txt"):
		o, err := parsePage(name, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return []*Occupation{o}, nil
	case strings.HasSuffix(name, ".gz"):
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, &ParseError{name, 1, fmt.Sprintf("not gzip data: %v", err)}
		}
		defer zr.Close()
		return parseCatalogue(name, zr)
	default:
		return parseCatalogue(name, bytes.NewReader(b))
	}
}

// NewCorpus merges records of one reference (see Merge) and sorts the result.
func NewCorpus(occs []*Occupation) *Corpus {
	byRef := map[string]*Occupation{}
	for _, o := range occs {
		if prev, ok := byRef[o.Reference]; ok {
			byRef[o.Reference] = Merge(prev, o)
		} else {
			byRef[o.Reference] = o
		}
	}
	c := &Corpus{Occupations: make([]*Occupation, 0, len(byRef))}
	for _, o := range byRef {
		c.Occupations = append(c.Occupations, o)
	}
	slices.SortFunc(c.Occupations, func(a, b *Occupation) int { return strings.Compare(a.Reference, b.Reference) })
	return c
}

// Merge combines two records of one reference; b is the later one read.
//
// A page document is the newer and richer source: it wins for every field it
// has and takes from a catalogue record only what it lacks (version, date,
// page link). Between two records of one format the newer version wins, then
// the later date, then the later record; but a record that is retired or has
// no KSBs never replaces one that has them.
func Merge(a, b *Occupation) *Occupation {
	if a.FromPage != b.FromPage {
		page, cat := a, b
		if b.FromPage {
			page, cat = b, a
		}
		// An older edition, or a retired or empty record, has nothing to
		// add to the page.
		if (page.Version != "" && compareVersions(cat.Version, page.Version) < 0) || cat.Retired() || !cat.HasKSBs() {
			return page
		}
		merged := fillMissing(page, cat)
		// A catalogue that knows a later version than the page's flags it.
		if compareVersions(cat.Version, merged.Version) > 0 {
			merged.NewerVersion = cat.Version
		}
		return merged
	}
	winner, loser := b, a
	if newer(a, b) {
		winner, loser = a, b
	}
	if loser.HasKSBs() && (!winner.HasKSBs() || (winner.Retired() && !loser.Retired())) {
		kept := loser.clone()
		if winner.Retired() && !newer(loser, winner) {
			kept.Status = winner.Status
		}
		return kept
	}
	return winner
}

// newer reports whether a is a later edition than b: a higher version, else a
// later date.
func newer(a, b *Occupation) bool {
	if c := compareVersions(a.Version, b.Version); c != 0 {
		return c > 0
	}
	return a.LastUpdated > b.LastUpdated
}

func compareVersions(a, b string) int {
	if a == "" || b == "" {
		return 0
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// fillMissing copies into a copy of dst the fields it lacks from src.
func fillMissing(dst, src *Occupation) *Occupation {
	o := dst.clone()
	fill := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	fill(&o.Title, src.Title)
	fill(&o.Status, src.Status)
	fill(&o.Route, src.Route)
	fill(&o.Purpose, src.Purpose)
	fill(&o.Version, src.Version)
	fill(&o.NewerVersion, src.NewerVersion)
	fill(&o.PageURL, src.PageURL)
	fill(&o.LastUpdated, src.LastUpdated)
	fill(&o.LarsCode, src.LarsCode)
	fill(&o.AssessmentPlanURL, src.AssessmentPlanURL)
	if o.Level == 0 {
		o.Level = src.Level
	}
	if len(o.Summary) == 0 {
		o.Summary = src.Summary
	}
	if len(o.JobTitles) == 0 {
		o.JobTitles = src.JobTitles
	}
	for _, f := range factFields {
		if !o.Has(f) && src.Has(f) {
			copyFact(o, src, f)
		}
	}
	if o.Source != src.Source && src.Source != "" {
		o.Source = o.Source + "; " + src.Source
	}
	return o
}
