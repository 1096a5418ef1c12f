package retrieval

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/careersbot/careersbot/seeds"
)

// The benchmarks' corpora, built once per test binary.
var (
	benchCatalogue = sync.OnceValues(func() (*benchCorpus, error) {
		src, err := OpenSource(seeds.FS, "built-in corpus")
		if err != nil {
			return nil, err
		}
		return benchOpen(src)
	})
	benchSeed = sync.OnceValues(func() (*benchCorpus, error) {
		dir, err := os.MkdirTemp("", "careersbot-bench-seed-")
		if err != nil {
			return nil, err
		}
		b, err := seeds.FS.ReadFile("network-engineer-ST0127.txt")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "seed.txt"), b, 0o644); err != nil {
			return nil, err
		}
		src, err := OpenSource(os.DirFS(dir), dir)
		if err != nil {
			return nil, err
		}
		return benchOpen(src)
	})
)

type benchCorpus struct {
	src     *Source
	dataDir string
	ix      *Index
}

func benchOpen(src *Source) (*benchCorpus, error) {
	dir, err := os.MkdirTemp("", "careersbot-bench-data-")
	if err != nil {
		return nil, err
	}
	ix, err := Open(context.Background(), src, dir, BuiltinEmbedder(0), nil)
	if err != nil {
		return nil, err
	}
	return &benchCorpus{src: src, dataDir: dir, ix: ix}, nil
}

func benchCorpusOf(b *testing.B, f func() (*benchCorpus, error)) *benchCorpus {
	b.Helper()
	c, err := f()
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// Questions as the bot sends them to search: the topic words, scoped.
var (
	benchSeedQueries = []Query{
		{Text: "wireless networking", Occupation: "ST0127"},
		{Text: "dns dhcp", Occupation: "ST0127"},
		{Text: "troubleshooting", Occupation: "ST0127", Kinds: []Kind{KindSkill}},
		{Text: "ip addressing", Occupation: "ST0127"},
		{Text: "work under pressure", Occupation: "ST0127"},
	}
	benchOccupationQueries = []Query{
		{Text: "food allergens", Occupation: "ST0228"},
		{Text: "cryptography", Occupation: "ST0865"},
		{Text: "databases", Occupation: "ST0116"},
		{Text: "ip addressing", Occupation: "ST0127", Kinds: []Kind{KindSkill}},
	}
	benchAllQueries = []Query{
		{Text: "routing switching"},
		{Text: "food allergens"},
		{Text: "suicide prevention"},
		{Text: "capital france"},
	}
)

func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, ix *Index, qs []Query) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := ix.Search(ctx, qs[i%len(qs)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	b.Run("corpus=seed", func(b *testing.B) {
		run(b, benchCorpusOf(b, benchSeed).ix, benchSeedQueries)
	})
	b.Run("corpus=catalogue/scope=occupation", func(b *testing.B) {
		run(b, benchCorpusOf(b, benchCatalogue).ix, benchOccupationQueries)
	})
	b.Run("corpus=catalogue/scope=all", func(b *testing.B) {
		run(b, benchCorpusOf(b, benchCatalogue).ix, benchAllQueries)
	})
}

// BenchmarkIndexLoad is a warm start: the catalogue's index file decoded.
func BenchmarkIndexLoad(b *testing.B) {
	c := benchCorpusOf(b, benchCatalogue)
	path, key := c.ix.Stats().File, c.ix.Key()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(path, key, BuiltinEmbedder(0)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexBuild is a cold start: the catalogue parsed, embedded and
// indexed (not saved).
func BenchmarkIndexBuild(b *testing.B) {
	c := benchCorpusOf(b, benchCatalogue)
	corpus, err := c.src.Load()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(context.Background(), corpus, BuiltinEmbedder(0)); err != nil {
			b.Fatal(err)
		}
	}
}
