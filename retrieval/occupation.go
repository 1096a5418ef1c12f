// Package retrieval turns occupational standards into passages and ranks
// them for a question.
//
// The domain types are here: an Occupation is one standard as the corpus
// knows it, a Passage is one citable piece of it (a KSB, a duty, an overview
// paragraph or the profile of facts). The parsers read the two corpus formats
// into Occupations, the Index embeds and indexes their passages, and Search
// ranks them. Nothing here knows about answers or platforms.
package retrieval

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
)

// Statement is one knowledge, skill or behaviour line of a standard, with the
// standard's own label (K1, S12, B3).
type Statement struct {
	ID   string
	Text string
}

// Duty is one duty of a standard (D1...) with the KSB labels it is mapped to.
type Duty struct {
	ID   string
	Text string
	KSBs []string
}

// Occupation is one occupational standard. Fields the corpus does not know are
// zero: a catalogue line has no salary, a page has no version.
type Occupation struct {
	Reference    string // the standard's reference, ST0127
	OccReference string // the occupation's reference on its page, OCC0127
	Title        string
	Level        int
	Status       string // "Approved for delivery", "Retired", ...
	Route        string
	Purpose      string   // the broad purpose line, or the catalogue's overview line
	Summary      []string // the summary paragraphs, as plain text
	SOCSubGroups []string // "2137/00 IT network professionals", ...
	JobTitles    []string
	Keywords     []string
	Knowledge    []Statement
	Skills       []Statement
	Behaviours   []Statement
	Duties       []Duty

	Version      string // "1.2"
	NewerVersion string // a later version is known whose KSBs the corpus lacks
	PageURL      string
	LastUpdated  string // YYYY-MM-DD
	Source       string // where the record came from (file, snapshot)
	LarsCode     string

	// The everyday facts: what it pays, how long it takes, how it is funded,
	// what it takes to get in. A record may carry some (a page its salary
	// and SOC code, an official record its duration and funding); the fact
	// tables add the rest (see JoinFacts). Each fact that is set has its
	// source and date in Provenance, under its FactField.

	// SalaryMedian is the median gross pay a year, in pounds, that the
	// answer may quote: the page's own figure, or ONS's for the standard's
	// SOC unit group. 0 when there is none, or none fit to quote.
	SalaryMedian int
	// SalaryGroup is the SOC 2020 unit group the salary is for, as its
	// source names it: "5241 Electricians and electrical fitters".
	SalaryGroup string
	// SalaryQuality is ONS's quality key for the estimate, "precise" to
	// "unreliable", with its coefficient of variation: "precise (CV 3.2%)".
	SalaryQuality string
	// SalaryWithheld says why no salary is quoted although the unit group
	// is known: ONS suppressed the cell, or marks the estimate unreliable.
	SalaryWithheld string

	SOCCode  string // SOC 2020 unit group, "2137"
	SOCTitle string // "IT network professionals"
	// SOCOptions are the unit groups of a standard whose options map to
	// different ones ("5315 Plumbers and heating...", "5225 ..."): then
	// SOCCode is empty, as no one group is the standard's.
	SOCOptions []string

	TypicalDuration   string // "24 months"
	MaxFunding        int    // the maximum funding band, pounds
	Recognition       []string
	Regulated         string // "yes", "no", or "" when not known
	RegulatedBody     string
	IntegratedDegree  string // as the export words it: "integrated degree", "non-integrated degree", "non-degree qualification"
	EntryRequirements string
	EnglishMaths      string // the English and maths requirement
	Qualifications    []string
	AssessmentPlanURL string

	// Provenance says where each fact came from and how old it is.
	Provenance map[FactField]Provenance

	// FromPage marks a record read from a page document: such a record keeps
	// its KSBs, duties and facts whatever a catalogue says of its reference.
	FromPage bool
}

// FactField names one everyday fact of an occupation, for its provenance.
type FactField string

const (
	FieldSalary           FactField = "salary"
	FieldSOC              FactField = "soc"
	FieldDuration         FactField = "duration"
	FieldFunding          FactField = "funding"
	FieldRecognition      FactField = "recognition"
	FieldRegulated        FactField = "regulated"
	FieldRegulatedBody    FactField = "regulated_body"
	FieldIntegratedDegree FactField = "integrated_degree"
	FieldEntry            FactField = "entry_requirements"
	FieldEnglishMaths     FactField = "english_maths"
	FieldQualifications   FactField = "qualifications"
)

