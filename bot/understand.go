package bot

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/careersbot/careersbot/retrieval"
)

// understanding is what the bot made of a question.
type understanding struct {
	intent Intent
	occ    *retrieval.Occupation
	// others are occupations that fit the question almost as well as occ:
	// the answer names them.
	others []*retrieval.Occupation
	// tied are the others the question names exactly as well as occ (one
	// job title in two standards): the rest of the question decides.
	tied []*retrieval.Occupation
	// second is the other occupation of a comparison.
	second *retrieval.Occupation
	// took is the name occ was found by when it is not its title
	// ("Hairdresser" for Hairdressing professional): the answer says which
	// standard it took.
	took string
	// unknownName is an occupation the question names that the corpus lacks.
	unknownName string
	// near are occupations that almost fit a name the corpus lacks, best
	// first, for the "not covered" answer to offer.
	near []*retrieval.Occupation
	// group holds the occupations a general word names ("nurses",
	// "chefs"), when the question names no one occupation; groupWord is
	// that word.
	group       []*retrieval.Occupation
	groupWord   string
	kinds       []retrieval.Kind
	facts       []Fact
	topic       string   // the words that carry the topic
	focus       []string // of an interest, the words its cues point at
	yesNo       bool
	fromContext bool // occ came from the conversation, not the question
	// scores are the intents' scores the decision was made on.
	scores map[Intent]float64
}

// How occupation candidates become the occupations a question is about.
const (
	// useScore is the least score of a candidate taken as named.
	useScore = 0.72
	// clearScore: a candidate this good, ahead of the next by tieMargin,
	// is taken even when a general word fits many others.
	clearScore = 0.8
	tieMargin  = 0.1
	// exactTie: candidates this close are named equally well.
	exactTie = 0.02
	// strongScore: a name not said whole must score this to change the
	// occupation a conversation is about.
	strongScore = 0.9
	// groupFloor and groupSize: this many candidates of one mention at
	// groupFloor or above, none clear, make the word a group ("nurse").
	groupFloor = 0.55
	groupSize  = 5
	// nearScore is the least score of a candidate offered as "did you
	// mean" for a name the corpus lacks.
	nearScore = 0.45
	// maxOthers bounds the near ties an answer names.
	maxOthers = 3
)

// mention is one place in a question that names an occupation, with the
// candidates for it, best first.
type mention struct {
	start, end int
	cands      []retrieval.Candidate
}

// mentions groups ranked candidates by the words that name them: two
// candidates whose words overlap are two readings of one mention.
func mentions(cands []retrieval.Candidate) []mention {
	var out []mention
	for _, c := range cands {
		placed := false
		for i := range out {
			if c.Start < out[i].end && out[i].start < c.End {
				out[i].cands = append(out[i].cands, c)
				placed = true
				break
			}
		}
		if !placed && c.Score >= useScore {
			out = append(out, mention{start: c.Start, end: c.End, cands: []retrieval.Candidate{c}})
		}
	}
	// In the order the question says them.
	slices.SortFunc(out, func(a, b mention) int { return a.start - b.start })
	return out
}

// framedMentions keeps the mentions that name an occupation whole, said as
// who one would be ("for a car mechanic", "to be a plumber", "as an
// electrician").
func framedMentions(ms []mention, text string) []mention {
	var out []mention
	for _, m := range ms {
		if top := m.cands[0]; top.Complete && reFramedBefore.MatchString(strings.ToLower(text[:m.start])) {
			out = append(out, m)
		}
	}
	return out
}

var reFramedBefore = regexp.MustCompile(`\b(for|to be|to become|as|becoming|being) (a|an)\s*$`)

// strongMention reports whether some mention names its occupation whole or
// unmistakably, enough to change the subject of a conversation.
func strongMention(ms []mention) bool {
	for _, m := range ms {
		if top := m.cands[0]; top.Complete || top.Score >= strongScore {
			return true
		}
	}
	return false
}

// clear reports whether a mention's best candidate is clearly the one meant:
// well ahead of the next, or its title said whole when no other title is.
func (m mention) clear() bool {
	top := m.cands[0]
	if len(m.cands) == 1 {
		return true
	}
	if top.Complete && top.Title {
		for _, c := range m.cands[1:] {
			if c.Complete && c.Title && c.Score >= top.Score-tieMargin {
				return false // two standards of one title (Dental nurse)
			}
		}
		return true
	}
	return top.Score-m.cands[1].Score >= tieMargin && (top.Score >= clearScore || top.Complete)
}

