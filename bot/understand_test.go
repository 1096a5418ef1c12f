package bot

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestUnderstandingAsPeopleAsk checks the decision on questions as people
// write them: names they use, chat-speak, mentions, comparisons, where an
// apprenticeship leads, interests and questions the standards cannot
// answer.
func TestUnderstandingAsPeopleAsk(t *testing.T) {
	b := catalogueBot(t)
	for _, tc := range []struct {
		q       string
		ctx     string // the conversation's occupation
		intent  Intent
		occ     string
		second  string
		topicIn string
		// topicOut is a word the topic must not hold.
		topicOut string
	}{
		{q: "Which skills would a sparky need?", intent: IntentList, occ: "ST0152"},
		{q: "wat level is a chippy apprenticeship", intent: IntentFact, occ: "ST0264"},
		{q: "whats the level of a hairdresser", intent: IntentFact, occ: "ST0213"},
		// A level named in a yes/no question is the level asked about;
		// in a question of where it leads, the level done.
		{q: "is hairdressing level 2?", intent: IntentFact, occ: "ST0213"},
		// One stray word beside a fact asked for: still the fact.
		{q: "how long does the bricklayer apprenticeship take to finish", intent: IntentFact, occ: "ST0095"},
		{q: "how many months is a bricklayer apprenticeship", intent: IntentFact, occ: "ST0095"},
		{q: "is the plumbing apprenticeship level 3 or 4", intent: IntentFact, occ: "ST0303"},
		{q: "ive done level 2 bricklaying, where can i go from here", intent: IntentProgression, occ: "ST0095"},
		{q: "<@U123ABC> @here tell me about the PT apprenticeship", intent: IntentOverview, occ: "ST0302"},
		{q: "difference between a butcher and a fishmonger apprenticeship", intent: IntentCompare, occ: "ST0078", second: "ST0194"},
		{q: "software developer vs software tester?", intent: IntentCompare, occ: "ST0116", second: "ST0129"},
		{q: "butcher and fishmonger, whats the difference", intent: IntentCompare, occ: "ST0078", second: "ST0194"},
		{q: "torn between butcher and fishmonger, what sets them apart", intent: IntentCompare, occ: "ST0194", second: "ST0078"},
		// What else is asked of the two is what a comparison sets side by side.
		{q: "could you compare butcher with fishmonger for me: how long each one is, the level, and what you actually do day to day?", intent: IntentCompare, occ: "ST0194", second: "ST0078"},
		{q: "which jobs could I get after a bricklaying apprenticeship", intent: IntentProgression, occ: "ST0095"},
		{q: "i finished the bricklayer apprenticeship, what should i do next", intent: IntentProgression, occ: "ST0095"},
		{q: "where could a level 3 plumber go next", intent: IntentProgression, occ: "ST0303"},
		{q: "is there anything higher than bricklayer i could work towards", intent: IntentProgression, occ: "ST0095"},
		{q: "im a bricklayer, whats the next rung up", intent: IntentProgression, occ: "ST0095"},
		{q: "which standards build on the bricklayer apprenticeship", intent: IntentProgression, occ: "ST0095"},
		{q: "i love cooking", intent: IntentInterest, topicIn: "cooking"},
		{q: "im obsessed with nails and lashes lol", intent: IntentInterest, topicIn: "nails"},
		// A verb no cue lists says as much through WordNet (adore: love).
		{q: "my son adores horses", intent: IntentInterest, topicIn: "horses"},
		{q: "she is obsessed with baking, what careers are there for her", intent: IntentInterest, topicIn: "baking"},
		{q: "he spends all his time on his guitar, is there a career in that", intent: IntentInterest, topicIn: "guitar"},
		// What someone does, then a question asking only for options.
		{q: "I fix up old bikes in my shed every weekend. Any ideas?", intent: IntentInterest, topicIn: "bikes"},
		{q: "i draw comics and design my own characters. what careers are out there?", intent: IntentInterest, topicIn: "comics"},
		{q: "she loves the outdoors and wants a job on the water", intent: IntentInterest, topicIn: "outdoors"},
		{q: "I'm interested in being a teaching assistant", intent: IntentOverview, occ: "ST0454"},
		{q: "how do I write a CV", intent: IntentOutOfScope},
		// An occupation said as who one would be, in a search's words.
		{q: "are there any apprenticeships to be a vet nurse", intent: IntentOverview, occ: "ST0343"},
		// Who asks names no occupation ("lad": Fellow).
		{q: "my lad's looking at the brewer apprenticeship, does it teach distilling gin or whisky", intent: IntentTopic, occ: "ST0580", topicIn: "whisky"},
		// Someone saying what they do, asking nothing, says what they
		// like; a few words of chat do not.
		{q: "I spend every evening building websites and tweaking the code", intent: IntentInterest, topicIn: "websites"},
		{q: "my name is sam", intent: IntentSearch},
		// Who asks is no topic: "my cousin reckons", "is that true".
		{q: "my cousin reckons bricklayers do an apprenticeship now, is that true", intent: IntentOverview, occ: "ST0095"},
		// The asker's own errand, with no word of work or training.
		{q: "how can i change the address on my bank card", intent: IntentOutOfScope},
		{q: "what documents do i need to open a savings account", intent: IntentOutOfScope},
		// ... but with one, the standards are asked.
		{q: "how do i get a job working with bank accounts", intent: IntentSearch, topicIn: "bank"},
		// An age beside an occupation is no topic.
		{q: "can i be a plumber apprentice, im 17", intent: IntentOverview, occ: "ST0303"},
		// A job's acronym (the lexicon's).
		{q: "what does a pcso learn", intent: IntentOverview, occ: "ST0509"},
		// A narrower kind said before a job title said whole: a quantity
		// surveyor is clearly the standard named so, not any listing
		// "Surveyor".
		{q: "what is a QS", intent: IntentOverview, occ: "ST0045"},
		// A name's words are no cue: "Love Island" loves nothing.
		{q: "who do you think will win Love Island", intent: IntentSearch, topicIn: "island"},
		// Title Case is no name.
		{q: "What Skills Does A Plumber Need", intent: IntentList, occ: "ST0303"},
		{q: "what time is it", ctx: "ST0127", intent: IntentOutOfScope, occ: "ST0127"},
		// General knowledge with no word of work in it.
		{q: "How many bank holidays are there in England this year?", intent: IntentOutOfScope},
		// An errand whose one word of a name is no name (bake: Baker).
		{q: "What's a quick pasta bake I can make for tea tonight?", intent: IntentOutOfScope},
		{q: "is customer service part of it", ctx: "ST1017", intent: IntentTopic, occ: "ST1017"},
		{q: "Which apprenticeships involve software development?", intent: IntentSearch, topicIn: "software development"},
		{q: "Which skills does a chef need?", intent: IntentWhich},
		{q: "What does a network engineer do day to day?", intent: IntentRole, occ: "ST0127"},
		{q: "Would I be repairing faulty kit as a network engineer?", intent: IntentTopic, occ: "ST0127"},
		// In a conversation, a question about the one spoken of keeps
		// them, though a word of it is another's job title.
		{q: "What sort of materials would he be testing in that job?", ctx: "ST0511", intent: IntentTopic, occ: "ST0511"},
		// What comes before the question is who asks and why.
		{q: "My dad had a heart attack last year. Would a paramedic learn to use a defibrillator?", intent: IntentTopic, occ: "ST0567", topicIn: "defibrillator", topicOut: "heart"},
	} {
		t.Run(tc.q, func(t *testing.T) {
			u := b.understand(b.Searcher(), Question{Text: tc.q, Context: Context{Occupation: tc.ctx}})
			got, second := "", ""
			if u.occ != nil {
				got = u.occ.Reference
			}
			if u.second != nil {
				second = u.second.Reference
			}
			if u.intent != tc.intent || got != tc.occ || second != tc.second {
				t.Errorf("intent %s about %q and %q, want %s about %q and %q (topic %q, scores %v)",
					u.intent, got, second, tc.intent, tc.occ, tc.second, u.topic, u.scores)
			}
			if tc.topicIn != "" && !strings.Contains(u.topic, tc.topicIn) {
				t.Errorf("topic %q lacks %q", u.topic, tc.topicIn)
			}
			if tc.topicOut != "" && strings.Contains(u.topic, tc.topicOut) {
				t.Errorf("topic %q holds %q", u.topic, tc.topicOut)
			}
		})
	}
}

