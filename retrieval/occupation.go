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
	SalaryMedian int      // pounds a year; 0 when the standard gives none
	SOCCode      string   // SOC 2020 unit group, "2137"
	SOCTitle     string   // "IT network professionals"
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

	// Facts that only the official API format carries.
	TypicalDuration   string // "24 months"
	EntryRequirements string
	MaxFunding        int // pounds
	Qualifications    []string
	AssessmentPlanURL string
	Regulated         string

	// FromPage marks a record read from a page document: such a record keeps
	// its KSBs, duties and facts whatever a catalogue says of its reference.
	FromPage bool
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
// each labelled, so that an answer quoting one is traceable to it.
func (o *Occupation) ProfileText() string {
	var parts []string
	add := func(format string, args ...any) {
		parts = append(parts, fmt.Sprintf(format, args...))
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
	if o.SalaryMedian > 0 {
		add("Average (median) salary: %s per year", FormatSalary(o.SalaryMedian))
	}
	if o.SOCCode != "" {
		add("SOC 2020 code: %s", strings.TrimSpace(o.SOCCode+" "+o.SOCTitle))
	}
	if len(o.JobTitles) > 0 {
		add("Typical job titles: %s", strings.Join(o.JobTitles, ", "))
	}
	if o.OccReference != "" {
		add("Occupation reference: %s", o.OccReference)
	}
	if o.TypicalDuration != "" {
		add("Typical duration: %s", o.TypicalDuration)
	}
	if o.MaxFunding > 0 {
		add("Maximum funding: %s", FormatSalary(o.MaxFunding))
	}
	if o.EntryRequirements != "" {
		add("Entry requirements: %s", o.EntryRequirements)
	}
	if len(o.Qualifications) > 0 {
		add("Qualifications: %s", strings.Join(o.Qualifications, "; "))
	}
	if o.Version != "" {
		add("Version %s", o.Version)
	}
	if o.LastUpdated != "" {
		add("Last updated %s", o.LastUpdated)
	}
	return strings.Join(parts, ". ") + "."
}
