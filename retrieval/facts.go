package retrieval

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// The fact tables are public data joined to the standards after the seed
// documents are merged: facts.jsonl (duration, funding, recognition,
// regulation, degree and the 2023 entry texts, by reference), soc.jsonl
// (each standard's SOC 2020 unit group from Skills England's occupational
// maps) and an ONS ASHE table of median pay by unit group. Their formats
// are those of seeds/FACTS.md. Every value keeps its source and date.

// Names of the fact tables, as seed folders and the data dir hold them
// (each may be gzip-compressed, name.gz).
const (
	FactsTableFile = "facts.jsonl"
	SOCTableFile   = "soc.jsonl"
	payTablePrefix = "ashe-"
	payTableSuffix = ".csv"
)

// tableKind tells a fact table by its file name: "facts", "soc", "pay", or
// "" for a file that is none.
func tableKind(name string) string {
	base := strings.TrimSuffix(name, ".gz")
	switch {
	case base == FactsTableFile:
		return "facts"
	case base == SOCTableFile:
		return "soc"
	case strings.HasPrefix(base, payTablePrefix) && strings.HasSuffix(base, payTableSuffix):
		return "pay"
	}
	return ""
}

// FactTables are the tables a corpus joins: facts and SOC unit groups by
// reference, pay by unit group.
type FactTables struct {
	// Facts holds, per reference, a record with only the facts set.
	Facts map[string]*Occupation
	// SOC holds, per reference, the mapping line.
	SOC map[string]*SOCLine
	// Pay is the ASHE table in use; nil when there is none.
	Pay *PayTable
}

// decompress returns a table's bytes, gunzipped when its name ends .gz.
func decompress(name string, b []byte) ([]byte, error) {
	if !strings.HasSuffix(name, ".gz") {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: not gzip data: %w", name, err)
	}
	defer zr.Close()
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: damaged gzip data: %w", name, err)
	}
	return out, nil
}

// eachLine calls fn with each non-blank line of data and its number.
func eachLine(data []byte, fn func(lineNo int, line []byte) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	return sc.Err()
}

// factsLine is one line of facts.jsonl.
type factsLine struct {
	Reference        string          `json:"reference"`
	DurationMonths   json.RawMessage `json:"typical_duration_months"`
	MaxFunding       json.RawMessage `json:"max_funding_gbp"`
	Recognition      []string        `json:"professional_recognition"`
	Regulated        *bool           `json:"regulated"`
	RegulatedBody    *string         `json:"regulated_body"`
	IntegratedDegree *string         `json:"integrated_degree"`
	Entry            *string         `json:"entry_requirements"`
	EnglishMaths     *string         `json:"english_maths"`
	Qualifications   []struct {
		Title string          `json:"title"`
		Level json.RawMessage `json:"level"`
	} `json:"qualifications"`
	Provenance map[string]factsProvenance `json:"provenance"`
}

type factsProvenance struct {
	Source   string `json:"source"`
	Snapshot string `json:"snapshot"`
	AsOf     string `json:"as_of"`
	Version  string `json:"version"`
	File     string `json:"file"`
}

// factsColumns maps facts.jsonl's provenance keys to fact fields.
var factsColumns = map[string]FactField{
	"typical_duration_months": FieldDuration, "max_funding_gbp": FieldFunding,
	"professional_recognition": FieldRecognition, "regulated": FieldRegulated,
	"regulated_body": FieldRegulatedBody, "integrated_degree": FieldIntegratedDegree,
	"entry_requirements": FieldEntry, "english_maths": FieldEnglishMaths, "qualifications": FieldQualifications,
}

// sourceNames put names a learner can follow on the sources the tables
// copy, by a part of their locator; any other source is named by its
// snapshot's description (up to its first comma or bracket).
var sourceNames = []struct{ locator, name string }{
	{"ACGroup21/Levy-Calculator", "Skills England apprenticeships export"},
	{"DooDaaDennis/scraper-apprenticeships", "IfATE CSV export"},
	{"SkillsFundingAgency/das-commitments-statement-prototype", "IfATE API"},
	{"lozknowles/course-matcher", "Skills England's occupational maps"},
}

