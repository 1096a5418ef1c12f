package retrieval

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/philippgille/chromem-go"
)

// Index is the searchable corpus: occupations, their passages, a vector per
// passage, the lexical index and the occupation names. It is immutable once
// built or loaded, so one Index is shared by every request; a refresh builds
// a new one and swaps it in.
type Index struct {
	occupations []*Occupation
	byRef       map[string]int
	passages    []Passage
	// occRange[i] is the passage range [lo, hi) of occupations[i]: passages
	// are laid out occupation by occupation so a scope is a slice.
	occRange [][2]uint32
	dims     int
	vectors  vectorStore
	lex      *lexicalIndex
	acronyms map[string][]string // mined from the corpus
	lexicon  *Lexicon            // built-in groups plus mined acronyms
	names    *nameIndex
	resolve  *resolveIndex
	embedder Embedder
	key      string
	stats    Stats

	// A chromem-go collection of every passage with its vector and
	// metadata, made only when asked for (Collection): chromem-go is the
	// embedding pipeline of a build (AddDocuments runs the embedder on
	// every CPU) and the baseline the fast path is measured against
	// (BenchmarkSearch's chromem-query cases, TestCollectionOfLoadedIndex); the
	// index file and search use the flat vector store instead.
	soft softIndex

	collOnce sync.Once
	coll     *chromem.Collection
	collErr  error
}

// Stats describes what an index holds and what it cost.
type Stats struct {
	Occupations int
	Passages    int
	ByKind      map[Kind]int
	Dims        int
	Terms       int
	Acronyms    int
	BuildTime   time.Duration
	LoadTime    time.Duration
	FileBytes   int64
	File        string
	Embedder    string
	Rebuilt     bool   // built now rather than loaded
	Reason      string // why it was rebuilt
}

// Build embeds and indexes every passage of a corpus. Passages are embedded
// by adding them to a chromem-go collection whose embedding function is the
// embedder's (or, for a batching remote embedder, with vectors computed in
// batches first); their vectors are read back into the flat store search
// scans, and the collection is then let go.
func Build(ctx context.Context, c *Corpus, emb Embedder) (*Index, error) {
	start := time.Now()
	ix := newIndex(c.Occupations, emb)
	docs := make([]chromem.Document, len(ix.passages))
	for i := range ix.passages {
		p := &ix.passages[i]
		docs[i] = chromem.Document{
			ID:       p.Key(),
			Content:  p.Text,
			Metadata: map[string]string{"reference": p.Ref(), "id": p.ID, "kind": string(p.Kind)},
		}
	}
	if emb.EmbedBatch != nil {
		texts := make([]string, len(docs))
		for i := range docs {
			texts[i] = docs[i].Content
		}
		vecs, err := emb.EmbedBatch(ctx, texts)
		if err != nil {
			return nil, fmt.Errorf("embed passages with %s: %w", emb.Name, err)
		}
		for i := range docs {
			docs[i].Embedding = vecs[i]
		}
	}
	db := chromem.NewDB()
	coll, err := db.CreateCollection("passages", map[string]string{"embedder": emb.Name}, emb.Embed)
	if err != nil {
		return nil, fmt.Errorf("create collection: %w", err)
	}
	if len(docs) > 0 {
		if err := coll.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)); err != nil {
			return nil, fmt.Errorf("embed passages with %s: %w", emb.Name, err)
		}
	}
	// Read the vectors back from the store of record into the flat array
	// that search scans.
	for i := range ix.passages {
		doc, err := coll.GetByID(ctx, docs[i].ID)
		if err != nil {
			return nil, fmt.Errorf("read back passage %s: %w", docs[i].ID, err)
		}
		if i == 0 {
			ix.dims = len(doc.Embedding)
			ix.vectors = vectorStore{dims: ix.dims, q: make([]int8, 0, len(ix.passages)*ix.dims), scale: make([]float32, 0, len(ix.passages))}
		}
		if len(doc.Embedding) != ix.dims {
			return nil, fmt.Errorf("embedder %s gave %d dimensions for %s, %d for the first passage", emb.Name, len(doc.Embedding), docs[i].ID, ix.dims)
		}
		ix.vectors.add(doc.Embedding)
	}
	// The collection has done its work: the vectors are in the flat
	// store search scans. It is not kept (as a second copy of every
	// passage), so a server that built its index is the size of one that
	// loaded it.

	// The lexical side: mined acronyms, then postings.
	ix.acronyms = map[string][]string{}
	for i := range ix.passages {
		mineAcronyms(ix.passages[i].Text, ix.acronyms)
	}
	ix.lexicon = defaultLexicon.With(ix.acronyms)
	stems := make([][]string, len(ix.passages))
	parallel(len(ix.passages), func(i int) { stems[i] = passageStems(ix.passages[i].Text) })
	ix.lex = buildLexical(stems)
	ix.names = buildNames(ix.occupations)
	ix.resolve = buildResolve(ix.names, ix.occupations)
	ix.vectors.signatures()
	ix.finishStats()
	ix.stats.BuildTime = time.Since(start)
	ix.stats.Rebuilt = true
	return ix, nil
}

