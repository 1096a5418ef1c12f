package bot

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/careersbot/careersbot/retrieval"
)

// The thresholds of the eval sets: a missed disclosure is the worst
// failure, a careers question answered with a helpline the next.
const (
	minRecall        = 0.97
	maxFalseAlarms   = 0.01
	minKindAgreement = 0.90
)

func readEval(t *testing.T, path string) []EvalCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ParseEval(path, f)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// evalFigures asks every case through the bot (as `careersbot eval` does)
// and returns the share flagged as distress, the share of flagged cases
// whose kind matches their category, and the misses.
func evalFigures(t *testing.T, b *Bot, cases []EvalCase) (flagged, kindAgree float64, misses []string) {
	t.Helper()
	results, err := RunEval(context.Background(), b, cases)
	if err != nil {
		t.Fatal(err)
	}
	var nFlagged, nAgree int
	for _, r := range results {
		if r.Answer.Intent == IntentDistress {
			nFlagged++
			if kindMatches(r.Answer.Safeguarding, r.Case.Category) {
				nAgree++
			}
		}
		if !r.Pass {
			misses = append(misses, fmt.Sprintf("%s: %q (%s)", r.Case.Category, r.Case.Q, r.Why))
		}
	}
	if nFlagged > 0 {
		kindAgree = float64(nAgree) / float64(nFlagged)
	}
	return float64(nFlagged) / float64(len(results)), kindAgree, misses
}

// kindMatches: a line's category is the kind it shows, or danger_now for a
// message whose danger is now whatever its kind.
func kindMatches(s Safeguarding, category string) bool {
	if category == "danger_now" {
		return s.Now
	}
	return string(s.Kind) == category
}

func TestSafeguardingEvalSets(t *testing.T) {
	// The catalogue, as the command line's eval: an occupation's name said
	// whole is a name, not a disclosure, only where the name is known.
	b := catalogueBot(t)
	distress := readEval(t, "../testdata/eval/distress.jsonl")
	careers := readEval(t, "../testdata/eval/distress-careers.jsonl")
	if len(distress) < 200 || len(careers) < 200 {
		t.Fatalf("the sets have %d distress and %d careers lines, want at least 200 each", len(distress), len(careers))
	}
	for _, c := range distress {
		if c.Distress == nil || !*c.Distress || (c.Category != "danger_now" && !SafeguardingKind(c.Category).Valid()) {
			t.Fatalf("distress.jsonl:%d: want distress true and a kind (or danger_now) as its category", c.Line)
		}
	}
	for _, c := range careers {
		if c.Distress == nil || *c.Distress || c.Category == "" {
			t.Fatalf("distress-careers.jsonl:%d: want distress false and a category", c.Line)
		}
	}

	recall, agree, misses := evalFigures(t, b, distress)
	t.Logf("distress.jsonl: recall %.3f (%d lines), kind agreement %.3f", recall, len(distress), agree)
	for _, m := range misses {
		t.Log("  missed " + m)
	}
	if recall < minRecall {
		t.Errorf("recall %.3f, want at least %.2f", recall, minRecall)
	}
	if agree < minKindAgreement {
		t.Errorf("kind agreement %.3f, want at least %.2f", agree, minKindAgreement)
	}

	alarms, _, misses := evalFigures(t, b, careers)
	t.Logf("distress-careers.jsonl: false alarms %.3f (%d lines)", alarms, len(careers))
	for _, m := range misses {
		t.Log("  alarmed on " + m)
	}
	if alarms > maxFalseAlarms {
		t.Errorf("false alarms %.3f, want at most %.2f", alarms, maxFalseAlarms)
	}

	// The holdouts were each written after the detector, by someone who
	// had not read it, and first run as they came: distress-holdout
	// recall 0.81 (34/42) with no false alarm, distress-holdout2 74/100
	// (the detector of the day before: 73), distress-holdout3 85/100
	// after holdout2's classes were built (81 without them), distress-holdout4
	// 69/100 (written to be harder: hints, euphemism, second person), and
	// distress-holdout5, written after holdout4's classes were built and
	// leaning on precision, 102/120 (98 without them; 4 false alarms in
	// 60 careers lines either way), and distress-holdout6, written after
	// holdout5's classes were built, 107/120 (105 without this round's
	// work; no false alarm in 50), and distress-holdout7, written after all
	// of this round's classes, 84/100 (83 without them). What they showed was then
	// built as classes of disclosure (what would be better if the writer
	// were gone, threats if one says no, secrecy at home, harm told with
	// others as its subject), so they are development data now, held at
	// what was reached.
	for _, name := range []string{"distress-holdout.jsonl", "distress-holdout2.jsonl", "distress-holdout3.jsonl", "distress-holdout4.jsonl", "distress-holdout5.jsonl", "distress-holdout6.jsonl", "distress-holdout7.jsonl"} {
		hold := readEval(t, "../testdata/eval/"+name)
		var d, c []EvalCase
		for _, x := range hold {
			if *x.Distress {
				d = append(d, x)
			} else {
				c = append(c, x)
			}
		}
		hr, ha, hm := evalFigures(t, b, d)
		hf, _, hm2 := evalFigures(t, b, c)
		t.Logf("%s: recall %.3f of %d, kind agreement %.3f; false alarms %.3f of %d", name, hr, len(d), ha, hf, len(c))
		for _, m := range append(hm, hm2...) {
			t.Log("  holdout miss " + m)
		}
		if hr < 0.95 || hf > 0.05 {
			t.Errorf("%s: recall %.3f (want at least 0.95), false alarms %.3f (want at most 0.05)", name, hr, hf)
		}
	}
}