func sourceName(locator, snapshot string) string {
	for _, s := range sourceNames {
		if strings.Contains(locator, s.locator) {
			return s.name
		}
	}
	if s, _, _ := strings.Cut(snapshot, ","); s != "" {
		s, _, _ = strings.Cut(s, "(")
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return locator
}

// parseFactsTable reads facts.jsonl: per reference, a record holding only
// its facts, each with its provenance. name is used in errors.
func parseFactsTable(name string, data []byte) (map[string]*Occupation, error) {
	out := map[string]*Occupation{}
	err := eachLine(data, func(n int, line []byte) error {
		var l factsLine
		if err := json.Unmarshal(line, &l); err != nil {
			return &ParseError{name, n, fmt.Sprintf("not a JSON object of the facts format: %v", err)}
		}
		ref := strings.ToUpper(strings.TrimSpace(l.Reference))
		if ref == "" {
			return &ParseError{name, n, `no "reference" (such as "ST0127")`}
		}
		o := &Occupation{Reference: ref}
		if m, err := looseInt(l.DurationMonths); err != nil {
			return &ParseError{name, n, fmt.Sprintf("%s: typical_duration_months %s is not a whole number of months", ref, l.DurationMonths)}
		} else if m > 0 {
			o.TypicalDuration = plural(m, "month", "months")
		}
		if f, err := looseInt(l.MaxFunding); err != nil {
			return &ParseError{name, n, fmt.Sprintf("%s: max_funding_gbp %s is not a whole number of pounds", ref, l.MaxFunding)}
		} else if f > 0 {
			o.MaxFunding = f
		}
		o.Recognition = cleanList(l.Recognition)
		if l.Regulated != nil {
			o.Regulated = yesNo(*l.Regulated)
		}
		o.RegulatedBody = cleanPtr(l.RegulatedBody)
		o.IntegratedDegree = cleanPtr(l.IntegratedDegree)
		o.EntryRequirements = cleanPtr(l.Entry)
		o.EnglishMaths = cleanPtr(l.EnglishMaths)
		for _, q := range l.Qualifications {
			if t := qualification(q.Title, looseString(q.Level)); t != "" {
				o.Qualifications = append(o.Qualifications, t)
			}
		}
		for key, p := range l.Provenance {
			f, ok := factsColumns[key]
			if !ok || !o.Has(f) {
				continue // a dropped value's note, or a fact not kept
			}
			origin := p.Source
			if p.File != "" {
				origin += " " + p.File
			}
			o.setProv(f, Provenance{Source: sourceName(p.Source, p.Snapshot), AsOf: parseDate(p.AsOf),
				Version: strings.TrimSpace(p.Version), Origin: origin})
		}
		out[ref] = o
		return nil
	})
	if err != nil {
		return nil, wrapRead(name, err)
	}
	return out, nil
}

// SOCLine is one line of soc.jsonl: a standard's SOC 2020 unit group from
// Skills England's occupational maps.
type SOCLine struct {
	Reference     string `json:"reference"`
	SOC           string `json:"soc2020"`
	Title         string `json:"soc2020_title"`
	OptionsDiffer bool   `json:"soc2020_options_differ"`
	Candidates    []struct {
		SOC   string `json:"soc2020"`
		Title string `json:"soc2020_title"`
	} `json:"soc2020_candidates"`
	Source struct {
		Repo        string `json:"repo"`
		Commit      string `json:"commit"`
		Path        string `json:"path"`
		RetrievedAt string `json:"retrievedAt"`
	} `json:"source"`
	// Raw is the line as read, so that the data dir keeps the format.
	Raw []byte `json:"-"`
}

// AsOf is the date the mapping was retrieved, YYYY-MM-DD.
func (l *SOCLine) AsOf() string { return parseDate(l.Source.RetrievedAt) }

func (l *SOCLine) provenance() Provenance {
	origin := l.Source.Repo
	if l.Source.Commit != "" {
		origin += "@" + l.Source.Commit
	}
	if l.Source.Path != "" {
		origin += ":" + l.Source.Path
	}
	return Provenance{Source: sourceName(l.Source.Repo, "Skills England's occupational maps"), AsOf: l.AsOf(), Origin: origin}
}

// options are the distinct unit groups of a standard whose options differ.
func (l *SOCLine) options() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range l.Candidates {
		if c.SOC == "" || seen[c.SOC] {
			continue
		}
		seen[c.SOC] = true
		out = append(out, strings.TrimSpace(c.SOC+" "+cleanSpace(c.Title)))
	}
	return out
}

// SameGroups reports whether two lines map a standard to the same unit
// group, or the same options.
func (l *SOCLine) SameGroups(m *SOCLine) bool {
	codes := func(x *SOCLine) []string {
		var out []string
		for _, o := range x.options() {
			code, _, _ := strings.Cut(o, " ")
			out = append(out, code)
		}
		return out
	}
	return l.SOC == m.SOC && slices.Equal(codes(l), codes(m))
}

