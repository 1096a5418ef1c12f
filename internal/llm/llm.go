// Package llm is careersbot's one dependency on an OpenAI-compatible server
// (OpenAI, Azure OpenAI, Ollama, vLLM, LocalAI), through
// github.com/sashabaranov/go-openai: chat completions, streamed or not, and
// embeddings, with retries on 429 and 5xx, and a circuit breaker for each
// (a dead server costs a failed call or two, then nothing until it is
// back). It knows nothing of careers: the bot writes the prompt and checks
// the answer.
package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Config says which server to use and how.
type Config struct {
	BaseURL    string // with the version path: https://api.openai.com/v1
	APIKey     string
	HTTPClient *http.Client // nil: a client with a 60 s timeout
	// MaxRetries bounds retries of a request answered 429 or 5xx (or not
	// answered); 0 means 4.
	MaxRetries int
	// Backoff is the first wait between retries, doubled each time; 0
	// means 500 ms.
	Backoff time.Duration
	// BreakerFailures consecutive failures open an operation's circuit
	// for BreakerCooldown (0: DefaultBreakerFailures and
	// DefaultBreakerCooldown).
	BreakerFailures int
	BreakerCooldown time.Duration
	// OnCircuitChange is told when a circuit changes state (OpChat or
	// OpEmbed; StateClosed, StateOpen or StateHalfOpen). It must not call
	// the Client.
	OnCircuitChange func(op, from, to string)
}

// Client talks to one server.
type Client struct {
	c          *openai.Client
	baseURL    string // the server, for the names of its embedders
	maxRetries int
	backoff    time.Duration
	circuits   map[string]*breaker
}

// dialTimeout bounds connecting to the server: an unreachable address
// fails in seconds, not at the client's whole timeout.
const dialTimeout = 5 * time.Second

// New returns a client. An Azure OpenAI URL (*.openai.azure.com) gets
// Azure's API style.
func New(cfg Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
		t.MaxIdleConnsPerHost = 16 // answers in parallel reuse their connections
		hc = &http.Client{Timeout: 60 * time.Second, Transport: t}
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if u, err := url.Parse(cfg.BaseURL); err == nil && strings.HasSuffix(u.Hostname(), ".openai.azure.com") {
		oc = openai.DefaultAzureConfig(cfg.APIKey, cfg.BaseURL)
	}
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	}
	oc.HTTPClient = hc
	c := &Client{c: openai.NewClientWithConfig(oc), baseURL: cfg.BaseURL, maxRetries: cfg.MaxRetries, backoff: cfg.Backoff, circuits: map[string]*breaker{}}
	for _, op := range []string{OpChat, OpEmbed} {
		c.circuits[op] = newBreaker(op, cfg.BreakerFailures, cfg.BreakerCooldown, cfg.OnCircuitChange)
	}
	if c.maxRetries <= 0 {
		c.maxRetries = 4
	}
	if c.backoff <= 0 {
		c.backoff = 500 * time.Millisecond
	}
	return c
}

// Chat sends a system and a user message to model and returns the reply.
// With onDelta it streams, calling onDelta with the reply so far as it
// grows.
func (c *Client) Chat(ctx context.Context, model, system, user string, onDelta func(soFar string)) (string, error) {
	req := openai.ChatCompletionRequest{
		Model: model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
		Temperature: 0.2,
	}
	var out string
	err := c.retry(ctx, c.circuits[OpChat], func() error {
		if onDelta == nil {
			resp, err := c.c.CreateChatCompletion(ctx, req)
			if err != nil {
				return err
			}
			if len(resp.Choices) == 0 {
				return fmt.Errorf("%w: the server answered with no choices", errBroken)
			}
			out = resp.Choices[0].Message.Content
			return nil
		}
		req.Stream = true
		stream, err := c.c.CreateChatCompletionStream(ctx, req)
		if err != nil {
			return err
		}
		defer stream.Close()
		var b strings.Builder
		for {
			chunk, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("stream: %w: %w", errBroken, err)
			}
			if len(chunk.Choices) == 0 || chunk.Choices[0].Delta.Content == "" {
				continue
			}
			b.WriteString(chunk.Choices[0].Delta.Content)
			onDelta(b.String())
		}
		out = b.String()
		return nil
	})
	return out, err
}

// Embed embeds texts in one request, in order.
func (c *Client) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	var out [][]float32
	err := c.retry(ctx, c.circuits[OpEmbed], func() error {
		resp, err := c.c.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: texts, Model: openai.EmbeddingModel(model)})
		if err != nil {
			return err
		}
		if len(resp.Data) != len(texts) {
			return fmt.Errorf("%w: the server embedded %d of %d texts", errBroken, len(resp.Data), len(texts))
		}
		out = make([][]float32, len(texts))
		for _, d := range resp.Data {
			if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
				return fmt.Errorf("%w: the server gave embedding index %d for %d texts", errBroken, d.Index, len(texts))
			}
			out[d.Index] = d.Embedding
		}
		return nil
	})
	return out, err
}

// retry runs f through the circuit until it succeeds, fails for good, the
// circuit opens, or ctx ends: a 429, a 5xx or a connection failure is
// retried with exponential backoff and jitter.
func (c *Client) retry(ctx context.Context, b *breaker, f func() error) error {
	wait := c.backoff
	for attempt := 0; ; attempt++ {
		err := b.do(f)
		if err == nil || attempt == c.maxRetries || !Retryable(err) || ctx.Err() != nil {
			return err
		}
		if b.state() == StateOpen {
			// This failure opened the circuit: no wait for a retry
			// that would fail fast.
			return fmt.Errorf("%w: %w", ErrCircuitOpen, err)
		}
		jitter := time.Duration(rand.Int64N(int64(wait/4) + 1))
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (after: %v)", ctx.Err(), err)
		case <-time.After(wait + jitter):
		}
		wait *= 2
	}
}

// Retryable reports whether an error is worth another try: rate limited,
// the server's fault, or no answer at all.
func Retryable(err error) bool {
	var api *openai.APIError
	var req *openai.RequestError
	switch {
	case errors.As(err, &api):
		return api.HTTPStatusCode == http.StatusTooManyRequests || api.HTTPStatusCode >= 500
	case errors.As(err, &req):
		return req.HTTPStatusCode == http.StatusTooManyRequests || req.HTTPStatusCode >= 500
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

// Circuit is the state of an operation's circuit (OpChat, OpEmbed):
// StateClosed, StateOpen or StateHalfOpen.
func (c *Client) Circuit(op string) string {
	if b, ok := c.circuits[op]; ok {
		return b.state()
	}
	return ""
}

// Rejected counts the calls of an operation failed fast by its open
// circuit.
func (c *Client) Rejected(op string) int64 {
	if b, ok := c.circuits[op]; ok {
		return b.rejected.Load()
	}
	return 0
}