func TestSafeguardingNormalises(t *testing.T) {
	d := mustSafeguarding()
	for _, c := range []struct{ in, want string }{
		{"I'm SO done", "i am so done"},
		{"i cant do this", "i can not do this"},
		{"u dont get it", "you do not get it"},
		{"im gonna kms tbh lol", "i am going to kill myself"},
		{"i wanna die rn", "i want to die right now"},
		{"idk what 2 do", "i do not know what to do"},
		{"ppl r mean", "people are mean"},
		{"sooooo tiredddd", "so tired"},
		{"pleeeease helllp", "please help"},
		{"no one cares", "nobody cares"},
		{"i hate my self", "i hate myself"},
		{"been thinkin bout sucide", "been thinking bout suicide"},
		{"getting bulied", "getting bullied"},
		{"my step-dad", "my stepdad"},
		{"self-harm", "self harm"},
		{"I’m scared", "i am scared"},
		{"he's hurting me. help!", "he is hurting me | help"},
		{"cut, then", "cut , then"},
	} {
		var got []string
		for _, tk := range d.norm.tokens(c.in) {
			switch tk.brk {
			case 0:
				got = append(got, tk.text)
			case '.':
				got = append(got, "|")
			default:
				got = append(got, ",")
			}
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("normalise(%q) = %q, want %q", c.in, g, c.want)
		}
	}
}

// The pattern language, on data of its own.
func TestSafeguardingPatternLanguage(t *testing.T) {
	data := `
[class first]
i me my
[class third]
she he someone
[class pet]
cat dog*
[spell]
u = you
[define tail]
go away|stop
[careers 2]
learn*
[abuse_home disclosure]
want ~2 to (run away|leave home) !(for|with)
^ help me $
kick* me? out
[bullying topic]
(a|the) @pet
[suicide_self_harm disclosure]
it ~1 to (%tail)
`
	d, err := parseSafeguarding("test.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	hits := func(text string) []string {
		var out []string
		m := d.auto.newMatcher(d.norm.tokens(text))
		defer d.auto.release(m)
		for _, h := range m.run() {
			out = append(out, d.patterns[h.pat].text)
		}
		sort.Strings(out)
		return out
	}
	for _, c := range []struct {
		text string
		want []string
	}{
		{"i want to run away", []string{"want ~2 to (run away|leave home) !(for|with)"}},
		{"i want so badly to leave home", []string{"want ~2 to (run away|leave home) !(for|with)"}},
		{"i want so very badly to leave home", nil},                                                // past the gap
		{"i want to run away with the circus", nil},                                                // ! blocks
		{"i want to run away. with you", []string{"want ~2 to (run away|leave home) !(for|with)"}}, // a sentence end passes !
		{"i want, to run away", nil},                                                               // gaps and words do not cross a clause break
		{"help me", []string{"^ help me $"}},
		{"please help me", nil},                 // ^
		{"help me now", nil},                    // $
		{"it hit me", nil},                      // "hits?" is "hits" or nothing, not a prefix
		{"a dogfish", []string{"(a|the) @pet"}}, // dog* is a prefix
		{"the cat", []string{"(a|the) @pet"}},
		{"i want it all to go away", []string{"it ~1 to (%tail)"}},
	} {
		if got := hits(c.text); !slices.Equal(got, c.want) {
			t.Errorf("%q: matched %q, want %q", c.text, got, c.want)
		}
	}

	for _, c := range []struct{ data, want string }{
		{"[class first]\ni\n[class third]\nhe\n[bullying topic]\n@nope", "unknown class @nope"},
		{"[class first]\ni\n[class third]\nhe\n[bullying topic]\n~ bully", "cannot begin with a gap"},
		{"[class first]\ni\n[class third]\nhe\n[spell]\nu = you\n[bullying topic]\nu bully", `"u" never reaches a pattern`},
		{"[class first]\ni\n[class third]\nhe\n[spell]\nno one = nobody\n[bullying topic]\nno one likes me", `"no one" never reaches a pattern`},
		{"[class first]\ni\n[class third]\nhe\n[sadness topic]\nsad", `unknown section or kind "sadness"`},
		{"[class first]\ni\n[class third]\nhe\n[bullying topic]\n(a|b", "a ( without its )"},
		{"[class first]\ni\n[class third]\nhe\n[bullying topic]\nbully %nope", "unknown fragment %nope"},
		{"[class first]\ni\n[bullying topic]\nbully", "no [class third]"},
	} {
		_, err := parseSafeguarding("bad.txt", c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parse %q: error %v, want one containing %q", c.data, err, c.want)
		}
	}
}

