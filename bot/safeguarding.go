package bot

import (
	_ "embed"
	"slices"
	"strings"
	"sync"

	"github.com/careersbot/careersbot/retrieval"
)

// SafeguardingKind is what a message that shows distress is about. The
// kinds are fixed: replies, metrics and alerts are keyed by them.
type SafeguardingKind string

const (
	KindSuicide  SafeguardingKind = "suicide_self_harm"   // suicide or self-harm
	KindAbuse    SafeguardingKind = "abuse_home"          // abuse, or not safe at home
	KindOnline   SafeguardingKind = "online_exploitation" // online exploitation or grooming
	KindCrime    SafeguardingKind = "forced_crime"        // forced into crime
	KindHomeless SafeguardingKind = "homeless"            // homeless or thrown out
	KindBullying SafeguardingKind = "bullying"
	KindDistress SafeguardingKind = "distress" // not coping, or in danger with no other kind said
)

// SafeguardingKinds lists every kind, most serious first: when a message
// shows several, the first of them names it.
var SafeguardingKinds = []SafeguardingKind{KindSuicide, KindAbuse, KindOnline, KindCrime, KindHomeless, KindBullying, KindDistress}

// Valid reports whether k is one of SafeguardingKinds.
func (k SafeguardingKind) Valid() bool {
	for _, x := range SafeguardingKinds {
		if k == x {
			return true
		}
	}
	return false
}

func (k SafeguardingKind) rank() int {
	for i, x := range SafeguardingKinds {
		if k == x {
			return i
		}
	}
	return len(SafeguardingKinds)
}

// Safeguarding is what the detector found in a message: the kind, and
// whether the danger is now (took too many, on the bridge, tonight), which
// puts 999 first. The zero value is no distress.
type Safeguarding struct {
	Kind SafeguardingKind
	Now  bool
}

// IsZero reports whether the message showed no distress.
func (s Safeguarding) IsZero() bool { return s.Kind == "" }

// String is the kind, with "+danger_now" when the danger is now.
func (s Safeguarding) String() string {
	if s.Now {
		return string(s.Kind) + "+danger_now"
	}
	return string(s.Kind)
}

//go:embed safeguarding.txt
var safeguardingText string

// careersThreshold is the careers score at which a message that only names
// a hard subject, or tells of someone else's harm, is a careers question.
const careersThreshold = 2

var defaultSafeguarding = sync.OnceValues(func() (*safeguardingData, error) {
	return parseSafeguarding("safeguarding.txt", safeguardingText)
})

// DetectSafeguarding reports whether a message shows distress, and of what
// kind; the zero Safeguarding when it does not.
func DetectSafeguarding(text string) Safeguarding { return mustSafeguarding().detect(text) }

// mustSafeguarding is the built-in data, compiled once. It is embedded and
// tested, so failing to compile is a broken build: better to stop than to
// run without recognising distress.
func mustSafeguarding() *safeguardingData {
	d, err := defaultSafeguarding()
	if err != nil {
		panic(err)
	}
	return d
}

// person is who a disclosure is about.
type person uint8

const (
	personImplicit person = iota // no subject: in chat, the writer
	personFirst
	personThird
)

// detect decides whether a message shows distress, and of what kind.
//
// A disclosure in the first person (or with no subject, as chat drops "I")
// and in the present is distress whatever else the message says. A
// disclosure about someone else, in someone else's words, or long past,
// and a subject merely named, are distress unless the message scores as a
// careers question: what a role learns, does or pays.
func (d *safeguardingData) detect(text string) Safeguarding { return d.detectNamed(text, nil) }

