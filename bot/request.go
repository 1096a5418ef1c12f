package bot

import (
	"fmt"
	"slices"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// Request is a structured question from a platform's command (a Discord
// slash command's options) rather than free text: the whole list of one
// kind, one passage by its label, or an occupation's profile card. It still
// goes through Ask, and so through the guard's limits.
type Request struct {
	What RequestKind
	// List is the list for RequestList: knowledge, skills, behaviours or
	// duties (singular forms accepted).
	List string
	// ID is the passage's label for RequestPassage: K12, S3, D1,
	// overview-1, profile.
	ID string
}

// RequestKind says what a Request asks for.
type RequestKind string

const (
	RequestList    RequestKind = "list"
	RequestPassage RequestKind = "passage"
	RequestCard    RequestKind = "card"
)

// Card is an occupation's profile, for platforms that show one as a card.
type Card struct {
	Reference    string
	Title        string
	Level        int
	Route        string
	Status       string
	Salary       string // "£43,692 per year", or ""
	SOC          string // "2137 IT network professionals", or ""
	JobTitles    []string
	Overview     string // the purpose or overview line
	Knowledge    int
	Skills       int
	Behaviours   int
	Duties       int
	Duration     string
	Version      string
	LastUpdated  string
	URL          string
	Retired      bool
	NewerVersion string
}

// ListKinds are the lists a Request may ask for, as commands name them.
var ListKinds = []string{"knowledge", "skills", "behaviours", "duties"}

func listKind(name string) (retrieval.Kind, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "knowledge":
		return retrieval.KindKnowledge, true
	case "skills", "skill":
		return retrieval.KindSkill, true
	case "behaviours", "behaviour", "behaviors", "behavior":
		return retrieval.KindBehaviour, true
	case "duties", "duty":
		return retrieval.KindDuty, true
	}
	return "", false
}

// answerRequest answers a structured request about q.Occupation.
func (c *composer) answerRequest(r *Request) Answer {
	o := c.u.occ
	if o == nil {
		occs := c.s.Occupations()
		a := Answer{Outcome: OutcomeNotGrounded}
		for _, s := range c.s.SuggestOccupations(c.q.Occupation, 3) {
			a.Suggestions = append(a.Suggestions, suggestion(s))
		}
		a.Text = fmt.Sprintf("I don't have an occupational standard for %q.", c.q.Occupation)
		if len(a.Suggestions) > 0 {
			a.Text += fmt.Sprintf(" The closest I cover: %s.", suggestionNames(a.Suggestions))
		}
		a.Text += " " + coverage(occs)
		return a
	}
	switch r.What {
	case RequestList:
		k, ok := listKind(r.List)
		if !ok {
			return Answer{Outcome: OutcomeNotGrounded, Occupation: o.Reference,
				Text: fmt.Sprintf("%q is not a list I know: ask for %s.", r.List, joinOr(ListKinds))}
		}
		c.u.kinds = []retrieval.Kind{k}
		c.u.intent = IntentList
		return c.list()
	case RequestPassage:
		id := normaliseID(r.ID)
		ps := c.s.Passages(o.Reference)
		for i := range ps {
			if ps[i].ID == id {
				cit := citationOf(&ps[i], 1)
				text := fmt.Sprintf("%s %s, %s %s: %s %s", article(o.Title), name(o), strings.ToLower(kindLabel[ps[i].Kind]), id, ps[i].Text, cit.Marker())
				if len(ps[i].KSBs) > 0 {
					text += fmt.Sprintf("\nThis duty is mapped to %s.", strings.Join(ps[i].KSBs, ", "))
				}
				c.u.intent = IntentList
				return c.grounded(Answer{Text: text, Citations: []Citation{cit}})
			}
		}
		return Answer{Outcome: OutcomeNotGrounded, Occupation: o.Reference,
			Text: fmt.Sprintf("The %s standard (%s) has no %s. It lists %s.", o.Title, o.Reference, id, c.contents(o))}
	case RequestCard:
		c.u.intent = IntentOverview
		a := c.overview()
		card := CardOf(o)
		a.Card = &card
		return a
	}
	return Answer{Outcome: OutcomeNotGrounded, Text: fmt.Sprintf("I don't know the request %q.", r.What)}
}

