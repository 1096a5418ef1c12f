package slack

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBodyBytes is the largest request body HTTP mode reads.
const maxBodyBytes = 1 << 20

// maxClockSkew is how old (or how far ahead) a signed request's timestamp
// may be: older ones are replays.
const maxClockSkew = 5 * time.Minute

// Errors of signature verification.
var (
	errNoSignature    = errors.New("no X-Slack-Signature or X-Slack-Request-Timestamp header")
	errBadTimestamp   = errors.New("X-Slack-Request-Timestamp is not a Unix time")
	errStaleTimestamp = errors.New("request timestamp is more than 5 minutes from now")
	errBadSignature   = errors.New("signature does not match")
)

// Verify checks a request's Slack signature (version v0): an HMAC-SHA256
// with the signing secret of "v0:" + the timestamp + ":" + the body,
// compared in constant time, with a timestamp within 5 minutes of now.
func Verify(secret string, now time.Time, header http.Header, body []byte) error {
	sig := header.Get("X-Slack-Signature")
	tsText := header.Get("X-Slack-Request-Timestamp")
	if sig == "" || tsText == "" {
		return errNoSignature
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return errBadTimestamp
	}
	if d := now.Sub(time.Unix(ts, 0)); d > maxClockSkew || d < -maxClockSkew {
		return errStaleTimestamp
	}
	want := Sign(secret, tsText, body)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errBadSignature
	}
	return nil
}

// Sign is the v0 signature of a body sent at timestamp (Unix seconds), as
// Slack puts it in X-Slack-Signature.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + timestamp + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// verified reads a request's body and checks its signature before anything
// else: 401 and nothing done when it fails.
func (a *Adapter) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "could not read the body", http.StatusBadRequest)
			return
		}
		if err := Verify(a.o.SigningSecret, a.o.Now(), r.Header, body); err != nil {
			a.log.Warn("rejected a request with a bad Slack signature", "path", r.URL.Path, "reason", err.Error())
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	})
}

// serveEvents is POST /slack/events: the url_verification challenge, and
// events, acknowledged at once and answered after.
func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	var outer struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		http.Error(w, "the body is not JSON", http.StatusBadRequest)
		return
	}
	switch outer.Type {
	case slackevents.URLVerification:
		writeJSON(w, http.StatusOK, map[string]string{"challenge": outer.Challenge})
		return
	case slackevents.CallbackEvent, slackevents.AppRateLimited:
	default:
		w.WriteHeader(http.StatusOK)
		return
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		// An event type this adapter does not know: acknowledged, ignored.
		a.log.Debug("ignored an event", "error", err.Error())
		w.WriteHeader(http.StatusOK)
		return
	}
	retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	if !a.onEvent(r.Context(), ev, retry) {
		// Shutting down: not acknowledged, so Slack sends it again.
		w.Header().Set("Retry-After", "5")
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// serveCommands is POST /slack/commands: /careers, acknowledged at once
// (with the help for an empty command), answered through response_url.
func (a *Adapter) serveCommands(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "the body is not a form", http.StatusBadRequest)
		return
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.PostForm, r2.Form = form, form
	cmd, _ := slackgo.SlashCommandParse(r2)
	// Without a trigger id, the signature itself names the request: an
	// exact replay carries the same one.
	ack, start := a.takeCommand(r.Context(), cmd, r.Header.Get("X-Slack-Signature"))
	if ack != nil {
		writeJSON(w, http.StatusOK, ack)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	flush(w)
	if start != nil {
		start()
	}
}

// serveInteractions is POST /slack/interactions: the buttons.
func (a *Adapter) serveInteractions(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "no payload", http.StatusBadRequest)
		return
	}
	var cb slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "the payload is not JSON", http.StatusBadRequest)
		return
	}
	ack, start := a.takeInteraction(r.Context(), cb, r.Header.Get("X-Slack-Signature"))
	if !ack {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
	flush(w)
	if start != nil {
		start()
	}
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, fmt.Sprintf("internal error: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}
