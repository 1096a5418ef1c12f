package retrieval

import (
	"context"
	"runtime"
	"slices"
	"sync"
)

// Query is what to look for and where.
type Query struct {
	Text       string // the words that carry the question's topic
	Occupation string // reference to search within; "" searches every occupation
	// Occupations, when set, scopes the search to several occupations
	// ("nurses": every nursing standard) instead of one.
	Occupations []string
	Kinds       []Kind // kinds the question asks about, ranked a little higher
	Limit       int    // most hits to return; 10 when zero
	// MinCoverage is the relevance floor: the share of the question's
	// weighted concepts a passage must hold. Zero picks the default for the
	// scope (DefaultFloorOccupation or DefaultFloorAll).
	MinCoverage float64

	// exact scans every vector of the scope exactly (tests compare the
	// signature path with it).
	exact bool
}

// Hit is a ranked passage.
type Hit struct {
	Passage  *Passage
	Score    float64 // 0..1, higher is better
	Coverage float64 // share of the question's concepts the passage holds
	// Soft is the share more it holds only through words near in meaning
	// by the word vectors: it ranks the passage, but is no evidence the
	// passage says what was asked.
	Soft       float64
	Similarity float64 // cosine of question and passage vectors
	// Mass is the weight of what the passage holds, in units of the
	// rarest word's: about 0.5 for one telling word ("wireless") however
	// long the question around it.
	Mass float64
	// Telling is true when the passage holds the question's most telling
	// concept (the one of highest weight): "fixing boilers" is not
	// answered by a passage about fixing something else.
	Telling bool
}

// Relevance floors: within a named occupation a passage holding a good part
// of the question is an answer; across the whole corpus, where some passage
// holds almost any single word, it must hold most of it.
const (
	DefaultFloorOccupation = 0.3
	DefaultFloorGroup      = 0.45
	DefaultFloorAll        = 0.62
	// A passage below the lexical floor still counts when its vector is
	// this close: the embedder's n-grams see through spellings the lexical
	// side cannot.
	vectorRescue = 0.62
	// Within one named occupation, a passage also counts when what it holds
	// of a long question is telling on its own: IDF mass of at least this
	// share of the highest IDF (a rare word such as "wireless"), however
	// many other words the question has.
	occupationSpecific = 0.5
)

// Weights of the fused score.
const (
	fuseCoverage = 0.55
	fuseLexical  = 0.25
	fuseVector   = 0.20
	kindBoost    = 0.08
)