// normaliseID writes a label the standard's way: k12 -> K12, D01 -> D1.
func normaliseID(id string) string {
	id = strings.TrimSpace(id)
	low := strings.ToLower(id)
	if low == "profile" || strings.HasPrefix(low, "overview-") {
		return low
	}
	id = strings.ToUpper(id)
	if len(id) > 1 && strings.ContainsRune("KSBD", rune(id[0])) {
		return id[:1] + strings.TrimLeft(id[1:], "0")
	}
	return id
}

func joinOr(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// CardOf builds an occupation's profile card.
func CardOf(o *retrieval.Occupation) Card {
	c := Card{
		Reference: o.Reference, Title: o.Title, Level: o.Level, Route: o.Route, Status: o.Status,
		JobTitles: slices.Clone(o.JobTitles), Overview: o.Purpose,
		Knowledge: len(o.Knowledge), Skills: len(o.Skills), Behaviours: len(o.Behaviours), Duties: len(o.Duties),
		Duration: o.TypicalDuration, Version: o.Version, LastUpdated: o.LastUpdated, URL: o.PageURL,
		Retired: o.Retired(), NewerVersion: o.NewerVersion,
	}
	if c.Overview == "" && len(o.Summary) > 0 {
		c.Overview = o.Summary[0]
	}
	if o.SalaryMedian > 0 {
		c.Salary = retrieval.FormatSalary(o.SalaryMedian) + " per year"
		if o.SalaryGroup != "" {
			// ONS's figure for the unit group, not the standard's own.
			c.Salary += fmt.Sprintf(" (%s, SOC %s; experienced workers, not apprentices)",
				o.Prov(retrieval.FieldSalary).Source, strings.Fields(o.SalaryGroup)[0])
		}
	}
	if d := o.Prov(retrieval.FieldDuration).AsOf; c.Duration != "" && d != "" {
		c.Duration += " (as of " + humanDate(d) + ")"
	}
	if o.SOCCode != "" {
		c.SOC = strings.TrimSpace(o.SOCCode + " " + o.SOCTitle)
	}
	return c
}

// Completion is one occupation offered for a partly typed name.
type Completion struct {
	Reference string
	Title     string
	Level     int
	// Matched is the name that matched: the title, a job title or the
	// reference.
	Matched string
}

// Complete offers occupations for a partly typed name (a Discord option's
// autocomplete): names that start with it first, then names with a word
// that starts with it, then close spellings; at most n.
func (b *Bot) Complete(partial string, n int) []Completion {
	s := b.Searcher()
	if s == nil || n <= 0 {
		return nil
	}
	want := strings.ToLower(strings.TrimSpace(partial))
	type scored struct {
		c     Completion
		score int
	}
	best := map[string]scored{}
	consider := func(o *retrieval.Occupation, name string, score int) {
		if prev, ok := best[o.Reference]; !ok || score > prev.score {
			best[o.Reference] = scored{Completion{Reference: o.Reference, Title: o.Title, Level: o.Level, Matched: name}, score}
		}
	}
	for _, o := range s.Occupations() {
		if want == "" {
			consider(o, o.Title, 0)
			continue
		}
		if strings.HasPrefix(strings.ToLower(o.Reference), want) {
			consider(o, o.Reference, 400)
		}
		names := append([]string{o.Title}, o.JobTitles...)
		for i, nm := range names {
			low := strings.ToLower(nm)
			bonus := 0
			if i == 0 {
				bonus = 50 // the title before a job title
			}
			switch {
			case strings.HasPrefix(low, want):
				consider(o, nm, 300+bonus)
			case strings.Contains(" "+low, " "+want):
				consider(o, nm, 200+bonus)
			case strings.Contains(low, want):
				consider(o, nm, 100+bonus)
			}
		}
	}
	if want != "" && len(best) < n {
		for _, o := range s.SuggestOccupations(partial, n) {
			consider(o, o.Title, 10)
		}
	}
	list := make([]scored, 0, len(best))
	for _, v := range best {
		list = append(list, v)
	}
	slices.SortFunc(list, func(a, b scored) int {
		if a.score != b.score {
			return b.score - a.score
		}
		if len(a.c.Title) != len(b.c.Title) {
			return len(a.c.Title) - len(b.c.Title)
		}
		return strings.Compare(a.c.Reference, b.c.Reference)
	})
	out := make([]Completion, 0, min(n, len(list)))
	for i := 0; i < len(list) && i < n; i++ {
		out = append(out, list[i].c)
	}
	return out
}