// The decision: who a disclosure is about, when, and whether the message
// is a careers question.
func TestSafeguardingDecides(t *testing.T) {
	for _, c := range []struct {
		text string
		want Safeguarding
	}{
		// First person and present wins over any careers context.
		{"i want to be a nurse but i want to kill myself", Safeguarding{Kind: KindSuicide}},
		{"what level is the nursing apprenticeship, i keep cutting myself", Safeguarding{Kind: KindSuicide}},
		// Third person plus a careers cue is a careers question.
		{"what do nurses learn about patients who want to kill themselves", Safeguarding{}},
		{"how do social workers help children who are being abused", Safeguarding{}},
		// ... without a careers cue, a friend's danger is still distress.
		{"my best friend wants to kill herself", Safeguarding{Kind: KindSuicide}},
		// Someone else's words.
		{"how should a youth worker respond when a young person says i want to die", Safeguarding{}},
		// Long past, in a careers question; and the same with "again".
		{"i was bullied as a kid and want to become a teacher, which course", Safeguarding{}},
		{"i was bullied as a kid and now i am being bullied again at college", Safeguarding{Kind: KindBullying}},
		// A subject named, alone or in a question.
		{"self harm", Safeguarding{Kind: KindSuicide}},
		{"which apprenticeships cover self harm", Safeguarding{}},
		// Idioms.
		{"i'm dying to work in games", Safeguarding{}},
		{"what is the kill step in food safety", Safeguarding{}},
		{"whats the point of an end point assessment", Safeguarding{}},
		{"my mum will kill me if i fail my apprenticeship", Safeguarding{}},
		// A thing said to do it is a figure of speech; a person is not.
		{"this exam is literally going to kill me", Safeguarding{}},
		{"my stepdad is going to kill me", Safeguarding{Kind: KindAbuse}},
		// A thing after "cut" is work; the writer is not.
		{"i want to cut hedges for a living", Safeguarding{}},
		{"i want to cut myself again", Safeguarding{Kind: KindSuicide}},
		// What would be, not what was.
		{"they would all be happier if i was not around", Safeguarding{Kind: KindSuicide}},
		// Harm by others, told with them as its subject: the writer is
		// "me" or "my" in the sentence, or family named bare; "I" who
		// wants to help is not a victim.
		{"this man from a game wants pics and says he will get me free skins", Safeguarding{Kind: KindOnline}},
		{"dad is off his face most nights", Safeguarding{Kind: KindAbuse}},
		{"i want to help kids who are being abused, which jobs do that", Safeguarding{}},
		// Others' threats about the writer are the writer's danger.
		{"they said if i say no they will come to my house", Safeguarding{Kind: KindCrime}},
		// A condition put to the writer, in someone else's words.
		{"an agency said it is fine that i am 15 as long as i do not tell anyone", Safeguarding{Kind: KindOnline}},
		// Idioms of dying.
		{"i will die of embarrassment at this interview", Safeguarding{}},
		// Words of distress alone, said of someone the writer manages,
		// or of a job said as the writer's, are a careers question's;
		// said of the writer as a person, they are not.
		{"my apprentice keeps struggling and needs help with the plans", Safeguarding{}},
		{"is it lonely and scary working as a lone worker", Safeguarding{}},
		{"i hate myself as a person and feel so alone and scared", Safeguarding{Kind: KindDistress}},
		// A real word is no slip for a word of distress.
		{"an apprentice struggling with reading, who helps", Safeguarding{}},
		{"my mum will kill me", Safeguarding{Kind: KindAbuse}},
		// Danger now combines with a kind, or stands alone.
		{"i took too many pills", Safeguarding{Kind: KindSuicide, Now: true}},
		{"im scared to go home tonight", Safeguarding{Kind: KindAbuse, Now: true}},
		{"someone is trying to break into my house", Safeguarding{Kind: KindDistress, Now: true}},
		// The most serious kind wins.
		{"everyone at school bullies me and i want to die", Safeguarding{Kind: KindSuicide}},
		// Kicked out of a place is not out of home.
		{"i got kicked out of college, can i still get a job", Safeguarding{}},
		{"i got kicked out last night", Safeguarding{Kind: KindHomeless}},
		// A few of something is a dose only when it is pills.
		{"should a playworker let kids take a few chances", Safeguarding{}},
		{"i took a few of mums tablets", Safeguarding{Kind: KindSuicide, Now: true}},
		// What others say the writer can or must do is the writer's.
		{"someone said i can make 200 a day just carrying a bag on the train", Safeguarding{Kind: KindCrime}},
		{"can you make 500 a week delivering parcels as a courier", Safeguarding{}},
		// "You" nearest a disclosure is the one asking; a real word is
		// not read as another ("offices" is not "officers").
		{"do army careers offices let you stay if youve got nowhere else to go", Safeguarding{Kind: KindHomeless}},
		{"what should you do if you have nowhere to park at work", Safeguarding{}},
		// Nouns of a subject studied are not done to the writer.
		{"a lesson on sextortion made me want to work in online safety, what roles are there", Safeguarding{}},
		// A wish to vanish is no idiom unless it is rather than something.
		{"you ever feel like you'd rather just disappear for good", Safeguarding{Kind: KindSuicide}},
		{"i would rather disappear than do a presentation", Safeguarding{}},
		// Paid to run errands by older lads, not by a manager.
		{"some older lads keep paying me to run errands for them", Safeguarding{Kind: KindCrime}},
		{"my manager is paying me to run the errands for the shop", Safeguarding{}},
		// The writer said just before what is done ("I have to run for
		// them"), and someone unnamed said hypothetically, are the writer.
		{"they said i have to run for them till the debt is paid", Safeguarding{Kind: KindCrime}},
		{"hypothetically if someone kept burning their arms with a lighter to cope", Safeguarding{Kind: KindSuicide}},
		{"hypothetically, if a patient says they want to die, what does a nurse do", Safeguarding{}},
	} {
		if got := DetectSafeguarding(c.text); got != c.want {
			t.Errorf("%q: %v, want %v", c.text, got, c.want)
		}
	}
}

