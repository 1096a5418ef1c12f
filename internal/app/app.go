// Package app builds what every command and serve share from the
// configuration: the corpus, its index, the model server's client and the
// bot. It is wiring kept out of package main so that the commands
// (internal/cli) and the serve runtime (internal/server) use one way of
// doing it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
	"github.com/careersbot/careersbot/internal/insights"
	"github.com/careersbot/careersbot/internal/llm"
	"github.com/careersbot/careersbot/internal/metrics"
	"github.com/careersbot/careersbot/internal/safeguard"
	"github.com/careersbot/careersbot/retrieval"
	"github.com/careersbot/careersbot/seeds"
)

// OpenIndex opens the index of the configured corpus, building it on the
// first run.
func OpenIndex(ctx context.Context, cfg *config.Config, log *slog.Logger, o OpenOptions) (*retrieval.Index, error) {
	src, err := CorpusSource(cfg)
	if err != nil {
		return nil, err
	}
	onFallback := o.OnQueryFallback
	if onFallback == nil {
		onFallback = func(err error) {
			log.Warn("the question's remote embedding failed; ranking lexically", "error", err.Error())
		}
	}
	client := o.LLM
	if client == nil {
		client = LLMClient(cfg, nil)
	}
	emb := Embedder(cfg, client, onFallback)
	if o.Rebuild {
		if err := removeIndex(src, cfg.DataDir, emb); err != nil {
			return nil, err
		}
	}
	// What a killed import or index write left behind goes first.
	retrieval.RemoveOrphans(cfg.DataDir, log)
	start := time.Now()
	ix, err := retrieval.Open(ctx, src, cfg.DataDir, emb, log)
	if errors.Is(err, retrieval.ErrNotSaved) && o.KeepUnsaved && ix != nil {
		log.Warn("serving the index built in memory: it could not be saved, so the next start builds it again",
			"data_dir", cfg.DataDir, "error", err.Error())
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if st := ix.Stats(); st.Rebuilt {
		log.Info("built the index", "occupations", st.Occupations, "passages", st.Passages,
			"took", time.Since(start).Round(time.Millisecond).String(), "file", st.File)
	}
	return ix, nil
}

// OpenOptions tune OpenIndex.
type OpenOptions struct {
	Rebuild         bool        // build from scratch even when a current index exists
	OnQueryFallback func(error) // a question's remote embedding failed
	// llm is the model server's client, whose circuits outlive a reload;
	// nil: a client of its own.
	LLM *llm.Client
	// KeepUnsaved serves an index that could not be saved (a full or
	// read-only data dir) rather than failing, with a warning.
	KeepUnsaved bool
}

func removeIndex(src *retrieval.Source, dataDir string, emb retrieval.Embedder) error {
	key, err := src.Key()
	if err != nil {
		return err
	}
	err = os.Remove(retrieval.IndexPath(dataDir, retrieval.IndexKey(key, emb)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the old index: %w", err)
	}
	return nil
}

// NewBot makes the bot over an index with the configured options: the
// length limit, the safeguarding replies (and, from serve, the alert), and a
// language model when one is set.
func NewBot(ix *retrieval.Index, cfg *config.Config, onDistress func(context.Context, bot.Question, bot.Safeguarding), m bot.Metrics) *bot.Bot {
	return NewBotWith(ix, cfg, onDistress, m, LLMClient(cfg, nil))
}

// NewBotWith is NewBot with the model server's client given: serve's one
// client, whose circuits every answer shares.
func NewBotWith(ix *retrieval.Index, cfg *config.Config, onDistress func(context.Context, bot.Question, bot.Safeguarding), m bot.Metrics, c *llm.Client) *bot.Bot {
	return bot.New(ix, bot.Options{
		MaxQuestionChars: cfg.MaxQuestionChars,
		Replies:          SafeguardingReplies(cfg),
		OnDistress:       onDistress,
		Generate:         Generator(cfg, c),
		GenerateTimeout:  cfg.LLMTimeout,
		Metrics:          m,
	})
}

// CorpusSource is the configured corpus: the built-in one or --seeds, with
// the data dir's imported catalogue over it.
func CorpusSource(cfg *config.Config) (*retrieval.Source, error) {
	var fsys fs.FS = seeds.FS
	name := "built-in corpus"
	if cfg.Seeds != "" {
		st, err := os.Stat(cfg.Seeds)
		if err != nil {
			return nil, fmt.Errorf("seed folder %s: %w", cfg.Seeds, err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("seed folder %s is not a folder: --seeds takes a folder of *.txt and *.jsonl seed documents", cfg.Seeds)
		}
		fsys, name = os.DirFS(cfg.Seeds), cfg.Seeds
	}
	src, err := retrieval.OpenSource(fsys, name)
	if err != nil {
		return nil, err
	}
	src.Overlay = filepath.Join(cfg.DataDir, retrieval.CatalogueFile)
	src.TableDir = cfg.DataDir
	return src, nil
}

// OpenInsights opens the configured store: PostgreSQL when
// CAREERSBOT_DATABASE_URL is set, else SQLite in the data dir.
func OpenInsights(ctx context.Context, cfg *config.Config) (*insights.DB, error) {
	return insights.Open(ctx, insights.Options{DatabaseURL: cfg.DatabaseURL.Reveal(), DataDir: cfg.DataDir})
}

// LLMClient is the OpenAI-compatible server's client, or nil when neither a
// model for answers nor one for embeddings is configured. onCircuit, when
// set, is told when a circuit (chat, embed) changes state.
func LLMClient(cfg *config.Config, onCircuit func(op, from, to string)) *llm.Client {
	if cfg.LLMModel == "" && cfg.EmbedModel == "" {
		return nil
	}
	return llm.New(llm.Config{BaseURL: cfg.OpenAIURL(), APIKey: cfg.OpenAIAPIKey.Reveal(),
		BreakerFailures: cfg.BreakerFailures, BreakerCooldown: cfg.BreakerCooldown, OnCircuitChange: onCircuit})
}

// Generator phrases answers with the configured model, or is nil. A call
// the open circuit failed fast is bot.ErrModelUnavailable: the bot gives the
// extractive answer at once.
func Generator(cfg *config.Config, c *llm.Client) bot.GenerateFunc {
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

// Embedder is the built-in Embedder, or the configured remote model.
func Embedder(cfg *config.Config, c *llm.Client, OnQueryFallback func(error)) retrieval.Embedder {
	if c == nil || cfg.EmbedModel == "" {
		return retrieval.BuiltinEmbedder(0)
	}
	return c.Embedder(cfg.EmbedModel, OnQueryFallback)
}

// SafeguardingReplies turns the configured reply texts into the bot's.
func SafeguardingReplies(cfg *config.Config) bot.SafeguardingReplies {
	r := bot.SafeguardingReplies{All: cfg.DistressReply, Kinds: map[bot.SafeguardingKind]string{}}
	for key, text := range cfg.SafeguardingReplies {
		if key == "danger_now" {
			r.DangerNow = text
			continue
		}
		r.Kinds[bot.SafeguardingKind(key)] = text
	}
	return r
}

// NewAlerts starts the sender of safeguarding alerts (serve only: the
// command line never alerts), counting each alert's end by kind.
func NewAlerts(cfg *config.Config, log *slog.Logger, m *metrics.Metrics) (*safeguard.Sender, error) {
	return safeguard.New(safeguard.Options{
		Destination: cfg.SafeguardingAlert,
		SlackToken:  cfg.SlackBotToken.Reveal(),
		SlackAPIURL: cfg.SlackAPIURL,
		IncludeText: cfg.SafeguardingAlertText,
		Logger:      log,
		OnResult: func(kind bot.SafeguardingKind, result string) {
			m.SafeguardAlerts.WithLabelValues(string(kind), result).Inc()
		},
	})
}