// TestTopicEvidence checks that a topic answer's first words follow the
// evidence: "Yes" only when a passage holds the question, the closest
// passages said to be the closest when one holds part of it, and "doesn't
// mention" when none does.
func TestTopicEvidence(t *testing.T) {
	b := catalogueBot(t)
	for _, tc := range []struct {
		q, lead  string
		grounded bool
	}{
		{"Is wireless networking part of the network engineer role?", "Yes.", true},
		{"Would I be repairing faulty kit as a network engineer?", "doesn't say that in those words", true},
		{"Does a network engineer need to know how to bake bread?", "doesn't mention", false},
		{"Would a network engineer have to look after horses?", "doesn't mention", false},
	} {
		a := ask(t, b, Question{Text: tc.q})
		if !strings.Contains(a.Lead+" "+a.Text, tc.lead) || a.Grounded != tc.grounded {
			t.Errorf("%q: grounded %v, want %v with %q: %s", tc.q, a.Grounded, tc.grounded, tc.lead, a.Text)
		}
	}
}

// TestTiedNamesDecidedByTheQuestion: one job title in two standards
// ("Groundsman": Golf greenkeeper and Sports turf operative) is decided by
// the rest of the question, the other still offered; a question of how to
// become one, in words the standard lacks, gets what the standard covers.
func TestTiedNamesDecidedByTheQuestion(t *testing.T) {
	b := catalogueBot(t)
	a := ask(t, b, Question{Text: "how do I become a groundsman at a cricket club"})
	if a.Occupation != "ST0210" || !a.Grounded || !strings.Contains(a.Text, "Golf greenkeeper (ST0209)") {
		t.Errorf("groundsman at a cricket club: %s, grounded %v: %s", a.Occupation, a.Grounded, a.Text)
	}
	if !strings.Contains(a.Text, `doesn't mention "cricket club"; this is what it covers`) || !strings.Contains(a.Text, "[ST0210 overview-1]") {
		t.Errorf("how-to-become answer does not say what is missing and what it covers: %s", a.Text)
	}
}

