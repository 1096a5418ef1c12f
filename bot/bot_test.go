package bot

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/careersbot/careersbot/internal/testcorpus"
	"github.com/careersbot/careersbot/retrieval"
)

var update = flag.Bool("update", false, "rewrite golden files")

func seedBot(t testing.TB) *Bot {
	t.Helper()
	return New(testcorpus.Seed(t), Options{})
}

func catalogueBot(t testing.TB) *Bot {
	t.Helper()
	return New(testcorpus.Catalogue(t), Options{})
}

func ask(t *testing.T, b *Bot, q Question) Answer {
	t.Helper()
	a, err := b.Ask(context.Background(), q)
	if err != nil {
		t.Fatalf("Ask(%q): %v", q.Text, err)
	}
	checkTraceable(t, a)
	return a
}

// checkTraceable asserts the answer's contract: a grounded answer marks
// every citation in its text and cites every marker; a not grounded one has
// none.
func checkTraceable(t *testing.T, a Answer) {
	t.Helper()
	if a.Citations == nil {
		t.Errorf("%q: citations is nil, want an empty list at least", a.Question)
	}
	if !a.Grounded {
		if len(a.Citations) > 0 || reMarker.MatchString(a.Text) {
			t.Errorf("%q: not grounded but cites %d passages: %s", a.Question, len(a.Citations), a.Text)
		}
		return
	}
	if len(a.Citations) == 0 {
		t.Errorf("%q: grounded with no citation", a.Question)
	}
	cited := map[string]bool{}
	for _, c := range a.Citations {
		cited[c.Reference+" "+c.ID] = true
		if !strings.Contains(a.Text, c.Marker()) {
			t.Errorf("%q: citation %s is not marked in the text", a.Question, c.Marker())
		}
		if c.Score < 0 || c.Score > 1 {
			t.Errorf("%q: citation %s score %v outside 0..1", a.Question, c.Marker(), c.Score)
		}
	}
	for _, m := range reMarker.FindAllStringSubmatch(a.Text, -1) {
		if !cited[m[1]+" "+m[2]] {
			t.Errorf("%q: marker %s names no citation", a.Question, m[0])
		}
	}
	if !strings.Contains(a.Text, "Open Government Licence v3.0") {
		t.Errorf("%q: no source line crediting the OGL", a.Question)
	}
}

func ids(a Answer) []string {
	var out []string
	for _, c := range a.Citations {
		out = append(out, c.ID)
	}
	return out
}

func seq(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return out
}

func TestListsAreWholeAndInOrder(t *testing.T) {
	b := seedBot(t)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"Which skills does a network engineer need?", seq("S", 14)},
		{"What knowledge is required for the network engineer standard?", seq("K", 21)},
		{"What behaviours are expected of a network engineer?", seq("B", 6)},
		{"What are the duties of a network engineer?", seq("D", 10)},
		{"list the skills", seq("S", 14)},
		{"What are the KSBs?", slices.Concat(seq("K", 21), seq("S", 14), seq("B", 6))},
	} {
		t.Run(tc.q, func(t *testing.T) {
			a := ask(t, b, Question{Text: tc.q})
			if a.Intent != IntentList || !a.Grounded {
				t.Fatalf("intent %s grounded %v, want a grounded list: %s", a.Intent, a.Grounded, a.Text)
			}
			if got := ids(a); !slices.Equal(got, tc.want) {
				t.Errorf("citations %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestFacts(t *testing.T) {
	b := seedBot(t)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"How much does a network engineer earn?", []string{"£43,692"}},
		{"What's the average salary?", []string{"£43,692"}},
		{"What level is the network engineer apprenticeship?", []string{"Level 4"}},
		{"What is the SOC code for a network engineer?", []string{"2137", "IT network professionals"}},
		{"What job titles could I have as a network engineer?", []string{"Field engineer", "Network administrator", "Systems engineer"}},
		{"What is the standard reference number for network engineer?", []string{"ST0127", "OCC0127"}},
		{"Which route is the network engineer in?", []string{"Digital"}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			a := ask(t, b, Question{Text: tc.q})
			if a.Intent != IntentFact {
				t.Fatalf("intent %s, want fact: %s", a.Intent, a.Text)
			}
			for _, w := range tc.want {
				if !strings.Contains(a.Text, w) {
					t.Errorf("answer lacks %q: %s", w, a.Text)
				}
			}
			if got := ids(a); !slices.Equal(got, []string{"profile"}) {
				t.Errorf("citations %v, want the profile alone", got)
			}
		})
	}
}

func TestTopicsCiteTheRightPassage(t *testing.T) {
	b := seedBot(t)
	for _, tc := range []struct {
		q   string
		any []string // one of these among the top 3
	}{
		{"Is wireless networking part of the role?", []string{"K12"}},
		{"Do network engineers need to understand DNS and DHCP?", []string{"K14"}},
		{"Is Wi-Fi covered?", []string{"K12"}},
		{"What about troubleshoting?", []string{"S5", "K17"}}, // a typo
		{"Does the job involve artificial intelligence?", []string{"K20"}},
		{"Do I need to know about SLAs?", []string{"K6", "S10"}},
		{"Is IP addressing part of the job?", []string{"S13"}},
		{"Will I have to work under pressure?", []string{"B5", "D6"}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			a := ask(t, b, Question{Text: tc.q})
			if !a.Grounded {
				t.Fatalf("not grounded: %s", a.Text)
			}
			top := ids(a)[:min(3, len(a.Citations))]
			if !slices.ContainsFunc(top, func(id string) bool { return slices.Contains(tc.any, id) }) {
				t.Errorf("top citations %v, want one of %v", top, tc.any)
			}
		})
	}
}

