package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/discord/discordfake"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/testcorpus"
)

const wirelessQuestion = "Is wireless networking part of the role of a network engineer?"

func TestNewChecksOptions(t *testing.T) {
	b := catalogueBot(t)
	for name, o := range map[string]Options{
		"no token":    {AppID: testApp, Asker: b},
		"no app id":   {BotToken: testToken, Asker: b},
		"no asker":    {BotToken: testToken, AppID: testApp},
		"bad key":     {BotToken: testToken, AppID: testApp, Asker: b, PublicKey: "abc"},
		"bad api url": {BotToken: testToken, AppID: testApp, Asker: b, APIURL: "ftp://x"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: New accepted %+v", name, o)
		}
	}
	a, err := New(Options{BotToken: testToken, AppID: testApp, Asker: b})
	if err != nil || a.Mode() != ModeGateway || len(a.Routes()) != 0 || a.Name() != "discord" {
		t.Errorf("gateway mode: %v %v", a, err)
	}
}

// TestHTTPRegistersCommands: Run registers /careers in the guild with one
// bulk overwrite; registering again sends the same; without a guild the
// commands are global.
func TestHTTPRegistersCommands(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	puts := h.api.Matching("PUT", "commands")
	if len(puts) != 1 || puts[0].Path != "applications/"+testApp+"/guilds/"+testGuild+"/commands" || puts[0].Status != 200 {
		t.Fatalf("registration: %+v", puts)
	}
	if got := puts[0].Header.Get("Authorization"); got != "Bot "+testToken {
		t.Errorf("Authorization %q", got)
	}
	var cmds []struct {
		Name    string `json:"name"`
		Options []struct {
			Name    string `json:"name"`
			Options []struct {
				Name         string `json:"name"`
				Autocomplete bool   `json:"autocomplete"`
				Required     bool   `json:"required"`
			} `json:"options"`
		} `json:"options"`
	}
	if err := puts[0].JSON(&cmds); err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 1 || cmds[0].Name != "careers" {
		t.Fatalf("commands %+v", cmds)
	}
	var subs []string
	autocompleted := 0
	for _, s := range cmds[0].Options {
		subs = append(subs, s.Name)
		for _, o := range s.Options {
			if o.Autocomplete {
				autocompleted++
			}
		}
	}
	if !slices.Equal(subs, []string{"ask", "occupation", "ksb", "list", "help"}) {
		t.Errorf("subcommands %v", subs)
	}
	if autocompleted != 4 {
		t.Errorf("%d autocompleted options, want occupation on ask, ksb, list and name on occupation", autocompleted)
	}
	if !slices.ContainsFunc(h.stateLog(), func(s string) bool { return strings.HasPrefix(s, "up: commands registered") }) {
		t.Errorf("states %q", h.stateLog())
	}

	// Registering again (a second process, a restart) overwrites with the same.
	h2 := newHarness(t, harnessOptions{mod: func(o *Options) { o.APIURL = h.api.Base }})
	_ = h2
	puts = h.api.Matching("PUT", "commands")
	if len(puts) != 2 || string(puts[0].Body) != string(puts[1].Body) || puts[0].Path != puts[1].Path {
		t.Errorf("re-registration differs: %d PUTs", len(puts))
	}

	global := newHarness(t, harnessOptions{mod: func(o *Options) { o.GuildID = "" }})
	if puts := global.api.Matching("PUT", "commands"); len(puts) != 1 || puts[0].Path != "applications/"+testApp+"/commands" {
		t.Errorf("global registration: %+v", puts)
	}
}