// detectNamed is detect for a message that names occupations (names, each
// its folded words): a disclosure or subject whose words are a name's
// ("my funeral team member apprenticeship": Funeral team member) is the
// name, not what the writer says of themselves.
func (d *safeguardingData) detectNamed(text string, names [][]string) Safeguarding {
	toks := d.norm.tokens(text)
	if len(toks) == 0 {
		return Safeguarding{}
	}
	m := d.auto.newMatcher(toks)
	defer d.auto.release(m)
	hits := m.run()
	if len(names) > 0 {
		// The names as the message's words are read: slang and slips
		// ("ctb" in a job title) are read the same way in both.
		read := make([][]string, 0, len(names))
		for _, n := range names {
			var ws []string
			for _, t := range d.norm.tokens(strings.Join(n, " ")) {
				ws = append(ws, t.text)
			}
			read = append(read, ws)
		}
		names = read
		hits = slices.DeleteFunc(slices.Clone(hits), func(h hit) bool {
			r := d.patterns[h.pat].role
			return (r == roleDisclosure || r == roleTopic) && inName(toks, h, names)
		})
	}
	// A doer said before a threat that is a thing, not a person, makes
	// it a figure of speech: "this interview is going to kill me".
	hits = slices.DeleteFunc(slices.Clone(hits), func(h hit) bool {
		p := d.patterns[h.pat]
		return p.agent && thingBefore(toks, h.start) ||
			p.object && h.end < len(toks) && !hasBit(m.feat(h.end), d.body) && isObject(toks[h.end])
	})
	isFirst := func(i int) bool { return hasBit(m.feat(i), d.first) }
	isThird := func(i int) bool { return hasBit(m.feat(i), d.third) }
	sentence := make([]int, len(toks))
	clause := make([]int, len(toks))
	s, c := 0, 0
	for i, t := range toks {
		switch {
		case t.brk == '.':
			s++
			c++
		case t.brk == ',' || clauseWord[t.text]:
			c++
		}
		sentence[i], clause[i] = s, c
	}

	careers := 0
	seenCareers := map[int]bool{}
	var speech, past, pastTense, present []hit
	anyNow := false
	for _, h := range hits {
		p := d.patterns[h.pat]
		switch p.role {
		case roleCareers:
			if !seenCareers[h.pat] {
				seenCareers[h.pat] = true
				careers += p.weight
			}
		case roleSpeech:
			speech = append(speech, h)
		case rolePast:
			past = append(past, h)
		case rolePastTense:
			pastTense = append(pastTense, h)
		case rolePresent:
			present = append(present, h)
		case roleNow:
			anyNow = true
		}
	}

	hypothetical := false
	for i := range toks {
		hypothetical = hypothetical || toks[i].text == "hypothetically" ||
			i+2 < len(toks) && toks[i].text == "for" && toks[i+1].text == "a" && toks[i+2].text == "friend"
	}
	personOf := func(h hit) person {
		for i := h.start; i < h.end; i++ {
			if isFirst(i) {
				return personFirst
			}
		}
		if byOthers[d.patterns[h.pat].kind] {
			// Harm done by others is told with them as its subject:
			// the writer is the one it is done to when the sentence
			// says "me" or "my" anywhere (not "I", who asks "what job
			// should I do" of kids who are abused), or names family
			// bare ("mum is out of it": my mum).
			for i := range toks {
				if sentence[i] == sentence[h.start] && toks[i].brk == 0 && (victimWord[toks[i].text] ||
					hasBit(m.feat(i), d.family) && (i == 0 || !otherOwner[toks[i-1].text])) {
					return personFirst
				}
			}
		}
		if h.start > 0 && toks[h.start-1].brk == 0 && isFirst(h.start-1) {
			// "I can't say no to them", "I have to run for them": the
			// writer is the one it is said of, whoever else it names.
			return personFirst
		}
		for i := h.start; i < h.end; i++ {
			if isThird(i) {
				if hypothetical && genericOther[toks[i].text] {
					// "Hypothetically, if someone kept burning their
					// arms", "asking for a friend": the writer's own.
					return personImplicit
				}
				return personThird
			}
		}
		for i := h.start - 1; i >= 0 && sentence[i] == sentence[h.start]; i-- {
			switch {
			case toks[i].brk != 0:
			case isFirst(i):
				return personFirst
			case toks[i].text == "you" || toks[i].text == "your":
				// "If you've got nowhere else to go", asked by the
				// one it is about: nobody else is named nearer.
				return personImplicit
			case isThird(i):
				return personThird
			}
		}
		return personImplicit
	}
	// reported: someone else's words come first in the sentence.
	reported := func(h hit) bool {
		if byOthers[d.patterns[h.pat].kind] {
			// Others' words about what they will do to the writer
			// ("they said if I say no they'll come round", "he said
			// he'd post my pics") are the writer's danger.
			for i := h.start; i < h.end; i++ {
				if victimWord[toks[i].text] || i+1 < h.end && toks[i+1].text == "i" && subordinator[toks[i].text] {
					return false
				}
			}
			// Nor is what they say the writer is to do or can have:
			// "they said I work for them now", "someone said I can
			// make 200 a day carrying a bag".
			if toks[h.start].text == "i" || h.start > 0 && toks[h.start-1].text == "i" {
				return false
			}
		}
		for _, sp := range speech {
			if sp.start < h.start && sentence[sp.start] == sentence[h.start] {
				return true
			}
		}
		return false
	}
	// longAgo: a long-ago phrase in the sentence, or a past-tense verb in
	// the disclosure, with no present or recent word in its clause.
	longAgo := func(h hit) bool {
		isPast := false
		for _, p := range past {
			isPast = isPast || sentence[p.start] == sentence[h.start]
		}
		for _, p := range pastTense {
			isPast = isPast || (p.start >= h.start && p.start < h.end && !counterfactual(toks, p.start))
		}
		if !isPast {
			return false
		}
		for _, p := range present {
			if clause[p.start] == clause[h.start] || clause[p.start] == clause[max(h.end-1, h.start)] {
				return false
			}
		}
		return true
	}

	// The kind comes from the surest evidence: a first-person present
	// disclosure, then any other disclosure, then a named subject; among
	// equals the heavier pattern, then the more serious kind.
	type found struct {
		level  int // 2 strong, 1 other disclosure, 0 topic
		kind   SafeguardingKind
		weight int
		now    bool
	}
	// "As a cashier", "as an electrician": a job said as what the writer
	// is or would be is a careers question's, whoever the corpus names.
	asJob := false
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].text == "as" && (toks[i+1].text == "a" || toks[i+1].text == "an") && personAt(toks, i+2) &&
			!notAJob[toks[i+2].text] && !hasBit(m.feat(i+2), d.family) {
			careers += careersThreshold
			asJob = true
			break
		}
	}
	var all []found
	strong := false
	for _, h := range hits {
		p := d.patterns[h.pat]
		f := found{0, p.kind, p.weight, p.now}
		switch p.role {
		case roleDisclosure:
			f.level = 1
			// With nobody named, a job said as the writer's says whose
			// the words are: "do you have to carry a knife as a chef".
			if who := personOf(h); who != personThird && !(who == personImplicit && asJob) && !reported(h) && !longAgo(h) {
				f.level, strong = 2, true
			}
		case roleTopic:
		default:
			continue
		}
		all = append(all, f)
	}
	needCareers := careersThreshold
	if len(all) == 0 {
		// No pattern: the lexicon may still show distress, as a named
		// subject would. Said of the writer, now, it takes a clearer
		// careers question to outweigh it.
		if f, ok := d.lexiconKind(m); ok {
			all = append(all, found{0, f, 1, false})
			for i := range toks {
				// "my apprentice" is someone else: the writer only
				// owns them.
				if len(present) > 0 && toks[i].brk == 0 && isFirst(i) && !ownsPerson(toks, i) {
					needCareers = 2 * careersThreshold
					break
				}
			}
		}
	}
	if len(all) == 0 || (!strong && careers >= needCareers) {
		return Safeguarding{}
	}
	best := all[0]
	now := anyNow
	for _, f := range all {
		now = now || f.now
		if f.level > best.level || f.level == best.level && (f.weight > best.weight ||
			f.weight == best.weight && f.kind.rank() < best.kind.rank()) {
			best = f
		}
	}
	return Safeguarding{Kind: best.kind, Now: now}
}

