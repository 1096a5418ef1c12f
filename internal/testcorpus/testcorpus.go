// Package testcorpus gives tests the two indexes they ask questions of: the
// seed document alone, and the default corpus (the seed and the catalogue
// of 839 standards). Each is opened once per test binary; its file is kept
// in a folder under the system's temp dir, so the other packages' test
// binaries (and later runs) load it instead of building it again. The index
// file is keyed by the corpus and checked when loaded, so a stale or
// damaged one is rebuilt, and it is written atomically, so test binaries
// running at once share it safely.
package testcorpus

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/careersbot/careersbot/retrieval"
	"github.com/careersbot/careersbot/seeds"
)

// SeedFile is the seed document's name in seeds.FS.
const SeedFile = "network-engineer-ST0127.txt"

var (
	seed = sync.OnceValues(func() (*retrieval.Index, error) {
		dir := filepath.Join(cacheDir(), "seed")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		b, err := seeds.FS.ReadFile(SeedFile)
		if err != nil {
			return nil, err
		}
		if err := retrieval.WriteFileAtomic(filepath.Join(dir, SeedFile), b); err != nil {
			return nil, err
		}
		src, err := retrieval.OpenSource(os.DirFS(dir), dir)
		if err != nil {
			return nil, err
		}
		return retrieval.Open(context.Background(), src, filepath.Join(cacheDir(), "seed-data"), retrieval.BuiltinEmbedder(0), nil)
	})
	catalogue = sync.OnceValues(func() (*retrieval.Index, error) {
		src, err := retrieval.OpenSource(seeds.FS, "built-in corpus")
		if err != nil {
			return nil, err
		}
		return retrieval.Open(context.Background(), src, filepath.Join(cacheDir(), "catalogue-data"), retrieval.BuiltinEmbedder(0), nil)
	})
)

func cacheDir() string { return filepath.Join(os.TempDir(), "careersbot-test-corpus") }

// Seed is the index of the Network engineer seed alone.
func Seed(t testing.TB) *retrieval.Index {
	t.Helper()
	ix, err := seed()
	if err != nil {
		t.Fatalf("the seed's index: %v", err)
	}
	return ix
}

// Catalogue is the index of the default corpus.
func Catalogue(t testing.TB) *retrieval.Index {
	t.Helper()
	ix, err := catalogue()
	if err != nil {
		t.Fatalf("the default corpus's index: %v", err)
	}
	return ix
}