// ties are the candidates within tieMargin of the best, the best excluded.
func (m mention) ties() []*retrieval.Occupation {
	var out []*retrieval.Occupation
	for _, c := range m.cands[1:] {
		if c.Score >= m.cands[0].Score-tieMargin && c.Score >= useScore {
			out = append(out, c.Occupation)
		}
	}
	return out
}

// wide reports whether the mention is a word many standards share: many
// fit the same words about as well, none clearly.
func (m mention) wide() bool {
	top := m.cands[0]
	n := 0
	for _, c := range m.cands {
		if c.Score >= groupFloor && c.Start == top.Start && c.End == top.End {
			n++
		}
	}
	return n >= groupSize && !m.clear()
}

func (b *Bot) understand(s Searcher, q Question) understanding {
	u := understanding{}
	text := normalise(strings.TrimSpace(q.Text))
	lower := retrieval.Fold(text)
	toks := retrieval.Tokenize(text)
	var words []retrieval.Token
	for _, t := range toks {
		if !t.Joined {
			words = append(words, t)
		}
	}
	if len(words) > 0 {
		u.yesNo = yesNoStarts[words[0].Word]
	}
	cm := cues.match(cueWords(text, words))

	// Which occupations. A name in the question wins; then the occupation
	// the platform sent (a command's option, the web chat's previous
	// answer); then a group word; then the conversation's; then the only
	// one there is. A question across occupations ("which
	// apprenticeships...") has none.
	// "Which apprenticeships involve X" names no occupation; "which
	// standards build on X" does.
	searchCue := cm.weight[IntentSearch] > 0 && cm.weight[IntentProgression] == 0
	var spans [][2]int
	var ms []mention
	if !searchCue {
		ms = mentions(s.RankOccupations(text))
	} else if framed := framedMentions(mentions(s.RankOccupations(text)), text); len(framed) > 0 {
		// "Any apprenticeships for a car mechanic?": an occupation said
		// whole as who one would be is what is asked about, not a
		// search across the standards.
		ms = framed
		searchCue = false
		cm.weight[IntentSearch] = 0
	}
	if len(ms) > 0 {
		said := nonJoined(text)
		ms = slices.DeleteFunc(ms, func(m mention) bool { return askerAt(said, m.start) })
	}
	if len(ms) > 0 && q.Context.Occupation != "" && !strongMention(ms) {
		// In a conversation, a topic that happens to be part of a name
		// ("is team leading part of it?") keeps the occupation.
		ms = nil
	}
	if len(ms) > 0 && q.Context.Occupation != "" && cm.weight[IntentCompare] <= 0 && reBackRef.MatchString(lower) && !titleSaid(ms) {
		// "Would they need to program the machines?", "what materials
		// would he be testing in that job?": a question about the one
		// spoken of keeps them, unless it names another by its title.
		ms = nil
	}
	switch {
	case len(ms) > 0 && ms[0].wide() && len(ms) == 1:
		m := ms[0]
		for _, c := range m.cands {
			if c.Score >= groupFloor && len(u.group) < 12 {
				u.group = append(u.group, c.Occupation)
			}
		}
		u.groupWord = strings.TrimSpace(text[m.start:m.end])
		spans = append(spans, [2]int{m.start, m.end})
	case len(ms) > 0:
		// The best mention is the occupation; a second mention said
		// whole (a comparison's other side) is kept too.
		best := 0
		for i := range ms {
			if ms[i].cands[0].Score > ms[best].cands[0].Score {
				best = i
			}
		}
		m := ms[best]
		u.occ = m.cands[0].Occupation
		if !m.cands[0].Title {
			u.took = m.cands[0].Name
		}
		if !m.clear() {
			u.others = m.ties()
			if len(u.others) > maxOthers {
				u.others = u.others[:maxOthers]
			}
			for _, c := range m.cands[1:] {
				if c.Score >= m.cands[0].Score-exactTie && slices.Contains(u.others, c.Occupation) {
					u.tied = append(u.tied, c.Occupation)
				}
			}
		}
		for _, m2 := range ms {
			// Every place the question names the occupation is a name,
			// not a topic ("ST0127", "network engineers").
			if m2.cands[0].Occupation == u.occ {
				spans = append(spans, [2]int{m2.start, m2.end})
			}
		}
		for i, m2 := range ms {
			if top := m2.cands[0]; i != best && top.Occupation != u.occ && u.second == nil && cm.weight[IntentCompare] > 0 {
				u.second = top.Occupation
				spans = append(spans, [2]int{m2.start, m2.end})
			}
		}
	}
	if u.occ == nil && u.group == nil && !searchCue {
		u.unknownName = unknownReference(s, text)
		if u.unknownName == "" {
			u.unknownName = unknownOccupation(s, lower)
		}
		if u.unknownName != "" {
			for _, c := range s.RankOccupations(u.unknownName) {
				if c.Score >= nearScore && len(u.near) < 3 {
					u.near = append(u.near, c.Occupation)
				}
			}
		}
	}
	if u.occ == nil && u.group == nil && u.unknownName == "" && q.Occupation != "" {
		if u.occ = resolveExplicit(s, q.Occupation); u.occ == nil {
			u.unknownName = q.Occupation
		}
	}
	if u.occ == nil && u.group == nil && u.unknownName == "" && !searchCue {
		for i, t := range words {
			if !t.Meaningful() || !saidOfPeople(words, i) {
				continue
			}
			if g := s.OccupationsNamed(t.Word); len(g) > 0 {
				u.group, u.groupWord = g, t.Word
				spans = append(spans, [2]int{t.Start, t.End})
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
				// The only occupation there is: as if the
				// conversation had named it.
				u.occ, u.fromContext = all[0], true
			}
		}
	}

	// What about it: names, cue words and the words that say what is
	// asked go; the rest is the topic.
	inSpan := func(t retrieval.Token) bool {
		for _, sp := range spans {
			if t.Start >= sp[0] && t.End <= sp[1] {
				return true
			}
		}
		return false
	}
	// A phrasal verb or set phrase stays whole in the topic, particles
	// and all ("sorting out", "go up"), for the search to know it.
	phraseAt := map[int]string{} // byte start of its first word -> the phrase
	inPhrase := map[int]bool{}   // byte starts of its other words
	for _, p := range retrieval.Phrases(text) {
		// A verb with its particle is a topic of its own though its
		// words are light ("go up" is to climb, "look over" to inspect).
		topical := p.Phrasal
		for _, w := range strings.Fields(p.Text) {
			_, isFact := factWords[w]
			if !fillerWords[w] && !isFact && kindWords[w] == nil && !retrieval.IsStopword(w) {
				topical = true
			}
		}
		if !topical {
			continue // "job titles" asks for a fact, whatever the lexicon says
		}
		phraseAt[p.Spans[0][0]] = p.Text
		for _, sp := range p.Spans[1:] {
			inPhrase[sp[0]] = true
		}
	}
	var topic []string
	var topicAt []int // byte start of each topic entry
	var factHits []Fact
	stated := map[int]bool{} // words of a level stated ("level 2")
	for i, t := range words {
		if inSpan(t) || cm.words[i] || inPhrase[t.Start] {
			continue
		}
		if p, ok := phraseAt[t.Start]; ok {
			topic, topicAt = append(topic, p), append(topicAt, t.Start)
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
		if t.Word == "level" && i+1 < len(words) && isNumber(words[i+1].Word) {
			// "level 2" (or "level 3 or 4") names a level: it is no
			// topic. Where the question asks where it leads, it is the
			// level done; else it is the level asked about.
			for j := i + 1; j < len(words) && (isNumber(words[j].Word) || ((words[j].Word == "or" || words[j].Word == "and" || words[j].Word == "to" || words[j].Word == "level") && j+1 < len(words) && (isNumber(words[j+1].Word) || words[j+1].Word == "level"))); j++ {
				stated[j] = true
			}
			if cm.weight[IntentProgression] > 0 {
				continue
			}
		}
		if stated[i] {
			continue
		}
		if f, ok := factWords[t.Word]; ok {
			factHits = append(factHits, f)
			topic, topicAt = append(topic, t.Word), append(topicAt, t.Start)
			continue
		}
		if !t.Meaningful() || fillerWords[t.Word] || searchNouns[t.Word] {
			continue
		}
		if isNumber(t.Word) && u.occ != nil {
			continue // an age or a year beside an occupation ("a bouncer, im 18") is no topic
		}
		if asker(words, i) || i > 0 && askerVerb[t.Word] && (asker(words, i-1) || i > 1 && asker(words, i-2)) {
			continue // "my cousin reckons", "my lad's looking at": who asks, not what about
		}
		if u.unknownName != "" && strings.Contains(" "+u.unknownName+" ", " "+t.Word+" ") {
			continue
		}
		topic, topicAt = append(topic, t.Word), append(topicAt, t.Start)
	}
	if from, to, ok := askedSpan(text); ok {
		// "My mum had radiotherapy last year and I'm interested in
		// becoming a therapeutic radiographer. Would I learn to do
		// ultrasound scans?", "wat lvl is a cable jointer?? thinking of
		// applying": what comes before or after the question is who asks
		// and why; what is asked is in the question, when it says any.
		var asked []string
		for i, w := range topic {
			if topicAt[i] >= from && topicAt[i] < to && !openAsk[w] {
				asked = append(asked, w)
			}
		}
		if len(asked) > 0 {
			topic = asked
		}
	}
	// A question about learning itself ("do they need to keep
	// learning?") has it as its topic, though it is a filler elsewhere.
	if len(topic) == 0 && len(u.kinds) == 0 && len(factHits) == 0 && u.yesNo {
		for i, t := range words {
			if softFillers[t.Word] && !inSpan(t) && !cm.words[i] {
				topic = append(topic, t.Word)
			}
		}
	}
	// Fact words stay in the topic, so that "service level agreements" is
	// still a topic; only a question of fact words alone asks for facts.
	residual := 0
	for _, w := range topic {
		if _, isFact := factWords[w]; !isFact && !factModifiers[w] {
			residual++
		}
	}
	// Light words (WordNet's everyday workhorse verbs: "done", "left",
	// "provide") say how a question is put, not what it is about: they are
	// not searched for when the topic has other words, but they still
	// count in deciding what is asked.
	searched := topic
	if slices.ContainsFunc(topic, func(w string) bool { return !retrieval.WordNet.Light(w) }) {
		searched = slices.DeleteFunc(slices.Clone(topic), retrieval.WordNet.Light)
	}
	u.topic = strings.Join(searched, " ")
	if residual == 0 {
		for _, f := range factHits {
			if !slices.Contains(u.facts, f) {
				u.facts = append(u.facts, f)
			}
		}
		if strings.Contains(lower, "how much") && !slices.Contains(u.facts, FactFunding) && len(u.facts) == 0 {
			u.facts = append(u.facts, FactSalary)
		}
		u.topic = ""
	}
	if residual == 1 {
		// One word beside a fact asked for ("how long will it take to
		// finish", "pay?? is it decent") is how it is put, more often
		// than a topic: the decision weighs the two.
		for _, f := range factHits {
			if !slices.Contains(u.facts, f) {
				u.facts = append(u.facts, f)
			}
		}
	}
	if slices.Contains(u.facts, FactDuration) && !strings.Contains(lower, "how long") && !strings.Contains(lower, "duration") && !strings.Contains(lower, "length") && !reHowManyTime.MatchString(lower) {
		u.facts = slices.DeleteFunc(u.facts, func(f Fact) bool { return f == FactDuration })
	}

	u.intent, u.scores = decide(shape{
		cues:     cm.weight,
		occ:      u.occ != nil && !u.fromContext,
		strong:   len(ms) > 0 && strongMention(ms),
		context:  u.fromContext,
		second:   u.second != nil,
		group:    u.group != nil,
		unknown:  u.unknownName != "",
		kinds:    len(u.kinds) > 0,
		facts:    len(u.facts) > 0,
		topic:    residual,
		yesNo:    u.yesNo,
		words:    len(words),
		jobWords: reJobs.MatchString(lower),
	})
	if u.intent == IntentFact && len(u.facts) == 0 {
		u.facts = append(u.facts, FactJobTitles)
	}
	weakName := u.occ == nil || !u.fromContext && !(len(ms) > 0 && strongMention(ms))
	if (u.intent == IntentSearch || u.intent == IntentTopic) && u.group == nil && weakName && (reAsksHow.MatchString(lower) || reGeneral.MatchString(lower)) && !reCareersWord.MatchString(lower) {
		// A question put as a person's own errand with no word of work,
		// training or careers in it ("how do I renew my passport",
		// "what grades do I need for history at Oxford", "a quick pasta
		// bake I can make for tea": a word of a name in it is no name) is
		// not asked of the standards, whatever passage shares a word with
		// it.
		u.intent = IntentOutOfScope
		u.occ, u.others, u.tied, u.second = nil, nil, nil, nil
	}
	weakOcc := u.occ == nil || !u.fromContext && !(len(ms) > 0 && strongMention(ms))
	if weakOcc && (u.intent == IntentSearch || u.intent == IntentUnknown || u.intent == IntentTopic || u.intent == IntentProgression) && describedThenAsked(lower) {
		// "I'm always taking engines apart in the garage. Any ideas?":
		// what someone does, then a question that asks nothing of its
		// own, is asking what fits it.
		u.intent = IntentInterest
	}
	if u.intent == IntentSearch && u.occ == nil && selfDescription(lower) {
		// "I fill sketchbooks with characters", "all I do is play video
		// games": someone saying what they do, asking nothing, is telling
		// what they like.
		u.intent = IntentInterest
	}
	if u.intent == IntentInterest {
		// What someone likes is the topic, names and all ("animals",
		// "nails"); no one occupation is meant.
		// What follows a negation is what they do not like ("not stuck
		// in an office"), up to the next "and", "or" or "but".
		var interest []string
		negated := false
		for i, t := range words {
			switch t.Word {
			case "not", "no", "never", "hate", "hates", "dislike", "without":
				negated = true
				continue
			case "and", "or", "but":
				negated = false
			}
			if !negated && !cm.words[i] && t.Meaningful() && !fillerWords[t.Word] && !searchNouns[t.Word] && !openAsk[t.Word] && kindWords[t.Word] == nil {
				interest = append(interest, t.Word)
			}
		}
		u.topic = strings.Join(interest, " ")
		u.focus = interestFocus(text, words, cm, interest)
		u.occ, u.others, u.tied, u.second, u.took = nil, nil, nil, nil, ""
	}
	return u
}

// asker reports whether word i is a person the asker names as theirs and
// who says, wants or looks at something: "my cousin says", "my nephew
// wants", "my lad's looking at". Such a person frames a question; the
// topic is what follows.
func asker(words []retrieval.Token, i int) bool {
	if i == 0 || !possessive[words[i-1].Word] {
		return false
	}
	if person, _ := retrieval.WordNet.Person(words[i].Word); !person {
		return false
	}
	for k := i + 1; k < min(i+3, len(words)); k++ {
		if askerVerb[words[k].Word] {
			return true
		}
	}
	return false
}

// selfDescription reports whether a message is someone saying what they do
// or are, asking nothing: no question mark, no question word first, and
// the writer in it.
func selfDescription(lower string) bool { return describes(lower, writerWords, false) }

// askedSpan returns where a message's question starts and ends when
// statements come before or after it ("I've been a plasterer for years. Is
// there ...?", "what level is it?? thinking of applying"): the last
// sentence ending in a question mark, when no earlier sentence asks one.
func askedSpan(text string) (from, to int, ok bool) {
	end := strings.LastIndexByte(text, '?')
	if end < 0 {
		return 0, 0, false
	}
	run := end
	for run > 0 && strings.IndexByte("?!", text[run-1]) >= 0 {
		run--
	}
	// The question's sentence starts after the last sentence end before
	// its question mark.
	start := lastSentenceEnd(text[:run])
	if strings.ContainsRune(text[:start+1], '?') {
		return 0, 0, false
	}
	from, to = start+1, end+1
	return from, to, from > 0 || strings.ContainsFunc(text[to:], unicode.IsLetter)
}

// reBackRef is a word for the occupation or person a conversation is about.
var reBackRef = regexp.MustCompile(`\b(they|them|their|he|him|his|she|her|it|that job|that role|that one|this job|this role|the job|the role|that apprenticeship|this apprenticeship)\b`)

// titleSaid reports whether a mention is a standard's title said whole.
func titleSaid(ms []mention) bool {
	for _, m := range ms {
		if top := m.cands[0]; top.Title && top.Complete {
			return true
		}
	}
	return false
}

// describedThenAsked reports whether a message says what the writer does
// or likes and then asks only an open question: one with no word of its
// own beyond careers, options and fit ("What careers are out there?",
// "Any ideas?", "Are there apprenticeships for that?").
func describedThenAsked(lower string) bool {
	body := strings.TrimRight(lower, "?!. ")
	i := lastSentenceEnd(body)
	if i < 0 {
		// One sentence: what someone does, then wanting work of it
		// ("I grew up sailing dinghies and I'd love a job near the
		// water").
		loc := reWantsWork.FindStringIndex(body)
		return loc != nil && describes(body[:loc[0]], describedPerson, false)
	}
	ask := strings.TrimSpace(lower[i+1:])
	// Chat drops the "I" of both ("football four nights a week. want to
	// turn that into a job"): a wish with no subject is the writer's.
	implied := reWantsWork.MatchString(ask) && reSubjectless.MatchString(ask)
	if !describes(body[:i], describedPerson, implied) {
		return false
	}
	if reWantsWork.MatchString(ask) {
		// "I want a job where I'm outdoors all day", "want to turn that
		// into an actual job somehow".
		return true
	}
	if !strings.Contains(ask, "?") && !questionOpeners[firstWord(ask)] && !reIndirectAsk.MatchString(ask) && !reWhAsk.MatchString(ask) {
		return false
	}
	// The question asks for options and little else: a word or two of
	// its own beside a word of work ("is there work where drawing is the
	// job"), none without.
	own := 0
	for _, w := range retrieval.Tokenize(ask) {
		if w.Meaningful() && !searchNouns[w.Word] && !fillerWords[w.Word] && !openAsk[w.Word] && !asides[w.Word] && !isNumber(w.Word) {
			own++
		}
	}
	return own == 0 || own <= 2 && reWorkNoun.MatchString(ask)
}

// reWorkNoun is a word for work itself: "is there work where drawing is
// the job" asks for options; "how do I become an astronaut" asks of one.
var reWorkNoun = regexp.MustCompile(`\b(jobs?|work|careers?|apprenticeships?)\b`)

// lastSentenceEnd is the offset of the last sentence end in text (. ! or ?
// before a space), or -1: "example.org" and "e.g." end no sentence.
func lastSentenceEnd(text string) int {
	for i := len(text) - 2; i >= 0; i-- {
		if text[i] == '\n' || strings.IndexByte(".!?", text[i]) >= 0 && (text[i+1] == ' ' || text[i+1] == '\n') {
			return i
		}
	}
	return -1
}

// reWhAsk is a question put after a comma ("he's 16, what apprenticeships
// would suit him").
var reWhAsk = regexp.MustCompile(`(^|, )(what|which|where|how)\b`)

// asides are words of chat that ask nothing ("tbh" is spelled "to be
// honest").
var asides = wordSet("honest honestly tbh")

// reIndirectAsk is a question put as not knowing: "no idea what jobs that
// leads to", "not sure what I could do".
var reIndirectAsk = regexp.MustCompile(`\b(no idea|not sure|wondering|wonder|do not know|dont know|dunno)\b.*\b(what|which|where|how)\b`)

// reSubjectless is a wish said without its "I".
var reSubjectless = regexp.MustCompile(`^(want|wanna|would love|hoping|looking)\b`)

// reWantsWork is a sentence wanting work of some kind, saying no more of
// which.
var reWantsWork = regexp.MustCompile(`\b(want|wants|wanting|would love|i ?d love|love|like|looking for|hoping for|hope to find)\b.*\b(a job|an? \w+ job|my job|jobs|a career|career|work|an apprenticeship)\b`)

// interestFocus is what an interest's cues point at: the words after "I
// love", "I'm into", "good with" up to the end of the clause, and before
// "is my thing" or "my favourite" back to its start ("chemistry is my
// favourite subject": chemistry, not the subject or the school). Only words
// of the interest (kept) count; none when no cue points at any.
func interestFocus(text string, words []retrieval.Token, cm cueMatch, kept []string) []string {
	clauseBreak := func(i int) bool { // between words i and i+1
		return strings.ContainsAny(text[words[i].End:words[i+1].Start], ",.;:!?()-")
	}
	var focus []string
	add := func(i int) {
		if slices.Contains(kept, words[i].Word) && !slices.Contains(focus, words[i].Word) {
			focus = append(focus, words[i].Word)
		}
	}
	for _, cue := range cm.at[IntentInterest] {
		first, last := cue[0], cue[len(cue)-1]
		if pointsBack[words[last].Word] {
			for i := first - 1; i >= 0 && first-i <= focusSpan && !clauseBreak(i); i-- {
				add(i)
			}
			continue
		}
		for i := last + 1; i < len(words) && i-last <= focusSpan; i++ {
			add(i)
			if i+1 < len(words) && clauseBreak(i) {
				break
			}
		}
	}
	return focus
}

// focusSpan is how far from its cue an interest's focus reaches.
const focusSpan = 5

// pointsBack are the last words of cues that follow what they point at
// ("chemistry is my favourite", "drawing is my thing").
var pointsBack = wordSet("favourite favorite thing")

// describes reports whether sentences say what someone does, asking
// nothing: no question mark, no question word first, in words of substance,
// with one of people in it (the writer, or whom a parent or adviser speaks
// of: "he takes apart every gadget"), or implied when chat drops the "I".
func describes(text string, people map[string]bool, implied bool) bool {
	words := retrieval.Tokenize(text)
	if strings.Contains(text, "?") || len(words) == 0 || questionOpeners[words[0].Word] {
		return false
	}
	who, said := implied, 0
	for _, w := range words {
		if askingWh[w.Word] {
			return false // "my mum is a nurse, what should I get her"
		}
		who = who || people[w.Word]
		if w.Meaningful() && !w.Joined {
			said++
		}
	}
	// A few words ("my name is Sam", "I'm bored") are chat, not what
	// someone spends their time on.
	return who && said >= minSelfWords
}

// askingWh are the question words that ask wherever they stand ("who" and
// "which" also join a clause: "my nan, who has dementia").
var askingWh = wordSet("what whats how why")

var (
	// writerWords say the writer is in it.
	writerWords = wordSet("i im me my")
	// describedPerson adds whom a parent or adviser speaks of.
	describedPerson = wordSet("i im me my we our he she his her him they their")
)

// openAsk are the words of a question that asks for options and nothing
// else.
var openAsk = wordSet("way ways turn living make aim aiming lead leads pursue consider any ideas idea options option fit fits suit suits start begin out there anything something recommend suggest suggestions suggestion available next kind sort type types kinds field fields area areas path paths route routes go paths lines line")

func firstWord(s string) string {
	if ws := retrieval.Tokenize(s); len(ws) > 0 {
		return ws[0].Word
	}
	return ""
}

// minSelfWords is the fewest words of substance a self-description says.
const minSelfWords = 3

var questionOpeners = wordSet("what whats which how where who whom why when can could is are do does did will would should shall may might any anything tell list give show explain describe")

// nonJoined is a text's words, compounds' parts only.
func nonJoined(text string) []retrieval.Token {
	var words []retrieval.Token
	for _, t := range retrieval.Tokenize(text) {
		if !t.Joined {
			words = append(words, t)
		}
	}
	return words
}

// askerAt reports whether the word at byte offset start is who asks ("my
// lad's looking at": no Fellow).
func askerAt(words []retrieval.Token, start int) bool {
	for i, w := range words {
		if w.Start == start {
			return asker(words, i)
		}
	}
	return false
}

var (
	possessive = wordSet("my our his her their your")
	askerVerb  = wordSet("says said say wants want wanted thinks think reckons reckon asked asks told tells looking looks looked keeps keen interested hopes wondering")
)

// reAsksHow is a question put as the asker's own errand; reCareersWord is
// any word of work, training or careers (a question with one is the
// standards' to answer, or to say they do not cover).
var (
	reAsksHow = regexp.MustCompile(`\b(how (do|does|can|would|should|will) (i|you|that|it|this|we)|what( \w+)? (do|would|will) i need|where (do|can|should) i|can you (help|tell|get)|(i|we) (can|could) (make|cook|buy|get) for)\b`)
	// reGeneral opens a question of general knowledge: how many bank
	// holidays, when is Easter, who won, what year ("where is welding used"
	// may ask which work uses it).
	reGeneral     = regexp.MustCompile(`^\W*(how (many|much|far|old|tall|big)|when (is|was|are|were|does|do|did)|what (year|day|date|time|month)|who (is|was|were|won|invented|wrote|made))\b`)
	reCareersWord = regexp.MustCompile(`\b(jobs?|careers?|apprentice\w*|work(ing)? (as|in|with|at|for|on)|employ\w*|skills?|qualif\w*|train\w*|courses?|levels?|salar\w*|pay|wages?|earn\w*|industr\w*|sectors?|profession\w*|occupation\w*|roles?|standards?|ksbs?|knowledge|behaviours?|duties|become|becoming|learn\w*|study\w* (to be|for a)|placements?|work experience)\b`)
)

// saidOfPeople reports whether word i is used as a word for people: a
// plural ("nurses"), or after an article ("a chef"), not "lead to".
func saidOfPeople(words []retrieval.Token, i int) bool {
	if strings.HasSuffix(words[i].Word, "s") {
		return true
	}
	if i > 0 {
		switch words[i-1].Word {
		case "a", "an", "the", "as", "being", "become", "becoming":
			return true
		}
	}
	return false
}

// reJobs asks which jobs an occupation leads to or is called.
var reJobs = regexp.MustCompile(`\b(?:what|which)\s+(?:jobs?|roles?|careers?|positions?)\b|\bjob titles?\b|\btypical jobs?\b`)

// factModifiers qualify a fact without changing it: "average salary",
// "how long", "starting pay".
var factModifiers = wordSet(`average median typical starting annual yearly per year month hour lot well good
high highest low lowest rough roughly approximately approx around usual expected potential number code codes
apprenticeship long takes take it maximum max total`)

// reHowManyTime asks for a duration in units: "how many months".
var reHowManyTime = regexp.MustCompile(`how many (?:months|years|weeks)`)

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
	if cs := s.RankOccupations(name); len(cs) > 0 && cs[0].Score >= useScore {
		return cs[0].Occupation
	}
	return nil
}

