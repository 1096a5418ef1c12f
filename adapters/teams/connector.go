package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits of the connector client's retries.
const (
	// DefaultMaxAttempts is how often a call is tried when the connector
	// answers 429 or 5xx (or the connection fails).
	DefaultMaxAttempts = 4
	// maxRetryWait is the longest Retry-After a call waits out; a longer
	// one fails the call.
	maxRetryWait = 30 * time.Second
)

// ConnectorError is a call the Bot Connector refused, after retries.
type ConnectorError struct {
	Method, Path string // the request, the path without the conversation id
	Status       int
	Code         string        // the Bot Framework's error code, such as MessageSizeTooBig
	Message      string        // its message
	RetryAfter   time.Duration // for a 429 given up on
}

func (e *ConnectorError) Error() string {
	s := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// connector calls the Bot Connector REST API at an activity's serviceUrl,
// with the bot's token, retrying 429 and 5xx after their Retry-After (or a
// short backoff) within limits.
type connector struct {
	client      *http.Client
	tokens      *tokenSource
	maxAttempts int
}

// resourceResponse is what a post of an activity or a conversation returns.
type resourceResponse struct {
	ID string `json:"id"`
}

// reply posts act in conversation as a reply to the activity replyTo: in
// a channel, in its thread.
func (c *connector) reply(ctx context.Context, serviceURL, conversation, replyTo string, act *Activity) (string, error) {
	return c.post(ctx, serviceURL, "/v3/conversations/"+url.PathEscape(conversation)+"/activities/"+url.PathEscape(replyTo),
		"/v3/conversations/{id}/activities/{replyToId}", act)
}

// send posts act to a conversation (a welcome, a proactive message).
func (c *connector) send(ctx context.Context, serviceURL, conversation string, act *Activity) (string, error) {
	return c.post(ctx, serviceURL, "/v3/conversations/"+url.PathEscape(conversation)+"/activities",
		"/v3/conversations/{id}/activities", act)
}

// conversationParameters create a conversation: here, a 1:1 chat with one
// user.
type conversationParameters struct {
	IsGroup     bool             `json:"isGroup"`
	Bot         *ChannelAccount  `json:"bot"`
	Members     []ChannelAccount `json:"members"`
	TenantID    string           `json:"tenantId,omitempty"`
	ChannelData any              `json:"channelData,omitempty"`
}

// createPersonal opens (or finds) the bot's 1:1 chat with user and returns
// its conversation id.
func (c *connector) createPersonal(ctx context.Context, serviceURL string, bot, user ChannelAccount, tenant string) (string, error) {
	p := conversationParameters{Bot: &bot, Members: []ChannelAccount{{ID: user.ID}}, TenantID: tenant}
	if tenant != "" {
		p.ChannelData = map[string]any{"tenant": map[string]string{"id": tenant}}
	}
	return c.post(ctx, serviceURL, "/v3/conversations", "/v3/conversations", p)
}

// post sends body as JSON and returns the id the connector answers with.
// path is the escaped path; logPath names it without ids, for errors.
func (c *connector) post(ctx context.Context, serviceURL, path, logPath string, body any) (string, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", logPath, err)
	}
	endpoint := strings.TrimRight(serviceURL, "/") + path
	attempts := max(c.maxAttempts, 1)
	for attempt := 1; ; attempt++ {
		id, wait, err := c.once(ctx, endpoint, logPath, data)
		if err == nil {
			return id, nil
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("POST %s: %w", logPath, ctx.Err())
		}
		if wait < 0 || attempt >= attempts {
			return "", err
		}
		if wait == 0 {
			// Backoff with jitter for a failure that named no wait.
			base := time.Duration(attempt) * 200 * time.Millisecond
			wait = base + time.Duration(rand.Int64N(int64(base/2)+1))
		}
		if wait > maxRetryWait {
			return "", err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return "", err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("POST %s: %w", logPath, ctx.Err())
		case <-t.C:
		}
	}
}

// once makes one call. wait is how long to wait before another try: 0 for
// a backoff, negative for no retry.
func (c *connector) once(ctx context.Context, endpoint, logPath string, data []byte) (id string, wait time.Duration, err error) {
	token, err := c.tokens.token()
	if err != nil {
		return "", 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(data))
	if err != nil {
		return "", -1, fmt.Errorf("POST %s: %w", logPath, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = logPath // no conversation ids in logs
		}
		return "", 0, fmt.Errorf("POST %s: %w", logPath, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		var r resourceResponse
		_ = json.Unmarshal(body, &r)
		return r.ID, 0, nil
	}
	ce := &ConnectorError{Method: http.MethodPost, Path: logPath, Status: resp.StatusCode}
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil {
		ce.Code, ce.Message = e.Error.Code, e.Error.Message
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		after := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if resp.StatusCode == http.StatusTooManyRequests {
			ce.RetryAfter = after
		}
		return "", after, ce
	}
	return "", -1, ce
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date; 0 when
// absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(h, 64); err == nil && secs >= 0 {
		return max(time.Duration(secs*float64(time.Second)), time.Millisecond)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), time.Millisecond)
	}
	return 0
}
