package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/careersbot/careersbot/retrieval"
)

// Fact answers: an occupation's everyday facts (pay, duration, funding,
// entry, recognition...) from its profile passage, each sentence saying
// where the fact comes from and how old it is, as the profile does. A fact
// the corpus lacks is said to be missing, with the standard's page.

// Fact is one fact of an occupation's profile.
type Fact string

const (
	FactPay              Fact = "pay"
	FactLevel            Fact = "level"
	FactSOC              Fact = "SOC code"
	FactJobTitles        Fact = "job titles"
	FactReference        Fact = "reference"
	FactRoute            Fact = "route"
	FactStatus           Fact = "status"
	FactDuration         Fact = "typical duration"
	FactFunding          Fact = "funding band"
	FactEntry            Fact = "entry requirements"
	FactEnglishMaths     Fact = "English and maths requirement"
	FactQualifications   Fact = "qualifications"
	FactRecognition      Fact = "professional recognition"
	FactRegulated        Fact = "regulation"
	FactIntegratedDegree Fact = "degree status"
	FactAssessment       Fact = "assessment plan"
	FactVersion          Fact = "version"

	// FactSalary is FactPay by the name question understanding uses.
	FactSalary = FactPay
)

// factWords are single words that ask for a fact. "maths" is not one: "does
// a data analyst need maths?" asks about the role's skills.
var factWords = map[string]Fact{
	"salary": FactPay, "salaries": FactPay, "earn": FactPay, "earns": FactPay,
	"earning": FactPay, "earnings": FactPay, "pay": FactPay, "paid": FactPay,
	"wage": FactPay, "wages": FactPay, "income": FactPay, "money": FactPay,
	"level":  FactLevel,
	"soc":    FactSOC,
	"titles": FactJobTitles, "title": FactJobTitles,
	"reference": FactReference, "ref": FactReference,
	"route": FactRoute, "sector": FactRoute,
	"status": FactStatus, "approved": FactStatus, "retired": FactStatus,
	"duration": FactDuration, "long": FactDuration,
	"months": FactDuration, "years": FactDuration, "weeks": FactDuration, "length": FactDuration,
	"funding": FactFunding, "funded": FactFunding, "cost": FactFunding, "costs": FactFunding,
	"fund": FactFunding, "band": FactFunding,
	"entry": FactEntry, "gcse": FactEntry, "gcses": FactEntry, "grades": FactEntry,
	"prerequisite": FactEntry, "prerequisites": FactEntry, "requirements": FactEntry,
	"english":        FactEnglishMaths,
	"qualifications": FactQualifications, "qualification": FactQualifications,
	"recognition": FactRecognition, "recognised": FactRecognition, "recognized": FactRecognition,
	"professional": FactRecognition, "chartered": FactRecognition, "membership": FactRecognition,
	"regulated": FactRegulated, "regulator": FactRegulated, "regulators": FactRegulated,
	"regulation": FactRegulated, "regulatory": FactRegulated,
	"degree": FactIntegratedDegree, "degrees": FactIntegratedDegree,
	"assessment": FactAssessment, "epa": FactAssessment,
	"version": FactVersion,
}

// fact answers the facts a question asks for from the profile passage.
func (c *composer) fact() Answer {
	o := c.u.occ
	prof := profileOf(c.s, o.Reference)
	marker := "[" + o.Reference + " profile]"
	var lines []string
	var missing []Fact
	for _, f := range c.u.facts {
		line := factSentence(o, f)
		if line == "" {
			missing = append(missing, f)
			continue
		}
		lines = append(lines, line+" "+marker)
	}
	if len(lines) == 0 || prof == nil {
		return c.missingFacts(o, missing)
	}
	if len(missing) > 0 {
		lines = append(lines, missingSentence(o, missing)+pageLink(o))
	}
	a := Answer{Text: strings.Join(lines, "\n"), Citations: []Citation{citationOf(prof, 1)}}
	return c.grounded(a)
}

// missingFacts answers a question whose facts the corpus lacks: it says
// so, why when it knows, and where to look.
func (c *composer) missingFacts(o *retrieval.Occupation, missing []Fact) Answer {
	text := missingSentence(o, missing) + fmt.Sprintf(" The standard lists %s; ask me about any of them.", c.contents(o)) + pageLink(o)
	return Answer{Text: text, Occupation: o.Reference, Outcome: OutcomeNotGrounded,
		Suggestions: []Suggestion{suggestion(o)}}
}

// missingSentence says which facts are missing, and why when the data
// says.
func missingSentence(o *retrieval.Occupation, missing []Fact) string {
	names := make([]string, len(missing))
	for i, f := range missing {
		names[i] = string(f)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "I don't have the %s of the %s standard (%s): the data I have does not give it.", joinAnd(names), o.Title, o.Reference)
	for _, f := range missing {
		if f == FactPay && len(o.SOCOptions) > 0 {
			fmt.Fprintf(&b, " Its options map to different SOC 2020 unit groups (%s), so no one group's pay is its own.", joinAnd(o.SOCOptions))
		}
	}
	return b.String()
}

