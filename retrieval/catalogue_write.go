package retrieval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// CatalogueFile is the name of the imported catalogue in the data dir: the
// catalogue format, overlaying whichever corpus is in use.
const CatalogueFile = "catalogue.jsonl"

// catalogueOut is a catalogue line as written: the fields parseCatalogue
// reads, including those only the official format carries.
type catalogueOut struct {
	Reference         string          `json:"reference"`
	Title             string          `json:"title"`
	Level             int             `json:"level,omitempty"`
	Version           string          `json:"version,omitempty"`
	Status            string          `json:"status,omitempty"`
	Route             string          `json:"route,omitempty"`
	LarsCode          string          `json:"lars_code,omitempty"`
	Overview          string          `json:"overview,omitempty"`
	Summary           string          `json:"summary,omitempty"`
	TypicalJobTitles  []string        `json:"typical_job_titles,omitempty"`
	Keywords          []string        `json:"keywords,omitempty"`
	Knowledge         []catalogueKSB  `json:"knowledge"`
	Skills            []catalogueKSB  `json:"skills"`
	Behaviours        []catalogueKSB  `json:"behaviours"`
	Duties            []catalogueDuty `json:"duties"`
	Salary            int             `json:"salary,omitempty"`
	SOC               string          `json:"soc,omitempty"`
	PageURL           string          `json:"page_url,omitempty"`
	LastUpdated       string          `json:"last_updated,omitempty"`
	SourceSnapshot    string          `json:"source_snapshot,omitempty"`
	NewerVersion      string          `json:"newer_version_exists,omitempty"`
	SalaryGroup       string          `json:"salary_group,omitempty"`
	SalaryQuality     string          `json:"salary_quality,omitempty"`
	SalaryWithheld    string          `json:"salary_withheld,omitempty"`
	SOCOptions        []string        `json:"soc_options,omitempty"`
	TypicalDuration   string          `json:"typical_duration,omitempty"`
	EntryRequirements string          `json:"entry_requirements,omitempty"`
	EnglishMaths      string          `json:"english_maths,omitempty"`
	MaxFunding        int             `json:"max_funding,omitempty"`
	Qualifications    []string        `json:"qualifications,omitempty"`
	AssessmentPlanURL string          `json:"assessment_plan_url,omitempty"`
	Regulated         string          `json:"regulated,omitempty"`
	RegulatedBody     string          `json:"regulated_body,omitempty"`
	Recognition       []string        `json:"professional_recognition,omitempty"`
	IntegratedDegree  string          `json:"integrated_degree,omitempty"`
	// Provenance is keyed by fact field; encoding/json writes map keys
	// sorted, so equal records write equal lines.
	Provenance map[string]catalogueProvenance `json:"provenance,omitempty"`
}