// newIndex lays out the passages of the occupations.
func newIndex(occs []*Occupation, emb Embedder) *Index {
	ix := &Index{occupations: occs, byRef: make(map[string]int, len(occs)), embedder: emb}
	n := 0
	for _, o := range occs {
		n += 1 + len(o.Overview()) + len(o.Knowledge) + len(o.Skills) + len(o.Behaviours) + len(o.Duties)
	}
	ix.passages = make([]Passage, 0, n)
	ix.occRange = make([][2]uint32, len(occs))
	for i, o := range occs {
		ix.byRef[o.Reference] = i
		lo := len(ix.passages)
		for _, p := range Passages(o) {
			p.pos = len(ix.passages)
			ix.passages = append(ix.passages, p)
		}
		ix.occRange[i] = [2]uint32{uint32(lo), uint32(len(ix.passages))}
	}
	return ix
}

func (ix *Index) finishStats() {
	ix.stats.Occupations = len(ix.occupations)
	ix.stats.Passages = len(ix.passages)
	ix.stats.ByKind = map[Kind]int{}
	for i := range ix.passages {
		ix.stats.ByKind[ix.passages[i].Kind]++
	}
	ix.stats.Dims = ix.dims
	ix.stats.Terms = len(ix.lex.vocab)
	ix.stats.Acronyms = len(ix.acronyms)
	ix.stats.Embedder = ix.embedder.Name
}

// parallel runs f(0..n-1) on every CPU.
func parallel(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// Stats reports what the index holds.
func (ix *Index) Stats() Stats { return ix.stats }

// Key is the index's key: corpus, embedder and format.
func (ix *Index) Key() string { return ix.key }

// Occupations lists every occupation, sorted by reference.
func (ix *Index) Occupations() []*Occupation { return ix.occupations }

// Occupation finds an occupation by its reference (ST0127).
func (ix *Index) Occupation(ref string) (*Occupation, bool) {
	i, ok := ix.byRef[ref]
	if !ok {
		return nil, false
	}
	return ix.occupations[i], true
}

// Passages returns an occupation's passages in the standard's order.
func (ix *Index) Passages(ref string) []Passage {
	i, ok := ix.byRef[ref]
	if !ok {
		return nil
	}
	r := ix.occRange[i]
	return ix.passages[r[0]:r[1]]
}

// Uses reports whether some passage holds a folded word (by its stem): the
// corpus's vocabulary, for callers that must tell a careers word from a
// name.
func (ix *Index) Uses(word string) bool {
	_, ok := ix.lex.terms[Stem(word)]
	return ok
}

// Collection returns the chromem-go collection of every passage. A loaded
// index fills it on first use from the persisted vectors (dequantised).
func (ix *Index) Collection(ctx context.Context) (*chromem.Collection, error) {
	ix.collOnce.Do(func() {
		db := chromem.NewDB()
		coll, err := db.CreateCollection("passages", map[string]string{"embedder": ix.embedder.Name}, ix.embedder.Embed)
		if err != nil {
			ix.collErr = err
			return
		}
		docs := make([]chromem.Document, len(ix.passages))
		for i := range ix.passages {
			p := &ix.passages[i]
			docs[i] = chromem.Document{
				ID:        p.Key(),
				Content:   p.Text,
				Metadata:  map[string]string{"reference": p.Ref(), "id": p.ID, "kind": string(p.Kind)},
				Embedding: ix.vectors.float(i),
			}
		}
		if len(docs) > 0 {
			ix.collErr = coll.AddDocuments(context.WithoutCancel(ctx), docs, runtime.GOMAXPROCS(0))
		}
		ix.coll = coll
	})
	return ix.coll, ix.collErr
}