// TestNewKindsCiteTheirStandards checks that comparisons, progression and
// interest answers cite every standard they name.
func TestNewKindsCiteTheirStandards(t *testing.T) {
	b := catalogueBot(t)
	for _, tc := range []struct {
		q    string
		refs []string
	}{
		{"difference between a butcher and a fishmonger apprenticeship", []string{"ST0078", "ST0194"}},
		{"which jobs could I get after a bricklaying apprenticeship", []string{"ST0095"}},
		{"i love cooking", nil},
	} {
		a := ask(t, b, Question{Text: tc.q})
		if !a.Grounded || len(a.Citations) == 0 {
			t.Errorf("%q: not grounded: %s", tc.q, a.Text)
			continue
		}
		cited := map[string]bool{}
		for _, c := range a.Citations {
			cited[c.Reference] = true
			if !strings.Contains(a.Text, c.Marker()) {
				t.Errorf("%q: citation %s not in the text", tc.q, c.Marker())
			}
		}
		for _, r := range tc.refs {
			if !cited[r] {
				t.Errorf("%q: no citation of %s: %s", tc.q, r, a.Text)
			}
		}
	}
}

// TestUnderstandingEval runs the broad eval written from the data: every
// category of question people ask, across the catalogue. Its floors guard
// what was reached (figures in the note); the held-out file is
// measured, not gated.
func TestUnderstandingEval(t *testing.T) {
	b := catalogueBot(t)
	cases := readEval(t, filepath.Join("..", "testdata", "eval", "understanding.jsonl"))
	results, err := RunEval(context.Background(), b, cases)
	if err != nil {
		t.Fatal(err)
	}
	passed, rate := PassRate(results)
	t.Logf("pass %d/%d = %.2f", passed, len(results), rate)
	if rate < 0.96 {
		t.Errorf("pass rate %.2f below 0.96", rate)
	}
	for _, c := range PassRateByCategory(results) {
		t.Logf("category %-14s %d/%d = %.2f", c.Category, c.Passed, c.Total, c.Rate())
		if c.Rate() < 0.78 {
			t.Errorf("category %s at %.2f, below 0.78", c.Category, c.Rate())
		}
	}
}