// byOthers are the kinds of harm someone else does to the writer.
var byOthers = map[SafeguardingKind]bool{KindAbuse: true, KindOnline: true, KindCrime: true, KindBullying: true, KindHomeless: true}

// genericOther are words for someone unnamed: said hypothetically or
// "for a friend", they stand for the writer (a patient or a client does
// not).
var genericOther = map[string]bool{"someone": true, "somebody": true, "they": true, "them": true, "their": true,
	"he": true, "she": true, "his": true, "her": true, "him": true, "friend": true, "mate": true, "person": true}

// notAJob are words for a person that say who, not what work: "I hate
// myself as a person" is no careers question.
var notAJob = map[string]bool{"person": true, "human": true, "individual": true, "man": true, "woman": true,
	"girl": true, "boy": true, "kid": true, "child": true, "teenager": true, "teen": true, "adult": true,
	"friend": true, "mate": true, "loser": true, "failure": true, "burden": true, "student": true, "pupil": true}

// ownsPerson reports whether the first-person word at i is "my" before a
// word for a person ("my apprentice", "my manager").
func ownsPerson(toks []token, i int) bool {
	return toks[i].text == "my" && personAt(toks, i+1)
}

// personAt reports whether the word at i, or the one after it (a noun
// before the head: "bank cashier"), is a word for a person.
func personAt(toks []token, i int) bool {
	for k := i; k < min(i+2, len(toks)); k++ {
		if toks[k].brk != 0 {
			return false
		}
		if person, _ := retrieval.WordNet.Person(toks[k].text); person {
			return true
		}
	}
	return false
}

// victimWord are the writer as the one something is done to.
var victimWord = map[string]bool{"me": true, "my": true, "myself": true, "mine": true}

