package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/slack"
)

// floodCommands is how many distinct signed slash commands
// TestServeSlackCommandFlood sends: 40,000 (the figure) takes a
// couple of minutes on two cores, so CI sends fewer; run it whole with
//
//	go test . -run SlackCommandFlood -v -args -flood 40000
var floodCommands = flag.Int("flood", 4000, "distinct signed /careers commands TestServeSlackCommandFlood sends")

// floodSlack is a fake Slack Web API at the wire that keeps only counts:
// auth.test, and each command's replies at its response URL, by command.
// It keeps no bodies, so that 40,000 answers cost the test nothing.
type floodSlack struct {
	*httptest.Server
	answers []atomic.Int32 // replies with citations, by command
	others  []atomic.Int32 // replies without (busy, an apology), by command
	total   atomic.Int64
}

func newFloodSlack(t *testing.T, n int) *floodSlack {
	f := &floodSlack{answers: make([]atomic.Int32, n), others: make([]atomic.Int32, n)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.URL.Path == "/api/auth.test":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true,"team":"Careers","team_id":"T0FLOOD","user":"careersbot","user_id":"U0BOT","bot_id":"B0BOT"}`))
		case strings.HasPrefix(r.URL.Path, "/hooks/"):
			i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hooks/"))
			if err != nil || i < 0 || i >= n {
				http.Error(w, "no such hook", http.StatusNotFound)
				return
			}
			if bytes.Contains(body, []byte("[ST")) {
				f.answers[i].Add(1)
			} else {
				f.others[i].Add(1)
			}
			f.total.Add(1)
			_, _ = w.Write([]byte("ok"))
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// TestServeSlackCommandFlood is point 3 of the hardening, against the
// built binary in Slack's HTTP mode over the default corpus with the
// default bounds: distinct users send signed /careers commands as fast as
// 32 connections carry them. Every command acknowledged is answered, or
// told "busy, try again" (in its acknowledgement or at its response URL),
// exactly once; the stores stay within their bounds; and the process's
// memory stays under 250 MB.
func TestServeSlackCommandFlood(t *testing.T) {
	n := *floodCommands
	const secret = "flood-signing-secret-0123456789"
	f := newFloodSlack(t, n)
	p := startProcess(t, map[string]string{
		"CAREERSBOT_DATA_DIR":  defaultEnv(t)["CAREERSBOT_DATA_DIR"],
		"SLACK_BOT_TOKEN":      "xoxb-flood",
		"SLACK_SIGNING_SECRET": secret,
		"SLACK_API_URL":        f.URL + "/api/",
	})
	_, baseline := p.memory(t)

	const senders = 32
	c := loopClient(senders)
	var next atomic.Int64
	var busyInAck atomic.Int64
	taken := make([]bool, n)
	start := time.Now()
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				form := url.Values{
					"team_id": {"T0FLOOD"}, "channel_id": {fmt.Sprintf("C%06d", i%500)}, "user_id": {fmt.Sprintf("U%08d", i)},
					"command": {"/careers"}, "text": {loadQuestions[i%len(loadQuestions)]},
					"response_url": {f.URL + "/hooks/" + strconv.Itoa(i)}, "trigger_id": {fmt.Sprintf("%d.77.%x", 1000000+i, i)},
				}
				body := []byte(form.Encode())
				ts := strconv.FormatInt(time.Now().Unix(), 10)
				req, _ := http.NewRequest(http.MethodPost, p.url+"/slack/commands", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Slack-Request-Timestamp", ts)
				req.Header.Set("X-Slack-Signature", slack.Sign(secret, ts, body))
				resp, err := c.Do(req)
				if err != nil {
					t.Errorf("command %d: %v", i, err)
					return
				}
				ack, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case resp.StatusCode != http.StatusOK:
					t.Errorf("command %d: status %d %s", i, resp.StatusCode, ack)
					return
				case len(ack) == 0:
					taken[i] = true
				case bytes.Contains(ack, []byte("try again")):
					busyInAck.Add(1)
				default:
					t.Errorf("command %d: ack %s", i, ack)
					return
				}
			}
		}()
	}
	wg.Wait()
	sent := time.Since(start)
	if t.Failed() {
		return
	}
	var nTaken int64
	for _, ok := range taken {
		if ok {
			nTaken++
		}
	}
	// Every command taken is answered at its response URL: wait for the
	// last (bounded).
	deadline := time.Now().Add(2 * time.Minute)
	for f.total.Load() < nTaken && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // room for a reply too many to show
	rss, peak := p.memory(t)

	var answered, told, missing, doubled, unasked int
	for i := range n {
		a, o := int(f.answers[i].Load()), int(f.others[i].Load())
		switch {
		case !taken[i] && a+o > 0:
			unasked++ // told busy in its ack, and answered too
		case !taken[i]:
		case a+o == 0:
			missing++
		case a+o > 1:
			doubled++
		case a == 1:
			answered++
		default:
			told++
		}
	}
	if missing > 0 || doubled > 0 || unasked > 0 {
		t.Errorf("of %d commands taken: %d without a reply, %d replied to twice; %d told busy and answered too", nTaken, missing, doubled, unasked)
	}
	if int64(answered+told) != nTaken || nTaken+busyInAck.Load() != int64(n) {
		t.Errorf("%d taken (%d answered, %d told busy or sorry), %d busy in the ack, of %d", nTaken, answered, told, busyInAck.Load(), n)
	}
	if v := p.metric(t, `careersbot_platform_replies_total{adapter="slack",result="undelivered"}`); v > 0 {
		t.Errorf("%v replies undelivered", v)
	}
	for store, bound := range map[string]float64{"memory": 10000, "slack_shares": 1000, "slack_dedupe": 100000, "rate_users": 100000} {
		if v := p.metric(t, `careersbot_state_entries{store="`+store+`"}`); v < 0 || v > bound {
			t.Errorf("store %s holds %v entries, over its bound %v", store, v, bound)
		}
	}
	const limit = 250 << 20
	if rss > limit {
		t.Errorf("RSS %d MB after %d commands, want under 250 MB", rss>>20, n)
	}
	t.Logf("%d distinct signed /careers commands in %v (%.0f/s) from %d connections: %d answered, %d told busy or sorry at the response URL, %d busy in the ack; none missing or doubled",
		n, sent.Round(time.Millisecond), float64(n)/sent.Seconds(), senders, answered, told, busyInAck.Load())
	t.Logf("serve's memory: RSS %d MB at the end (peak %d MB; %d MB once ready); stores: memory %v, shares %v, dedupe %v, rate users %v",
		rss>>20, peak>>20, baseline>>20,
		p.metric(t, `careersbot_state_entries{store="memory"}`), p.metric(t, `careersbot_state_entries{store="slack_shares"}`),
		p.metric(t, `careersbot_state_entries{store="slack_dedupe"}`), p.metric(t, `careersbot_state_entries{store="rate_users"}`))
	t.Logf("serve's Go heap: %.0f MB allocated, %.0f MB in use, next GC at %.0f MB; %v goroutines",
		p.metric(t, "go_memstats_heap_alloc_bytes")/(1<<20), p.metric(t, "go_memstats_heap_inuse_bytes")/(1<<20),
		p.metric(t, "go_memstats_next_gc_bytes")/(1<<20), p.metric(t, "go_goroutines"))
}