func TestNotCovered(t *testing.T) {
	seed := seedBot(t)
	for _, tc := range []struct {
		q, want string
	}{
		{"What skills does a pastry chef need?", `"pastry chef"`},
		{"What is the capital of France?", "not something"},
		{"Does a network engineer need to know how to bake bread?", "Network engineer"},
	} {
		t.Run(tc.q, func(t *testing.T) {
			a := ask(t, seed, Question{Text: tc.q})
			if a.Grounded {
				t.Fatalf("grounded, want not covered: %s", a.Text)
			}
			if !strings.Contains(a.Text, tc.want) {
				t.Errorf("answer lacks %q: %s", tc.want, a.Text)
			}
			// It names what the corpus does cover.
			if !strings.Contains(a.Text, "Network engineer") {
				t.Errorf("answer does not name what is covered: %s", a.Text)
			}
		})
	}
}

func TestDistressGetsPeopleNotStandards(t *testing.T) {
	var counted []Safeguarding
	var told []Question
	ix := testcorpus.Seed(t)
	b := New(ix, Options{
		Metrics:    Metrics{CountDistress: func(s Safeguarding) { counted = append(counted, s) }},
		OnDistress: func(_ context.Context, q Question, s Safeguarding) { told = append(told, q) },
	})
	cases := []struct {
		q    string
		want Safeguarding
		has  []string
	}{
		{"I want to kill myself", Safeguarding{Kind: KindSuicide}, []string{"116 123", "85258", "0800 1111", "careers adviser"}},
		{"i can't go on any more", Safeguarding{Kind: KindSuicide}, []string{"116 123"}},
		{"My dad hits me when he's angry", Safeguarding{Kind: KindAbuse}, []string{"0800 1111", "0808 800 5000", "999"}},
		{"I'm being bullied at college and feel hopeless", Safeguarding{Kind: KindBullying}, []string{"0800 1111", "trusted adult"}},
		{"i took too many pills", Safeguarding{Kind: KindSuicide, Now: true}, []string{"call 999 now", "116 123"}},
	}
	for _, c := range cases {
		a := ask(t, b, Question{Text: c.q, User: "U1", Channel: "C1", Via: "slack"})
		if a.Outcome != OutcomeRefused || a.Intent != IntentDistress || a.Grounded || len(a.Citations) != 0 {
			t.Errorf("%q: outcome %s intent %s grounded %v citations %d, want the safeguarding reply", c.q, a.Outcome, a.Intent, a.Grounded, len(a.Citations))
		}
		if a.Safeguarding != c.want {
			t.Errorf("%q: safeguarding %v, want %v", c.q, a.Safeguarding, c.want)
		}
		for _, h := range c.has {
			if !strings.Contains(a.Text, h) {
				t.Errorf("%q: reply lacks %q: %s", c.q, h, a.Text)
			}
		}
		if c.want.Now && !strings.HasPrefix(a.Text, DefaultDangerNowReply) {
			t.Errorf("%q: danger now, but the reply does not start with 999: %s", c.q, a.Text)
		}
	}
	if len(counted) != len(cases) || len(told) != len(cases) {
		t.Fatalf("counted %d and told the hook of %d distress messages, want %d", len(counted), len(told), len(cases))
	}
	if counted[2].Kind != KindAbuse || told[0].Channel != "C1" || told[0].User != "U1" || told[0].Via != "slack" {
		t.Errorf("the metrics or the hook got the wrong message: %v, %+v", counted[2], told[0])
	}
	// Careers questions that mention hard subjects are answered.
	for _, q := range []string{"Do network engineers deal with disaster recovery?", "Do paramedics learn about suicide prevention?"} {
		if a := ask(t, b, Question{Text: q}); a.Outcome == OutcomeRefused || !a.Safeguarding.IsZero() {
			t.Errorf("%q was treated as distress", q)
		}
	}
	if len(told) != len(cases) {
		t.Errorf("the hook was told of a careers question")
	}
	custom := New(ix, Options{Replies: SafeguardingReplies{All: "Please speak to your tutor."}})
	if a := ask(t, custom, Question{Text: "I want to die"}); a.Text != "Please speak to your tutor." {
		t.Errorf("custom reply not used: %q", a.Text)
	}
}