// TestUnderstandingDataEval runs the second dev file: paraphrase, nickname,
// progression and interest questions written from passages and titles
// sampled across every route, before the mechanisms they measure. Its
// floors are what was reached; raise them as it improves.
func TestUnderstandingDataEval(t *testing.T) {
	b := catalogueBot(t)
	cases := readEval(t, filepath.Join("..", "testdata", "eval", "understanding-data.jsonl"))
	results, err := RunEval(context.Background(), b, cases)
	if err != nil {
		t.Fatal(err)
	}
	passed, rate := PassRate(results)
	t.Logf("pass %d/%d = %.2f", passed, len(results), rate)
	floors := map[string]float64{"paraphrase": 0.67, "nickname": 0.63, "progression": 0.90, "interest": 0.80}
	for _, c := range PassRateByCategory(results) {
		t.Logf("category %-14s %d/%d = %.2f", c.Category, c.Passed, c.Total, c.Rate())
		if c.Rate() < floors[c.Category] {
			t.Errorf("category %s at %.2f, below %.2f", c.Category, c.Rate(), floors[c.Category])
		}
	}
}

// TestUnderstandingParaphraseEval runs the hardest file: paraphrases of one
// passage each, over 60 standards no other file uses, written (by someone
// who had not read bot or retrieval) to share no distinctive word with the
// passage. It measures what lexical stand-ins and word vectors cannot
// reach; its floor is what was reached (19 of 60), to be raised as meaning
// is better understood.
func TestUnderstandingParaphraseEval(t *testing.T) {
	b := catalogueBot(t)
	cases := readEval(t, filepath.Join("..", "testdata", "eval", "understanding-paraphrase.jsonl"))
	results, err := RunEval(context.Background(), b, cases)
	if err != nil {
		t.Fatal(err)
	}
	passed, rate := PassRate(results)
	t.Logf("pass %d/%d = %.2f", passed, len(results), rate)
	if rate < 0.31 {
		t.Errorf("paraphrase pass rate %.2f, below 0.31", rate)
	}
}

