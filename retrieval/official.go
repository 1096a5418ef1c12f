package retrieval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// officialStandard is one standard in the official API format (IfATE, now
// Skills England: GET /api/apprenticeshipstandards/{larsCode}, or a list of
// them from /api/apprenticeshipstandards). KSBs are ordered lists linked by
// GUIDs: K1, S1, B1, D1 are their positions, as the published pages number
// them.
type officialStandard struct {
	ReferenceNumber       string          `json:"referenceNumber"`
	Title                 string          `json:"title"`
	Status                string          `json:"status"`
	Version               string          `json:"version"`
	VersionNumber         string          `json:"versionNumber"`
	LarsCode              json.RawMessage `json:"larsCode"`
	Level                 json.RawMessage `json:"level"`
	Route                 string          `json:"route"`
	OverviewOfRole        string          `json:"overviewOfRole"`
	OccupationalSummary   string          `json:"occupationalSummary"`
	TypicalDuration       json.RawMessage `json:"typicalDuration"`
	MaxFunding            json.RawMessage `json:"maxFunding"`
	Keywords              []string        `json:"keywords"`
	JobRoles              []string        `json:"jobRoles"`
	TypicalJobTitles      []string        `json:"typicalJobTitles"`
	EntryRequirements     string          `json:"entryRequirements"`
	EnglishAndMaths       string          `json:"englishAndMathsQualifications"`
	AssessmentPlanURL     string          `json:"assessmentPlanUrl"`
	StandardPageURL       string          `json:"standardPageUrl"`
	LastUpdated           string          `json:"lastUpdated"`
	ApprovedForDelivery   string          `json:"approvedForDelivery"`
	Regulated             json.RawMessage `json:"regulated"`
	RegulatedBody         string          `json:"regulatedBody"`
	Qualifications        []officialQual  `json:"qualifications"`
	Knowledges            []officialKSB   `json:"knowledges"`
	Skills                []officialKSB   `json:"skills"`
	Behaviours            []officialKSB   `json:"behaviours"`
	Duties                []officialDuty  `json:"duties"`
	OccupationalStdURL    string          `json:"occupationalStandardUrl"`
	EarliestStartDate     *string         `json:"earliestStartDate"`
	LatestStartDate       *string         `json:"latestStartDate"`
	IntegratedApprentices json.RawMessage `json:"integratedApprenticeship"`
}

type officialKSB struct {
	KnowledgeID string `json:"knowledgeId"`
	SkillID     string `json:"skillId"`
	BehaviourID string `json:"behaviourId"`
	Detail      string `json:"detail"`
}

func (k officialKSB) id() string { return k.KnowledgeID + k.SkillID + k.BehaviourID }

type officialDuty struct {
	DutyID          string   `json:"dutyID"`
	DutyDetail      string   `json:"dutyDetail"`
	MappedKnowledge []string `json:"mappedKnowledge"`
	MappedSkills    []string `json:"mappedSkills"`
	MappedBehaviour []string `json:"mappedBehaviour"`
}

type officialQual struct {
	Title string `json:"title"`
	Level string `json:"level"`
}

