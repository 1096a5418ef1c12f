package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/internal/fakes/slackfake"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/llm"
	"github.com/careersbot/careersbot/internal/openaifake"
)

// TestStreamedAnswerIsUpdatedThenChecked: with a model that streams, the
// answer is posted at its first words, updated as it grows, and finally
// replaced by the checked answer carrying its citations.
func TestStreamedAnswerIsUpdatedThenChecked(t *testing.T) {
	model := openaifake.New(t)
	long := strings.Repeat("Wireless networking is part of the network engineer's knowledge. ", 8)
	model.Set(func(s *openaifake.Server) {
		s.Reply = func(string, string) string { return long + "[ST0127 K12] and a made-up one [ST0127 K99]." }
	})
	client := llm.New(llm.Config{BaseURL: model.BaseURL(), Backoff: time.Millisecond})
	ix := seedBot(t).Searcher()
	b := bot.New(ix, bot.Options{Generate: func(ctx context.Context, system, user string, onDelta func(string)) (string, error) {
		return client.Chat(ctx, "m", system, user, onDelta)
	}})
	e := start(t, b, false, func(o *Options) {
		o.Stream = true
		o.StreamEvery = time.Nanosecond // update on every chunk, so the test sees updates
	})
	ts := newTS()
	if code := e.postEvent(t, callback(mention("C1", "U1", ts, "", "<@"+slackfake.BotUserID+"> Is wireless networking part of the role?"), "Ev1"), nil); code != 200 {
		t.Fatalf("status %d", code)
	}
	posts := e.fake.WaitFor(t, "chat.postMessage", 1, 10*time.Second)
	first := posts[0].Message()
	if first.ThreadTS != ts || strings.Contains(first.Text, "[ST0127") {
		t.Errorf("first post: thread %q text %q", first.ThreadTS, first.Text)
	}
	e.fake.WaitFor(t, "chat.update", 2, 10*time.Second)
	// The answer is done when an update carries blocks: streamed updates
	// are plain text, the checked answer is rendered.
	var updates []slackfake.Call
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		updates = e.fake.Calls("chat.update")
		if len(updates[len(updates)-1].Message().Blocks) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no rendered update after %d updates", len(updates))
		}
	}
	final := updates[len(updates)-1].Message()
	var all strings.Builder
	for _, blk := range final.Blocks {
		if txt, ok := blk["text"].(map[string]any); ok {
			all.WriteString(txt["text"].(string))
		}
	}
	if !strings.Contains(all.String(), "K12") || strings.Contains(all.String(), "K99") {
		t.Errorf("final update does not carry the checked citations: %s", all.String())
	}
	for _, u := range updates[:len(updates)-1] {
		if strings.Contains(u.Message().Text, "[ST0127") {
			t.Errorf("a streamed update shows an unchecked marker: %q", u.Message().Text)
		}
	}
	if n := len(e.fake.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d posts, want the one that was then updated", n)
	}
}
