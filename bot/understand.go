package bot

import (
	"regexp"
	"slices"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// understanding is what the bot made of a question.
type understanding struct {
	intent Intent
	occ    *retrieval.Occupation
	// others are occupations that fit the question as well as occ.
	others []*retrieval.Occupation
	// unknownName is an occupation the question names that the corpus lacks.
	unknownName string
	// group holds the occupations a general word names ("nurses",
	// "chefs"), when the question names no one occupation; groupWord is
	// that word.
	group       []*retrieval.Occupation
	groupWord   string
	kinds       []retrieval.Kind
	facts       []Fact
	topic       string // the words that carry the topic
	yesNo       bool
	fromContext bool // occ came from the conversation, not the question
}

// Patterns that frame an occupation's name in a question. They find the
// name of an occupation the corpus does not have ("What does an astronaut
// apprenticeship involve?"), so the answer can say so rather than answer
// about something else.
var namePatterns = []*regexp.Regexp{
	regexp.MustCompile(`\b(?:a|an|the)\s+([a-z][a-z' -]{1,48}?)\s+(?:apprenticeships?|standards?|occupations?|careers?|courses?|jobs?|roles?|profession)\b`),
	regexp.MustCompile(`\b(?:does|do|would|will|can|could|should|did|must)\s+(?:a|an|the)\s+([a-z][a-z' -]{1,48}?)\s+(?:need|needs|learn|earn|make|do|have|get|require|study|use|work|know|understand|deal|involve|communicate|keep|spend|monitor|go|be|start)\b`),
	regexp.MustCompile(`\b(?:become|becoming|be|as|being|train as|training as|work as|working as)\s+(?:a|an)\s+([a-z][a-z' -]{1,48}?)\s*(?:[?.!,;]|$|\s+(?:in|at|with|and|or|for|if|when|after|like)\b)`),
	regexp.MustCompile(`\b(?:of|for|about)\s+(?:a|an)\s+([a-z][a-z' -]{1,48}?)\s*(?:[?.!,;]|$)`),
	regexp.MustCompile(`^(?:what|who)\s+(?:is|are)\s+(?:a|an)\s+([a-z][a-z' -]{1,48}?)\s*(?:[?.!]|$)`),
	regexp.MustCompile(`\b([a-z][a-z-]{2,30}(?:\s+[a-z][a-z-]{2,30}){0,2})\s+apprenticeships?\b`),
}

// The two patterns that name something as an apprenticeship or career: what
// they frame is an occupation whatever its last word.
const explicitPatterns = 0b100001

var (
	reRole = regexp.MustCompile(`\b(?:day[ -]to[ -]day|daily|typical day|a day in|every day|on the job)\b|^what\s+(?:does|do|will|would)\s+(?:a|an|the)?\s*[a-z' -]+?\s+(?:do|actually do|really do)\b`)
	reHelp = regexp.MustCompile(`^(?:help|hi|hello|hey|hiya|good (?:morning|afternoon|evening)|what can you do|how do(?:es)? (?:i|this|you) (?:use|work)|who are you|start|menu|commands?)\b`)
	reJobs = regexp.MustCompile(`\b(?:what|which)\s+(?:jobs?|roles?|careers?|positions?)\s+(?:can|could|might|would|will|does|do|is|are)\b|\blead(?:s)? to\b`)
)

func (b *Bot) understand(s Searcher, q Question) understanding {
	u := understanding{}
	text := strings.TrimSpace(q.Text)
	lower := retrieval.Fold(text)
	lower = strings.ReplaceAll(lower, "’", "'")
	toks := retrieval.Tokenize(text)

	first := ""
	for _, t := range toks {
		if !t.Joined {
			first = t.Word
			break
		}
	}
	u.yesNo = yesNoStarts[first]

	// Which occupation.
	searchCue := hasSearchCue(toks)
	var nameSpan [2]int
	// A name in the question wins; then the occupation the platform sent
	// (a command's option, the web chat's previous answer); then a group
	// word; then the conversation's; then the only one there is. A
	// question across occupations ("which apprenticeships...") has none.
	if !searchCue {
		if ms := s.MatchOccupations(text); len(ms) > 0 {
			u.occ = ms[0].Occupation
			nameSpan = [2]int{ms[0].Start, ms[0].End}
			for _, m := range ms[1:] {
				if m.Score >= ms[0].Score-0.06 && m.Words == ms[0].Words && len(u.others) < 4 {
					u.others = append(u.others, m.Occupation)
				}
			}
		}
	}
	if u.occ == nil && !searchCue {
		u.unknownName = unknownReference(s, text)
	}
	if u.occ == nil && !searchCue && u.unknownName == "" {
		u.unknownName = unknownOccupation(s, lower)
	}
	if u.occ == nil && !searchCue && u.unknownName == "" && q.Occupation != "" {
		if u.occ = resolveExplicit(s, q.Occupation); u.occ == nil {
			u.unknownName = q.Occupation
		}
	}
	if u.occ == nil && u.unknownName == "" && !searchCue {
		for _, t := range toks {
			if t.Joined || !t.Meaningful() {
				continue
			}
			if g := s.OccupationsNamed(t.Word); len(g) > 0 {
				u.group, u.groupWord = g, t.Word
				break
			}
		}
		if len(u.group) == 1 {
			u.occ, u.group = u.group[0], nil
		}
	}
	if u.occ == nil && u.unknownName == "" && u.group == nil && !searchCue {
		if q.Context.Occupation != "" {
			if o, ok := s.Occupation(q.Context.Occupation); ok {
				u.occ, u.fromContext = o, true
			}
		}
		if u.occ == nil {
			if all := s.Occupations(); len(all) == 1 {
				u.occ = all[0]
			}
		}
	}

	// What about it: cue words out, the rest is the topic.
	var topic []string
	var factHits []Fact
	for _, t := range toks {
		if t.Joined {
			continue
		}
		if nameSpan[1] > 0 && t.Start >= nameSpan[0] && t.End <= nameSpan[1] {
			continue
		}
		if ks, ok := kindWords[t.Word]; ok {
			for _, k := range ks {
				if !slices.Contains(u.kinds, k) {
					u.kinds = append(u.kinds, k)
				}
			}
			continue
		}
		if f, ok := factWords[t.Word]; ok {
			factHits = append(factHits, f)
			topic = append(topic, t.Word)
			continue
		}
		if !t.Meaningful() || fillerWords[t.Word] || searchNouns[t.Word] {
			continue
		}
		if u.unknownName != "" && strings.Contains(" "+u.unknownName+" ", " "+t.Word+" ") {
			continue
		}
		if u.groupWord != "" && t.Word == u.groupWord {
			continue
		}
		topic = append(topic, t.Word)
	}
	// Fact words stay in the topic, so that "service level agreements" is
	// still a topic; only a question of fact words alone asks for facts.
	residual := 0
	for _, w := range topic {
		if _, isFact := factWords[w]; !isFact && !factModifiers[w] {
			residual++
		}
	}
	u.topic = strings.Join(topic, " ")
	if residual == 0 {
		for _, f := range factHits {
			if !slices.Contains(u.facts, f) {
				u.facts = append(u.facts, f)
			}
		}
		if strings.Contains(lower, "how much") && !slices.Contains(u.facts, FactFunding) && len(u.facts) == 0 {
			u.facts = append(u.facts, FactSalary)
		}
		if len(u.facts) == 0 && len(u.kinds) == 0 && reJobs.MatchString(lower) {
			u.facts = append(u.facts, FactJobTitles)
		}
		u.topic = ""
	}
	if slices.Contains(u.facts, FactDuration) && !strings.Contains(lower, "how long") && !strings.Contains(lower, "duration") {
		u.facts = slices.DeleteFunc(u.facts, func(f Fact) bool { return f == FactDuration })
	}

	switch {
	case reHelp.MatchString(lower) && residual <= 1 && u.occ == nil && len(u.kinds) == 0:
		u.intent = IntentHelp
	case u.unknownName != "":
		u.intent = IntentUnknown
	case u.group != nil && u.topic != "":
		u.intent = IntentSearch
	case u.group != nil:
		u.intent = IntentWhich
	case u.occ == nil && u.topic != "":
		u.intent = IntentSearch
	case u.occ == nil:
		u.intent = IntentUnknown
	case u.topic == "" && len(u.kinds) > 0:
		u.intent = IntentList
	case u.topic == "" && len(u.facts) > 0:
		u.intent = IntentFact
	case reRole.MatchString(lower) && u.topic == "":
		u.intent = IntentRole
	case u.topic == "":
		u.intent = IntentOverview
	default:
		u.intent = IntentTopic
	}
	return u
}

// factModifiers qualify a fact without changing it: "average salary",
// "how long", "starting pay".
var factModifiers = wordSet(`average median typical starting annual yearly per year month hour lot well good
high highest low lowest rough roughly approximately approx around usual expected potential number code codes
apprenticeship long takes take it maximum max total`)

// hasSearchCue spots a question across occupations: "Which apprenticeships
// involve routing?", "Are there any jobs that use maths?".
func hasSearchCue(toks []retrieval.Token) bool {
	for i, t := range toks {
		if !searchNouns[t.Word] {
			continue
		}
		for j := max(0, i-3); j < i; j++ {
			switch toks[j].Word {
			case "which", "what", "any", "there", "other", "list":
				return true
			}
		}
		if i+1 < len(toks) {
			switch toks[i+1].Word {
			case "that", "which", "involve", "involving", "include", "including", "cover", "covering",
				"with", "need", "needing", "use", "using", "mention", "require", "teach", "about":
				return strings.HasSuffix(t.Word, "s")
			}
		}
	}
	return false
}

var reReference = regexp.MustCompile(`(?i)\b(?:ST|FA)\d{4}\b`)

// unknownReference returns a standard reference the question names that the
// corpus does not have ("What is ST9999?").
func unknownReference(s Searcher, text string) string {
	for _, ref := range reReference.FindAllString(text, -1) {
		if _, ok := s.Occupation(strings.ToUpper(ref)); !ok {
			return strings.ToUpper(ref)
		}
	}
	return ""
}

// resolveExplicit finds the occupation a platform's option names: a
// reference, or a title.
func resolveExplicit(s Searcher, name string) *retrieval.Occupation {
	if o, ok := s.Occupation(strings.ToUpper(strings.TrimSpace(name))); ok {
		return o
	}
	if ms := s.MatchOccupations(name); len(ms) > 0 {
		return ms[0].Occupation
	}
	return nil
}

// unknownOccupation returns the name of an occupation the question frames
// ("a pastry chef", "the astronaut apprenticeship") when it is not one the
// corpus has; "" when the question names none.
func unknownOccupation(s Searcher, lower string) string {
	for pi, re := range namePatterns {
		for _, m := range re.FindAllStringSubmatch(lower, -1) {
			phrase := cleanName(m[1])
			if phrase == "" {
				continue
			}
			words := strings.Fields(phrase)
			last := words[len(words)-1]
			explicit := explicitPatterns&(1<<pi) != 0
			if !explicit && !occupationNouns[last] && !occupationNouns[strings.TrimSuffix(last, "s")] && !s.IsGenericName(retrieval.Stem(last)) {
				continue
			}
			if len(s.MatchOccupations(phrase)) > 0 || allGeneral(s, words) {
				continue
			}
			return phrase
		}
	}
	return ""
}

// allGeneral reports whether every word of a phrase names a group of
// occupations ("chef", "software engineers"): a group, not an unknown name.
func allGeneral(s Searcher, words []string) bool {
	for _, w := range words {
		if len(s.OccupationsNamed(w)) == 0 {
			return false
		}
	}
	return true
}

// cleanName strips a framed phrase down to the words of a name: leading
// stopwords go ("the"); a phrase that ends on, or holds, a word that is no
// part of a name ("the OSI model have to do with this job") is no name.
func cleanName(phrase string) string {
	words := strings.Fields(strings.Trim(phrase, " -'"))
	notName := func(w string) bool {
		return retrieval.IsStopword(w) || fillerWords[w] || searchNouns[w] || kindWords[w] != nil || w == "level"
	}
	for len(words) > 0 && notName(words[0]) {
		words = words[1:]
	}
	if len(words) == 0 || len(words) > 4 {
		return ""
	}
	for _, w := range words {
		if notName(w) && w != "and" {
			return ""
		}
	}
	return strings.Join(words, " ")
}