// TestHTTPRegistrationFailureIsRetried: a failed registration is an error
// from Run (serve retries it) and the state says so.
func TestHTTPRegistrationFailureIsRetried(t *testing.T) {
	api := discordfake.NewAPI(t)
	api.Token = "another-token"
	signer := discordfake.NewSigner(t)
	errs := 0
	var state string
	a, err := New(Options{BotToken: testToken, AppID: testApp, PublicKey: signer.PublicKeyHex(), APIURL: api.Base,
		Asker: catalogueBot(t), OnPlatformError: func() { errs++ }, OnState: func(ok bool, d string) { state = fmt.Sprint(ok, " ", d) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("Run = %v, want a registration error", err)
	}
	if errs != 1 || !strings.HasPrefix(state, "false command registration failed") {
		t.Errorf("platform errors %d, state %q", errs, state)
	}
}

func TestHTTPPing(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	code, r := h.post(discordfake.Ping(testApp))
	if code != http.StatusOK || string(r.raw) != `{"type":1}` {
		t.Fatalf("PING: %d %s", code, r.raw)
	}
}

// TestHTTPSignatureChecks: a bad signature, a tampered body, missing
// headers, an old or far future timestamp: 401, and nothing is answered.
func TestHTTPSignatureChecks(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ic := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	body, _ := json.Marshal(ic)
	other := discordfake.NewSigner(t)
	now := time.Now()
	tampered := func() []byte { return []byte(strings.Replace(string(body), "wireless", "wired", 1)) }
	cases := []struct {
		name string
		body []byte
		h    http.Header
	}{
		{"other key", body, other.Headers(body, now)},
		{"tampered body", tampered(), h.signer.Headers(body, now)},
		{"no headers", body, http.Header{}},
		{"timestamp 6 minutes old", body, h.signer.Headers(body, now.Add(-6*time.Minute))},
		{"timestamp 6 minutes ahead", body, h.signer.Headers(body, now.Add(6*time.Minute))},
		{"timestamp swapped after signing", body, func() http.Header {
			hd := h.signer.Headers(body, now)
			hd.Set("X-Signature-Timestamp", fmt.Sprint(now.Unix()+1))
			return hd
		}()},
		{"signature not hex", body, func() http.Header {
			hd := h.signer.Headers(body, now)
			hd.Set("X-Signature-Ed25519", "zz")
			return hd
		}()},
	}
	for _, c := range cases {
		code, _, err := discordfake.PostRaw(h.url, c.body, c.h)
		if err != nil {
			t.Fatal(err)
		}
		if code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", c.name, code)
		}
	}
	// A timestamp 4 minutes old is still fine.
	code, _, err := discordfake.PostRaw(h.url, body, h.signer.Headers(body, now.Add(-4*time.Minute)))
	if err != nil || code != http.StatusOK {
		t.Errorf("4 minutes old: %d %v", code, err)
	}
	h.settle()
	if n := len(h.api.Matching("PATCH", "")) + len(h.api.Matching("POST", "webhooks")); n != 0 {
		t.Errorf("%d messages sent after refused interactions", n)
	}
}

// TestHTTPAskInline: an answer ready quickly is the first response (type
// 4): the answer as the description, citations as fields, the source in
// the footer, mentions off; nothing is sent to the REST API.
func TestHTTPAskInline(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	code, r := h.post(discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion)))
	if code != http.StatusOK || r.Type != 4 {
		t.Fatalf("ask: %d type %d: %s", code, r.Type, r.raw)
	}
	m := r.message(t)
	checkSent(t, "answer", m)
	checkWirelessAnswer(t, m)
	h.settle()
	if n := len(h.api.Requests()); n != 1 { // the registration only
		t.Errorf("%d requests at the REST API, want only the registration: %+v", n, h.api.Requests())
	}
}

func checkWirelessAnswer(t *testing.T, m discordfake.Message) {
	t.Helper()
	if m.Flags&64 != 0 {
		t.Errorf("an answer is ephemeral")
	}
	if len(m.Embeds) == 0 {
		t.Fatalf("no embeds")
	}
	e := m.Embeds[0]
	if !strings.Contains(e.Description, "Network engineer") || !strings.Contains(e.Description, "ST0127") {
		t.Errorf("description %q", e.Description)
	}
	fields := fieldsOf(m)
	i := slices.IndexFunc(fields, func(f discordfake.Field) bool { return f.Name == "ST0127 K12" })
	if i < 0 || fields[i].Value != "Wireless networks technologies and configurations." {
		t.Errorf("no ST0127 K12 citation with its passage: %q", fieldNames(fields))
	}
	last := m.Embeds[len(m.Embeds)-1]
	if last.Footer == nil || !strings.Contains(last.Footer.Text, "ST0127 v1.2, 2025-03-18") || !strings.Contains(last.Footer.Text, "Open Government Licence") {
		t.Errorf("footer %+v", last.Footer)
	}
}

