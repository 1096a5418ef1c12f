package retrieval

import (
	"math"
	"slices"
)

// lexicalIndex is an inverted index over passage stems for BM25 scoring,
// which chromem-go lacks. Postings are sorted by passage number, and passages
// are laid out occupation by occupation, so scoring one occupation touches
// only the slice of each posting list that falls in its range.
type lexicalIndex struct {
	terms    map[string]uint32 // stem -> term id
	vocab    []string          // term id -> stem, sorted
	postings [][]posting       // term id -> passages holding it
	docLen   []uint16          // meaningful tokens per passage
	avgLen   float32
}

type posting struct {
	doc uint32
	tf  uint16
}

// BM25 parameters. Passages are short and of similar length, so length
// normalisation is kept mild.
const (
	bm25K1 = 1.2
	bm25B  = 0.5
)

// passageStems returns the stems a passage is indexed under.
func passageStems(text string) []string {
	toks := Tokenize(text)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if t.Meaningful() {
			out = append(out, t.Stem)
		}
	}
	return out
}

func buildLexical(docs [][]string) *lexicalIndex {
	li := &lexicalIndex{terms: map[string]uint32{}, docLen: make([]uint16, len(docs))}
	counts := map[string][]posting{}
	var total int
	for d, stems := range docs {
		li.docLen[d] = uint16(min(len(stems), math.MaxUint16))
		total += len(stems)
		tf := map[string]uint16{}
		for _, s := range stems {
			tf[s]++
		}
		for s, n := range tf {
			counts[s] = append(counts[s], posting{doc: uint32(d), tf: n})
		}
	}
	li.vocab = make([]string, 0, len(counts))
	for s := range counts {
		li.vocab = append(li.vocab, s)
	}
	slices.Sort(li.vocab)
	li.postings = make([][]posting, len(li.vocab))
	for id, s := range li.vocab {
		li.terms[s] = uint32(id)
		ps := counts[s]
		slices.SortFunc(ps, func(a, b posting) int { return int(a.doc) - int(b.doc) })
		li.postings[id] = ps
	}
	if len(docs) > 0 {
		li.avgLen = float32(total) / float32(len(docs))
	}
	return li
}

// idf is BM25's inverse document frequency; a term in no passage gets the
// highest value, as the rarest thing a question can ask for.
func (li *lexicalIndex) idf(df int) float32 {
	n := float64(len(li.docLen))
	return float32(math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5)))
}

func (li *lexicalIndex) termIDF(term int32) float32 {
	if term < 0 {
		return li.idf(0)
	}
	return li.idf(len(li.postings[term]))
}

// inRange returns the part of a posting list that falls in [lo, hi).
func inRange(ps []posting, lo, hi uint32) []posting {
	if len(ps) == 0 || (lo == 0 && hi >= ps[len(ps)-1].doc+1) {
		return ps
	}
	i, _ := slices.BinarySearchFunc(ps, lo, func(p posting, t uint32) int { return int(p.doc) - int(t) })
	j, _ := slices.BinarySearchFunc(ps[i:], hi, func(p posting, t uint32) int { return int(p.doc) - int(t) })
	return ps[i : i+j]
}

func (li *lexicalIndex) bm25(idf float32, tf uint16, doc uint32) float32 {
	f := float32(tf)
	norm := bm25K1 * (1 - bm25B + bm25B*float32(li.docLen[doc])/li.avgLen)
	return idf * f * (bm25K1 + 1) / (f + norm)
}
