package retrieval

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/careersbot/careersbot/seeds"
)

var update = flag.Bool("update", false, "rewrite golden files")

// seedName is the page-format seed document in seeds.FS.
const seedName = "network-engineer-ST0127.txt"

// sharedDirs are temporary folders made by the once-per-binary helpers; they
// outlive any one test, so TestMain removes them.
var (
	sharedMu   sync.Mutex
	sharedDirs []string
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	sharedMu.Lock()
	for _, d := range sharedDirs {
		os.RemoveAll(d)
	}
	sharedMu.Unlock()
	os.Exit(code)
}

func sharedTempDir(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", err
	}
	sharedMu.Lock()
	sharedDirs = append(sharedDirs, dir)
	sharedMu.Unlock()
	return dir, nil
}

// seedBytes returns the network engineer page.
func seedBytes(t testing.TB) []byte {
	t.Helper()
	b, err := seeds.FS.ReadFile(seedName)
	if err != nil {
		t.Fatalf("read seed: %v", err)
	}
	return b
}

// parseSeedPage parses the network engineer page.
func parseSeedPage(t testing.TB) *Occupation {
	t.Helper()
	o, err := parsePage(seedName, bytes.NewReader(seedBytes(t)))
	if err != nil {
		t.Fatalf("ParsePage(seed): %v", err)
	}
	return o
}

// catalogueBytes returns the real catalogue, gunzipped.
func catalogueBytes(t testing.TB) []byte {
	t.Helper()
	gz, err := seeds.FS.ReadFile("standards.jsonl.gz")
	if err != nil {
		t.Fatalf("read catalogue: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatalf("gunzip catalogue: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip catalogue: %v", err)
	}
	return b
}

// writeFiles writes name -> content into a new temporary folder.
func writeFiles(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// seedOnlySource is a seed folder holding only a copy of the network
// engineer page.
func seedOnlySource(t testing.TB) *Source {
	t.Helper()
	dir := writeFiles(t, map[string][]byte{seedName: seedBytes(t)})
	src, err := OpenSource(os.DirFS(dir), dir)
	if err != nil {
		t.Fatalf("OpenSource: %v", err)
	}
	return src
}

// openSeedIndex opens (builds or loads) the seed-only index in dataDir.
func openSeedIndex(t testing.TB, src *Source, dataDir string) *Index {
	t.Helper()
	ix, err := Open(context.Background(), src, dataDir, BuiltinEmbedder(0), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return ix
}

var (
	seedIxOnce sync.Once
	seedIx     *Index
	seedIxErr  error
)

// seedIndex is the seed-only index, built once per test binary. Tests must
// not change it.
func seedIndex(t testing.TB) *Index {
	t.Helper()
	seedIxOnce.Do(func() {
		dir, err := sharedTempDir("retrieval-seed-")
		if err != nil {
			seedIxErr = err
			return
		}
		b, err := seeds.FS.ReadFile(seedName)
		if err != nil {
			seedIxErr = err
			return
		}
		seedDir := filepath.Join(dir, "seeds")
		if err := os.Mkdir(seedDir, 0o755); err != nil {
			seedIxErr = err
			return
		}
		if err := os.WriteFile(filepath.Join(seedDir, seedName), b, 0o644); err != nil {
			seedIxErr = err
			return
		}
		src, err := OpenSource(os.DirFS(seedDir), seedDir)
		if err != nil {
			seedIxErr = err
			return
		}
		seedIx, seedIxErr = Open(context.Background(), src, filepath.Join(dir, "data"), BuiltinEmbedder(0), nil)
	})
	if seedIxErr != nil {
		t.Fatalf("seed index: %v", seedIxErr)
	}
	return seedIx
}

var (
	fullCorpusOnce sync.Once
	fullCorpusVal  *Corpus
	fullCorpusErr  error

	fullIxOnce sync.Once
	fullIx     *Index
	fullIxErr  error
)

// fullCorpus is the default corpus (seeds.FS), loaded once per test binary.
// Tests must not change it.
func fullCorpus(t testing.TB) *Corpus {
	t.Helper()
	fullCorpusOnce.Do(func() {
		src, err := OpenSource(seeds.FS, "built-in corpus")
		if err != nil {
			fullCorpusErr = err
			return
		}
		fullCorpusVal, fullCorpusErr = src.Load()
	})
	if fullCorpusErr != nil {
		t.Fatalf("load default corpus: %v", fullCorpusErr)
	}
	return fullCorpusVal
}

// fullIndex is the index of the default corpus, built once per test binary
// (the costliest fixture: every test needing it shares it). Tests must not
// change it.
func fullIndex(t testing.TB) *Index {
	t.Helper()
	c := fullCorpus(t)
	fullIxOnce.Do(func() {
		fullIx, fullIxErr = Build(context.Background(), c, BuiltinEmbedder(0))
	})
	if fullIxErr != nil {
		t.Fatalf("build default index: %v", fullIxErr)
	}
	return fullIx
}

// hitKeys lists hits as "ST0127 K12".
func hitKeys(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Passage.Key()
	}
	return out
}

// hitSummary describes hits exactly, to compare two indexes' answers.
func hitSummary(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s score=%v cov=%v sim=%v text=%q", h.Passage.Key(), h.Score, h.Coverage, h.Similarity, h.Passage.Text)
	}
	return out
}

// search runs a query and fails the test on error.
func search(t testing.TB, ix *Index, q Query) []Hit {
	t.Helper()
	hits, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return hits
}
