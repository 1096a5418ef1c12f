package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/llm"
	"github.com/careersbot/careersbot/retrieval"
)

// queryEmbedTimeout bounds a question's remote embedding: past it the
// search ranks lexically alone.
const queryEmbedTimeout = 3 * time.Second

// embedBatch is how many passages go in one embeddings request.
const embedBatch = 64

// llmClient is the OpenAI-compatible server's client, or nil when neither a
// model for answers nor one for embeddings is configured. onCircuit, when
// set, is told when a circuit (chat, embed) changes state.
func llmClient(cfg *config.Config, onCircuit func(op, from, to string)) *llm.Client {
	if cfg.LLMModel == "" && cfg.EmbedModel == "" {
		return nil
	}
	return llm.New(llm.Config{BaseURL: cfg.OpenAIURL(), APIKey: cfg.OpenAIAPIKey.Reveal(),
		BreakerFailures: cfg.BreakerFailures, BreakerCooldown: cfg.BreakerCooldown, OnCircuitChange: onCircuit})
}

// generator phrases answers with the configured model, or is nil. A call
// failed fast by the open circuit is bot.ErrModelUnavailable: the bot gives
// the extractive answer at once.
func generator(cfg *config.Config, c *llm.Client) bot.GenerateFunc {
	if c == nil || cfg.LLMModel == "" {
		return nil
	}
	return func(ctx context.Context, system, user string, onDelta func(string)) (string, error) {
		out, err := c.Chat(ctx, cfg.LLMModel, system, user, onDelta)
		if errors.Is(err, llm.ErrCircuitOpen) {
			err = fmt.Errorf("%w: %w", bot.ErrModelUnavailable, err)
		}
		return out, err
	}
}

// embedder is the built-in embedder, or the configured remote model. The
// remote model's name and server are in the embedder's name, and so in the
// index key: changing either rebuilds the index; keeping them reuses it.
func embedder(cfg *config.Config, c *llm.Client, onQueryFallback func(error)) retrieval.Embedder {
	if c == nil || cfg.EmbedModel == "" {
		return retrieval.BuiltinEmbedder(0)
	}
	server := cfg.OpenAIURL()
	if u, err := url.Parse(server); err == nil {
		server = u.Host + u.Path
	}
	model := cfg.EmbedModel
	return retrieval.Embedder{
		Name: fmt.Sprintf("remote:%s@%s", model, server),
		Embed: func(ctx context.Context, text string) ([]float32, error) {
			ctx, cancel := context.WithTimeout(ctx, queryEmbedTimeout)
			defer cancel()
			vs, err := c.Embed(ctx, model, []string{text})
			if err != nil {
				if onQueryFallback != nil {
					onQueryFallback(err)
				}
				return nil, err
			}
			return retrieval.Normalised(vs[0]), nil
		},
		EmbedBatch: func(ctx context.Context, texts []string) ([][]float32, error) {
			out := make([][]float32, 0, len(texts))
			for start := 0; start < len(texts); start += embedBatch {
				end := min(start+embedBatch, len(texts))
				vs, err := c.Embed(ctx, model, texts[start:end])
				if err != nil {
					return nil, fmt.Errorf("embed passages %d to %d of %d: %w", start+1, end, len(texts), err)
				}
				for _, v := range vs {
					out = append(out, retrieval.Normalised(v))
				}
			}
			return out, nil
		},
	}
}
