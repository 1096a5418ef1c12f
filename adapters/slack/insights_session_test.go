package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/httpapi"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/insights"
	"github.com/careersbot/careersbot/internal/testcorpus"
)

// scripted is one line of the session's script: a question, how it should
// end, and the standards its answer involves.
type scripted struct {
	text        string
	outcome     insights.Outcome
	occupations []string
}

// script mixes every outcome a learner's question can have (errors aside:
// the bot answers them all) over four standards. Slack answers "help"
// itself, without the bot, so the help line asks in words.
var script = []scripted{
	{"Which skills does a network engineer need?", insights.Answered, []string{"ST0127"}},
	{"How much does a commis chef earn?", insights.Answered, []string{"ST0228"}},
	{"Tell me about the plumber apprenticeship", insights.Answered, []string{"ST0303"}},
	{"Which knowledge does a cyber security technician need?", insights.Answered, []string{"ST0865"}},
	{"Does a network engineer need teamwork?", insights.Answered, []string{"ST0127"}},
	{"How long does the plumber apprenticeship take?", insights.Answered, []string{"ST0303"}},
	{"Does a commis chef need to bake bread?", insights.Partial, []string{"ST0228"}},
	{"Does a commis chef need to work with spreadsheets?", insights.Partial, []string{"ST0228"}},
	{"How do I become an astronaut?", insights.NotCovered, nil},
	{"Does a network engineer need to know about quantum entanglement?", insights.NotCovered, []string{"ST0127"}},
	{"Does a plumber need to know about first aid?", insights.NotCovered, []string{"ST0303"}},
	{"Which apprenticeships involve underwater basket weaving?", insights.NotCovered, nil},
	{"I feel like hurting myself", insights.Distress, nil},
	{"my dad hits me", insights.Distress, nil},
	{"What can you do?", insights.Help, nil},
	{"Does a network engineer manage budgets?", insights.NotCovered, []string{"ST0127"}},
}

// tally counts what the script sent, by outcome and by standard and outcome.
type tally struct {
	outcomes    map[insights.Outcome]int
	occupations map[string]map[insights.Outcome]int
}

func newTally() *tally {
	return &tally{outcomes: map[insights.Outcome]int{}, occupations: map[string]map[insights.Outcome]int{}}
}

func (t *tally) add(s scripted) {
	t.outcomes[s.outcome]++
	for _, ref := range s.occupations {
		if t.occupations[ref] == nil {
			t.occupations[ref] = map[insights.Outcome]int{}
		}
		t.occupations[ref][s.outcome]++
	}
}