// marshalCatalogueLine writes an occupation as one catalogue-format line
// (without the newline).
func marshalCatalogueLine(o *Occupation) ([]byte, error) {
	out := catalogueOut{
		Reference: o.Reference, Title: o.Title, Level: o.Level, Version: o.Version, Status: o.Status,
		Route: o.Route, LarsCode: o.LarsCode, Overview: o.Purpose, Summary: strings.Join(o.Summary, "\n\n"),
		TypicalJobTitles: o.JobTitles, Keywords: o.Keywords, Salary: o.SalaryMedian,
		PageURL: o.PageURL, LastUpdated: o.LastUpdated, SourceSnapshot: o.Source, NewerVersion: o.NewerVersion,
		TypicalDuration: o.TypicalDuration, EntryRequirements: o.EntryRequirements, MaxFunding: o.MaxFunding,
		Qualifications: o.Qualifications, AssessmentPlanURL: o.AssessmentPlanURL, Regulated: o.Regulated,
		SalaryGroup: o.SalaryGroup, SalaryQuality: o.SalaryQuality, SalaryWithheld: o.SalaryWithheld, SOCOptions: o.SOCOptions,
		EnglishMaths: o.EnglishMaths, RegulatedBody: o.RegulatedBody, Recognition: o.Recognition, IntegratedDegree: o.IntegratedDegree,
		Knowledge: []catalogueKSB{}, Skills: []catalogueKSB{}, Behaviours: []catalogueKSB{}, Duties: []catalogueDuty{},
	}
	if o.SOCCode != "" {
		out.SOC = strings.TrimSpace(o.SOCCode + " " + o.SOCTitle)
	}
	for f, p := range o.Provenance {
		if out.Provenance == nil {
			out.Provenance = map[string]catalogueProvenance{}
		}
		out.Provenance[string(f)] = catalogueProvenance(p)
	}
	for _, l := range []struct {
		in  []Statement
		out *[]catalogueKSB
	}{{o.Knowledge, &out.Knowledge}, {o.Skills, &out.Skills}, {o.Behaviours, &out.Behaviours}} {
		for _, s := range l.in {
			*l.out = append(*l.out, catalogueKSB(s))
		}
	}
	for _, d := range o.Duties {
		out.Duties = append(out.Duties, catalogueDuty(d))
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// ReadCatalogueFile reads the data dir's imported catalogue; a missing file
// is an empty catalogue.
func ReadCatalogueFile(path string) ([]*Occupation, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseCatalogue(path, f)
}

// WriteCatalogueFile writes a catalogue atomically: a reader sees the old
// file or the new one.
func WriteCatalogueFile(path string, occs []*Occupation) error {
	var b bytes.Buffer
	for _, o := range occs {
		line, err := marshalCatalogueLine(o)
		if err != nil {
			return fmt.Errorf("%s: %w", o.Reference, err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return writeAtomic(path, b.Bytes())
}

// ImportReport says what an import changed in the corpus in use, by
// reference.
type ImportReport struct {
	New, Updated, Retired, Unchanged []string
}

// Import merges incoming records into an imported catalogue (overlay) and
// reports what that changes in the corpus in use (base, overlaid). The
// rules are Merge's: per reference the newer version wins, then the later
// date, then the later import; a record that is retired or has no KSBs never
// replaces one that has them; a page document keeps its KSBs, duties and
// facts.
func Import(base, overlay, incoming []*Occupation) ([]*Occupation, ImportReport) {
	before := NewCorpus(slices.Concat(base, overlay))
	newOverlay := NewCorpus(slices.Concat(overlay, incoming)).Occupations
	after := NewCorpus(slices.Concat(base, newOverlay))
	index := func(c *Corpus) map[string]*Occupation {
		m := make(map[string]*Occupation, len(c.Occupations))
		for _, o := range c.Occupations {
			m[o.Reference] = o
		}
		return m
	}
	was, now := index(before), index(after)
	var r ImportReport
	seen := map[string]bool{}
	for _, in := range incoming {
		ref := in.Reference
		if seen[ref] {
			continue
		}
		seen[ref] = true
		b, a := was[ref], now[ref]
		switch {
		case b == nil:
			r.New = append(r.New, ref)
		case sameRecord(b, a):
			r.Unchanged = append(r.Unchanged, ref)
		case a.Retired() && !b.Retired():
			r.Retired = append(r.Retired, ref)
		default:
			r.Updated = append(r.Updated, ref)
		}
	}
	for _, l := range []*[]string{&r.New, &r.Updated, &r.Retired, &r.Unchanged} {
		slices.Sort(*l)
	}
	return newOverlay, r
}

// sameRecord compares two records by what they say, not where they came
// from or when: a daily update restamps every fact's date (StampFacts) and
// changes nothing else.
func sameRecord(a, b *Occupation) bool {
	x, y := *a, *b
	x.Source, y.Source = "", ""
	x.Provenance, y.Provenance = nil, nil
	ja, errA := marshalCatalogueLine(&x)
	jb, errB := marshalCatalogueLine(&y)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