func TestQuestionLimits(t *testing.T) {
	b := seedBot(t)
	_, err := b.Ask(context.Background(), Question{Text: "   "})
	if !errors.Is(err, ErrEmptyQuestion) {
		t.Errorf("empty question: %v, want ErrEmptyQuestion", err)
	}
	_, err = b.Ask(context.Background(), Question{Text: strings.Repeat("why ", 25_000)})
	if ErrorCode(err) != Invalid || ErrorReason(err) != ReasonTooLong || !strings.Contains(err.Error(), "99,999 characters") {
		t.Fatalf("100 KB question: %v, want a too-long error with its length", err)
	}
	if !strings.Contains(err.Error(), "1,000") || !strings.Contains(err.Error(), "Sorry") {
		t.Errorf("limit message is not polite or lacks the limit: %s", err)
	}
	// Exactly at the limit is fine.
	if _, err := New(mustIndex(t), Options{MaxQuestionChars: 10}).Ask(context.Background(), Question{Text: "skills pls"}); err != nil {
		t.Errorf("a question at the limit: %v", err)
	}
}

func mustIndex(t *testing.T) *retrieval.Index {
	t.Helper()
	return testcorpus.Seed(t)
}

func TestFollowUpKeepsTheOccupation(t *testing.T) {
	b := catalogueBot(t)
	first := ask(t, b, Question{Text: "Which skills does a commis chef need?"})
	if first.Occupation != "ST0228" {
		t.Fatalf("first answer is about %q, want ST0228", first.Occupation)
	}
	next := ask(t, b, Question{Text: "and what about the behaviours?", Context: Context{Occupation: first.Occupation}})
	if next.Occupation != "ST0228" || next.Intent != IntentList {
		t.Fatalf("follow-up about %q (%s), want ST0228's list: %s", next.Occupation, next.Intent, next.Text)
	}
	for _, c := range next.Citations {
		if c.Reference != "ST0228" || c.Kind != "behaviour" {
			t.Errorf("follow-up cites %s %s (%s)", c.Reference, c.ID, c.Kind)
		}
	}
	// Naming another occupation overrides the conversation's.
	other := ask(t, b, Question{Text: "What level is the network engineer?", Context: Context{Occupation: "ST0228"}})
	if other.Occupation != "ST0127" {
		t.Errorf("named occupation ignored: answer about %s", other.Occupation)
	}
	// An explicit occupation (a platform's option) wins over the text.
	explicit := ask(t, b, Question{Text: "Which skills are needed?", Occupation: "ST0929"})
	if explicit.Occupation != "ST0929" || len(explicit.Citations) != 28 {
		t.Errorf("explicit occupation: about %s with %d citations, want ST0929 with 28", explicit.Occupation, len(explicit.Citations))
	}
}