// TestUnderstandingHeldOutEvals runs the sets written from the data by
// someone who had not read the code, each run once as it arrived (its
// held-out figure, below) and then, once what it showed was built as
// general mechanisms, kept as dev data held at what was reached.
func TestUnderstandingHeldOutEvals(t *testing.T) {
	for _, tc := range []struct {
		file                 string
		minRate, minCategory float64
		exempt               []string
	}{
		// 96 questions in eight categories over 135 standards: the bugs
		// it showed were fixed in general.
		{"understanding-fresh.jsonl", 0.97, 0.8, nil},
		// 108 questions over 226 standards: 76/108 on arrival.
		{"understanding-holdout2.jsonl", 0.85, 0.66, []string{"paraphrase"}},
		// 120 questions over 149 standards: 79/120 on arrival (76/120
		// with the code before that round).
		{"understanding-holdout3.jsonl", 0.87, 0.55, []string{"paraphrase"}},
		// 185 standards, all 17 routes: 94/120 on arrival, the same with
		// and without the word vectors.
		{"understanding-holdout4.jsonl", 0.90, 0.66, []string{"paraphrase"}},
		// 179 standards, written after that round's work: 90/120 on
		// arrival (89/120 with the round's start code).
		{"understanding-holdout5.jsonl", 0.83, 0.5, []string{"paraphrase"}},
		// 215 standards, at the start of the next round: 91/120.
		{"understanding-holdout6.jsonl", 0.84, 0.66, []string{"paraphrase"}},
		// 205 standards, after that round's first changes: 78/120 (77/120
		// with its start code).
		{"understanding-holdout7.jsonl", 0.77, 0.58, []string{"paraphrase"}},
		// 195 standards, after most of that round's understanding work:
		// 84/120 (81/120 with its start code).
		{"understanding-holdout8.jsonl", 0.76, 0.58, []string{"paraphrase"}},
		// 215 standards, written after all of that round's work: 91/120
		// (85/120 with its start code).
		{"understanding-holdout9.jsonl", 0.77, 0.5, []string{"paraphrase"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			gateEval(t, tc.file, tc.minRate, tc.minCategory, tc.exempt...)
		})
	}
}

// gateEval runs an eval file on the catalogue and fails below minRate
// overall, or below minCategory in any category but the exempt ones.
func gateEval(t *testing.T, file string, minRate, minCategory float64, exempt ...string) {
	t.Helper()
	b := catalogueBot(t)
	cases := readEval(t, filepath.Join("..", "testdata", "eval", file))
	results, err := RunEval(context.Background(), b, cases)
	if err != nil {
		t.Fatal(err)
	}
	passed, rate := PassRate(results)
	t.Logf("pass %d/%d = %.2f", passed, len(results), rate)
	if rate < minRate {
		t.Errorf("pass rate %.2f, below %.2f", rate, minRate)
	}
	for _, c := range PassRateByCategory(results) {
		t.Logf("category %-14s %d/%d = %.2f", c.Category, c.Passed, c.Total, c.Rate())
		if !slices.Contains(exempt, c.Category) && c.Rate() < minCategory {
			t.Errorf("category %s at %.2f, below %.2f", c.Category, c.Rate(), minCategory)
		}
	}
}

func TestDescribedThenAsked(t *testing.T) {
	for _, c := range []struct {
		q    string
		want bool
	}{
		{"i fix up old bikes in my shed every weekend. any ideas?", true},
		{"drawing and animation are my thing, i sketch constantly. are there apprenticeships for that?", true},
		// A question with words of its own asks them.
		{"i fix up old bikes in my shed. what level is a cycle mechanic?", false},
		// Nothing said of the writer first.
		{"what careers are out there?", false},
		{"bikes. any ideas?", false},
		// Someone spoken of, and wanting work of it said as a wish.
		{"he takes apart every gadget in the house. any ideas what he could aim for?", true},
		{"i volunteer with a conservation group clearing scrub. i want a job where i am outdoors all day.", true},
		{"i grew up sailing dinghies on the coast and i would love a job near the water", true},
		{"i love my job", false},
		{"i am sam and i am 15, email sam.smith@example.org, how do i become an astronaut?", false},
		// Asked as not knowing; a wish with no "I", as chat writes it.
		{"i spend all my free time making games in unity. no idea what jobs that leads to tbh", true},
		{"football four nights a week, gym most mornings. want to turn that into an actual job somehow", true},
		{"football four nights a week. the season starts soon", false},
		// A clause with "who" in it asks nothing; a question after a
		// comma does.
		{"i help look after my nan who has dementia. would love my job to be in care", true},
		{"my lad spends every weekend under the bonnet of his car. hes 16, what apprenticeships would suit him", true},
	} {
		if got := describedThenAsked(c.q); got != c.want {
			t.Errorf("describedThenAsked(%q) = %v, want %v", c.q, got, c.want)
		}
	}
}

