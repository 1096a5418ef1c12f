package retrieval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
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
		dir, err := sharedTempDir("careersbot-bench-seed-")
		if err != nil {
			return nil, err
		}
		b, err := seeds.FS.ReadFile(seedName)
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
	benchSynthetic = sync.OnceValues(func() (*benchCorpus, error) {
		cat, err := benchCatalogue()
		if err != nil {
			return nil, err
		}
		ix, err := Build(context.Background(), syntheticCorpus(cat.ix, 100_000), BuiltinEmbedder(0))
		if err != nil {
			return nil, err
		}
		return &benchCorpus{ix: ix}, nil
	})
)

type benchCorpus struct {
	src *Source
	ix  *Index
}

func benchOpen(src *Source) (*benchCorpus, error) {
	dir, err := sharedTempDir("careersbot-bench-data-")
	if err != nil {
		return nil, err
	}
	ix, err := Open(context.Background(), src, dir, BuiltinEmbedder(0), nil)
	if err != nil {
		return nil, err
	}
	return &benchCorpus{src: src, ix: ix}, nil
}

func benchCorpusOf(b *testing.B, f func() (*benchCorpus, error)) *benchCorpus {
	b.Helper()
	c, err := f()
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// syntheticCorpus makes n passages from the catalogue's vocabulary: each
// a statement of 8 to 24 words drawn by the words' frequencies in the real
// passages, 50 to an occupation, so that the index and its scans have the
// catalogue's shape at a larger size.
func syntheticCorpus(real *Index, n int) *Corpus {
	freq := map[string]int{}
	for i := range real.passages {
		for _, w := range strings.Fields(real.passages[i].Text) {
			w = strings.Trim(w, ".,;:()\"'")
			if w != "" {
				freq[w]++
			}
		}
	}
	words := make([]string, 0, len(freq))
	for w := range freq {
		words = append(words, w)
	}
	sort.Strings(words)
	cum := make([]int, len(words))
	total := 0
	for i, w := range words {
		total += freq[w]
		cum[i] = total
	}
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		i, _ := slices.BinarySearch(cum, rng.IntN(total)+1)
		return words[i]
	}
	sentence := func(min, max int) string {
		ws := make([]string, min+rng.IntN(max-min+1))
		for i := range ws {
			ws[i] = word()
		}
		return strings.Join(ws, " ") + "."
	}
	const perOccupation = 50
	occs := make([]*Occupation, 0, n/perOccupation)
	for i := 0; i*perOccupation < n; i++ {
		o := &Occupation{Reference: fmt.Sprintf("SY%05d", i), Title: word() + " " + word(), Level: 2 + rng.IntN(6),
			Purpose: sentence(8, 16), JobTitles: []string{word() + " " + word()}}
		// The profile and the purpose are two passages; the rest are KSBs.
		for k := 0; k < perOccupation-2; k++ {
			st := Statement{ID: fmt.Sprintf("K%d", k+1), Text: sentence(8, 24)}
			o.Knowledge = append(o.Knowledge, st)
		}
		occs = append(occs, o)
	}
	return NewCorpus(occs)
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
	benchSyntheticQueries = []Query{
		{Text: "customer safety procedures"},
		{Text: "routing switching"},
		{Text: "food allergens"},
		{Text: "quality management legislation"},
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
	b.Run("corpus=synthetic-100k/scope=all", func(b *testing.B) {
		run(b, benchCorpusOf(b, benchSynthetic).ix, benchSyntheticQueries)
	})
	// chromem-go's own Query over the same vectors (the store of record,
	// filled from the index), for the same questions across the corpus.
	chromemQuery := func(b *testing.B, ix *Index, qs []Query) {
		coll, err := ix.Collection(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		i := 0
		for b.Loop() {
			if _, err := coll.Query(ctx, qs[i%len(qs)].Text, 10, nil, nil); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	b.Run("baseline=chromem-query/corpus=catalogue", func(b *testing.B) {
		chromemQuery(b, benchCorpusOf(b, benchCatalogue).ix, benchAllQueries)
	})
	b.Run("baseline=chromem-query/corpus=synthetic-100k", func(b *testing.B) {
		chromemQuery(b, benchCorpusOf(b, benchSynthetic).ix, benchSyntheticQueries)
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
	b.ReportAllocs()
	for b.Loop() {
		corpus, err := c.src.Load()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Build(context.Background(), corpus, BuiltinEmbedder(0)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemoryBandwidth sums a slice far larger than the caches: the
// rate at which a scan can read memory, the floor of a whole-corpus vector
// scan (bytes of vectors per query / this rate).
func BenchmarkMemoryBandwidth(b *testing.B) {
	data := make([]uint64, 256<<20/8) // 256 MiB
	for i := range data {
		data[i] = uint64(i)
	}
	b.SetBytes(int64(len(data) * 8))
	var sink uint64
	for b.Loop() {
		var s0, s1, s2, s3 uint64
		for i := 0; i+4 <= len(data); i += 4 {
			s0 += data[i]
			s1 += data[i+1]
			s2 += data[i+2]
			s3 += data[i+3]
		}
		sink += s0 + s1 + s2 + s3
	}
	if sink == 42 {
		b.Log(sink)
	}
}
