package retrieval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// catalogueLine is one line of the catalogue format (standards.jsonl). Types
// vary as the sources did, so loose fields are decoded as raw JSON.
type catalogueLine struct {
	Reference        string          `json:"reference"`
	Title            string          `json:"title"`
	Level            json.RawMessage `json:"level"`
	Version          *string         `json:"version"`
	Status           string          `json:"status"`
	Route            string          `json:"route"`
	LarsCode         json.RawMessage `json:"lars_code"`
	Overview         *string         `json:"overview"`
	Summary          *string         `json:"summary"`
	TypicalJobTitles []string        `json:"typical_job_titles"`
	Keywords         []string        `json:"keywords"`
	Knowledge        []catalogueKSB  `json:"knowledge"`
	Skills           []catalogueKSB  `json:"skills"`
	Behaviours       []catalogueKSB  `json:"behaviours"`
	Duties           []catalogueDuty `json:"duties"`
	Salary           json.RawMessage `json:"salary"`
	SOC              json.RawMessage `json:"soc"`
	PageURL          *string         `json:"page_url"`
	LastUpdated      *string         `json:"last_updated"`
	Source           string          `json:"source"`
	SourceSnapshot   string          `json:"source_snapshot"`
	CSV2025          *struct {
		Version     string `json:"version"`
		Status      string `json:"status"`
		Link        string `json:"link"`
		LastUpdated string `json:"last_updated"`
	} `json:"csv_2025"`
	NewerVersion json.RawMessage `json:"newer_version_exists"`

	// Facts carried by records imported from the official API format, and
	// where each came from.
	SalaryGroup       string                         `json:"salary_group"`
	SalaryQuality     string                         `json:"salary_quality"`
	SalaryWithheld    string                         `json:"salary_withheld"`
	SOCOptions        []string                       `json:"soc_options"`
	TypicalDuration   string                         `json:"typical_duration"`
	EntryRequirements string                         `json:"entry_requirements"`
	EnglishMaths      string                         `json:"english_maths"`
	MaxFunding        int                            `json:"max_funding"`
	Qualifications    []string                       `json:"qualifications"`
	AssessmentPlanURL string                         `json:"assessment_plan_url"`
	Regulated         json.RawMessage                `json:"regulated"`
	RegulatedBody     string                         `json:"regulated_body"`
	Recognition       []string                       `json:"professional_recognition"`
	IntegratedDegree  string                         `json:"integrated_degree"`
	Provenance        map[string]catalogueProvenance `json:"provenance"`
}

// catalogueProvenance is a fact's provenance in the catalogue format.
type catalogueProvenance struct {
	Source  string `json:"source"`
	AsOf    string `json:"as_of,omitempty"`
	Version string `json:"version,omitempty"`
	Origin  string `json:"origin,omitempty"`
}

type catalogueKSB struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

type catalogueDuty struct {
	ID   string   `json:"id"`
	Text string   `json:"text"`
	KSBs []string `json:"ksbs"`
}

var reLabel = regexp.MustCompile(`^([KSBD])0*(\d+)$`)

// parseCatalogue reads the catalogue format: one standard a line, as JSON.
// name is used in errors, which give the line.
func parseCatalogue(name string, r io.Reader) ([]*Occupation, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var out []*Occupation
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			o, perr := parseCatalogueLine(name, lineNo, line)
			if perr != nil {
				return nil, perr
			}
			out = append(out, o)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &ParseError{name, lineNo, fmt.Sprintf("cannot read: %v", err)}
		}
	}
	return out, nil
}