// namePattern frames an occupation's name in a question, to find the name
// of an occupation the corpus does not have ("What does an astronaut
// apprenticeship involve?"), so the answer can say so rather than answer
// about something else.
type namePattern struct {
	re *regexp.Regexp
	// explicit patterns call what they frame an apprenticeship or a
	// career, so it is an occupation whatever its last word.
	explicit bool
}

var namePatterns = []namePattern{
	{regexp.MustCompile(`\b(?:a|an|the)\s+([a-z][a-z' -]{1,48}?)\s+(?:apprenticeships?|standards?|occupations?|careers?|courses?|jobs?|roles?|profession)\b`), true},
	{regexp.MustCompile(`\b(?:does|do|would|will|can|could|should|did|must)\s+(?:a|an|the)\s+([a-z][a-z' -]{1,48}?)\s+(?:need|needs|learn|earn|make|do|have|get|require|study|use|work|know|understand|deal|involve|communicate|keep|spend|monitor|go|be|start)\b`), false},
	{regexp.MustCompile(`\b(?:become|becoming|be|as|being|train as|training as|work as|working as)\s+(?:a|an)\s+([a-z][a-z' -]{1,48}?)\s*(?:[?.!,;]|$|\s+(?:in|at|with|and|or|for|if|when|after|like)\b)`), false},
	{regexp.MustCompile(`\b(?:of|for|about)\s+(?:a|an)\s+([a-z][a-z' -]{1,48}?)\s*(?:[?.!,;]|$)`), false},
	{regexp.MustCompile(`^(?:what|who)\s+(?:is|are)\s+(?:a|an)\s+([a-z][a-z' -]{1,48}?)\s*(?:[?.!]|$)`), false},
	{regexp.MustCompile(`\b([a-z][a-z-]{2,30}(?:\s+[a-z][a-z-]{2,30}){0,2})\s+apprenticeships?\b`), true},
}