// TestHTTPAskDeferred: an answer not ready quickly is deferred (type 5),
// then delivered as exactly one edit of @original at the REST API.
func TestHTTPAskDeferred(t *testing.T) {
	h := newHarness(t, harnessOptions{mod: func(o *Options) { o.QuickAnswer = -1 }})
	ic := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	code, r := h.post(ic)
	if code != http.StatusOK || r.Type != 5 {
		t.Fatalf("ask: %d type %d: %s", code, r.Type, r.raw)
	}
	h.api.WaitFor(t, 20*time.Second, "the edit of @original", func(rs []discordfake.Request) bool {
		return len(exactly(rs, "PATCH", originalPath(ic))) > 0
	})
	h.settle()
	edits := exactly(h.api.Requests(), "PATCH", originalPath(ic))
	if len(edits) != 1 || edits[0].Status != 200 {
		t.Fatalf("%d edits of @original, want exactly 1: %+v", len(edits), edits)
	}
	m := decodeMessage(t, edits[0].Body)
	checkSent(t, "edit", m)
	checkWirelessAnswer(t, m)
	if n := len(h.api.Matching("POST", "webhooks")); n != 0 {
		t.Errorf("%d follow-ups for a one-message answer", n)
	}
	if h.errs.Load() != 0 {
		t.Errorf("%d platform errors", h.errs.Load())
	}
}