// pageLink points to the standard's page, last in an answer so that the
// link ends the text.
func pageLink(o *retrieval.Occupation) string {
	if o.PageURL == "" {
		return ""
	}
	return " Its page on the Skills England site may say more: " + o.PageURL
}

// factSentence states one fact from the profile with its source and date,
// or "" when the corpus does not have it.
func factSentence(o *retrieval.Occupation, f Fact) string {
	who := article(o.Title) + " " + name(o)
	whom := strings.ToLower(article(o.Title)) + " " + name(o)
	apprenticeship := fmt.Sprintf("the %s apprenticeship (%s)", o.Title, o.Reference)
	switch f {
	case FactPay:
		return paySentence(o)
	case FactLevel:
		if o.Level > 0 {
			return fmt.Sprintf("The %s standard (%s) is at Level %d.", o.Title, o.Reference, o.Level)
		}
	case FactSOC:
		p := o.Prov(retrieval.FieldSOC)
		switch {
		case o.SOCCode != "":
			return fmt.Sprintf("The SOC 2020 code of %s is %s%s.", whom, group(o.SOCCode, o.SOCTitle), according(p))
		case len(o.SOCOptions) > 0:
			return fmt.Sprintf("The options of the %s standard (%s) map to different SOC 2020 unit groups, %s%s.", o.Title, o.Reference, joinAnd(o.SOCOptions), according(p))
		}
	case FactJobTitles:
		if len(o.JobTitles) > 0 {
			return fmt.Sprintf("Typical job titles for %s: %s.", whom, strings.Join(o.JobTitles, ", "))
		}
	case FactReference:
		s := fmt.Sprintf("The %s standard's reference is %s", o.Title, o.Reference)
		if o.OccReference != "" {
			s += fmt.Sprintf(" (occupation reference %s)", o.OccReference)
		}
		return s + "."
	case FactRoute:
		if o.Route != "" {
			return fmt.Sprintf("%s is in the %s route.", who, o.Route)
		}
	case FactStatus:
		if o.Status != "" {
			return fmt.Sprintf("The status of the %s standard (%s) is: %s.", o.Title, o.Reference, o.Status)
		}
	case FactDuration:
		if o.TypicalDuration != "" {
			return fmt.Sprintf("%s typically takes %s%s.", capital(apprenticeship), o.TypicalDuration, according(o.Prov(retrieval.FieldDuration)))
		}
	case FactFunding:
		if o.MaxFunding > 0 {
			return fmt.Sprintf("The maximum funding band for %s is %s%s. That is the most government funding pays towards its training and assessment, not the apprentice's pay.",
				apprenticeship, retrieval.FormatSalary(o.MaxFunding), according(o.Prov(retrieval.FieldFunding)))
		}
	case FactRecognition:
		if len(o.Recognition) > 0 {
			return fmt.Sprintf("Professional recognition for %s%s: %s.", apprenticeship, according(o.Prov(retrieval.FieldRecognition)), strings.Join(o.Recognition, "; "))
		}
	case FactRegulated:
		return regulatedSentence(o)
	case FactIntegratedDegree:
		return degreeSentence(o, apprenticeship)
	case FactEntry:
		return entrySentence(o, apprenticeship)
	case FactEnglishMaths:
		if o.EnglishMaths != "" {
			p := o.Prov(retrieval.FieldEnglishMaths)
			return fmt.Sprintf("On English and maths for %s, %s said%s: %s", apprenticeship, sourceName(p), dated(p), quote(o.EnglishMaths))
		}
	case FactQualifications:
		if len(o.Qualifications) > 0 {
			p := o.Prov(retrieval.FieldQualifications)
			return fmt.Sprintf("Qualifications in %s, as %s gave them%s: %s.", apprenticeship, sourceName(p), dated(p), strings.Join(o.Qualifications, "; "))
		}
	case FactAssessment:
		if o.AssessmentPlanURL != "" {
			return fmt.Sprintf("The assessment plan of %s is at %s", apprenticeship, o.AssessmentPlanURL)
		}
	case FactVersion:
		if o.Version != "" {
			s := fmt.Sprintf("The %s standard (%s) is version %s", o.Title, o.Reference, o.Version)
			if o.LastUpdated != "" {
				s += ", last updated " + o.LastUpdated
			}
			return s + "."
		}
	}
	return ""
}

// apprenticePay is what every pay answer ends with: the figures quoted are
// not what an apprentice is paid.
const apprenticePay = "Apprentices are paid at least the apprentice rate of the National Minimum Wage."

