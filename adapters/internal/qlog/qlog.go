// Package qlog logs one question a chat adapter answered, and how it
// ended, the same way on every platform: never its text unless the
// operator asked for it, and the user only as a pseudonym.
package qlog

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/careersbot/careersbot/bot"
)

// Question is one question as the log records it.
type Question struct {
	Platform string    // "slack", "teams": the log messages' first word
	Via      string    // where it was asked (a mention, a command, a scope)
	User     string    // the user's pseudonym, never the platform's id
	Text     string    // logged only when Log's withText is set
	Start    time.Time // when it arrived
}

// Log logs q and how it ended: Info when answered or not answered for a
// reason of the client's or a limit's (gone, timed out, refused), Error
// when answering failed.
func Log(log *slog.Logger, q Question, withText bool, ans bot.Answer, err error) {
	attrs := []any{"via", q.Via, "user", q.User, "outcome", string(ans.Outcome), "citations", len(ans.Citations),
		"took_ms", float64(time.Since(q.Start).Microseconds()) / 1000}
	if withText {
		attrs = append(attrs, "question", q.Text)
	}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || bot.Refused(err) {
			log.Info(q.Platform+" question not answered", attrs...)
			return
		}
		log.Error(q.Platform+" question failed", attrs...)
		return
	}
	log.Info(q.Platform+" question", attrs...)
}
