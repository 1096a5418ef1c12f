package bot

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestErrorHelpers: a transport maps every error through these, so a
// wrapped *Error keeps its code, reason, message and wait, and any other
// error is Internal with a message that gives nothing away.
func TestErrorHelpers(t *testing.T) {
	cause := errors.New("dial tcp 10.0.0.7:5432: connection refused")
	tests := []struct {
		name    string
		err     error
		code    Code
		reason  string
		refused bool
		wait    time.Duration
	}{
		{"nil", nil, "", "", false, 0},
		{"empty", ErrEmptyQuestion, Invalid, "empty", true, 0},
		{"wrapped busy", fmt.Errorf("ask: %w", ErrBusy), Unavailable, "busy", true, time.Second},
		{"not ready", ErrNotReady, Unavailable, "not_ready", true, 5 * time.Second},
		{"too long", TooLong("question", 1200, 1000), Invalid, ReasonTooLong, true, 0},
		{"rate limited", RateLimited(2500 * time.Millisecond), TooMany, ReasonRateLimited, true, 2500 * time.Millisecond},
		{"other", cause, Internal, "error", false, 0},
		{"cancelled", context.Canceled, Internal, "error", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
			if got := ErrorReason(tt.err); got != tt.reason {
				t.Errorf("reason %q, want %q", got, tt.reason)
			}
			if got := Refused(tt.err); got != tt.refused {
				t.Errorf("refused %v, want %v", got, tt.refused)
			}
			if got := ErrorRetryAfter(tt.err); got != tt.wait {
				t.Errorf("retry after %v, want %v", got, tt.wait)
			}
			if tt.err == nil {
				return
			}
			msg := ErrorMessage(tt.err)
			if msg == "" || (tt.code == Internal && msg == tt.err.Error()) {
				t.Errorf("message %q: empty, or the cause told to the user", msg)
			}
		})
	}
	if got := ErrorMessage(RateLimited(2500 * time.Millisecond)); got != "You're asking faster than I can keep up with: please slow down and try again in 3 seconds." {
		t.Errorf("rate-limit message %q", got)
	}
	if got := ErrorMessage(TooLong("occupation", 201, 200)); got != "Sorry, that occupation is too long for me: it has 201 characters and I can take up to 200. Please give its reference (such as ST0127) or its name." {
		t.Errorf("too-long message %q", got)
	}
}