// paySentence states pay: a page's own figure, or ONS's median for the
// standard's unit group, or why ONS gives none.
func paySentence(o *retrieval.Occupation) string {
	p := o.Prov(retrieval.FieldSalary)
	lead := fmt.Sprintf("%s (%s): ", o.Title, refLevel(o))
	code, title, _ := strings.Cut(o.SalaryGroup, " ")
	switch {
	case o.SalaryMedian > 0 && o.SalaryGroup == "":
		// The standard's own figure (a page's).
		src := p.Source
		if src == "" {
			src = "The standard's record"
		}
		s := fmt.Sprintf("%s%s gives an average (median) salary of %s per year", lead, src, retrieval.FormatSalary(o.SalaryMedian))
		if o.SOCCode != "" {
			s += " for the jobs in its SOC 2020 unit group " + group(o.SOCCode, o.SOCTitle)
		}
		return s + "; this is pay for people in those jobs, not apprentice pay. " + apprenticePay
	case o.SalaryMedian > 0:
		s := fmt.Sprintf("%sSkills England's standard does not set pay. For the jobs in its SOC 2020 unit group %s, %s gives a UK median of %s a year for all employees; this is experienced workers' pay, not apprentice pay. %s",
			lead, group(code, title), p.Source, retrieval.FormatSalary(o.SalaryMedian), apprenticePay)
		if q, _, _ := strings.Cut(o.SalaryQuality, " ("); q == "acceptable" {
			s += fmt.Sprintf(" ONS rates this estimate %s, the lowest quality it publishes: take it as a rough guide.", o.SalaryQuality)
		}
		return s
	case o.SalaryWithheld != "":
		return fmt.Sprintf("%sSkills England's standard does not set pay. For the jobs in its SOC 2020 unit group %s, %s gives no UK median for all employees: %s, so I can't quote one. %s",
			lead, group(code, title), p.Source, o.SalaryWithheld, apprenticePay)
	}
	return ""
}

func regulatedSentence(o *retrieval.Occupation) string {
	var s string
	switch o.Regulated {
	case "yes":
		s = fmt.Sprintf("The %s standard (%s) is a regulated standard%s", o.Title, o.Reference, according(o.Prov(retrieval.FieldRegulated)))
	case "no":
		s = fmt.Sprintf("The %s standard (%s) is not a regulated standard%s", o.Title, o.Reference, according(o.Prov(retrieval.FieldRegulated)))
	case "":
		if o.RegulatedBody == "" {
			return ""
		}
		s = fmt.Sprintf("The %s standard (%s) has a regulator", o.Title, o.Reference)
	}
	if o.RegulatedBody != "" {
		p := o.Prov(retrieval.FieldRegulatedBody)
		s += fmt.Sprintf(". Its regulator, as %s gave it%s, is %s", sourceName(p), dated(p), o.RegulatedBody)
	}
	return s + "."
}

// degreeSentence words the export's degree status of a standard.
func degreeSentence(o *retrieval.Occupation, apprenticeship string) string {
	p := o.Prov(retrieval.FieldIntegratedDegree)
	var what string
	switch strings.ToLower(o.IntegratedDegree) {
	case "":
		return ""
	case "integrated degree":
		what = "an integrated degree apprenticeship: its degree includes the end-point assessment"
	case "non-integrated degree":
		what = "a non-integrated degree apprenticeship: it includes a degree, with the end-point assessment separate from it"
	case "non-degree qualification":
		what = "a non-degree qualification: it does not include a degree"
	default:
		what = fmt.Sprintf("%q", o.IntegratedDegree)
	}
	return fmt.Sprintf("%s is %s%s.", capital(apprenticeship), what, according(p))
}

// entrySentence gives the entry requirements and the English and maths
// requirement, each as of its date: the texts are old, and say so.
func entrySentence(o *retrieval.Occupation, apprenticeship string) string {
	var parts []string
	if o.EntryRequirements != "" {
		p := o.Prov(retrieval.FieldEntry)
		parts = append(parts, fmt.Sprintf("Entry requirements for %s, as %s gave them%s: %s", apprenticeship, sourceName(p), dated(p), quote(o.EntryRequirements)))
	}
	if o.EnglishMaths != "" {
		p := o.Prov(retrieval.FieldEnglishMaths)
		if len(parts) == 0 {
			parts = append(parts, fmt.Sprintf("The only entry requirement I have for %s is on English and maths, as %s gave it%s: %s", apprenticeship, sourceName(p), dated(p), quote(o.EnglishMaths)))
		} else {
			parts = append(parts, "On English and maths: "+quote(o.EnglishMaths))
		}
	}
	return strings.Join(parts, " ")
}