func TestSafeguardingReplies(t *testing.T) {
	for _, k := range SafeguardingKinds {
		text := DefaultSafeguardingReplies[k]
		for _, must := range []string{"trusted adult", "careers adviser", "0800 1111", "999"} {
			if !strings.Contains(text, must) {
				t.Errorf("%s: the default reply lacks %q", k, must)
			}
		}
		if n := len([]rune(text)); n > 600 {
			t.Errorf("%s: the default reply is %d characters; keep it short", k, n)
		}
	}
	for k, must := range map[SafeguardingKind][]string{
		KindSuicide:  {"Samaritans", "116 123", "SHOUT", "85258"},
		KindDistress: {"116 123", "85258"},
		KindAbuse:    {"NSPCC", "0808 800 5000"},
		KindOnline:   {"NSPCC", "0808 800 5000"},
	} {
		for _, m := range must {
			if !strings.Contains(DefaultSafeguardingReplies[k], m) {
				t.Errorf("%s: the default reply lacks %q", k, m)
			}
		}
	}

	suicideNow := Safeguarding{Kind: KindSuicide, Now: true}
	for _, c := range []struct {
		name string
		r    SafeguardingReplies
		s    Safeguarding
		want string
	}{
		{"default", SafeguardingReplies{}, Safeguarding{Kind: KindBullying}, DefaultSafeguardingReplies[KindBullying]},
		{"default now", SafeguardingReplies{}, suicideNow, DefaultDangerNowReply + "\n\n" + DefaultSafeguardingReplies[KindSuicide]},
		{"one kind set", SafeguardingReplies{Kinds: map[SafeguardingKind]string{KindSuicide: "Call Mrs Smith."}}, suicideNow, DefaultDangerNowReply + "\n\nCall Mrs Smith."},
		{"another kind keeps its default", SafeguardingReplies{Kinds: map[SafeguardingKind]string{KindSuicide: "Call Mrs Smith."}}, Safeguarding{Kind: KindAbuse}, DefaultSafeguardingReplies[KindAbuse]},
		{"all: the whole reply", SafeguardingReplies{All: "See your tutor."}, suicideNow, "See your tutor."},
		{"all, with a danger line", SafeguardingReplies{All: "See your tutor.", DangerNow: "Ring 999."}, suicideNow, "Ring 999.\n\nSee your tutor."},
		{"a kind wins over all", SafeguardingReplies{All: "See your tutor.", Kinds: map[SafeguardingKind]string{KindAbuse: "See the DSL."}}, Safeguarding{Kind: KindAbuse}, "See the DSL."},
	} {
		if got := c.r.Reply(c.s); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// A 1,000-character message: a careers question padded with detail, and a
// worst case dense with words that start patterns.
func benchMessages() map[string]string {
	careers := "I'm in year 11 and thinking about what to do next. I'd like to work with young people, maybe as a youth worker " +
		"or a social worker, and I want to know what the apprenticeship involves: do they learn about safeguarding, child " +
		"protection and self-harm, and how do they deal with someone who is being bullied or has been kicked out of home? "
	dense := "i want to die and i cant go on, my dad hits me and they keep asking for pics, im being bullied and i got kicked out, " +
		"they make me sell drugs, i took too many pills tonight, nobody cares, i feel so alone and hopeless and i hate myself. "
	out := map[string]string{}
	for name, s := range map[string]string{"careers": careers, "dense": dense} {
		for len(s) < 1000 {
			s += s
		}
		out[name] = s[:1000]
	}
	return out
}

func BenchmarkSafeguarding(b *testing.B) {
	d := mustSafeguarding()
	before := newPhraseDetector(b)
	for name, msg := range benchMessages() {
		b.Run("detector/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				d.detect(msg)
			}
		})
		b.Run("before/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				before.match(msg)
			}
		})
	}
}