// A scripted session of 200 mixed questions, half through the HTTP API's
// /v1/ask and half through the fake Slack (mentions and DMs), recorded by
// the Guard as serve wires it, with votes on some Slack answers: the report
// (what `careersbot insights` prints) and the /insights page (and its API)
// show the counts the script sent, per outcome and per standard, and the
// votes per standard.
func TestInsightsScriptedSession(t *testing.T) {
	ix := testcorpus.Catalogue(t)
	dir := t.TempDir()
	db, err := insights.Open(t.Context(), insights.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rec := insights.NewRecorder(insights.RecorderOptions{
		Open:     func(context.Context) (insights.Writer, error) { return db, nil },
		HashUser: bot.UserHasher(),
		Lookup: func(ref string) (insights.Occupation, bool) {
			o, ok := ix.Occupation(ref)
			if !ok {
				return insights.Occupation{}, false
			}
			return insights.Occupation{Reference: o.Reference, Title: o.Title, Route: o.Route, Level: o.Level}, true
		},
		Vocabulary: ix.Uses,
	})
	rec.Start()
	var observed atomic.Int64
	g := bot.NewGuard(bot.New(ix, bot.Options{}), bot.GuardOptions{OnAnswer: func(o bot.Observed) {
		rec.Observe(o)
		observed.Add(1)
	}})
	api := httptest.NewServer(httpapi.New(g, httpapi.Options{}))
	t.Cleanup(api.Close)
	e := start(t, g, false, func(o *Options) { o.OnFeedback = rec.Feedback })

	const n = 200
	sent := newTally()
	for i := range n / 2 {
		s := script[i%len(script)]
		sent.add(s)
		body, _ := json.Marshal(map[string]string{"question": s.text})
		resp, err := http.Post(api.URL+"/v1/ask", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var a struct {
			Grounded  bool `json:"grounded"`
			Citations []struct {
				Reference string `json:"reference"`
			} `json:"citations"`
		}
		err = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%q: %d %v", s.text, resp.StatusCode, err)
		}
		// The script knows its questions: each reply is as it says.
		if want := s.outcome == insights.Answered || s.outcome == insights.Partial; a.Grounded != want {
			t.Fatalf("%q: grounded %v, the script says %s", s.text, a.Grounded, s.outcome)
		}
		for _, c := range a.Citations {
			if !slices.Contains(s.occupations, c.Reference) {
				t.Fatalf("%q cites %s, the script says %v", s.text, c.Reference, s.occupations)
			}
		}
	}
	const channel, dmChannel = "C0SESSION", "D0SESSION"
	for i := range n / 2 {
		s := script[(i+7)%len(script)]
		sent.add(s)
		user := fmt.Sprintf("U0LEARNER%02d", i%9)
		if i%2 == 0 {
			e.postEvent(t, callback(mention(channel, user, newTS(), "", s.text), ""), nil)
		} else {
			e.postEvent(t, callback(dm(dmChannel, user, newTS(), s.text), ""), nil)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for observed.Load() < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := observed.Load(); got != n {
		t.Fatalf("the Guard saw %d questions of %d", got, n)
	}

	// Votes on Slack answers: 👍 on every posted network engineer answer,
	// 👎 on the commis chef ones.
	e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)
	votes := map[string][2]int{}
	clicks := 0
	for _, c := range e.fake.Calls("chat.postMessage") {
		m := c.Message()
		if !hasButton(m, actionFeedbackUp) {
			continue
		}
		v := buttonValue(t, m, actionFeedbackUp)
		parts := strings.Split(v, "|")
		if len(parts) != 4 || len(parts[3]) != 16 {
			t.Fatalf("a feedback button carries %q: want occupation|intent|outcome|answer ID", v)
		}
		action, ref := "", parts[0]
		switch ref {
		case "ST0127":
			action = actionFeedbackUp
		case "ST0228":
			action = actionFeedbackDown
		default:
			continue
		}
		payload, _ := json.Marshal(blockAction("U0ADVISER", channel, action, v, e.fake.ResponseURL(fmt.Sprintf("fb-%d", clicks))))
		if code, _ := e.post(t, "/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode()), nil); code != http.StatusOK {
			t.Fatalf("vote: %d", code)
		}
		clicks++
		c := votes[ref]
		if action == actionFeedbackUp {
			c[0]++
		} else {
			c[1]++
		}
		votes[ref] = c
	}
	if clicks == 0 || votes["ST0127"][0] == 0 || votes["ST0228"][1] == 0 {
		t.Fatalf("votes %v: the session must vote both ways", votes)
	}
	e.fake.WaitFor(t, "response_url", clicks, 10*time.Second) // each thanked
	if err := rec.Close(t.Context()); err != nil {
		t.Fatal(err)
	}

	// The report, as `careersbot insights --json` prints it.
	now := time.Now()
	r, err := db.Report(t.Context(), insights.Period{From: now.Add(-24 * time.Hour), To: now.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var report insights.Report
	if err := json.Unmarshal(buf.Bytes(), &report); err != nil {
		t.Fatal(err)
	}
	checkSession(t, "the report", report, sent, votes)
	var text bytes.Buffer
	if err := r.WriteText(&text, db.Where()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), fmt.Sprintf("Questions: %d\n", n)) {
		t.Errorf("the text report does not count %d questions:\n%s", n, text.String())
	}
	for ref, byOutcome := range sent.occupations {
		total := 0
		for _, c := range byOutcome {
			total += c
		}
		if !regexp.MustCompile(`(?m)^  ` + ref + `\s.*\s` + strconv.Itoa(total) + `\s+(answered|partly answered|not covered) [0-9]`).MatchString(text.String()) {
			t.Errorf("the text report lacks %s with %d questions:\n%s", ref, total, text.String())
		}
	}

	// The page and its API, behind the token.
	const token = "session-admin-token-0123456789"
	page := insights.NewPage(insights.PageOptions{Token: token, CSP: "default-src 'self'",
		Reporter: func() (insights.Reporter, error) { return db, nil }})
	mux := http.NewServeMux()
	for p, h := range page.Routes() {
		mux.Handle(p, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	getAuthed := func(path string) string {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	var fromAPI insights.Report
	if err := json.Unmarshal([]byte(getAuthed("/insights/api.json?since=1d")), &fromAPI); err != nil {
		t.Fatal(err)
	}
	checkSession(t, "the page's API", fromAPI, sent, votes)
	html := getAuthed("/insights?since=1d")
	onPage := pageFigures(t, html)
	checkSession(t, "the page", onPage, sent, votes)
	t.Logf("session: %d questions (%d through /v1/ask, %d through Slack), %d votes; by outcome %v; by standard %v",
		n, n/2, n/2, clicks, sent.outcomes, sent.occupations)
}

// checkSession compares a report with what the script sent.
func checkSession(t *testing.T, where string, r insights.Report, sent *tally, votes map[string][2]int) {
	t.Helper()
	total := 0
	for _, o := range insights.Outcomes {
		total += sent.outcomes[o]
	}
	if r.Questions != total {
		t.Errorf("%s: %d questions, the script sent %d", where, r.Questions, total)
	}
	for _, o := range r.Outcomes {
		if o.Count != sent.outcomes[o.Outcome] {
			t.Errorf("%s: %s = %d, the script sent %d", where, o.Outcome, o.Count, sent.outcomes[o.Outcome])
		}
	}
	got := map[string]insights.OccupationCount{}
	for _, oc := range r.Occupations {
		got[oc.Reference] = oc
	}
	if len(got) != len(sent.occupations) {
		t.Errorf("%s: standards %v, the script sent %v", where, got, sent.occupations)
	}
	for ref, want := range sent.occupations {
		for _, o := range insights.Outcomes {
			if g := got[ref].Outcomes[string(o)]; g != want[o] {
				t.Errorf("%s: %s %s = %d, the script sent %d", where, ref, o, g, want[o])
			}
		}
	}
	gotVotes := map[string][2]int{}
	for _, f := range r.Feedback {
		gotVotes[f.Reference] = [2]int{f.Up, f.Down}
	}
	if len(gotVotes) != len(votes) {
		t.Errorf("%s: votes %v, the session gave %v", where, gotVotes, votes)
	}
	for ref, v := range votes {
		if gotVotes[ref] != v {
			t.Errorf("%s: votes on %s = %v, the session gave %v", where, ref, gotVotes[ref], v)
		}
	}
}

var (
	reFigure  = regexp.MustCompile(`data-figure="([a-z_-]+)">([0-9]+)<`)
	reOccRow  = regexp.MustCompile(`(?s)<tr data-reference="(ST[0-9]+)">(.*?)</tr>`)
	reOccCell = regexp.MustCompile(`data-outcome="([a-z_]+)">([0-9]+)<`)
	reVoteRow = regexp.MustCompile(`(?s)<tr data-reference="(ST[0-9]*)">.*?data-vote="up">([0-9]+)<.*?data-vote="down">([0-9]+)<`)
)

// pageFigures reads the figures the page shows into a report's shape.
func pageFigures(t *testing.T, html string) insights.Report {
	t.Helper()
	var r insights.Report
	figures := map[string]int{}
	for _, m := range reFigure.FindAllStringSubmatch(html, -1) {
		figures[m[1]], _ = strconv.Atoi(m[2])
	}
	r.Questions = figures["questions"]
	for _, o := range insights.Outcomes {
		r.Outcomes = append(r.Outcomes, insights.OutcomeCount{Outcome: o, Count: figures[string(o)]})
	}
	at := strings.Index(html, `id="occupations"`)
	if at < 0 {
		t.Fatalf("the page has no table of standards:\n%s", html)
	}
	table := html[at:]
	table = table[:strings.Index(table, "</table>")]
	for _, m := range reOccRow.FindAllStringSubmatch(table, -1) {
		oc := insights.OccupationCount{Reference: m[1], Outcomes: map[string]int{}}
		for _, c := range reOccCell.FindAllStringSubmatch(m[2], -1) {
			oc.Outcomes[c[1]], _ = strconv.Atoi(c[2])
		}
		r.Occupations = append(r.Occupations, oc)
	}
	votes := html[strings.Index(html, `id="h-feedback"`):]
	for _, m := range reVoteRow.FindAllStringSubmatch(votes, -1) {
		up, _ := strconv.Atoi(m[2])
		down, _ := strconv.Atoi(m[3])
		r.Feedback = append(r.Feedback, insights.FeedbackCount{Reference: m[1], Up: up, Down: down})
	}
	if len(r.Occupations) == 0 {
		t.Fatalf("the page shows no standards:\n%s", html)
	}
	return r
}