// according is ", according to the IfATE CSV export for version 1.1, as of
// 25 May 2025": where a fact comes from and how old it is; "" when the
// corpus does not know.
func according(p retrieval.Provenance) string {
	if p.Source == "" {
		return ""
	}
	s := ", according to " + sourceName(p)
	if p.Version != "" {
		s += " for version " + p.Version
	}
	if d := humanDate(p.AsOf); d != "" && !strings.Contains(p.Source, p.AsOf) {
		s += ", as of " + d
	}
	return s
}

// dated is " in January 2023 (it may have changed since)": for texts the
// corpus has only from an old source.
func dated(p retrieval.Provenance) string {
	t, err := time.Parse("2006-01-02", p.AsOf)
	if err != nil {
		return ""
	}
	s := " in " + t.Format("January 2006")
	if p.Version != "" {
		s += " for version " + p.Version
	}
	return s + " (this may have changed since)"
}

// sourceName is a source as a sentence names it: "the IfATE API", "ONS
// ASHE 2024 (provisional)", "Skills England's page for the standard".
func sourceName(p retrieval.Provenance) string {
	switch {
	case p.Source == "":
		return "the source"
	case strings.Contains(p.Source, "'s ") || strings.HasPrefix(p.Source, "ONS "):
		return p.Source
	}
	return "the " + p.Source
}

// humanDate writes 2025-05-25 as "25 May 2025"; a year stays a year.
func humanDate(d string) string {
	if t, err := time.Parse("2006-01-02", d); err == nil {
		return t.Format("2 January 2006")
	}
	return d
}

// group is a SOC unit group as answers write it: "5241 (Electricians and
// electrical fitters)".
func group(code, title string) string {
	if title == "" {
		return code
	}
	return code + " (" + title + ")"
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// quote ends a quoted text with one full stop.
func quote(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), ".") + "."
}

func profileOf(s Searcher, ref string) *retrieval.Passage {
	ps := s.Passages(ref)
	for i := range ps {
		if ps[i].Kind == retrieval.KindProfile {
			return &ps[i]
		}
	}
	return nil
}

// overviewFacts are the facts an overview states on its facts line, short,
// with their dates.
func overviewFacts(o *retrieval.Occupation) []string {
	var facts []string
	if o.Route != "" {
		facts = append(facts, "Route: "+o.Route+".")
	}
	switch {
	case o.SalaryMedian > 0 && o.SalaryGroup == "":
		facts = append(facts, "Average (median) salary: "+retrieval.FormatSalary(o.SalaryMedian)+" per year.")
	case o.SalaryMedian > 0:
		facts = append(facts, fmt.Sprintf("Pay in its SOC 2020 unit group %s: UK median %s a year (%s; experienced workers, not apprentices).",
			o.SalaryGroup, retrieval.FormatSalary(o.SalaryMedian), o.Prov(retrieval.FieldSalary).Source))
	}
	if len(o.JobTitles) > 0 {
		facts = append(facts, "Typical job titles: "+strings.Join(o.JobTitles, ", ")+".")
	}
	if o.TypicalDuration != "" {
		s := "Typical duration: " + o.TypicalDuration
		if d := humanDate(o.Prov(retrieval.FieldDuration).AsOf); d != "" {
			s += " (as of " + d + ")"
		}
		facts = append(facts, s+".")
	}
	return facts
}

// FactsCoverage says which everyday facts the corpus has and for how many
// standards, counted from the corpus: for the help, the web page and "not
// covered" answers, so that none promises what the data can't give.
func FactsCoverage(occs []*retrieval.Occupation) string {
	c := retrieval.CountFacts(occs)
	var have []string
	if c.Salary > 0 {
		s := fmt.Sprintf("pay for %d of %s", c.Salary, plural(c.Standards, "standard", "standards"))
		if c.PaySource != "" && c.PaySource != retrieval.PageSource {
			s += fmt.Sprintf(" (%s, for the jobs in the standard's SOC 2020 unit group: experienced workers' pay, not apprentice pay)", c.PaySource)
		}
		have = append(have, s)
	}
	for _, f := range []struct {
		n    int
		what string
	}{
		{c.Duration, "typical duration"}, {c.Funding, "maximum funding band"},
		{c.Recognition, "professional recognition"}, {c.Regulated, "whether it is regulated"},
		{c.IntegratedDegree, "degree status"},
	} {
		if f.n > 0 {
			have = append(have, fmt.Sprintf("%s for %d", f.what, f.n))
		}
	}
	if c.EntryAny > 0 {
		s := fmt.Sprintf("entry requirements or English and maths for %d", c.EntryAny)
		if c.EntryYear != "" {
			s += fmt.Sprintf(" (from %s)", c.EntryYear)
		}
		have = append(have, s)
	}
	if len(have) == 0 {
		return "The standards I have give no pay, duration, funding or entry requirements."
	}
	return "Where the data has them I also give, each with its source and date: " + joinAnd(have) + "."
}