// TestHTTPAutocomplete: "netw" offers Network engineer, at most 25 choices,
// within Discord's lengths.
func TestHTTPAutocomplete(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, sub := range []struct {
		name string
		opts []discordfake.Option
	}{
		{"ksb", []discordfake.Option{discordfake.Focus("occupation", "netw"), discordfake.Opt("id", "K1")}},
		{"occupation", []discordfake.Option{discordfake.Focus("name", "netw")}},
	} {
		start := time.Now()
		code, r := h.post(discordfake.Autocomplete(testApp, testUser, sub.name, sub.opts...))
		took := time.Since(start)
		if code != http.StatusOK || r.Type != 8 {
			t.Fatalf("%s autocomplete: %d %s", sub.name, code, r.raw)
		}
		if took > time.Second {
			t.Errorf("autocomplete took %s", took)
		}
		var d struct {
			Choices []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"choices"`
		}
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Choices) == 0 || len(d.Choices) > 25 {
			t.Fatalf("%d choices", len(d.Choices))
		}
		if d.Choices[0].Value != "ST0127" || !strings.Contains(d.Choices[0].Name, "Network engineer") {
			t.Errorf("first choice %+v, want Network engineer (ST0127)", d.Choices[0])
		}
		for _, c := range d.Choices {
			if c.Name == "" || len([]rune(c.Name)) > 100 || c.Value == "" || len(c.Value) > 100 {
				t.Errorf("choice %+v outside Discord's lengths", c)
			}
		}
	}
	// Nothing typed yet: 25 choices; a nil Complete (index not loaded):
	// none, still a valid response.
	_, r := h.post(discordfake.Autocomplete(testApp, testUser, "list", discordfake.Focus("occupation", "")))
	if strings.Count(string(r.Data), `"value"`) != 25 {
		t.Errorf("empty partial: %s", r.Data)
	}
	h2 := newHarness(t, harnessOptions{mod: func(o *Options) { o.Complete = nil }})
	_, r = h2.post(discordfake.Autocomplete(testApp, testUser, "list", discordfake.Focus("occupation", "netw")))
	if r.Type != 8 || string(r.Data) != `{"choices":[]}` {
		t.Errorf("no Complete: %s", r.raw)
	}
}

// TestHTTPKSB: /careers ksb occupation:ST0127 id:K12 returns that passage
// exactly, as the one citation.
func TestHTTPKSB(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	code, r := h.post(discordfake.Command(testApp, testUser, "ksb", discordfake.Opt("occupation", "ST0127"), discordfake.Opt("id", "K12")))
	if code != http.StatusOK || r.Type != 4 {
		t.Fatalf("ksb: %d %s", code, r.raw)
	}
	m := r.message(t)
	checkSent(t, "ksb", m)
	fields := fieldsOf(m)
	if len(fields) != 1 || fields[0].Name != "ST0127 K12" || fields[0].Value != "Wireless networks technologies and configurations." {
		t.Errorf("fields %+v, want exactly ST0127 K12 with its passage", fields)
	}
	// A lower-case id with a leading zero is the same passage; an id the
	// standard lacks says so.
	_, r = h.post(discordfake.Command(testApp, testUser, "ksb", discordfake.Opt("occupation", "ST0127"), discordfake.Opt("id", "k012")))
	if f := fieldsOf(r.message(t)); len(f) != 1 || f[0].Name != "ST0127 K12" {
		t.Errorf("k012: %+v", f)
	}
	_, r = h.post(discordfake.Command(testApp, testUser, "ksb", discordfake.Opt("occupation", "ST0127"), discordfake.Opt("id", "K99")))
	if m := r.message(t); len(fieldsOf(m)) != 0 || !strings.Contains(m.Embeds[0].Description, "no K99") {
		t.Errorf("K99: %s", r.raw)
	}
}

// TestHTTPOccupationCard: /careers occupation name: is the profile card.
func TestHTTPOccupationCard(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	_, r := h.post(discordfake.Command(testApp, testUser, "occupation", discordfake.Opt("name", "ST0127")))
	m := r.message(t)
	checkSent(t, "card", m)
	e := m.Embeds[0]
	if e.Title != "Network engineer (ST0127)" || !strings.Contains(e.Description, "install networks") {
		t.Errorf("card %q %q", e.Title, e.Description)
	}
	want := map[string]string{"Level": "4", "Median salary": "£43,692 per year", "SOC code": "2137 IT network professionals", "Duties": "10 duties"}
	for _, f := range e.Fields {
		if v, ok := want[f.Name]; ok && v != f.Value {
			t.Errorf("%s = %q, want %q", f.Name, f.Value, v)
		}
		delete(want, f.Name)
	}
	if len(want) > 0 {
		t.Errorf("card lacks %v", want)
	}
}

// TestLimitsCommisChefSkills: the 38 skills of Commis chef (ST0228) reach
// the fake API, deferred, with every embed inside Discord's limits and
// every skill present in order.
func TestLimitsCommisChefSkills(t *testing.T) {
	h := newHarness(t, harnessOptions{mod: func(o *Options) { o.QuickAnswer = -1 }})
	ic := discordfake.Command(testApp, testUser, "list", discordfake.Opt("occupation", "ST0228"), discordfake.Opt("kind", "skills"))
	code, r := h.post(ic)
	if code != http.StatusOK || r.Type != 5 {
		t.Fatalf("list: %d %s", code, r.raw)
	}
	h.api.WaitFor(t, 20*time.Second, "the list", func(rs []discordfake.Request) bool {
		return len(exactly(rs, "PATCH", originalPath(ic))) > 0
	})
	h.settle()
	var msgs []discordfake.Message
	for _, rq := range h.api.Requests() {
		if strings.HasPrefix(rq.Path, followUpPath(ic)) {
			if rq.Status >= 400 {
				t.Errorf("Discord answered %d to %s %s", rq.Status, rq.Method, rq.Path)
			}
			m := decodeMessage(t, rq.Body)
			checkSent(t, rq.Method+" "+rq.Path, m)
			msgs = append(msgs, m)
		}
	}
	if p := h.api.Problems(); len(p) > 0 {
		t.Errorf("limits broken: %q", p)
	}
	fields := fieldsOf(msgs...)
	if len(fields) != 38 {
		t.Fatalf("%d skills arrived, want 38: %q", len(fields), fieldNames(fields))
	}
	for i, f := range fields {
		if want := fmt.Sprintf("ST0228 S%d", i+1); f.Name != want {
			t.Errorf("field %d = %q, want %q", i, f.Name, want)
		}
	}
	// The same list answered inline holds the same.
	h2 := newHarness(t, harnessOptions{})
	_, r = h2.post(ic)
	m := r.message(t)
	checkSent(t, "inline list", m)
	h2.settle()
	if got := len(fieldsOf(m)) + len(fieldsOf(followUps(t, h2, ic)...)); got != 38 {
		t.Errorf("inline: %d skills, want 38", got)
	}
}

func followUps(t *testing.T, h *harness, ic discordfake.Interaction) []discordfake.Message {
	var out []discordfake.Message
	for _, rq := range exactly(h.api.Requests(), "POST", followUpPath(ic)) {
		m := decodeMessage(t, rq.Body)
		checkSent(t, "follow-up", m)
		out = append(out, m)
	}
	return out
}

// TestHTTPLongAnswerFollowUps: an answer longer than one message (every
// knowledge, skill and behaviour... asked as a free question over a large
// standard) arrives as the edit plus follow-ups, in order.
func TestHTTPLongAnswerFollowUps(t *testing.T) {
	b := catalogueBot(t)
	// Find a list long enough to need a follow-up: over 10 embeds or
	// 6,000 characters.
	var ref, kind string
	for _, k := range []string{"knowledge", "skills", "duties"} {
		for _, c := range b.Complete("", 1000) {
			a, err := b.Ask(t.Context(), command{sub: subList, occupation: c.Reference, kind: k}.toQuestion())
			if err == nil && len(renderAnswer(a)) > 1 {
				ref, kind = c.Reference, k
				break
			}
		}
		if ref != "" {
			break
		}
	}
	if ref == "" {
		t.Skip("no list in the corpus needs more than one message")
	}
	h := newHarness(t, harnessOptions{mod: func(o *Options) { o.QuickAnswer = -1 }})
	ic := discordfake.Command(testApp, testUser, "list", discordfake.Opt("occupation", ref), discordfake.Opt("kind", kind))
	h.post(ic)
	h.api.WaitFor(t, 20*time.Second, "the edit", func(rs []discordfake.Request) bool {
		return len(exactly(rs, "PATCH", originalPath(ic))) > 0
	})
	h.settle()
	edits := exactly(h.api.Requests(), "PATCH", originalPath(ic))
	fu := followUps(t, h, ic)
	if len(edits) != 1 || len(fu) == 0 {
		t.Fatalf("%s %s: %d edits and %d follow-ups", ref, kind, len(edits), len(fu))
	}
	checkSent(t, "edit", decodeMessage(t, edits[0].Body))
	if p := h.api.Problems(); len(p) > 0 {
		t.Errorf("limits broken: %q", p)
	}
}

// TestMentionsNeverPing: a question full of mentions is answered with
// allowed_mentions {"parse": []}, in every mode of delivery.
func TestMentionsNeverPing(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	q := "@everyone @here <@&123456789012345678> <@500000000000000009> which skills does a network engineer need?"
	_, r := h.post(discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", q)))
	if !strings.Contains(string(r.Data), `"allowed_mentions":{"parse":[]`) {
		t.Errorf("allowed_mentions: %s", r.Data)
	}
	checkSent(t, "answer", r.message(t))
}

// TestHTTPRateLimitIsEphemeral: past serve's per-user limit the user is
// told, ephemerally; another user is still answered.
func TestHTTPRateLimitIsEphemeral(t *testing.T) {
	h := newHarness(t, harnessOptions{guard: bot.GuardOptions{PerMinute: 1}})
	ask := func(user string) discordfake.Message {
		_, r := h.post(discordfake.Command(testApp, user, "ask", discordfake.Opt("question", wirelessQuestion)))
		if r.Type != 4 {
			t.Fatalf("type %d", r.Type)
		}
		m := r.message(t)
		checkSent(t, "reply", m)
		return m
	}
	if m := ask(testUser); m.Flags&64 != 0 || len(m.Embeds) == 0 {
		t.Fatalf("first question not answered")
	}
	m := ask(testUser)
	if m.Flags&64 == 0 || m.Content == nil || !strings.Contains(*m.Content, "slow down") {
		t.Errorf("second question: %+v", m)
	}
	if m := ask("500000000000000077"); m.Flags&64 != 0 {
		t.Errorf("another user was limited too")
	}
	// Too long: ephemeral too.
	_, r := h.post(discordfake.Command(testApp, "500000000000000078", "ask", discordfake.Opt("question", strings.Repeat("network ", 200))))
	if m := r.message(t); m.Flags&64 == 0 || !strings.Contains(*m.Content, "too long") {
		t.Errorf("too long: %s", r.raw)
	}
}

// TestDeferredRateLimitGoesEphemeral: an answer that should be ephemeral
// but follows a (public) deferred response replaces it with an ephemeral
// follow-up.
func TestDeferredRateLimitGoesEphemeral(t *testing.T) {
	h := newHarness(t, harnessOptions{guard: bot.GuardOptions{PerMinute: 1}, mod: func(o *Options) { o.QuickAnswer = -1 }})
	first := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	second := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	h.post(first)
	h.post(second)
	h.settle()
	if n := len(exactly(h.api.Requests(), "PATCH", originalPath(second))); n != 0 {
		t.Errorf("the limited question's placeholder was edited publicly")
	}
	if n := len(exactly(h.api.Requests(), "DELETE", originalPath(second))); n != 1 {
		t.Errorf("placeholder not deleted")
	}
	fu := followUps(t, h, second)
	if len(fu) != 1 || fu[0].Flags&64 == 0 || !strings.Contains(*fu[0].Content, "slow down") {
		t.Errorf("follow-ups %+v", fu)
	}
}

// TestHelpIsEphemeral: /careers help says what it can do, with examples,
// to the asker only; it asks nothing of the bot.
func TestHelpIsEphemeral(t *testing.T) {
	h := newHarness(t, harnessOptions{guard: bot.GuardOptions{PerMinute: 1}})
	for i := 0; i < 3; i++ {
		_, r := h.post(discordfake.Command(testApp, testUser, "help"))
		m := r.message(t)
		checkSent(t, "help", m)
		if r.Type != 4 || m.Flags&64 == 0 || !strings.Contains(m.Embeds[0].Description, "/careers ksb occupation: ST0127 id: K12") {
			t.Errorf("help: %s", r.raw)
		}
	}
}

// Test429DoesNotBlockOthers: a 429 on one interaction's edit is waited out
// (its retry_after) while another interaction's edit goes through.
func Test429DoesNotBlockOthers(t *testing.T) {
	h := newHarness(t, harnessOptions{mod: func(o *Options) { o.QuickAnswer = -1 }})
	slow := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	fast := discordfake.Command(testApp, "500000000000000002", "ksb", discordfake.Opt("occupation", "ST0127"), discordfake.Opt("id", "K12"))
	h.api.RateLimit("PATCH", slow.Token(), 1, 1500*time.Millisecond)
	h.post(slow)
	h.api.WaitFor(t, 20*time.Second, "the 429", func(rs []discordfake.Request) bool {
		e := exactly(rs, "PATCH", originalPath(slow))
		return len(e) == 1 && e[0].Status == 429
	})
	h.post(fast)
	h.settle()
	rs := h.api.Requests()
	slowEdits := exactly(rs, "PATCH", originalPath(slow))
	fastEdits := exactly(rs, "PATCH", originalPath(fast))
	if len(slowEdits) != 2 || slowEdits[1].Status != 200 || len(fastEdits) != 1 || fastEdits[0].Status != 200 {
		t.Fatalf("slow %d edits, fast %d edits: %+v", len(slowEdits), len(fastEdits), rs)
	}
	if waited := slowEdits[1].At.Sub(slowEdits[0].At); waited < 1400*time.Millisecond {
		t.Errorf("retried after %s, before retry_after", waited)
	}
	if !fastEdits[0].At.Before(slowEdits[1].At) {
		t.Errorf("the other interaction's edit waited for the rate-limited one")
	}
	if h.errs.Load() != 0 {
		t.Errorf("%d platform errors", h.errs.Load())
	}
}

// TestShutdownWaitsForDeferredAnswers: Shutdown returns only once a
// deferred answer is delivered; past its own context it ends the work, but
// an answer being delivered still has its notice time.
func TestShutdownWaitsForDeferredAnswers(t *testing.T) {
	h := newHarness(t, harnessOptions{mod: func(o *Options) { o.QuickAnswer = -1 }})
	ic := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	release := h.api.Hold("PATCH", ic.Token())
	defer release()
	h.post(ic)
	ctx, cancel := newTimeout(300 * time.Millisecond)
	defer cancel()
	time.AfterFunc(600*time.Millisecond, release)
	start := time.Now()
	if err := h.a.Shutdown(ctx); err == nil {
		t.Fatalf("Shutdown returned nil while the answer was held past its context")
	}
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Errorf("Shutdown returned after %v, before the held answer was delivered", took)
	}
	if e := exactly(h.api.Requests(), "PATCH", originalPath(ic)); len(e) != 1 || e[0].Status != 200 {
		t.Errorf("edit not delivered before Shutdown returned: %+v", e)
	}
	ctx2, cancel2 := newTimeout(time.Second)
	defer cancel2()
	if err := h.a.Shutdown(ctx2); err != nil {
		t.Errorf("second Shutdown with nothing in flight: %v", err)
	}
}

// TestQuestionsNotLogged: the question text is in the logs only with
// LogQuestions, and the user only as a pseudonym.
func TestQuestionsNotLogged(t *testing.T) {
	for _, logQ := range []bool{false, true} {
		h := newHarness(t, harnessOptions{mod: func(o *Options) { o.LogQuestions = logQ }})
		h.post(discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion)))
		h.settle()
		logs := h.logs.String()
		if !strings.Contains(logs, `"msg":"discord command"`) {
			t.Fatalf("no log of the command: %s", logs)
		}
		if strings.Contains(logs, wirelessQuestion) != logQ {
			t.Errorf("LogQuestions=%v but question logged=%v", logQ, !logQ)
		}
		if strings.Contains(logs, testUser) {
			t.Errorf("the user id is in the logs")
		}
	}
}

// TestUnknownCommandGetsHelp: a command this version does not know (left
// from an older registration) is answered with the help, not silence.
func TestUnknownCommandGetsHelp(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ic := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	ic["data"].(map[string]any)["name"] = "jobs"
	_, r := h.post(ic)
	if m := r.message(t); r.Type != 4 || m.Flags&64 == 0 || !strings.Contains(m.Embeds[0].Description, "/careers help") {
		t.Errorf("unknown command: %s", r.raw)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://discord.com/api/v9/webhooks/1/secret-token/messages/@original": "webhooks/1/TOKEN/messages/@original",
		"https://discord.com/api/v9/interactions/2/secret-token/callback":       "interactions/2/TOKEN/callback",
		"https://discord.com/api/v9/applications/1/commands":                    "applications/1/commands",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// A message that shows distress is answered to its sender alone, and the
// bot's safeguarding hook is told the platform, the channel and the user.
func TestHTTPDistressIsEphemeralAndTold(t *testing.T) {
	told := make(chan bot.Question, 1)
	b := bot.New(testcorpus.Seed(t), bot.Options{OnDistress: func(_ context.Context, q bot.Question, _ bot.Safeguarding) { told <- q }})
	h := newHarness(t, harnessOptions{mod: func(o *Options) { o.Asker = bot.NewGuard(b, bot.GuardOptions{}) }})
	code, r := h.post(discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", "someone i met online keeps asking for photos")))
	if code != http.StatusOK || r.Type != 4 {
		t.Fatalf("ask: %d type %d: %s", code, r.Type, r.raw)
	}
	m := r.message(t)
	if m.Flags&64 == 0 || len(m.Embeds) == 0 || !strings.Contains(m.Embeds[0].Description, "0800 1111") {
		t.Errorf("distress reply: flags %d, %+v", m.Flags, m.Embeds)
	}
	select {
	case q := <-told:
		if q.Via != "discord" || q.Channel != "300000000000000001" || q.User != testUser {
			t.Errorf("the hook was told via %q channel %q user %q", q.Via, q.Channel, q.User)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hook was not told")
	}
}