// unknownOccupation returns the name of an occupation the question frames
// ("a pastry chef", "the astronaut apprenticeship") when it is not one the
// corpus has; "" when the question names none.
func unknownOccupation(s Searcher, lower string) string {
	for _, p := range namePatterns {
		for _, m := range p.re.FindAllStringSubmatch(lower, -1) {
			phrase := cleanName(m[1])
			if phrase == "" {
				continue
			}
			words := strings.Fields(phrase)
			last := words[len(words)-1]
			if !p.explicit && !occupationNouns[last] && !occupationNouns[strings.TrimSuffix(last, "s")] && !s.IsGenericName(retrieval.Stem(last)) {
				continue
			}
			if cs := s.RankOccupations(phrase); (len(cs) > 0 && cs[0].Score >= useScore) || allGeneral(s, words) {
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

// isNumber reports whether a word is all digits.
func isNumber(w string) bool {
	return w != "" && strings.Trim(w, "0123456789") == ""
}

// cueWords are a question's words as cues see them: a word capitalised
// inside a sentence is part of a name ("Love Island", "Bake Off") and
// says nothing of what kind of answer is wanted, unless most words are
// capitalised (a question in Title Case).
func cueWords(text string, words []retrieval.Token) []retrieval.Token {
	capital := func(t retrieval.Token) bool {
		r := text[t.Start]
		return r >= 'A' && r <= 'Z' && !t.Upper
	}
	n := 0
	for _, t := range words {
		if capital(t) {
			n++
		}
	}
	if 2*n >= len(words) {
		return words
	}
	out, cloned := words, false
	for i, t := range words {
		if i == 0 || !capital(t) || t.Word == "i" {
			continue
		}
		if strings.ContainsAny(strings.TrimSpace(text[words[i-1].End:t.Start]), ".!?") {
			continue // a sentence's first word
		}
		if !cloned {
			out, cloned = slices.Clone(words), true
		}
		out[i].Word, out[i].Stem = "", ""
	}
	return out
}