// factFields lists the fields in the order the profile states them.
var factFields = []FactField{FieldSalary, FieldSOC, FieldDuration, FieldFunding, FieldRecognition,
	FieldRegulated, FieldRegulatedBody, FieldIntegratedDegree, FieldEntry, FieldEnglishMaths, FieldQualifications}

// Provenance is where one fact came from and how old it is, so that an
// answer can say so: values change between versions and sources.
type Provenance struct {
	// Source says who published the value, in words a learner can follow:
	// "IfATE CSV export", "ONS ASHE 2024 (provisional)".
	Source string
	// AsOf is the date the value describes, YYYY-MM-DD, or a year alone
	// when the source is a yearly survey; "" when the source gives none.
	AsOf string
	// Version is the standard's version the value was published for, when
	// the source says.
	Version string
	// Origin is where the copy was read: a repository, commit and path, or
	// a file.
	Origin string
}

// Has reports whether the occupation has a fact's value (a withheld salary
// counts: the answer says why it is withheld).
func (o *Occupation) Has(f FactField) bool {
	switch f {
	case FieldSalary:
		return o.SalaryMedian > 0 || o.SalaryWithheld != ""
	case FieldSOC:
		return o.SOCCode != "" || len(o.SOCOptions) > 0
	case FieldDuration:
		return o.TypicalDuration != ""
	case FieldFunding:
		return o.MaxFunding > 0
	case FieldRecognition:
		return len(o.Recognition) > 0
	case FieldRegulated:
		return o.Regulated != ""
	case FieldRegulatedBody:
		return o.RegulatedBody != ""
	case FieldIntegratedDegree:
		return o.IntegratedDegree != ""
	case FieldEntry:
		return o.EntryRequirements != ""
	case FieldEnglishMaths:
		return o.EnglishMaths != ""
	case FieldQualifications:
		return len(o.Qualifications) > 0
	}
	return false
}

// Prov is the provenance of a fact; the zero value when it has none.
func (o *Occupation) Prov(f FactField) Provenance { return o.Provenance[f] }

// setProv records a fact's provenance. Copies of a record must clone the
// map first (see clone).
func (o *Occupation) setProv(f FactField, p Provenance) {
	if o.Provenance == nil {
		o.Provenance = map[FactField]Provenance{}
	}
	if p == (Provenance{}) {
		delete(o.Provenance, f)
		return
	}
	o.Provenance[f] = p
}

// clone is a copy of the record that can be changed without changing it:
// the provenance map is its own (the lists are replaced, never edited).
func (o *Occupation) clone() *Occupation {
	c := *o
	c.Provenance = maps.Clone(o.Provenance)
	return &c
}

// Note is the provenance as the profile and answers state it: "IfATE CSV
// export, v1.2, as of 2025-05-25".
func (p Provenance) Note() string {
	parts := []string{}
	if p.Source != "" {
		parts = append(parts, p.Source)
	}
	if p.Version != "" {
		parts = append(parts, "v"+p.Version)
	}
	if p.AsOf != "" && !strings.Contains(p.Source, p.AsOf) {
		parts = append(parts, "as of "+p.AsOf)
	}
	return strings.Join(parts, ", ")
}

// Retired reports whether the standard is withdrawn from delivery.
func (o *Occupation) Retired() bool {
	return strings.Contains(strings.ToLower(o.Status), "retired") ||
		strings.Contains(strings.ToLower(o.Status), "withdrawn")
}

// HasKSBs reports whether the record carries any knowledge, skill or behaviour.
func (o *Occupation) HasKSBs() bool {
	return len(o.Knowledge)+len(o.Skills)+len(o.Behaviours) > 0
}

// Overview returns the descriptive paragraphs in citation order: the purpose
// line first, then each summary paragraph. overview-N is the Nth of these.
func (o *Occupation) Overview() []string {
	out := make([]string, 0, 1+len(o.Summary))
	if o.Purpose != "" {
		out = append(out, o.Purpose)
	}
	for _, p := range o.Summary {
		if p != o.Purpose {
			out = append(out, p)
		}
	}
	return out
}

