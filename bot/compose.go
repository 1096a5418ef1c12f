package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// composer builds the extractive answer: the lead sentence names the
// occupation, reference and level; then the cited passages in the standard's
// words, each with its [REF ID] marker; then the source line.
type composer struct {
	b *Bot
	s Searcher
	q Question
	u understanding
}

func (c *composer) answer(ctx context.Context) (Answer, error) {
	switch c.u.intent {
	case IntentList:
		return c.list(), nil
	case IntentFact:
		return c.fact(), nil
	case IntentOverview:
		return c.overview(), nil
	case IntentRole:
		return c.role(), nil
	case IntentTopic:
		return c.topic(ctx)
	case IntentSearch:
		return c.search(ctx)
	case IntentHelp:
		return c.help(), nil
	case IntentWhich:
		return c.which(), nil
	case IntentCompare:
		return c.compare(), nil
	case IntentProgression:
		return c.progression(ctx)
	case IntentInterest:
		return c.interest(ctx)
	case IntentOutOfScope:
		return c.outOfScope(), nil
	}
	return c.notCovered(ctx, ""), nil
}

// name is "Network engineer (ST0127, Level 4)".
func name(o *retrieval.Occupation) string {
	return fmt.Sprintf("%s (%s)", o.Title, refLevel(o))
}

// refLevel is "ST0127, Level 4", or the reference alone when the level is
// unknown.
func refLevel(o *retrieval.Occupation) string {
	if o.Level > 0 {
		return fmt.Sprintf("%s, Level %d", o.Reference, o.Level)
	}
	return o.Reference
}

// article picks "A" or "An" for a title.
func article(title string) string {
	if title == "" {
		return "A"
	}
	switch strings.ToLower(title[:1]) {
	case "a", "e", "i", "o", "u":
		if !strings.HasPrefix(strings.ToLower(title), "uni") && !strings.HasPrefix(strings.ToLower(title), "use") {
			return "An"
		}
	}
	return "A"
}

var kindLabel = map[retrieval.Kind]string{
	retrieval.KindKnowledge: "Knowledge", retrieval.KindSkill: "Skill", retrieval.KindBehaviour: "Behaviour",
	retrieval.KindDuty: "Duty", retrieval.KindOverview: "Overview", retrieval.KindProfile: "Profile",
}