func parseCatalogueLine(name string, lineNo int, line []byte) (*Occupation, error) {
	var c catalogueLine
	if err := json.Unmarshal(line, &c); err != nil {
		return nil, &ParseError{name, lineNo, fmt.Sprintf("not a JSON object of the catalogue format: %v", err)}
	}
	c.Reference, c.Title = strings.TrimSpace(c.Reference), strings.TrimSpace(c.Title)
	if c.Reference == "" {
		return nil, &ParseError{name, lineNo, `no "reference" (such as "ST0127")`}
	}
	if c.Title == "" {
		return nil, &ParseError{name, lineNo, fmt.Sprintf("%s has no \"title\"", c.Reference)}
	}
	o := &Occupation{
		Reference:         strings.ToUpper(strings.TrimSpace(c.Reference)),
		Title:             cleanSpace(c.Title),
		Status:            c.Status,
		Route:             c.Route,
		JobTitles:         cleanList(c.TypicalJobTitles),
		Keywords:          cleanList(c.Keywords),
		Source:            c.SourceSnapshot,
		LarsCode:          looseString(c.LarsCode),
		SalaryGroup:       c.SalaryGroup,
		SalaryQuality:     c.SalaryQuality,
		SalaryWithheld:    c.SalaryWithheld,
		SOCOptions:        cleanList(c.SOCOptions),
		TypicalDuration:   c.TypicalDuration,
		EntryRequirements: c.EntryRequirements,
		EnglishMaths:      c.EnglishMaths,
		MaxFunding:        c.MaxFunding,
		Qualifications:    c.Qualifications,
		AssessmentPlanURL: c.AssessmentPlanURL,
		RegulatedBody:     c.RegulatedBody,
		Recognition:       cleanList(c.Recognition),
		IntegratedDegree:  c.IntegratedDegree,
	}
	o.Regulated, o.RegulatedBody = regulated(looseString(c.Regulated), o.RegulatedBody)
	for key, p := range c.Provenance {
		f := FactField(key)
		if !slices.Contains(factFields, f) {
			return nil, &ParseError{name, lineNo, fmt.Sprintf("%s: provenance names %q, which is not a fact (one of %s)", o.Reference, key, factFieldList())}
		}
		o.setProv(f, Provenance(p))
	}
	if o.Source == "" {
		o.Source = name
	}
	if lv := looseString(c.Level); lv != "" {
		n, err := strconv.Atoi(lv)
		if err != nil {
			return nil, &ParseError{name, lineNo, fmt.Sprintf("%s: level %q is not a number from 2 to 7", o.Reference, lv)}
		}
		o.Level = n
	}
	if c.Overview != nil {
		o.Purpose = cleanSpace(*c.Overview)
	}
	if c.Summary != nil {
		o.Summary = htmlParagraphs(*c.Summary)
	}
	if n, err := strconv.Atoi(looseString(c.Salary)); err == nil && n > 0 {
		o.SalaryMedian = n
	}
	if soc := looseString(c.SOC); len(soc) >= 4 {
		o.SOCCode = soc[:4]
		o.SOCTitle = strings.TrimSpace(soc[4:])
	}
	var err error
	if o.Knowledge, err = catalogueStatements(name, lineNo, o.Reference, "K", c.Knowledge); err != nil {
		return nil, err
	}
	if o.Skills, err = catalogueStatements(name, lineNo, o.Reference, "S", c.Skills); err != nil {
		return nil, err
	}
	if o.Behaviours, err = catalogueStatements(name, lineNo, o.Reference, "B", c.Behaviours); err != nil {
		return nil, err
	}
	for i, d := range c.Duties {
		id := normaliseLabel(d.ID)
		if id == "" {
			id = "D" + strconv.Itoa(i+1)
		}
		text := cleanSpace(d.Text)
		if text == "" {
			continue
		}
		ksbs := make([]string, 0, len(d.KSBs))
		for _, k := range d.KSBs {
			if l := normaliseLabel(k); l != "" {
				ksbs = append(ksbs, l)
			}
		}
		o.Duties = append(o.Duties, Duty{ID: id, Text: text, KSBs: ksbs})
	}

	// Version, date and page link: the line's own, else the 2025 export's.
	if c.Version != nil {
		o.Version = *c.Version
	}
	if c.PageURL != nil {
		o.PageURL = *c.PageURL
	}
	if c.LastUpdated != nil {
		o.LastUpdated = parseDate(*c.LastUpdated)
	}
	if c.CSV2025 != nil {
		sameVersion := o.Version == "" || o.Version == c.CSV2025.Version
		if o.Version == "" {
			o.Version = c.CSV2025.Version
		}
		if o.PageURL == "" && sameVersion {
			o.PageURL = c.CSV2025.Link
		}
		if o.LastUpdated == "" && sameVersion {
			o.LastUpdated = parseDate(c.CSV2025.LastUpdated)
		}
	}
	if nv := looseString(c.NewerVersion); nv != "" && nv != "false" && nv != o.Version {
		o.NewerVersion = nv
	}
	return o, nil
}

