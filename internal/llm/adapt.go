package llm

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/careersbot/careersbot/retrieval"
)

// QueryEmbedTimeout bounds a question's remote embedding: past it the
// search ranks lexically alone.
const QueryEmbedTimeout = 3 * time.Second

// EmbedBatch is how many passages go in one embeddings request.
const EmbedBatch = 64

// Generator phrases answers with a model of this server: a bot.GenerateFunc
// (the bot's seam; this package does not import it). A call the open
// circuit failed fast is ErrCircuitOpen.
func (c *Client) Generator(model string) func(ctx context.Context, system, user string, onDelta func(string)) (string, error) {
	return func(ctx context.Context, system, user string, onDelta func(string)) (string, error) {
		return c.Chat(ctx, model, system, user, onDelta)
	}
}

// Embedder embeds passages and questions with a model of this server:
// passages in batches of EmbedBatch when an index is built, a question
// within QueryEmbedTimeout (onQueryFallback, when set, is told of a
// failure, after which the search ranks lexically). The model's name and
// the server are in the embedder's name, and so in the index key: changing
// either rebuilds the index; keeping them reuses it.
func (c *Client) Embedder(model string, onQueryFallback func(error)) retrieval.Embedder {
	server := c.baseURL
	if u, err := url.Parse(server); err == nil {
		server = u.Host + u.Path
	}
	return retrieval.Embedder{
		Name: fmt.Sprintf("remote:%s@%s", model, server),
		Embed: func(ctx context.Context, text string) ([]float32, error) {
			ctx, cancel := context.WithTimeout(ctx, QueryEmbedTimeout)
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
			for start := 0; start < len(texts); start += EmbedBatch {
				end := min(start+EmbedBatch, len(texts))
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
