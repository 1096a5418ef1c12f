// Package llm is careersbot's one dependency on an OpenAI-compatible server
// (OpenAI, Azure OpenAI, Ollama, vLLM, LocalAI), through
// github.com/sashabaranov/go-openai: chat completions, streamed or not, and
// embeddings, with retries on 429 and 5xx. It knows nothing of careers: the
// bot writes the prompt and checks the answer.
package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
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
}

// Client talks to one server.
type Client struct {
	c          *openai.Client
	maxRetries int
	backoff    time.Duration
}

// New returns a client. An Azure OpenAI URL (*.openai.azure.com) gets
// Azure's API style.
func New(cfg Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if u, err := url.Parse(cfg.BaseURL); err == nil && strings.HasSuffix(u.Hostname(), ".openai.azure.com") {
		oc = openai.DefaultAzureConfig(cfg.APIKey, cfg.BaseURL)
	}
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	}
	oc.HTTPClient = hc
	c := &Client{c: openai.NewClientWithConfig(oc), maxRetries: cfg.MaxRetries, backoff: cfg.Backoff}
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
	err := c.retry(ctx, func() error {
		if onDelta == nil {
			resp, err := c.c.CreateChatCompletion(ctx, req)
			if err != nil {
				return err
			}
			if len(resp.Choices) == 0 {
				return errors.New("the server answered with no choices")
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
				return fmt.Errorf("stream: %w", err)
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
	err := c.retry(ctx, func() error {
		resp, err := c.c.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: texts, Model: openai.EmbeddingModel(model)})
		if err != nil {
			return err
		}
		if len(resp.Data) != len(texts) {
			return fmt.Errorf("the server embedded %d of %d texts", len(resp.Data), len(texts))
		}
		out = make([][]float32, len(texts))
		for _, d := range resp.Data {
			if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
				return fmt.Errorf("the server gave embedding index %d for %d texts", d.Index, len(texts))
			}
			out[d.Index] = d.Embedding
		}
		return nil
	})
	return out, err
}

// retry runs f until it succeeds, fails for good, or ctx ends: a 429, a 5xx
// or a connection failure is retried with exponential backoff and jitter.
func (c *Client) retry(ctx context.Context, f func() error) error {
	wait := c.backoff
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil || attempt == c.maxRetries || !Retryable(err) || ctx.Err() != nil {
			return err
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
