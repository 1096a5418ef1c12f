package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/llm"
	"github.com/careersbot/careersbot/retrieval"
)

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
// the open circuit failed fast is bot.ErrModelUnavailable: the bot gives the
// extractive answer at once.
func generator(cfg *config.Config, c *llm.Client) bot.GenerateFunc {
	if c == nil || cfg.LLMModel == "" {
		return nil
	}
	gen := c.Generator(cfg.LLMModel)
	return func(ctx context.Context, system, user string, onDelta func(string)) (string, error) {
		out, err := gen(ctx, system, user, onDelta)
		if errors.Is(err, llm.ErrCircuitOpen) {
			err = fmt.Errorf("%w: %w", bot.ErrModelUnavailable, err)
		}
		return out, err
	}
}

// embedder is the built-in embedder, or the configured remote model.
func embedder(cfg *config.Config, c *llm.Client, onQueryFallback func(error)) retrieval.Embedder {
	if c == nil || cfg.EmbedModel == "" {
		return retrieval.BuiltinEmbedder(0)
	}
	return c.Embedder(cfg.EmbedModel, onQueryFallback)
}
