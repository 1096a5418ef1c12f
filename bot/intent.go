package bot

import "math"

// shape is what a question holds, as the intent decision sees it.
type shape struct {
	cues     map[Intent]float64 // cue weights found (cues.txt)
	occ      bool               // the question names an occupation (or the platform sent one)
	strong   bool               // it names one whole or unmistakably
	context  bool               // only the conversation names one
	second   bool               // it names a second occupation
	group    bool               // it names a word many occupations share
	unknown  bool               // it names an occupation the corpus lacks
	kinds    bool               // it asks for a list (skills, duties...)
	facts    bool               // it asks for profile facts alone
	topic    int                // meaningful words left for a topic
	yesNo    bool               // it starts as a yes/no question
	words    int                // words in all
	jobWords bool               // it asks which jobs or job titles
}

// needsOccupation are the intents that answer about one occupation.
var needsOccupation = map[Intent]bool{
	IntentList: true, IntentFact: true, IntentOverview: true, IntentRole: true,
	IntentTopic: true, IntentProgression: true, IntentCompare: true,
}

// decide scores every intent on the question's shape and picks the best:
// each score adds the cue weights found for it to what the shape says for
// and against it. A tie goes to the intent listed first in order.
func decide(sh shape) (Intent, map[Intent]float64) {
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	occ, ctx := b2f(sh.occ), b2f(sh.context)
	about := math.Max(occ, ctx) // some occupation to answer about
	hasTopic := b2f(sh.topic > 0)
	topicWords := math.Min(float64(sh.topic), 3)
	c := sh.cues
	score := map[Intent]float64{
		IntentHelp: c[IntentHelp] - 2*occ - 1.5*b2f(sh.kinds || sh.facts) - 0.5*math.Max(0, float64(sh.topic-1)),
		// The standards answer about occupations: a named one outweighs
		// a general word, a conversation's does not.
		IntentOutOfScope: c[IntentOutOfScope] - 2.5*occ - b2f(sh.kinds) - b2f(sh.facts) - b2f(sh.group) - b2f(sh.unknown) - 0.5*c[IntentInterest],
		// Two occupations asked to be compared: what else is asked of
		// them (what they do, how long, the level) is what the
		// comparison sets side by side.
		IntentCompare: c[IntentCompare]*(0.3+0.7*b2f(sh.second)) + 1.5*b2f(sh.second) +
			b2f(sh.second && c[IntentCompare] > 0)*(math.Max(c[IntentRole], 0)+2.5*b2f(sh.facts)),
		IntentProgression: c[IntentProgression] - 0.5*b2f(sh.kinds) - 2*b2f(sh.facts && !sh.jobWords),
		// A named occupation is what an interest is in ("interested in
		// becoming a plumber"): its overview answers.
		// A name said only in part ("a job on the water": Water network
		// operative) is a weaker pull than the interest.
		IntentInterest: c[IntentInterest] - 0.75*occ - 4*b2f(sh.strong) - b2f(sh.kinds),
		IntentRole:     c[IntentRole] - 0.8*topicWords,
		IntentOverview: 0.8*about + c[IntentOverview] - 1.2*hasTopic - 1.5*b2f(sh.kinds) - 1.5*b2f(sh.facts),
		IntentList:     2.5*b2f(sh.kinds) - hasTopic,
		IntentFact:     2.5*b2f(sh.facts) + 1.5*b2f(sh.jobWords && sh.topic == 0 && !sh.kinds) - hasTopic,
		IntentTopic:    (1 + 0.4*topicWords + 0.3*b2f(sh.yesNo)) * hasTopic,
		// "what careers are there" after what someone loves asks which
		// fit that: an interest.
		IntentSearch:  c[IntentSearch] + 1.5*hasTopic*(1-about) - c[IntentInterest] - c[IntentProgression],
		IntentWhich:   1.2 * b2f(sh.group),
		IntentUnknown: 3 * b2f(sh.unknown),
	}
	best, bestScore := IntentUnknown, math.Inf(-1)
	for _, in := range intentOrder {
		v := score[in]
		if needsOccupation[in] && about == 0 {
			continue
		}
		if in == IntentCompare && !sh.second {
			continue
		}
		if v > bestScore {
			best, bestScore = in, v
		}
	}
	if bestScore <= 0 {
		// Nothing asked for in particular.
		switch {
		case sh.unknown:
			best = IntentUnknown
		case sh.group:
			best = IntentWhich
		case about > 0:
			best = IntentOverview
		default:
			best = IntentUnknown
		}
	}
	return best, score
}

// intentOrder breaks ties: the more specific answer first.
var intentOrder = []Intent{
	IntentHelp, IntentUnknown, IntentOutOfScope, IntentCompare, IntentProgression, IntentInterest,
	IntentList, IntentFact, IntentRole, IntentTopic, IntentSearch, IntentWhich, IntentOverview,
}