// Statements returns the K, S or B list of the given kind.
func (o *Occupation) Statements(k Kind) []Statement {
	switch k {
	case KindKnowledge:
		return o.Knowledge
	case KindSkill:
		return o.Skills
	case KindBehaviour:
		return o.Behaviours
	}
	return nil
}

// FormatSalary writes pounds the way the standards do: £43,692.
func FormatSalary(pounds int) string {
	s := strconv.Itoa(pounds)
	var b strings.Builder
	b.WriteString("£")
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ProfileText is the profile passage: the occupation's facts on one line,
// each labelled and each everyday fact with its source and date in
// brackets, so that an answer quoting one is traceable to it.
func (o *Occupation) ProfileText() string {
	var parts []string
	add := func(format string, args ...any) {
		parts = append(parts, fmt.Sprintf(format, args...))
	}
	// fact adds a labelled fact with its provenance.
	fact := func(f FactField, label, value string) {
		value = strings.TrimRight(strings.TrimSpace(value), ".")
		if note := o.Prov(f).Note(); note != "" {
			value += " (" + note + ")"
		}
		add("%s: %s", label, value)
	}
	add("%s (%s)", o.Title, o.Reference)
	if o.Level > 0 {
		add("Level %d", o.Level)
	}
	if o.Route != "" {
		add("Route: %s", o.Route)
	}
	if o.Status != "" {
		add("Status: %s", o.Status)
	}
	switch {
	case o.SalaryMedian > 0 && o.SalaryQuality == "" && o.SalaryGroup == "":
		fact(FieldSalary, "Average (median) salary", FormatSalary(o.SalaryMedian)+" per year")
	case o.SalaryMedian > 0:
		// One sentence, the figure first: a topic answer quotes the
		// profile by its best sentence.
		v := fmt.Sprintf("%s a year, the UK median for all employees in SOC 2020 unit group %s", FormatSalary(o.SalaryMedian), o.SalaryGroup)
		if o.SalaryQuality != "" {
			v += ", " + o.SalaryQuality
		}
		fact(FieldSalary, "Pay", v+", experienced workers' pay, not apprentice pay")
	case o.SalaryWithheld != "":
		fact(FieldSalary, "Pay", fmt.Sprintf("no UK median for SOC 2020 unit group %s: %s", o.SalaryGroup, o.SalaryWithheld))
	}
	switch {
	case o.SOCCode != "":
		fact(FieldSOC, "SOC 2020 code", strings.TrimSpace(o.SOCCode+" "+o.SOCTitle))
	case len(o.SOCOptions) > 0:
		fact(FieldSOC, "SOC 2020 code", "its options map to different unit groups: "+strings.Join(o.SOCOptions, "; "))
	}
	if len(o.JobTitles) > 0 {
		add("Typical job titles: %s", strings.Join(o.JobTitles, ", "))
	}
	if o.OccReference != "" {
		add("Occupation reference: %s", o.OccReference)
	}
	if o.TypicalDuration != "" {
		fact(FieldDuration, "Typical duration", o.TypicalDuration)
	}
	if o.MaxFunding > 0 {
		fact(FieldFunding, "Maximum funding band", FormatSalary(o.MaxFunding))
	}
	if len(o.Recognition) > 0 {
		fact(FieldRecognition, "Professional recognition", strings.Join(o.Recognition, "; "))
	}
	switch o.Regulated {
	case "yes":
		fact(FieldRegulated, "Regulation", "a regulated standard")
	case "no":
		fact(FieldRegulated, "Regulation", "not a regulated standard")
	}
	if o.RegulatedBody != "" {
		fact(FieldRegulatedBody, "Regulator", o.RegulatedBody)
	}
	if o.IntegratedDegree != "" {
		fact(FieldIntegratedDegree, "Degree", o.IntegratedDegree)
	}
	if o.EntryRequirements != "" {
		fact(FieldEntry, "Entry requirements", o.EntryRequirements)
	}
	if o.EnglishMaths != "" {
		fact(FieldEnglishMaths, "English and maths", o.EnglishMaths)
	}
	if len(o.Qualifications) > 0 {
		fact(FieldQualifications, "Qualifications", strings.Join(o.Qualifications, "; "))
	}
	if o.Version != "" {
		add("Version %s", o.Version)
	}
	if o.LastUpdated != "" {
		add("Last updated %s", o.LastUpdated)
	}
	return strings.Join(parts, ". ") + "."
}