// listPhrase says what a list is, for the lead sentence.
func listPhrase(k retrieval.Kind, n int) string {
	switch k {
	case retrieval.KindKnowledge:
		return fmt.Sprintf("needs knowledge of these %s", plural(n, "topic", "topics"))
	case retrieval.KindSkill:
		return fmt.Sprintf("needs these %s", plural(n, "skill", "skills"))
	case retrieval.KindBehaviour:
		return fmt.Sprintf("is expected to show these %s", plural(n, "behaviour", "behaviours"))
	case retrieval.KindDuty:
		return fmt.Sprintf("has these %s", plural(n, "duty", "duties"))
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func kindsOf(s Searcher, ref string, k retrieval.Kind) []*retrieval.Passage {
	var out []*retrieval.Passage
	ps := s.Passages(ref)
	for i := range ps {
		if ps[i].Kind == k {
			out = append(out, &ps[i])
		}
	}
	return out
}

func (c *composer) list() Answer {
	o := c.u.occ
	var a Answer
	var paras []string
	var missing []string
	for _, k := range c.u.kinds {
		ps := kindsOf(c.s, o.Reference, k)
		if len(ps) == 0 {
			missing = append(missing, string(k)+"s")
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s %s, in the standard's own words:", article(o.Title), name(o), listPhrase(k, len(ps)))
		for _, p := range ps {
			cit := citationOf(p, 1)
			a.Citations = append(a.Citations, cit)
			fmt.Fprintf(&b, "\n- %s %s", p.Text, cit.Marker())
		}
		paras = append(paras, b.String())
	}
	if len(a.Citations) == 0 {
		return c.lacks(o, strings.Join(missing, " or "))
	}
	if len(missing) > 0 {
		paras = append(paras, fmt.Sprintf("The standard as I have it lists no %s.", strings.Join(missing, " or ")))
	}
	a.Text = strings.Join(paras, "\n\n")
	return c.grounded(a)
}

func (c *composer) overview() Answer {
	o := c.u.occ
	ps := c.s.Passages(o.Reference)
	var a Answer
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", article(o.Title), name(o))
	n := 0
	for i := range ps {
		p := &ps[i]
		if p.Kind != retrieval.KindOverview || n >= 2 {
			continue
		}
		cit := citationOf(p, 1)
		a.Citations = append(a.Citations, cit)
		if n == 0 {
			fmt.Fprintf(&b, ": %s %s", p.Text, cit.Marker())
		} else {
			fmt.Fprintf(&b, "\n%s %s", p.Text, cit.Marker())
		}
		n++
	}
	if n == 0 {
		b.WriteString(".")
	}
	facts := overviewFacts(o)
	prof := profileOf(c.s, o.Reference)
	a.Citations = append(a.Citations, citationOf(prof, 1))
	if len(facts) > 0 {
		fmt.Fprintf(&b, "\n%s [%s profile]", strings.Join(facts, " "), o.Reference)
	}
	fmt.Fprintf(&b, "\nThe standard lists %s.", c.contents(o))
	a.Text = b.String()
	return c.grounded(a)
}

// contents says what an occupation's standard holds, for follow-ups.
func (c *composer) contents(o *retrieval.Occupation) string {
	var parts []string
	if n := len(o.Knowledge); n > 0 {
		parts = append(parts, plural(n, "knowledge item", "knowledge items"))
	}
	if n := len(o.Skills); n > 0 {
		parts = append(parts, plural(n, "skill", "skills"))
	}
	if n := len(o.Behaviours); n > 0 {
		parts = append(parts, plural(n, "behaviour", "behaviours"))
	}
	if n := len(o.Duties); n > 0 {
		parts = append(parts, plural(n, "duty", "duties"))
	}
	if len(parts) == 0 {
		return "its profile only (no knowledge, skills, behaviours or duties in the data I have)"
	}
	return joinAnd(parts)
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func (c *composer) role() Answer {
	o := c.u.occ
	ps := c.s.Passages(o.Reference)
	var a Answer
	var b strings.Builder
	var duties, overview []*retrieval.Passage
	for i := range ps {
		switch ps[i].Kind {
		case retrieval.KindDuty:
			duties = append(duties, &ps[i])
		case retrieval.KindOverview:
			overview = append(overview, &ps[i])
		}
	}
	fmt.Fprintf(&b, "%s %s", article(o.Title), name(o))
	if len(overview) > 0 {
		cit := citationOf(overview[0], 1)
		a.Citations = append(a.Citations, cit)
		fmt.Fprintf(&b, ": %s %s", overview[0].Text, cit.Marker())
	} else {
		b.WriteString(".")
	}
	if len(duties) > 0 {
		fmt.Fprintf(&b, "\nIts duties, in the standard's own words:")
		for _, p := range duties {
			cit := citationOf(p, 1)
			a.Citations = append(a.Citations, cit)
			fmt.Fprintf(&b, "\n- %s %s", p.Text, cit.Marker())
		}
	} else {
		for _, p := range overview[min(1, len(overview)):min(3, len(overview))] {
			cit := citationOf(p, 1)
			a.Citations = append(a.Citations, cit)
			fmt.Fprintf(&b, "\n%s %s", p.Text, cit.Marker())
		}
	}
	if len(a.Citations) == 0 {
		return c.overview()
	}
	a.Text = b.String()
	return c.grounded(a)
}

// topicHits is how many passages a topic answer quotes at most, and how close
// to the best one a passage must score to be quoted: for "Yes", over half
// the best (topicKeepFrac: what says it in other words often ranks below a
// passage sharing one word of the question, "alert" above "fatigue
// management"); for "the closest it comes", which says it is no match in
// so many words, further down (partialKeepFrac), whatever each holds. Evidence decides the
// answer's first words: a passage holding at least strongEvidence of the
// question (by weight, each word as itself or a stand-in) says "Yes"; one
// holding at least partialEvidence is the closest the standard comes, said
// so; less is no evidence, and the answer says the standard does not
// mention it.
const (
	topicHits       = 5
	topicKeepFrac   = 0.55
	partialKeepFrac = 0.4
	strongEvidence  = 0.75
	partialEvidence = 0.35
	// A telling word held (Mass, in units of the rarest word's weight)
	// is evidence however long the question around it: strongMass with
	// half the question is strong, partialMass alone is partial.
	strongMass  = 1.0
	partialMass = 0.7
	// tellingMass: a telling word held only through a broad stand-in
	// ("acupuncture" as its hypernym, a treatment) weighs next to
	// nothing; coverage so held is no evidence.
	tellingMass = 0.2
	// partialSimilarity: a passage this close to the question as a whole
	// (its vector, WordNet's concepts included) is partial evidence too.
	partialSimilarity = 0.35
)

// preferMargin is how much better another occupation's standard must
// hold a topic to be taken instead of the one first named.
const preferMargin = 0.05

// preferByTopic decides between occupations a question names exactly as
// well ("groundsman" is a job title of a golf greenkeeper and of a sports
// turf operative) by the rest of the question: the one whose standard
// holds the topic best is the one meant. The others stay offered.
func (c *composer) preferByTopic(ctx context.Context) error {
	if len(c.u.tied) == 0 || c.u.fromContext || c.u.topic == "" {
		return nil
	}
	cands := append([]*retrieval.Occupation{c.u.occ}, c.u.tied...)
	fit := make([]float64, len(cands))
	for i, o := range cands {
		hits, err := c.b.search(ctx, c.s, retrieval.Query{Text: c.u.topic, Occupation: o.Reference, Kinds: c.u.kinds, Limit: 3})
		if err != nil {
			return err
		}
		for _, h := range hits {
			if h.Passage.Kind != retrieval.KindProfile {
				fit[i] = max(fit[i], h.Coverage+h.Similarity)
			}
		}
	}
	best := 0
	for i := range cands {
		if fit[i] > fit[best] {
			best = i
		}
	}
	if best == 0 || fit[best] < fit[0]+preferMargin {
		return nil
	}
	chosen := cands[best]
	c.u.others = slices.DeleteFunc(slices.Clone(c.u.others), func(o *retrieval.Occupation) bool { return o == chosen })
	c.u.others = append([]*retrieval.Occupation{c.u.occ}, c.u.others...)
	c.u.occ = chosen
	return nil
}

// evidence grades what a passage holds of a topic question.
type evidence int

const (
	noEvidence evidence = iota
	partial
	strong
)

func evidenceOf(h retrieval.Hit) evidence {
	switch {
	case h.Coverage >= strongEvidence || (h.Coverage >= 0.5 && h.Mass >= strongMass):
		return strong
	case (h.Coverage >= partialEvidence && h.Telling && h.Mass >= tellingMass) || h.Mass >= partialMass || h.Similarity >= partialSimilarity:
		return partial
	}
	return noEvidence
}

func (c *composer) topic(ctx context.Context) (Answer, error) {
	if err := c.preferByTopic(ctx); err != nil {
		return Answer{}, err
	}
	o := c.u.occ
	hits, err := c.b.search(ctx, c.s, retrieval.Query{Text: c.u.topic, Occupation: o.Reference, Kinds: c.u.kinds, Limit: 10})
	if err != nil {
		return Answer{}, err
	}
	// The profile is facts, not a topic: "coding" is not the SOC code.
	hits = slices.DeleteFunc(hits, func(h retrieval.Hit) bool {
		return h.Passage.Kind == retrieval.KindProfile && len(c.u.facts) == 0
	})
	all := hits
	hits = keepClose(hits, topicHits, topicKeepFrac)
	ev := noEvidence
	for _, h := range hits {
		ev = max(ev, evidenceOf(h))
	}
	if ev == noEvidence && c.u.scores[IntentOverview] > 0 {
		// Asked how to become one, with words the standard does not
		// use ("a groundsman at a football club"): what the standard is
		// about answers the question; the rest is said to be missing.
		a := c.overview()
		a.Text = fmt.Sprintf("The %s standard (%s) doesn't mention %s; this is what it covers.\n\n%s",
			o.Title, o.Reference, quoteTopic(c.u.topic), a.Text)
		return a, nil
	}
	if ev == noEvidence {
		return c.notInOccupation(ctx, o), nil
	}
	var a Answer
	var b strings.Builder
	switch {
	case ev == partial:
		// The best passage holds only part of the question: say so.
		fmt.Fprintf(&b, "The %s standard (%s) doesn't say that in those words; the closest it comes:", o.Title, refLevel(o))
		// What comes closest is listed further down than a "Yes" would be.
		hits = keepClose(all, topicHits, partialKeepFrac)
	case c.u.yesNo:
		fmt.Fprintf(&b, "Yes. The %s standard (%s) covers this:", o.Title, refLevel(o))
	default:
		fmt.Fprintf(&b, "The %s standard (%s) covers this:", o.Title, refLevel(o))
	}
	for _, h := range hits {
		cit := citationOf(h.Passage, h.Score)
		a.Citations = append(a.Citations, cit)
		fmt.Fprintf(&b, "\n- %s: %s %s", kindLabel[h.Passage.Kind], excerpt(h.Passage.Text, c.u.topic), cit.Marker())
	}
	a.Text = b.String()
	a.Partial = ev == partial
	return c.grounded(a), nil
}

// keepClose keeps the hits that score at least frac of the best, at most n.
func keepClose(hits []retrieval.Hit, n int, frac float64) []retrieval.Hit {
	if len(hits) == 0 {
		return nil
	}
	best := hits[0].Score
	out := hits[:0:0]
	for _, h := range hits {
		if len(out) == n || h.Score < best*frac {
			break
		}
		out = append(out, h)
	}
	return out
}

// searchOccupations is how many occupations a search across the corpus names.
const searchOccupations = 6

func (c *composer) search(ctx context.Context) (Answer, error) {
	q := retrieval.Query{Text: c.u.topic, Kinds: c.u.kinds, Limit: 30}
	for _, o := range c.u.group {
		q.Occupations = append(q.Occupations, o.Reference)
	}
	hits, err := c.b.search(ctx, c.s, q)
	if err != nil {
		return Answer{}, err
	}
	// A topic is found in what the standards say, not in the labels of
	// a profile ("Route:" is no routing).
	hits = slices.DeleteFunc(hits, func(h retrieval.Hit) bool { return h.Passage.Kind == retrieval.KindProfile })
	if len(hits) == 0 {
		return c.notCovered(ctx, c.u.topic), nil
	}
	// Group by occupation, best first, one or two passages each.
	var order []string
	byRef := map[string][]retrieval.Hit{}
	for _, h := range hits {
		ref := h.Passage.Ref()
		if _, ok := byRef[ref]; !ok {
			if len(order) == searchOccupations {
				continue
			}
			order = append(order, ref)
		}
		if len(byRef[ref]) < 2 && (len(byRef[ref]) == 0 || h.Score >= byRef[ref][0].Score*0.9) {
			byRef[ref] = append(byRef[ref], h)
		}
	}
	var a Answer
	var b strings.Builder
	if c.u.yesNo && c.u.group != nil {
		b.WriteString("Yes. ")
	}
	if len(order) == 1 {
		b.WriteString("One standard covers this:")
	} else {
		fmt.Fprintf(&b, "These %d standards cover this:", len(order))
	}
	for _, ref := range order {
		o := byRef[ref][0].Passage.Occupation
		fmt.Fprintf(&b, "\n- %s:", name(o))
		for _, h := range byRef[ref] {
			cit := citationOf(h.Passage, h.Score)
			a.Citations = append(a.Citations, cit)
			fmt.Fprintf(&b, " %s %s", excerpt(h.Passage.Text, c.u.topic), cit.Marker())
		}
	}
	a.Text = b.String()
	return c.grounded(a), nil
}

// which answers a question that names a kind of occupation several
// standards share ("Which skills does a chef need?"): it lists them and asks
// which one.
func (c *composer) which() Answer {
	var a Answer
	for _, o := range c.u.group {
		if len(a.Suggestions) == 8 {
			break
		}
		a.Suggestions = append(a.Suggestions, suggestion(o))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Several standards fit %q. The closest:", c.u.groupWord)
	shown := 0
	for _, o := range c.u.group {
		if shown == whichShown {
			break
		}
		if ov := firstOverview(c.s, o.Reference); ov != nil {
			cit := citationOf(ov, 1)
			a.Citations = append(a.Citations, cit)
			fmt.Fprintf(&b, "\n- %s: %s %s", name(o), shortExcerpt(ov.Text), cit.Marker())
		} else {
			fmt.Fprintf(&b, "\n- %s", name(o))
		}
		shown++
	}
	if rest := a.Suggestions[min(shown, len(a.Suggestions)):]; len(rest) > 0 {
		fmt.Fprintf(&b, "\nAlso: %s", suggestionNames(rest))
		if n := len(c.u.group) - len(a.Suggestions); n > 0 {
			fmt.Fprintf(&b, ", and %d more", n)
		}
		b.WriteString(".")
	}
	fmt.Fprintf(&b, "\nWhich one do you mean? For example: %q.", rephrase(c.q.Text, c.u.groupWord, c.u.group[0].Title))
	a.Text = b.String()
	if len(a.Citations) == 0 {
		a.Outcome = OutcomeNotGrounded
		return a
	}
	return c.grounded(a)
}

// whichShown is how many of the standards a general word fits are
// described, each by its overview.
const whichShown = 3

// shortExcerpt is a passage's first sentence, for a line in a list.
func shortExcerpt(text string) string {
	if i := reSentenceEnd.FindStringIndex(text); i != nil && i[1] < len(text) && i[0] < excerptChars {
		return strings.TrimSpace(text[:i[0]+1]) + " …"
	}
	return excerpt(text, "")
}

// rephrase puts an occupation's title in place of the general word a
// question used, to show how to ask.
func rephrase(question, word, title string) string {
	i := strings.Index(strings.ToLower(question), strings.ToLower(word))
	if i < 0 {
		return "Which skills does a " + strings.ToLower(title) + " need?"
	}
	return question[:i] + strings.ToLower(title) + question[i+len(word):]
}

func (c *composer) help() Answer {
	occs := c.s.Occupations()
	text := "I answer careers questions from England's official occupational standards (Skills England), " +
		"quoting the standard for every claim. " + coverage(occs) + " " + FactsCoverage(occs) + "\nTry, for example:\n" +
		"- Which skills does a " + exampleTitle(occs) + " need?\n" +
		"- How much does a " + exampleTitle(occs) + " earn?\n" +
		"- How long does the " + exampleTitle(occs) + " apprenticeship take?\n" +
		"- Which apprenticeships involve routing and switching?\n" +
		"- Tell me about the " + exampleTitle(occs) + " apprenticeship"
	return Answer{Text: text, Outcome: OutcomeHelp, Intent: IntentHelp}
}

func exampleTitle(occs []*retrieval.Occupation) string {
	for _, o := range occs {
		if o.Reference == "ST0127" {
			return strings.ToLower(o.Title)
		}
	}
	if len(occs) > 0 {
		return strings.ToLower(occs[0].Title)
	}
	return "network engineer"
}

// coverage names what the corpus covers, for "not covered" answers.
func coverage(occs []*retrieval.Occupation) string {
	switch len(occs) {
	case 0:
		return "I have no standards loaded."
	case 1:
		return fmt.Sprintf("I cover one occupation: %s.", name(occs[0]))
	}
	// A few examples spread across the corpus, the seed's first.
	var examples []string
	for _, o := range occs {
		if o.Reference == "ST0127" {
			examples = append(examples, o.Title)
		}
	}
	for i := 1; len(examples) < 3 && i < 4; i++ {
		o := occs[i*len(occs)/4]
		if o.HasKSBs() && !slices.Contains(examples, o.Title) {
			examples = append(examples, o.Title)
		}
	}
	return fmt.Sprintf("I cover %d occupational standards, such as %s.", len(occs), joinAnd(examples))
}

// lacks answers a question about an occupation whose standard does not give
// what was asked (a salary the catalogue lacks, duties it does not list).
func (c *composer) lacks(o *retrieval.Occupation, what string) Answer {
	text := fmt.Sprintf("The %s standard (%s) as I have it does not give its %s, so I can't answer that from the standards. It lists %s; ask me about any of them.",
		o.Title, o.Reference, what, c.contents(o))
	return Answer{Text: text, Occupation: o.Reference, Outcome: OutcomeNotGrounded,
		Suggestions: []Suggestion{suggestion(o)}}
}

// notInOccupation answers a topic the occupation's standard does not cover,
// naming occupations whose standards do.
func (c *composer) notInOccupation(ctx context.Context, o *retrieval.Occupation) Answer {
	var b strings.Builder
	fmt.Fprintf(&b, "The %s standard (%s) doesn't mention %s.", o.Title, o.Reference, quoteTopic(c.u.topic))
	a := Answer{Occupation: o.Reference, Outcome: OutcomeNotGrounded}
	if hits, err := c.b.search(ctx, c.s, retrieval.Query{Text: c.u.topic, Limit: 20}); err == nil && len(hits) > 0 {
		a.Suggestions = suggestionsFromHits(hits, 3, o.Reference)
		if len(a.Suggestions) > 0 {
			fmt.Fprintf(&b, " Standards that do mention it include %s: ask me about them.", suggestionNames(a.Suggestions))
		}
	}
	fmt.Fprintf(&b, " The %s standard lists %s.", o.Title, c.contents(o))
	a.Text = b.String()
	return a
}

// quoteTopic quotes a topic for an answer's text.
func quoteTopic(topic string) string {
	if topic == "" {
		return "that"
	}
	return fmt.Sprintf("%q", topic)
}

// outOfScope answers a question the standards were never meant to answer
// (a CV, the time, homework): it says what the bot is for and points to
// people, whatever occupation the conversation was about.
func (c *composer) outOfScope() Answer {
	occs := c.s.Occupations()
	text := "That's not something England's occupational standards cover, so I can't answer it. " +
		"I answer questions about occupations and apprenticeships: what each one involves, its skills, knowledge, behaviours and duties, its level and its typical job titles. " +
		coverage(occs) + " For help with anything else, such as CVs, applications or interviews, your careers adviser or a trusted adult is the best person to ask."
	return Answer{Text: text, Outcome: OutcomeNotGrounded}
}

// notCovered is the honest answer to a question the corpus does not answer:
// it says so, and names the closest occupations the corpus does cover.
func (c *composer) notCovered(ctx context.Context, topic string) Answer {
	occs := c.s.Occupations()
	a := Answer{Outcome: OutcomeNotGrounded}
	var b strings.Builder
	switch {
	case c.u.unknownName != "":
		fmt.Fprintf(&b, "I don't have an occupational standard for %q, so I can't answer that from the standards.", c.u.unknownName)
		near := c.u.near
		if len(near) == 0 {
			near = c.s.SuggestOccupations(c.u.unknownName, 3)
		}
		for _, o := range near {
			a.Suggestions = append(a.Suggestions, suggestion(o))
		}
	case c.u.occ == nil && topic == "" && (len(c.u.kinds) > 0 || len(c.u.facts) > 0):
		b.WriteString("Which occupation do you mean? Name one in your question, for example \"Which skills does a " + exampleTitle(occs) + " need?\"")
	default:
		b.WriteString("I couldn't find anything about that in the occupational standards I have, so I can't answer it from them.")
		if topic != "" {
			// Near misses make suggestions only when they hold at least
			// half of the question; fewer are noise.
			if hits, err := c.b.search(ctx, c.s, retrieval.Query{Text: topic, Limit: 20, MinCoverage: 0.5}); err == nil {
				a.Suggestions = suggestionsFromHits(hits, 3, "")
			}
		}
	}
	if len(a.Suggestions) > 0 {
		fmt.Fprintf(&b, " The closest occupations I cover: %s.", suggestionNames(a.Suggestions))
	}
	b.WriteString(" " + coverage(occs))
	b.WriteString(" I can tell you an occupation's skills, knowledge, behaviours, duties, level and job titles. " + FactsCoverage(occs))
	a.Text = b.String()
	return a
}

func suggestion(o *retrieval.Occupation) Suggestion {
	return Suggestion{Reference: o.Reference, Title: o.Title, Level: o.Level}
}

func suggestionsFromHits(hits []retrieval.Hit, n int, except string) []Suggestion {
	var out []Suggestion
	for _, h := range hits {
		o := h.Passage.Occupation
		if o.Reference == except || slices.ContainsFunc(out, func(s Suggestion) bool { return s.Reference == o.Reference }) {
			continue
		}
		out = append(out, suggestion(o))
		if len(out) == n {
			break
		}
	}
	return out
}

func suggestionNames(ss []Suggestion) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = fmt.Sprintf("%s (%s)", s.Title, s.Reference)
	}
	return joinAnd(names)
}

// grounded finishes an answer that cites passages: the occupation for
// follow-ups, notes on retired or superseded standards, the source line.
func (c *composer) grounded(a Answer) Answer {
	a.Grounded = true
	a.Outcome = OutcomeGrounded
	if c.u.occ != nil {
		a.Occupation = c.u.occ.Reference
	}
	var notes []string
	if c.u.occ != nil && c.u.took != "" && !c.u.fromContext && !strings.EqualFold(c.u.took, c.u.occ.Title) {
		notes = append(notes, fmt.Sprintf("I took %q to mean the %s standard (%s).", c.u.took, c.u.occ.Title, c.u.occ.Reference))
	}
	if c.u.occ != nil && len(c.u.others) > 0 && !c.u.fromContext {
		var others []string
		for _, o := range c.u.others {
			others = append(others, fmt.Sprintf("%s (%s)", o.Title, o.Reference))
		}
		notes = append(notes, fmt.Sprintf("Other standards fit your question too: %s. Name one to hear about it instead.", joinAnd(others)))
	}
	seen := map[string]bool{}
	for _, cit := range a.Citations {
		if seen[cit.Reference] {
			continue
		}
		seen[cit.Reference] = true
		o, ok := c.s.Occupation(cit.Reference)
		if !ok {
			continue
		}
		if o.Retired() {
			notes = append(notes, fmt.Sprintf("Note: the %s standard (%s) is retired: it is no longer open to new apprentices.", o.Title, o.Reference))
		} else if o.NewerVersion != "" {
			notes = append(notes, fmt.Sprintf("Note: a newer version (%s) of the %s standard (%s) exists; this answer quotes version %s.", o.NewerVersion, o.Title, o.Reference, orUnknown(o.Version)))
		}
	}
	a.Lead, _, _ = strings.Cut(a.Text, "\n")
	a.Source = sourceLine(c.s, a.Citations)
	if len(notes) > 0 {
		a.Text += "\n\n" + strings.Join(notes, "\n")
	}
	a.Text += "\n\n" + a.Source
	return a
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// sourceLine credits the standards an answer cites, with their versions and
// dates, under the Open Government Licence.
func sourceLine(s Searcher, cits []Citation) string {
	var refs []string
	seen := map[string]bool{}
	for _, c := range cits {
		if seen[c.Reference] {
			continue
		}
		seen[c.Reference] = true
		r := c.Reference
		var meta []string
		if c.Version != "" {
			meta = append(meta, "v"+c.Version)
		}
		if c.LastUpdated != "" {
			meta = append(meta, c.LastUpdated)
		}
		if len(meta) > 0 {
			r += " " + strings.Join(meta, ", ")
		}
		refs = append(refs, r)
	}
	if len(refs) > 4 {
		refs = append(refs[:4], fmt.Sprintf("and %d more", len(refs)-4))
	}
	return fmt.Sprintf("Source: Skills England occupational standards (%s), Open Government Licence v3.0.", strings.Join(refs, "; "))
}