func catalogueStatements(name string, lineNo int, ref, letter string, in []catalogueKSB) ([]Statement, error) {
	out := make([]Statement, 0, len(in))
	seen := map[string]bool{}
	for i, k := range in {
		text := cleanSpace(k.Text)
		if text == "" {
			continue
		}
		id := normaliseLabel(k.ID)
		if id == "" {
			id = letter + strconv.Itoa(i+1)
		}
		if id[:1] != letter {
			return nil, &ParseError{name, lineNo, fmt.Sprintf("%s: %q is listed under the %s list", ref, k.ID, letter)}
		}
		if seen[id] {
			return nil, &ParseError{name, lineNo, fmt.Sprintf("%s: %s appears twice", ref, id)}
		}
		seen[id] = true
		out = append(out, Statement{ID: id, Text: text})
	}
	return out, nil
}

// regulated reads the catalogue's regulated field: "yes" or "no" (or true
// and false), or, as catalogues written before regulation had a body of its
// own, "Regulated BODY".
func regulated(v, body string) (string, string) {
	switch low := strings.ToLower(strings.TrimSpace(v)); {
	case low == "":
		return "", body
	case low == "yes" || low == "true":
		return "yes", body
	case low == "no" || low == "false":
		return "no", body
	case strings.HasPrefix(low, "regulated"):
		if body == "" {
			body = strings.TrimSpace(v[len("regulated"):])
		}
		return "yes", body
	}
	return "", body
}

func factFieldList() string {
	names := make([]string, len(factFields))
	for i, f := range factFields {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// normaliseLabel turns the labels the sources use (K1, K001, k1) into the
// standard's own form, K1; anything else is "".
func normaliseLabel(s string) string {
	m := reLabel.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return ""
	}
	return m[1] + m[2]
}

// NormaliseLabel writes a passage label as the index does: a source's K001
// or k1 is K1; any other label ("overview-2", "profile") is as given.
func NormaliseLabel(s string) string {
	if l := normaliseLabel(s); l != "" {
		return l
	}
	return s
}

// parseDate reads the dates the sources give ("2022-06-01T00:00:00 +00:00",
// "01-08-2025" day first, "2025-03-18") as YYYY-MM-DD; unknown ("01-01-0001")
// and unreadable dates are "".
func parseDate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	for _, layout := range []string{"2006-01-02T15:04:05 -07:00", time.RFC3339, "2006-01-02T15:04:05", "2006-01-02", "02-01-2006", "02/01/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 {
				return ""
			}
			return t.Format("2006-01-02")
		}
	}
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil && t.Year() >= 1900 {
			return t.Format("2006-01-02")
		}
	}
	return ""
}

// looseString reads a JSON value that the sources give as a number, a string
// or null.
func looseString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b)
	}
	return strings.TrimSpace(string(raw))
}

func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, s := range in {
		s = cleanSpace(s)
		if s == "" || seen[strings.ToLower(s)] {
			continue
		}
		seen[strings.ToLower(s)] = true
		out = append(out, s)
	}
	return out
}