// subordinator words before "I" make what follows a condition put to the
// writer: "if I say no", "as long as I don't tell", "fine that I'm 16".
var subordinator = map[string]bool{"if": true, "as": true, "that": true, "unless": true, "until": true}

// otherOwner are words before a family word that make it someone else's.
var otherOwner = map[string]bool{"his": true, "her": true, "their": true, "your": true, "a": true, "the": true, "an": true, "someones": true, "its": true}

// counterfactual reports whether the past-tense word at i is what would be,
// not what was: "better if i was not here", "i wish i was dead".
func counterfactual(toks []token, i int) bool {
	for k := i - 1; k >= max(i-2, 0); k-- {
		switch toks[k].text {
		case "if", "wish", "wished", "unless", "though":
			return true
		}
		if toks[k].brk != 0 {
			break
		}
	}
	return false
}

// agentFiller are words between a doer and what it does ("my exam is
// literally going to kill me").
var agentFiller = map[string]bool{"is": true, "are": true, "was": true, "were": true, "be": true, "will": true,
	"really": true, "so": true, "literally": true, "actually": true, "honestly": true, "properly": true,
	"just": true, "defo": true, "deffo": true, "gonna": true, "totally": true, "definitely": true}

// thingBefore reports whether the doer said before word i is a thing.
func thingBefore(toks []token, i int) bool {
	for k := i - 1; k >= 0; k-- {
		t := toks[k]
		if t.brk != 0 {
			return false
		}
		if agentFiller[t.text] {
			continue
		}
		return isThing(t)
	}
	return false
}

// isObject reports whether a word after a verb is a noun, not a pronoun:
// what is cut is then a thing worked on ("cut trees"), whatever else
// WordNet says the word may name (Tree, an actor).
func isObject(t token) bool {
	return t.brk == 0 && !pronoun[t.text] && retrieval.WordNet.Noun(t.text)
}

// isThing reports whether a word is a noun WordNet knows that is not a
// word for a person, and no pronoun.
func isThing(t token) bool {
	if t.brk != 0 || pronoun[t.text] {
		return false
	}
	person, _ := retrieval.WordNet.Person(t.text)
	return !person && retrieval.WordNet.Noun(t.text)
}

var pronoun = map[string]bool{"i": true, "me": true, "you": true, "he": true, "she": true, "they": true, "we": true,
	"it": true, "this": true, "that": true, "someone": true, "somebody": true, "everyone": true, "everybody": true,
	"who": true, "one": true, "him": true, "her": true, "them": true, "us": true,
	"myself": true, "yourself": true, "himself": true, "herself": true, "themselves": true}

// lexiconThreshold is the score a kind's words must reach, with at least
// one word of weight 2 or more, for a message no pattern matched.
const lexiconThreshold = 4

// lexiconKind scores each kind by the weights of the distinct words of
// the message that are its [score] words, and returns the best kind at or
// over the threshold.
func (d *safeguardingData) lexiconKind(m *matcher) (SafeguardingKind, bool) {
	if len(d.lexicon) == 0 {
		return "", false
	}
	score := map[SafeguardingKind]int{}
	strong := map[SafeguardingKind]bool{}
	seen := map[string]bool{}
	for i, t := range m.toks {
		if t.brk != 0 || seen[t.text] {
			continue
		}
		seen[t.text] = true
		f := m.feat(i)
		for _, la := range d.lexicon {
			if hasBit(f, la.atom) {
				score[la.kind] += la.weight
				strong[la.kind] = strong[la.kind] || la.weight >= 2
			}
		}
	}
	best, bestScore := SafeguardingKind(""), 0
	for _, k := range SafeguardingKinds {
		if score[k] >= lexiconThreshold && strong[k] && score[k] > bestScore {
			best, bestScore = k, score[k]
		}
	}
	return best, best != ""
}

// clauseWord starts a new clause for the past-tense check: "I was bullied
// as a kid, and now I..." is two clauses.
var clauseWord = map[string]bool{"and": true, "but": true, "so": true, "because": true, "then": true, "or": true, "though": true, "although": true}

// inName reports whether a hit's last word is a word of a name said in
// full around it.
func inName(toks []token, h hit, names [][]string) bool {
	last := h.end - 1
	for _, name := range names {
		for k, w := range name {
			if toks[last].text != w {
				continue
			}
			start := last - k
			if start < 0 || start+len(name) > len(toks) {
				continue
			}
			whole := true
			for j, nw := range name {
				if toks[start+j].brk != 0 || toks[start+j].text != nw {
					whole = false
					break
				}
			}
			if whole {
				return true
			}
		}
	}
	return false
}