// scratch holds per-query buffers, reused across queries.
type scratch struct {
	score, cover, altScore, conceptBest, conceptCover []float32
	softCover, conceptSoft                            []float32
	altCount                                          []uint8
	touched, altTouched, conceptTouched               []uint32
	seen, conceptSeen, altSeen, done, telling         []bool
	dist                                              []uint16
	qv                                                []int8
	qsig                                              []uint64
	hists                                             [][]int32
	near                                              []uint32
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

func (s *scratch) size(n int) {
	if cap(s.score) < n {
		s.score = make([]float32, n)
		s.cover = make([]float32, n)
		s.altScore = make([]float32, n)
		s.conceptBest = make([]float32, n)
		s.conceptCover = make([]float32, n)
		s.softCover = make([]float32, n)
		s.conceptSoft = make([]float32, n)
		s.altCount = make([]uint8, n)
		s.seen = make([]bool, n)
		s.conceptSeen = make([]bool, n)
		s.altSeen = make([]bool, n)
		s.done = make([]bool, n)
		s.telling = make([]bool, n)
		s.dist = make([]uint16, n)
	}
	s.touched = s.touched[:0]
}

// clearTouched zeroes what scoring wrote, so that the scratch goes back to
// its pool clean.
func (s *scratch) clearTouched() {
	for _, d := range s.touched {
		s.score[d], s.cover[d], s.softCover[d], s.seen[d], s.telling[d] = 0, 0, 0, false, false
	}
}

// Search ranks passages for a query: lexical (BM25 over concepts, with a
// coverage floor) fused with vector similarity. It returns no hit when
// nothing in scope clears the floor: an unrelated question gets nothing
// rather than the least bad passage.
func (ix *Index) Search(ctx context.Context, q Query) ([]Hit, error) {
	// A search for a client that has gone is not started.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ranges, floor := ix.scope(q)
	if len(ranges) == 0 {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	concepts := ix.analyse(q.Text, q.Occupation == "" || len(q.Occupations) > 0)
	if len(concepts) == 0 {
		return nil, nil
	}
	scoped := q.Occupation != "" || len(q.Occupations) > 0
	if scoped {
		ix.addSoftAlternatives(concepts, ranges)
	}
	var totalIDF float32
	for _, c := range concepts {
		totalIDF += c.idf
	}
	// specific is the IDF mass that admits a passage whatever its coverage
	// (one occupation only); above the total it never applies.
	maxIDF := ix.lex.termIDF(-1)
	specific := totalIDF + 1
	if q.Occupation != "" && len(q.Occupations) == 0 && q.MinCoverage == 0 {
		specific = occupationSpecific * ix.lex.termIDF(-1)
	}

	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	s.size(len(ix.passages))
	for _, r := range ranges {
		ix.scoreLexical(concepts, r[0], r[1], s)
	}

	if err := ctx.Err(); err != nil {
		s.clearTouched()
		return nil, err
	}

	// The vector side, over the same scope.
	var qv []int8
	var qscale float32
	if ix.embedder.Embed != nil && ix.dims > 0 {
		v, err := ix.embedder.Embed(ctx, q.Text)
		if err == nil && len(v) == ix.dims {
			s.qv = slices.Grow(s.qv[:0], ix.dims)[:ix.dims]
			qv = s.qv
			qscale = quantize(v, qv)
		}
	}

	var maxLex float32
	for _, d := range s.touched {
		maxLex = max(maxLex, s.score[d])
	}
	var hits []Hit
	consider := func(d uint32, cos float32) {
		cov := s.cover[d] / totalIDF
		soft := s.softCover[d] / totalIDF
		if cov+soft < float32(floor) && cos < vectorRescue && s.cover[d] < specific {
			return
		}
		lexN := float32(0)
		if maxLex > 0 {
			lexN = s.score[d] / maxLex
		}
		p := &ix.passages[d]
		score := fuseCoverage*(cov+soft) + fuseLexical*lexN + fuseVector*max(cos, 0)
		if slices.Contains(q.Kinds, p.Kind) {
			score += kindBoost
		}
		hits = append(hits, Hit{Passage: p, Score: float64(min(score, 1)), Coverage: float64(cov), Soft: float64(soft), Similarity: float64(cos), Mass: float64(s.cover[d] / maxIDF), Telling: s.telling[d]})
	}
	switch {
	case qv == nil:
		for _, d := range s.touched {
			consider(d, 0)
		}
	case scopeSize(ranges) <= exactScanMax || q.exact:
		// A small scope (an occupation) is scanned exactly.
		for _, r := range ranges {
			for d := r[0]; d < r[1]; d++ {
				cos := ix.cosine(qv, qscale, d)
				if s.seen[d] || cos >= vectorRescue {
					consider(d, cos)
				}
			}
		}
	default:
		// A large scope: the lexical candidates that may count are scored
		// exactly; the rest of the scope is searched for passages close
		// enough to count on their vector alone by the Hamming distance of
		// sign bits, and only the nearest are scored exactly.
		for _, d := range s.touched {
			if (s.cover[d]+s.softCover[d])/totalIDF >= float32(floor) || s.cover[d] >= specific {
				s.done[d] = true
				consider(d, ix.cosine(qv, qscale, d))
			}
		}
		for _, d := range ix.nearestBySignature(qv, ranges, rescoreCandidates, s) {
			if s.done[d] {
				continue
			}
			if cos := ix.cosine(qv, qscale, d); cos >= vectorRescue {
				consider(d, cos)
			}
		}
		for _, d := range s.touched {
			s.done[d] = false
		}
	}
	s.clearTouched()
	slices.SortFunc(hits, func(a, b Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return comparePassages(a.Passage, b.Passage)
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// Above exactScanMax passages a scope's vectors are searched by signature
// first; rescoreCandidates is how many of the nearest are scored exactly.
const (
	exactScanMax      = 4096
	rescoreCandidates = 128
)

func scopeSize(ranges [][2]uint32) int {
	n := 0
	for _, r := range ranges {
		n += int(r[1] - r[0])
	}
	return n
}

// cosine is the similarity of the quantised question and passage d.
func (ix *Index) cosine(qv []int8, qscale float32, d uint32) float32 {
	return float32(dotInt8(qv, ix.vectors.row(int(d)))) * qscale * ix.vectors.scale[d]
}

// nearestBySignature returns about k passages of the ranges whose sign
// bits are nearest the question's (Hamming distance), found in one pass
// over 32 bytes a passage, on every CPU for a large scope.
func (ix *Index) nearestBySignature(qv []int8, ranges [][2]uint32, k int, s *scratch) []uint32 {
	vs := &ix.vectors
	s.qsig = slices.Grow(s.qsig[:0], vs.words)[:vs.words]
	qsig := s.qsig
	signBits(qv, qsig)
	n := scopeSize(ranges)
	maxDist := vs.words * 64
	// Split the scope into chunks, one per worker.
	workers := 1
	if n >= parallelScanMin {
		workers = runtime.GOMAXPROCS(0)
	}
	type chunk struct{ lo, hi uint32 }
	var chunks []chunk
	per := (n + workers - 1) / workers
	for _, r := range ranges {
		for lo := r[0]; lo < r[1]; lo += uint32(per) {
			chunks = append(chunks, chunk{lo, min(r[1], lo+uint32(per))})
		}
	}
	for len(s.hists) < len(chunks) {
		s.hists = append(s.hists, nil)
	}
	hists := s.hists[:len(chunks)]
	for i := range hists {
		hists[i] = slices.Grow(hists[i][:0], maxDist+1)[:maxDist+1]
		clear(hists[i])
	}
	scan := func(ci int) {
		c := chunks[ci]
		hist := hists[ci]
		dist := s.dist
		if vs.words == 4 {
			for d := c.lo; d < c.hi; d++ {
				h := hamming4(qsig, vs.sig[int(d)*4:int(d)*4+4])
				dist[d] = uint16(h)
				hist[h]++
			}
		} else {
			w := vs.words
			for d := c.lo; d < c.hi; d++ {
				h := hamming(qsig, vs.sig[int(d)*w:int(d)*w+w])
				dist[d] = uint16(h)
				hist[h]++
			}
		}
	}
	if len(chunks) == 1 {
		scan(0)
	} else {
		var wg sync.WaitGroup
		for ci := range chunks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				scan(ci)
			}()
		}
		wg.Wait()
	}
	// The distance within which the k nearest lie.
	threshold, total := 0, int32(0)
	for ; threshold <= maxDist; threshold++ {
		for _, h := range hists {
			total += h[threshold]
		}
		if int(total) >= k {
			break
		}
	}
	out := s.near[:0]
	for _, c := range chunks {
		for d := c.lo; d < c.hi && len(out) < 2*k; d++ {
			if int(s.dist[d]) <= threshold {
				out = append(out, d)
			}
		}
	}
	s.near = out
	return out
}

// parallelScanMin is the scope above which a signature scan uses every CPU.
const parallelScanMin = 32768

// scope returns the passage ranges a query searches and its floor.
func (ix *Index) scope(q Query) ([][2]uint32, float64) {
	floor := q.MinCoverage
	var refs []string
	switch {
	case len(q.Occupations) > 0:
		refs = q.Occupations
		if floor == 0 {
			floor = DefaultFloorGroup
		}
	case q.Occupation != "":
		refs = []string{q.Occupation}
		if floor == 0 {
			floor = DefaultFloorOccupation
		}
	default:
		if floor == 0 {
			floor = DefaultFloorAll
		}
		if len(ix.passages) == 0 {
			return nil, floor
		}
		return [][2]uint32{{0, uint32(len(ix.passages))}}, floor
	}
	var ranges [][2]uint32
	for _, ref := range refs {
		i, ok := ix.byRef[ref]
		if !ok || ix.occRange[i][1] == ix.occRange[i][0] || slices.Contains(ranges, ix.occRange[i]) {
			continue
		}
		ranges = append(ranges, ix.occRange[i])
	}
	return ranges, floor
}

// scoreLexical accumulates, for every passage in [lo, hi) holding some
// concept, its BM25 score and its weighted coverage, in s (indexed by
// passage). Each concept counts once per passage, through its best
// alternative.
func (ix *Index) scoreLexical(concepts []concept, lo, hi uint32, s *scratch) {
	var top float32
	for _, c := range concepts {
		top = max(top, c.idf)
	}
	for _, c := range concepts {
		s.conceptTouched = s.conceptTouched[:0]
		for _, a := range c.alts {
			s.altTouched = s.altTouched[:0]
			nTerms := float32(len(a.terms))
			for ti, t := range a.terms {
				if t < 0 || slices.Contains(a.terms[:ti], t) {
					continue
				}
				idf := ix.lex.termIDF(t)
				for _, p := range inRange(ix.lex.postings[t], lo, hi) {
					d := p.doc
					if !s.altSeen[d] {
						s.altSeen[d] = true
						s.altTouched = append(s.altTouched, d)
					}
					s.altScore[d] += ix.lex.bm25(idf, p.tf, p.doc)
					s.altCount[d]++
				}
			}
			for _, d := range s.altTouched {
				sc := a.weight * s.altScore[d] / nTerms
				cv := a.weight * float32(s.altCount[d]) / nTerms
				if !s.conceptSeen[d] {
					s.conceptSeen[d] = true
					s.conceptTouched = append(s.conceptTouched, d)
				}
				s.conceptBest[d] = max(s.conceptBest[d], sc)
				if a.soft {
					s.conceptSoft[d] = max(s.conceptSoft[d], cv)
				} else {
					s.conceptCover[d] = max(s.conceptCover[d], cv)
				}
				s.altScore[d], s.altCount[d], s.altSeen[d] = 0, 0, false
			}
		}
		for _, d := range s.conceptTouched {
			if !s.seen[d] {
				s.seen[d] = true
				s.touched = append(s.touched, d)
			}
			s.score[d] += s.conceptBest[d]
			hard := min(s.conceptCover[d], 1)
			s.cover[d] += c.idf * hard
			s.softCover[d] += c.idf * max(s.conceptSoft[d]-hard, 0)
			if c.idf == top && s.conceptCover[d] >= 0.5 {
				s.telling[d] = true
			}
			s.conceptBest[d], s.conceptCover[d], s.conceptSoft[d], s.conceptSeen[d] = 0, 0, 0, false
		}
	}
}

// comparePassages orders passages as the corpus lays them out.
func comparePassages(a, b *Passage) int { return a.pos - b.pos }