// ParseSOCTable reads soc.jsonl, by reference. name is used in errors.
func ParseSOCTable(name string, data []byte) (map[string]*SOCLine, error) {
	out := map[string]*SOCLine{}
	err := eachLine(data, func(n int, line []byte) error {
		var l SOCLine
		if err := json.Unmarshal(line, &l); err != nil {
			return &ParseError{name, n, fmt.Sprintf("not a JSON object of the SOC mapping format: %v", err)}
		}
		l.Reference = strings.ToUpper(strings.TrimSpace(l.Reference))
		if l.Reference == "" {
			return &ParseError{name, n, `no "reference" (such as "ST0127")`}
		}
		l.SOC, l.Title = strings.TrimSpace(l.SOC), cleanSpace(l.Title)
		if l.SOC != "" && !isSOCCode(l.SOC) {
			return &ParseError{name, n, fmt.Sprintf("%s: soc2020 %q is not a four-digit SOC 2020 unit group such as \"5241\"", l.Reference, l.SOC)}
		}
		for _, c := range l.Candidates {
			if c.SOC != "" && !isSOCCode(strings.TrimSpace(c.SOC)) {
				return &ParseError{name, n, fmt.Sprintf("%s: candidate soc2020 %q is not a four-digit unit group", l.Reference, c.SOC)}
			}
		}
		if l.Source.RetrievedAt != "" && l.AsOf() == "" {
			return &ParseError{name, n, fmt.Sprintf("%s: source.retrievedAt %q is not a date", l.Reference, l.Source.RetrievedAt)}
		}
		l.Raw = bytes.Clone(line)
		if prev, ok := out[l.Reference]; !ok || l.AsOf() >= prev.AsOf() {
			out[l.Reference] = &l
		}
		return nil
	})
	if err != nil {
		return nil, wrapRead(name, err)
	}
	return out, nil
}