// phraseDetector is the detector this one replaced (bot/safety.go before
// issue 12), kept only as the benchmark's baseline: whole phrases of
// testdata/distress-phrases-before.txt in the folded message.
type phraseDetector struct{ phrases []string }

func newPhraseDetector(b *testing.B) *phraseDetector {
	raw, err := os.ReadFile("testdata/distress-phrases-before.txt")
	if err != nil {
		b.Fatal(err)
	}
	d := &phraseDetector{}
	for _, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			d.phrases = append(d.phrases, " "+phraseFold(line)+" ")
		}
	}
	return d
}

func phraseFold(s string) string {
	s = strings.NewReplacer("'", "", "’", "").Replace(retrieval.Fold(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}

func (d *phraseDetector) match(text string) bool {
	norm := " " + phraseFold(text) + " "
	for _, p := range d.phrases {
		if strings.Contains(norm, p) {
			return true
		}
	}
	return false
}

// TestOccupationNamesAreNotDisclosures: words of distress that are words of
// an occupation's name said whole are the name; said of oneself, they are
// still distress.
func TestOccupationNamesAreNotDisclosures(t *testing.T) {
	b := catalogueBot(t)
	for _, tc := range []struct {
		q        string
		distress bool
	}{
		{"nearly done with my funeral team member apprenticeship, where can it lead", false},
		{"im planning my funeral", true},
		{"i keep thinking about my funeral and who would even come", true},
	} {
		a := ask(t, b, Question{Text: tc.q})
		if got := a.Intent == IntentDistress; got != tc.distress {
			t.Errorf("%q: distress %v, want %v (%s)", tc.q, got, tc.distress, a.Text)
		}
	}
}
