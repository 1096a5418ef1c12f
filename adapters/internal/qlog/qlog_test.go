package qlog

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
)

func TestLog(t *testing.T) {
	q := Question{Platform: "slack", Via: "mention", User: "u-7f3a", Text: "what does a plumber earn", Start: time.Now()}
	for _, tc := range []struct {
		name     string
		withText bool
		err      error
		want     []string
		not      []string
	}{
		{"answered, text kept out", false, nil, []string{`"level":"INFO"`, `"msg":"slack question"`, `"user":"u-7f3a"`, `"outcome":"grounded"`}, []string{"plumber"}},
		{"answered, text asked for", true, nil, []string{`"question":"what does a plumber earn"`}, nil},
		{"client gone", false, context.Canceled, []string{`"level":"INFO"`, `"msg":"slack question not answered"`}, nil},
		{"failed", false, errors.New("index gone"), []string{`"level":"ERROR"`, `"msg":"slack question failed"`, `"error":"index gone"`}, nil},
	} {
		var buf bytes.Buffer
		Log(slog.New(slog.NewJSONHandler(&buf, nil)), q, tc.withText, bot.Answer{Outcome: bot.OutcomeGrounded}, tc.err)
		got := buf.String()
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: log %s lacks %s", tc.name, got, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(got, w) {
				t.Errorf("%s: log %s holds %s", tc.name, got, w)
			}
		}
	}
}