func isSOCCode(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// MergeSOC lays newer mapping lines over older ones: per reference the
// later retrieval date wins, and on the same date the newer table (b).
func MergeSOC(a, b map[string]*SOCLine) map[string]*SOCLine {
	out := make(map[string]*SOCLine, len(a)+len(b))
	for ref, l := range a {
		out[ref] = l
	}
	for ref, l := range b {
		if prev, ok := out[ref]; !ok || l.AsOf() >= prev.AsOf() {
			out[ref] = l
		}
	}
	return out
}

// JoinFacts returns the corpus with the tables' facts joined to its
// occupations. A fact the record has keeps its value when the record is a
// page (its own figures win) or when its date is as new as the table's;
// otherwise the table's newer value replaces it, with its provenance. Pay
// is joined through the SOC unit group, unless the page gives its own.
func JoinFacts(c *Corpus, t *FactTables) *Corpus {
	if t == nil {
		return c
	}
	out := &Corpus{Occupations: make([]*Occupation, len(c.Occupations))}
	for i, o := range c.Occupations {
		o = o.clone()
		if f := t.Facts[o.Reference]; f != nil {
			for _, field := range factFields {
				if f.Has(field) && tableWins(o, f, field) {
					copyFact(o, f, field)
				}
			}
		}
		if l := t.SOC[o.Reference]; l != nil {
			joinSOC(o, l)
		}
		if t.Pay != nil {
			t.Pay.join(o)
		}
		out.Occupations[i] = o
	}
	return out
}

// tableWins reports whether a table's value of a fact replaces the
// record's.
func tableWins(o, table *Occupation, f FactField) bool {
	if !o.Has(f) {
		return true
	}
	mine := o.Prov(f)
	if mine.Source == PageSource {
		return false
	}
	return table.Prov(f).AsOf > mine.AsOf
}

func joinSOC(o *Occupation, l *SOCLine) {
	p := l.provenance()
	if o.Has(FieldSOC) && (o.Prov(FieldSOC).Source == PageSource || o.Prov(FieldSOC).AsOf >= p.AsOf) {
		return
	}
	opts := l.options()
	switch {
	case l.SOC != "":
		o.SOCCode, o.SOCTitle, o.SOCOptions = l.SOC, l.Title, nil
	case len(opts) > 1:
		o.SOCCode, o.SOCTitle, o.SOCOptions = "", "", opts
	case len(opts) == 1:
		// Options that differ only in how they word one unit group.
		code, title, _ := strings.Cut(opts[0], " ")
		o.SOCCode, o.SOCTitle, o.SOCOptions = code, title, nil
	default:
		return // linked to occupations without a unit group
	}
	o.setProv(FieldSOC, p)
}

// copyFact copies one fact and its provenance from src into dst.
func copyFact(dst, src *Occupation, f FactField) {
	switch f {
	case FieldSalary:
		dst.SalaryMedian, dst.SalaryGroup, dst.SalaryQuality, dst.SalaryWithheld = src.SalaryMedian, src.SalaryGroup, src.SalaryQuality, src.SalaryWithheld
	case FieldSOC:
		dst.SOCCode, dst.SOCTitle, dst.SOCOptions = src.SOCCode, src.SOCTitle, src.SOCOptions
	case FieldDuration:
		dst.TypicalDuration = src.TypicalDuration
	case FieldFunding:
		dst.MaxFunding = src.MaxFunding
	case FieldRecognition:
		dst.Recognition = src.Recognition
	case FieldRegulated:
		dst.Regulated = src.Regulated
	case FieldRegulatedBody:
		dst.RegulatedBody = src.RegulatedBody
	case FieldIntegratedDegree:
		dst.IntegratedDegree = src.IntegratedDegree
	case FieldEntry:
		dst.EntryRequirements = src.EntryRequirements
	case FieldEnglishMaths:
		dst.EnglishMaths = src.EnglishMaths
	case FieldQualifications:
		dst.Qualifications = src.Qualifications
	}
	dst.setProv(f, src.Prov(f))
}

// FactCounts says for how many standards each fact is known.
type FactCounts struct {
	Standards int
	// Salary counts standards with a median to quote; SalaryWithheld
	// those whose unit group's median ONS suppressed or marks unreliable.
	Salary, SalaryWithheld int
	// SOC counts standards with one unit group; SOCOptions those whose
	// options map to several.
	SOC, SOCOptions                                                 int
	Duration, Funding, Recognition, Regulated, RegulatedBody        int
	IntegratedDegree, Entry, EnglishMaths, Qualifications, EntryAny int
	// PaySource is the source of most quoted salaries; EntryYear the year
	// most entry texts are as of.
	PaySource, EntryYear string
}

// CountFacts counts the standards that have each fact.
func CountFacts(occs []*Occupation) FactCounts {
	c := FactCounts{Standards: len(occs)}
	sources, years := map[string]int{}, map[string]int{}
	for _, o := range occs {
		count := func(n *int, ok bool) {
			if ok {
				*n++
			}
		}
		count(&c.Salary, o.SalaryMedian > 0)
		count(&c.SalaryWithheld, o.SalaryMedian == 0 && o.SalaryWithheld != "")
		count(&c.SOC, o.SOCCode != "")
		count(&c.SOCOptions, o.SOCCode == "" && len(o.SOCOptions) > 0)
		count(&c.Duration, o.Has(FieldDuration))
		count(&c.Funding, o.Has(FieldFunding))
		count(&c.Recognition, o.Has(FieldRecognition))
		count(&c.Regulated, o.Has(FieldRegulated))
		count(&c.RegulatedBody, o.Has(FieldRegulatedBody))
		count(&c.IntegratedDegree, o.Has(FieldIntegratedDegree))
		count(&c.Entry, o.Has(FieldEntry))
		count(&c.EnglishMaths, o.Has(FieldEnglishMaths))
		count(&c.Qualifications, o.Has(FieldQualifications))
		count(&c.EntryAny, o.Has(FieldEntry) || o.Has(FieldEnglishMaths) || o.Has(FieldQualifications))
		if o.SalaryMedian > 0 {
			sources[o.Prov(FieldSalary).Source]++
		}
		for _, f := range []FactField{FieldEntry, FieldEnglishMaths, FieldQualifications} {
			if y, _, _ := strings.Cut(o.Prov(f).AsOf, "-"); o.Has(f) && y != "" {
				years[y]++
			}
		}
	}
	c.PaySource, c.EntryYear = mostCommon(sources), mostCommon(years)
	return c
}

// mostCommon is the key with the highest count, the least on a tie.
func mostCommon(m map[string]int) string {
	best := ""
	for k, n := range m {
		if n > m[best] || (n == m[best] && k < best) {
			best = k
		}
	}
	return best
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func cleanPtr(s *string) string {
	if s == nil {
		return ""
	}
	return cleanSpace(htmlText(*s))
}

// qualification is a qualification's title with its level: "Diploma in
// Aerospace Engineering (Level 2)".
func qualification(title, level string) string {
	t := cleanSpace(strings.TrimLeft(title, "•·- \u00a0"))
	t = strings.TrimRight(t, ".")
	if t == "" {
		return ""
	}
	if level != "" && !strings.Contains(strings.ToLower(t), "level") {
		t += " (Level " + level + ")"
	}
	return t
}

// looseInt reads a whole number given as a number, a string or null (0).
func looseInt(raw json.RawMessage) (int, error) {
	s := looseString(raw)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int(f)) {
			return 0, err
		}
		n = int(f)
	}
	return n, nil
}

// wrapRead names the file in a read error that is not a ParseError.
func wrapRead(name string, err error) error {
	if pe := (*ParseError)(nil); errors.As(err, &pe) {
		return err
	}
	return fmt.Errorf("read %s: %w", name, err)
}