func TestAskedSpan(t *testing.T) {
	for _, c := range []struct {
		text string
		want string // the question asked, "" when the whole message is
	}{
		{"My mum had radiotherapy. Would I learn ultrasound?", " Would I learn ultrasound?"},
		{"wat lvl is a cable jointer?? thinkin of applyin", "wat lvl is a cable jointer??"},
		{"Would I learn ultrasound?", ""},
		{"I like cars", ""},
		// Two questions: no one of them is the question.
		{"What does it pay? I like cars. Any ideas?", ""},
		// A dot inside a word ends no sentence.
		{"email me at sam.smith@example.org, how do I become an astronaut?", ""},
	} {
		got := ""
		if from, to, ok := askedSpan(c.text); ok {
			got = c.text[from:to]
		}
		if got != c.want {
			t.Errorf("askedSpan(%q) asks %q, want %q", c.text, got, c.want)
		}
	}
}

func TestSpecificity(t *testing.T) {
	for _, c := range []struct {
		spread, n int
		want      float64
	}{
		{3, 800, 1},
		{20, 800, 1},
		{800, 800, minSpecificity},
		{400, 800, minSpecificity},
	} {
		if got := specificity(c.spread, c.n); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("specificity(%d, %d) = %v, want %v", c.spread, c.n, got, c.want)
		}
	}
	// Between, fewer standards make a word tell more.
	if a, b := specificity(60, 800), specificity(120, 800); !(a > b && b > minSpecificity && a < 1) {
		t.Errorf("specificity(60) = %v, specificity(120) = %v: want 1 > first > second > %v", a, b, minSpecificity)
	}
}

// A progression answer puts first the standards named for where the asker
// wants to get to.
func TestProgressionFollowsTheAim(t *testing.T) {
	b := catalogueBot(t)
	a := ask(t, b, Question{Text: "I'm a level 2 retailer, is there a route into management from here?"})
	if a.Intent != IntentProgression {
		t.Fatalf("intent %s, want progression: %s", a.Intent, a.Text)
	}
	found := false
	for _, c := range a.Citations {
		if c.Reference == "ST0325" { // Retail manager
			found = true
		}
	}
	if !found {
		t.Errorf("no Retail manager (ST0325) among the steps: %s", a.Text)
	}
}

func TestSameRoute(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"Digital", "Digital", true},
		{"Digital", "Construction and the built environment", false},
		{"Education and childcare", "Education and early years", true},
		{"Health and science;Care services", "Care services", true},
		{"", "", false},
	} {
		if got := sameRoute(c.a, c.b); got != c.want {
			t.Errorf("sameRoute(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestInterestFocus(t *testing.T) {
	b := catalogueBot(t)
	for _, c := range []struct {
		q            string
		want, absent string
	}{
		{"Chemistry is my favourite subject and I love doing experiments in the lab at school.", "chemistry", "school"},
		{"I'm really into aircraft and I've been teaching myself Python in my spare time.", "aircraft", "spare"},
	} {
		u := b.understand(b.Searcher(), Question{Text: c.q})
		if u.intent != IntentInterest {
			t.Fatalf("%q: intent %s, want interest", c.q, u.intent)
		}
		if !slices.Contains(u.focus, c.want) || slices.Contains(u.focus, c.absent) {
			t.Errorf("%q: focus %q, want %q in it and not %q", c.q, u.focus, c.want, c.absent)
		}
	}
}

// A word held only through a broad stand-in is no evidence: the standard
// does not mention it.
func TestBroadStandInIsNoEvidence(t *testing.T) {
	b := catalogueBot(t)
	a := ask(t, b, Question{Text: "Is acupuncture something an enhanced clinical practitioner learns?"})
	if a.Grounded || !strings.Contains(a.Text, "doesn't mention") {
		t.Errorf("grounded %v: %s", a.Grounded, a.Text)
	}
}