func TestCatalogueUnderstanding(t *testing.T) {
	b := catalogueBot(t)
	for _, tc := range []struct {
		q      string
		intent Intent
		occ    string
	}{
		{"Which skills does a chef need?", IntentWhich, ""},
		{"What does an astronaut apprenticeship involve?", IntentUnknown, ""},
		{"Which apprenticeships involve routing and switching?", IntentSearch, ""},
		{"Which apprenticeships involve software development?", IntentSearch, ""},
		{"Tell me about the dog groomer apprenticeship", IntentOverview, "ST0943"},
		{"What does a network engineer do day to day?", IntentRole, "ST0127"},
		{"What level is the cyber security technician apprenticeship?", IntentFact, "ST0865"},
		{"Do nurses learn about suicide prevention?", IntentSearch, ""},
		{"hello", IntentHelp, ""},
	} {
		t.Run(tc.q, func(t *testing.T) {
			a := ask(t, b, Question{Text: tc.q})
			if a.Intent != tc.intent || a.Occupation != tc.occ {
				t.Errorf("intent %s about %q, want %s about %q: %s", a.Intent, a.Occupation, tc.intent, tc.occ, a.Text)
			}
		})
	}
}

// A pay figure comes from the data with its source, or the answer says
// why there is none: never an invented one.
func TestPayIsTracedOrSaidMissing(t *testing.T) {
	b := catalogueBot(t)
	quoted := ask(t, b, Question{Text: "How much does a commis chef earn?"})
	for _, want := range []string{"Skills England's standard does not set pay.", "SOC 2020 unit group 5434 (Chefs)",
		"ONS ASHE 2024 (provisional) gives a UK median of £25,593 a year for all employees", "experienced workers' pay, not apprentice pay",
		"apprentice rate of the National Minimum Wage", "[ST0228 profile]"} {
		if !strings.Contains(quoted.Text, want) {
			t.Errorf("commis chef pay lacks %q: %s", want, quoted.Text)
		}
	}
	// ONS suppressed the plasterers' median: no figure, and why.
	suppressed := ask(t, b, Question{Text: "How much does a plasterer earn?"})
	if !suppressed.Grounded || strings.Contains(suppressed.Text, "£") || !strings.Contains(suppressed.Text, "suppressed it as unreliable") {
		t.Errorf("suppressed median: %s", suppressed.Text)
	}
	// Options in different unit groups: missing, with the page to look at.
	missing := ask(t, b, Question{Text: "What could I earn on the building service engineering foundation apprenticeship?"})
	if missing.Grounded || strings.Contains(missing.Text, "£") || !strings.Contains(missing.Text, "https://") ||
		!strings.Contains(missing.Text, "different SOC 2020 unit groups") {
		t.Errorf("missing pay: %s", missing.Text)
	}
}

// Each fact answer says its source and date, from the profile passage it
// cites, and a missing one says so with the page link.
func TestFactAnswersGiveSourceAndDate(t *testing.T) {
	b := catalogueBot(t)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"How long is the cyber security technician apprenticeship?", []string{"18 months", "Skills England apprenticeships export", "28 June 2026"}},
		{"What is the funding band for the plasterer apprenticeship?", []string{"£13,000", "IfATE CSV export for version 2.1", "25 May 2025", "not the apprentice's pay"}},
		{"Does the network engineer apprenticeship give professional recognition?", []string{"BCS, The Chartered Institute for IT", "IfATE CSV export", "25 May 2025"}},
		{"Is the paramedic standard regulated?", []string{"is a regulated standard", "Health and Care Professions Council", "January 2023"}},
		{"Does the aerospace engineer degree apprenticeship include a degree?", []string{"integrated degree apprenticeship", "IfATE CSV export"}},
		{"What are the entry requirements for the aircraft certifying technician apprenticeship?", []string{"4 GCSEs", "IfATE API", "January 2023", "may have changed since"}},
		{"What English do I need for the cyber security technician apprenticeship?", []string{"level 2 English and maths", "January 2023"}},
		{"What is the SOC code for a commis chef?", []string{"5434", "Chefs", "Skills England's occupational maps", "11 September 2026"}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			a := ask(t, b, Question{Text: tc.q})
			if a.Intent != IntentFact || !a.Grounded {
				t.Fatalf("intent %s grounded %v: %s", a.Intent, a.Grounded, a.Text)
			}
			for _, w := range tc.want {
				if !strings.Contains(a.Text, w) {
					t.Errorf("answer lacks %q: %s", w, a.Text)
				}
			}
			// The cited profile carries the same facts with their dates.
			if len(a.Citations) != 1 || a.Citations[0].ID != "profile" || !strings.Contains(a.Citations[0].Text, "as of ") {
				t.Errorf("citations %+v, want the profile with its dates", a.Citations)
			}
		})
	}
	gone := ask(t, b, Question{Text: "Does the network engineer apprenticeship include a degree?"})
	if gone.Grounded || !strings.Contains(gone.Text, "degree status") || !strings.Contains(gone.Text, "st0127-v1-2") {
		t.Errorf("missing fact: %s", gone.Text)
	}
}