// ParseOfficial reads the official API format: one standard object, or a
// list of them. name is used in errors.
func ParseOfficial(name string, data []byte) ([]*Occupation, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: empty: expected a standard object or a list of them (the official API format)", name)
	}
	var list []officialStandard
	switch data[0] {
	case '[':
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf("%s: not the official API format (a list of standards): %v", name, err)
		}
	case '{':
		var one officialStandard
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, fmt.Errorf("%s: not the official API format (a standard object): %v", name, err)
		}
		list = []officialStandard{one}
	default:
		return nil, fmt.Errorf("%s: not JSON: expected a standard object or a list of them (the official API format)", name)
	}
	out := make([]*Occupation, 0, len(list))
	for i, s := range list {
		o, err := s.occupation()
		if err != nil {
			return nil, fmt.Errorf("%s: standard %d: %w", name, i+1, err)
		}
		o.Source = "IfATE/Skills England API: " + name
		// The record's facts are as of its own date, until an update
		// stamps the day it was downloaded (StampFacts).
		for _, f := range factFields {
			if o.Has(f) {
				o.setProv(f, Provenance{Source: OfficialSource, AsOf: o.LastUpdated, Version: o.Version, Origin: name})
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// Limits of an imported standard: the largest published has about 150
// knowledge, skills, behaviours and duties, and no passage near 5,000
// characters; past these a record is broken or hostile, and is refused
// before it costs the index anything.
const (
	MaxStatements   = 500
	MaxPassageChars = 5000
)

func (s officialStandard) occupation() (*Occupation, error) {
	ref := strings.ToUpper(strings.TrimSpace(s.ReferenceNumber))
	if ref == "" {
		return nil, fmt.Errorf("no referenceNumber (such as \"ST0127\")")
	}
	if n := len(s.Knowledges) + len(s.Skills) + len(s.Behaviours) + len(s.Duties); n > MaxStatements {
		return nil, fmt.Errorf("%s has %d knowledge, skills, behaviours and duties, more than the %d a standard may have: refused",
			ref, n, MaxStatements)
	}
	title := cleanSpace(htmlText(s.Title))
	if title == "" {
		return nil, fmt.Errorf("%s has no title", ref)
	}
	o := &Occupation{
		Reference:         ref,
		Title:             title,
		Status:            cleanSpace(s.Status),
		Route:             cleanSpace(s.Route),
		Purpose:           cleanSpace(htmlText(s.OverviewOfRole)),
		Summary:           htmlParagraphs(s.OccupationalSummary),
		Keywords:          cleanList(s.Keywords),
		JobTitles:         htmlList(s.TypicalJobTitles),
		Version:           strings.TrimSpace(s.Version),
		PageURL:           strings.TrimSpace(s.StandardPageURL),
		LastUpdated:       parseDate(s.LastUpdated),
		LarsCode:          looseString(s.LarsCode),
		AssessmentPlanURL: strings.TrimSpace(s.AssessmentPlanURL),
	}
	if len(o.JobTitles) == 0 {
		o.JobTitles = htmlList(s.JobRoles)
	}
	if o.Version == "" || o.Version == "0.0" {
		o.Version = strings.TrimSpace(s.VersionNumber)
	}
	if lv := looseString(s.Level); lv != "" {
		n, err := strconv.Atoi(lv)
		if err != nil {
			return nil, fmt.Errorf("%s: level %q is not a number", ref, lv)
		}
		o.Level = n
	}
	if n, _ := strconv.Atoi(looseString(s.TypicalDuration)); n > 0 {
		o.TypicalDuration = plural(n, "month", "months")
	}
	if n, _ := strconv.Atoi(looseString(s.MaxFunding)); n > 0 {
		o.MaxFunding = n
	}
	o.EntryRequirements = strings.TrimSpace(htmlText(s.EntryRequirements))
	o.EnglishMaths = strings.TrimSpace(htmlText(s.EnglishAndMaths))
	for _, q := range s.Qualifications {
		if t := qualification(q.Title, q.Level); t != "" {
			o.Qualifications = append(o.Qualifications, t)
		}
	}
	switch looseString(s.Regulated) {
	case "true":
		o.Regulated = "yes"
	case "false":
		o.Regulated = "no"
	}
	if o.Regulated == "yes" {
		o.RegulatedBody = cleanSpace(s.RegulatedBody)
	}
	// KSBs by position; GUIDs to labels for the duties.
	labels := map[string]string{}
	take := func(letter string, in []officialKSB) []Statement {
		var out []Statement
		for _, k := range in {
			text := cleanSpace(htmlText(k.Detail))
			if text == "" {
				continue
			}
			id := letter + strconv.Itoa(len(out)+1)
			if g := k.id(); g != "" {
				labels[strings.ToLower(g)] = id
			}
			out = append(out, Statement{ID: id, Text: text})
		}
		return out
	}
	o.Knowledge = take("K", s.Knowledges)
	o.Skills = take("S", s.Skills)
	o.Behaviours = take("B", s.Behaviours)
	for _, d := range s.Duties {
		text := cleanSpace(htmlText(d.DutyDetail))
		if text == "" {
			continue
		}
		duty := Duty{ID: "D" + strconv.Itoa(len(o.Duties)+1), Text: text}
		for _, g := range append(append(append([]string{}, d.MappedKnowledge...), d.MappedSkills...), d.MappedBehaviour...) {
			if l, ok := labels[strings.ToLower(strings.TrimSpace(g))]; ok {
				duty.KSBs = append(duty.KSBs, l)
			}
		}
		o.Duties = append(o.Duties, duty)
	}
	if err := checkPassages(o); err != nil {
		return nil, err
	}
	return o, nil
}

// checkPassages refuses an occupation with a passage over MaxPassageChars,
// naming it.
func checkPassages(o *Occupation) error {
	check := func(id, text string) error {
		if n := utf8.RuneCountInString(text); n > MaxPassageChars {
			return fmt.Errorf("%s %s is %d characters, more than the %d a passage may have: refused", o.Reference, id, n, MaxPassageChars)
		}
		return nil
	}
	if err := check("overview", o.Purpose); err != nil {
		return err
	}
	for i, p := range o.Summary {
		if err := check(fmt.Sprintf("summary paragraph %d", i+1), p); err != nil {
			return err
		}
	}
	for _, list := range [][]Statement{o.Knowledge, o.Skills, o.Behaviours} {
		for _, st := range list {
			if err := check(st.ID, st.Text); err != nil {
				return err
			}
		}
	}
	for _, d := range o.Duties {
		if err := check(d.ID, d.Text); err != nil {
			return err
		}
	}
	return nil
}

// OfficialSource names the official API's facts in provenance notes.
const OfficialSource = "IfATE/Skills England API"

// StampFacts dates every fact of the records as of asOf (YYYY-MM-DD): for
// records just downloaded from the live API, whose facts are current.
func StampFacts(occs []*Occupation, asOf string) {
	for _, o := range occs {
		for f, p := range o.Provenance {
			p.AsOf = asOf
			o.Provenance[f] = p
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
