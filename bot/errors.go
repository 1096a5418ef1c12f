package bot

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Code says what kind of failure an error is, so that each transport maps
// it once: to an HTTP status, a log level, a metric, an ephemeral reply.
// It follows the shape of Ben Johnson's wtf.Error: a few codes a transport
// can act on, not one per cause.
type Code string

const (
	// Invalid is a question that cannot be taken as asked (empty, too
	// long): the user rephrases it.
	Invalid Code = "invalid"
	// TooMany is a user over their rate: they may ask again after
	// RetryAfter.
	TooMany Code = "too_many"
	// Unavailable is a bot that is busy or still starting: anyone may
	// try again shortly.
	Unavailable Code = "unavailable"
	// Internal is everything else: a failure the user is not told the
	// detail of and the log is.
	Internal Code = "internal"
)

// Error is the bot's error for everything a user may be told about. Message
// is safe to show as it is; Reason is a short stable name for logs and
// metrics. Errors that are not *Error are Internal.
type Error struct {
	Code       Code
	Reason     string // empty, too_long, rate_limited, busy, not_ready
	Message    string
	RetryAfter time.Duration // TooMany and Unavailable: when to try again
}

func (e *Error) Error() string { return e.Message }

// The errors a question may meet before any work is done on it. Compare
// with errors.Is; the too-long and rate-limit errors carry figures and are
// told apart by Reason.
var (
	// ErrEmptyQuestion is a question with nothing in it.
	ErrEmptyQuestion = &Error{Code: Invalid, Reason: "empty",
		Message: "The question is empty: ask something such as \"Which skills does a network engineer need?\""}
	// ErrNotReady is a question asked before the index is loaded.
	ErrNotReady = &Error{Code: Unavailable, Reason: "not_ready", RetryAfter: 5 * time.Second,
		Message: "Sorry, I'm still starting up (loading the standards): please try again in a few seconds."}
	// ErrBusy is every answer slot taken for longer than a question may
	// wait.
	ErrBusy = &Error{Code: Unavailable, Reason: "busy", RetryAfter: time.Second,
		Message: "Sorry, I'm busy answering other questions right now: please try again in a moment."}
)

// Reasons of the errors built with figures.
const (
	ReasonTooLong     = "too_long"
	ReasonRateLimited = "rate_limited"
)

// TooLong is a question, or the occupation named with it, over its
// length limit.
func TooLong(what string, got, limit int) *Error {
	hint := "Please ask it in fewer words."
	if what == "occupation" {
		hint = "Please give its reference (such as ST0127) or its name."
	}
	return &Error{Code: Invalid, Reason: ReasonTooLong,
		Message: fmt.Sprintf("Sorry, that %s is too long for me: it has %s characters and I can take up to %s. %s",
			what, thousands(got), thousands(limit), hint)}
}

// RateLimited is a user over the per-user rate limit.
func RateLimited(wait time.Duration) *Error {
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	return &Error{Code: TooMany, Reason: ReasonRateLimited, RetryAfter: wait,
		Message: fmt.Sprintf("You're asking faster than I can keep up with: please slow down and try again in %s.", plural(secs, "second", "seconds"))}
}

// ErrorCode is err's code: "" for nil, Internal for an error that is not an
// *Error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return Internal
}

// ErrorReason is err's Reason: "" for nil, "error" for an error that is not
// an *Error.
func ErrorReason(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Reason
	}
	return "error"
}

// ErrorMessage is what a user may be told of err: the message of an *Error,
// and for anything else an apology that gives away nothing of the cause.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "Sorry, something went wrong while answering. Please try again in a moment."
}

// ErrorRetryAfter is how long err says to wait before asking again; 0 when
// it does not say.
func ErrorRetryAfter(err error) time.Duration {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.RetryAfter
	}
	return 0
}

// Refused reports whether err is a question turned away (the user's, or a
// passing state of the bot) rather than a failure: such errors are not
// logged as errors.
func Refused(err error) bool {
	c := ErrorCode(err)
	return c != "" && c != Internal
}