// What the help and "not covered" answers promise is counted from the
// corpus.
func TestCoverageCountsTheCorpus(t *testing.T) {
	b := catalogueBot(t)
	help := ask(t, b, Question{Text: "hello"})
	for _, want := range []string{"pay for 644 of 839 standards", "typical duration for 815", "maximum funding band for 786",
		"entry requirements or English and maths for 247 (from 2023)"} {
		if !strings.Contains(help.Text, want) {
			t.Errorf("help lacks %q: %s", want, help.Text)
		}
	}
	seed := ask(t, seedBot(t), Question{Text: "What skills does a pastry chef need?"})
	if !strings.Contains(seed.Text, "pay for 1 of 1 standard.") || strings.Contains(seed.Text, "duration") {
		t.Errorf("the seed alone promises: %s", seed.Text)
	}
}

// TestEval runs the shared eval files: the seed alone must score at least
// 0.95 on its questions, the default corpus at least 0.90 on the catalogue's
// and 0.95 on the everyday facts (pay, duration, funding, entry...) written
// from the fact tables.
func TestEval(t *testing.T) {
	for _, tc := range []struct {
		file string
		bot  func(testing.TB) *Bot
		min  float64
	}{
		{"network-engineer.jsonl", seedBot, 0.95},
		{"catalogue.jsonl", catalogueBot, 0.90},
		{"facts.jsonl", catalogueBot, 0.95},
	} {
		t.Run(tc.file, func(t *testing.T) {
			cases := readEval(t, filepath.Join("..", "testdata", "eval", tc.file))
			results, err := RunEval(context.Background(), tc.bot(t), cases)
			if err != nil {
				t.Fatal(err)
			}
			passed, rate := PassRate(results)
			for _, r := range results {
				if !r.Pass {
					t.Logf("miss line %d %q: %s", r.Case.Line, r.Case.Q, r.Why)
				}
			}
			for _, c := range PassRateByCategory(results) {
				t.Logf("category %s %d/%d", c.Category, c.Passed, c.Total)
			}
			t.Logf("pass %d/%d = %.2f", passed, len(results), rate)
			if rate < tc.min {
				t.Errorf("pass rate %.2f below %.2f", rate, tc.min)
			}
		})
	}
}

