package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// DefaultAPIURL is Discord's REST base.
const DefaultAPIURL = "https://discord.com/api/v10/"

// rewriteTransport sends the requests discordgo makes to its fixed REST base
// (discordgo.EndpointAPI, set when the package loads) to the configured one:
// a proxy, or a fake in tests. This is the approach discordgo's maintainers
// suggest; the Endpoint* globals are never changed.
type rewriteTransport struct {
	from string // discordgo.EndpointAPI, "https://discord.com/api/v9/"
	to   string // the configured base, with a trailing slash
	next http.RoundTripper
}

func newRewriteTransport(apiURL string) (*rewriteTransport, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the Discord API URL %q is not an http(s) URL such as %s", apiURL, DefaultAPIURL)
	}
	to := u.String()
	if !strings.HasSuffix(to, "/") {
		to += "/"
	}
	next := http.DefaultTransport.(*http.Transport).Clone()
	return &rewriteTransport{from: discordgo.EndpointAPI, to: to, next: next}, nil
}

func (t *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	raw := r.URL.String()
	if !strings.HasPrefix(raw, t.from) {
		return t.next.RoundTrip(r)
	}
	u, err := url.Parse(t.to + strings.TrimPrefix(raw, t.from))
	if err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("rewrite %s: %w", raw, err)
	}
	r2 := r.Clone(r.Context())
	r2.URL = u
	r2.Host = u.Host
	return t.next.RoundTrip(r2)
}

// rest calls Discord's REST API through discordgo's session (its client,
// token, user agent and error types) with what discordgo leaves out: a
// context on every call, and a 429 answered by waiting its retry_after
// without holding up any other call.
//
// discordgo's own handling of a 429 sleeps inline, ignoring the context, and
// keys a webhook edit's bucket on a URL shared by every interaction
// (webhooks//), so one rate-limited edit would hold up the edits of all the
// others. Each call here takes a bucket of its own (interaction endpoints
// are limited per interaction token, and are outside the global limit) and
// retries with ShouldRetryOnRateLimit off.
type rest struct {
	s           *discordgo.Session
	maxAttempts int
}

const (
	defaultMaxAttempts = 5
	// maxRetryWait is the longest retry_after a call waits out; a longer
	// one fails the call.
	maxRetryWait = 60 * time.Second
)

// RateLimitedError is a call given up on because Discord asked to wait
// longer than the call could.
type RateLimitedError struct {
	Endpoint   string
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited on %s: retry after %s", e.Endpoint, e.RetryAfter)
}

// call sends body (JSON, or nothing when nil) and returns the response body.
func (r *rest) call(ctx context.Context, method, endpoint string, body any) ([]byte, error) {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", method, redact(endpoint), err)
		}
	}
	attempts := r.maxAttempts
	if attempts <= 0 {
		attempts = defaultMaxAttempts
	}
	for attempt := 1; ; attempt++ {
		bucket := discordgo.NewRatelimiter().LockBucket(endpoint)
		resp, err := r.s.RequestWithLockedBucket(method, endpoint, "application/json", data, bucket, 0,
			discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s %s: %w", method, redact(endpoint), ctx.Err())
		}
		wait, retry := retryable(err, attempt)
		if !retry || attempt >= attempts {
			var rl *discordgo.RateLimitError
			if errors.As(err, &rl) {
				err = &RateLimitedError{Endpoint: redact(endpoint), RetryAfter: rl.RetryAfter}
			}
			var ue *url.Error
			if errors.As(err, &ue) {
				ue.URL = redact(ue.URL) // no interaction token in logs
			}
			return nil, fmt.Errorf("%s %s: %w", method, redact(endpoint), err)
		}
		if wait > maxRetryWait {
			return nil, fmt.Errorf("%s %s: %w", method, redact(endpoint), &RateLimitedError{Endpoint: redact(endpoint), RetryAfter: wait})
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, fmt.Errorf("%s %s: %w", method, redact(endpoint), &RateLimitedError{Endpoint: redact(endpoint), RetryAfter: wait})
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%s %s: %w", method, redact(endpoint), ctx.Err())
		case <-t.C:
		}
	}
}

// retryable says whether a failed call is worth another try, and after how
// long: a 429 after its retry_after, a server error or a failed connection
// after a short backoff; a client error never.
func retryable(err error, attempt int) (time.Duration, bool) {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		return max(rl.RetryAfter, 10*time.Millisecond), true
	}
	backoff := time.Duration(attempt) * 250 * time.Millisecond
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		if re.Response != nil && re.Response.StatusCode >= 500 {
			return backoff, true
		}
		return 0, false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return backoff, true
	}
	return 0, false
}

// redact hides an interaction token in an endpoint for logs and errors:
// webhooks/APP/TOKEN/... and interactions/ID/TOKEN/callback.
func redact(endpoint string) string {
	rest := strings.TrimPrefix(endpoint, discordgo.EndpointAPI)
	parts := strings.Split(rest, "/")
	if len(parts) >= 3 && (parts[0] == "webhooks" || parts[0] == "interactions") {
		parts[2] = "TOKEN"
	}
	return strings.Join(parts, "/")
}