func TestEvalChecks(t *testing.T) {
	no, yes := false, true
	a := Answer{Text: "Pay is £43,692.", Grounded: true, Citations: []Citation{
		{Reference: "ST0127", ID: "K12"}, {Reference: "ST0127", ID: "overview-2"}, {Reference: "ST0228", ID: "S1"},
	}}
	for _, tc := range []struct {
		name string
		c    EvalCase
		pass bool
	}{
		{"all present", EvalCase{All: []string{"K12", "S1"}}, true},
		{"all with ref", EvalCase{Ref: "ST0127", All: []string{"K12", "S1"}}, false},
		{"any overview", EvalCase{Any: []string{"overview"}}, true},
		{"any with ref", EvalCase{Ref: "ST0228", Any: []string{"K12"}}, false},
		{"answer_has case-insensitive", EvalCase{AnswerHas: []string{"PAY IS"}}, true},
		{"answer_has missing", EvalCase{AnswerHas: []string{"44,000"}}, false},
		{"grounded false", EvalCase{Grounded: &no}, false},
		{"grounded true", EvalCase{Grounded: &yes}, true},
		{"refs_any", EvalCase{RefsAny: []string{"ST0228"}}, true},
		{"ref_top", EvalCase{RefTop: "ST0228"}, false},
		{"distress false on an answer", EvalCase{Distress: &no}, true},
		{"distress true on an answer", EvalCase{Distress: &yes}, false},
	} {
		if got, why := tc.c.Check(a); got != tc.pass {
			t.Errorf("%s: pass %v (%s), want %v", tc.name, got, why, tc.pass)
		}
	}
	safeguarding := Answer{Intent: IntentDistress, Outcome: OutcomeRefused}
	if got, _ := (EvalCase{Distress: &yes}).Check(safeguarding); !got {
		t.Error("distress true fails on the safeguarding reply")
	}
	if got, _ := (EvalCase{Distress: &no}).Check(safeguarding); got {
		t.Error("distress false passes on the safeguarding reply")
	}
	rates := PassRateByCategory([]EvalResult{
		{Case: EvalCase{Category: "casual"}, Pass: true},
		{Case: EvalCase{Category: "compare"}},
		{Case: EvalCase{Category: "casual"}},
		{Case: EvalCase{}, Pass: true},
	})
	if len(rates) != 2 || rates[0] != (CategoryRate{"casual", 1, 2}) || rates[1] != (CategoryRate{"compare", 0, 1}) {
		t.Errorf("rates by category: %+v", rates)
	}
	_, err := ParseEval("x.jsonl", strings.NewReader("{\"q\":\"a\",\"all\":[\"K1\"]}\n{\"q\":\"b\"}\n"))
	if err == nil || !strings.Contains(err.Error(), "x.jsonl:2") {
		t.Errorf("a line with no check: %v, want an error naming x.jsonl:2", err)
	}
	// Labels as the sources write them match the citations' labels.
	cases, err := ParseEval("z.jsonl", strings.NewReader(`{"q":"a","ref":"ST0001","any":["K047","s3","overview-2"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cases[0].Any, []string{"K47", "S3", "overview-2"}) {
		t.Errorf("labels read as %q, want K47 S3 overview-2", cases[0].Any)
	}
	pass, why := cases[0].Check(Answer{Citations: []Citation{{Reference: "ST0001", ID: "K47", Kind: "knowledge"}}})
	if !pass {
		t.Errorf("a citation of K47 fails a case expecting K047: %s", why)
	}
}

// TestGoldenAnswers pins the extractive answers' wording.
func TestGoldenAnswers(t *testing.T) {
	b := seedBot(t)
	for _, tc := range []struct{ name, q string }{
		{"skills", "Which skills does a network engineer need?"},
		{"salary", "How much does a network engineer earn?"},
		{"wireless", "Is wireless networking part of the role?"},
		{"day-to-day", "What does a network engineer do day to day?"},
		{"overview", "Tell me about the network engineer apprenticeship"},
		{"not-covered", "What skills does a pastry chef need?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := ask(t, b, Question{Text: tc.q})
			path := filepath.Join("testdata", "answers", tc.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(a.Text+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./bot -run TestGoldenAnswers -update)", err)
			}
			if a.Text+"\n" != string(want) {
				t.Errorf("answer changed:\n%s\nwant:\n%s", a.Text, want)
			}
		})
	}
}

// TestEvalFollowUps checks that an eval line's earlier questions set the
// conversation the line is asked in, as chat would.
func TestEvalFollowUps(t *testing.T) {
	cases, err := ParseEval("f.jsonl", strings.NewReader(
		`{"q": "and the behaviours?", "after": ["Which skills does a commis chef need?"], "ref": "ST0228", "all": ["B1"], "category": "follow-up"}`+"\n"+
			`{"q": "and the behaviours?", "ref": "ST0228", "all": ["B1"]}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	results, err := RunEval(context.Background(), catalogueBot(t), cases)
	if err != nil {
		t.Fatal(err)
	}
	if !results[0].Pass {
		t.Errorf("follow-up after the skills question: %s", results[0].Why)
	}
	if results[1].Pass {
		t.Errorf("the same question with no conversation passed: %s", results[1].Answer.Text)
	}
}
