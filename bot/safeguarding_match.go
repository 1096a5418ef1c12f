package bot

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"sync"
)

// The safeguarding patterns are a small language over normalised words,
// compiled into one Thompson automaton and run over a message once: the cost
// is linear in the message's words whatever the number of patterns, and no
// pattern can make matching backtrack.
//
//	word        that word
//	word*       any word starting with "word"
//	@class      any word of a class ([class NAME] in safeguarding.txt)
//	(a|b c|d)   one of the alternatives, each a sequence
//	x?          x or nothing
//	~ or ~N     up to 3 (or N) words of any kind, within one clause
//	^  $        the start or end of a clause
//	!x          what follows is not x (a word, word*, @class, or (a b|c) of
//	            them without gaps); the end of a clause passes

// token is one normalised word of a message, or a boundary: sentence ends
// (. ! ? ; new line) and clause breaks (, : brackets) are tokens that no
// word pattern matches and no gap crosses.
type token struct {
	text string
	brk  byte // 0 for a word; '.' for a sentence end; ',' for a clause break
}

// atomTable names what a single word can be matched against: literal words,
// prefixes and classes, each an atom with an id. A word's atoms are found by
// map look-ups of the word and of its prefixes, so a message's features cost
// a few look-ups a word.
type atomTable struct {
	ids   map[string]int   // "w:word", "p:prefix", "c:class" -> atom id
	short []int            // atom -> the length of its shortest word
	words map[string][]int // a word -> the atoms it is
	// prefixes is a byte trie of the prefixes: walking a word through it
	// finds every prefix atom in one pass.
	prefixes []trieNode
	n        int
}

type trieNode struct {
	next  [36]int32 // a-z then 0-9; 0: none (the root is never a child)
	atoms []int     // the atoms of words starting with the path to here
}

// trieIndex is a byte's child slot, or -1 for bytes no prefix has.
func trieIndex(c byte) int {
	switch {
	case 'a' <= c && c <= 'z':
		return int(c - 'a')
	case '0' <= c && c <= '9':
		return 26 + int(c-'0')
	}
	return -1
}

func newAtomTable() *atomTable {
	return &atomTable{ids: map[string]int{}, words: map[string][]int{}, prefixes: []trieNode{{}}}
}

// addPrefix files atom id under prefix p.
func (t *atomTable) addPrefix(p string, id int) {
	n := 0
	for i := 0; i < len(p); i++ {
		c := trieIndex(p[i])
		if c < 0 {
			return // no normalised word has such a byte
		}
		next := t.prefixes[n].next[c]
		if next == 0 {
			t.prefixes = append(t.prefixes, trieNode{})
			next = int32(len(t.prefixes) - 1)
			t.prefixes[n].next[c] = next
		}
		n = int(next)
	}
	t.prefixes[n].atoms = appendUnique(t.prefixes[n].atoms, id)
}

// member is one entry of a class or an atom: a word, or a prefix (word*).
type member struct {
	text   string
	prefix bool
}

func parseMember(s string) member {
	if strings.HasSuffix(s, "*") {
		return member{strings.TrimSuffix(s, "*"), true}
	}
	return member{text: s}
}

// atom returns the id of the atom matching any of members, under key.
func (t *atomTable) atom(key string, members []member) int {
	if id, ok := t.ids[key]; ok {
		return id
	}
	id := t.n
	t.n++
	t.ids[key] = id
	shortest := 1 << 30
	for _, m := range members {
		shortest = min(shortest, len(m.text))
	}
	t.short = append(t.short, shortest)
	for _, m := range members {
		if m.prefix {
			t.addPrefix(m.text, id)
		} else {
			t.words[m.text] = appendUnique(t.words[m.text], id)
		}
	}
	return id
}

func appendUnique(s []int, v int) []int {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// shortest is the length of the shortest word of any of the atoms.
func (t *atomTable) shortest(atoms []int) int {
	l := 1 << 30
	for _, id := range atoms {
		l = min(l, t.short[id])
	}
	return l
}

// featureWords is how many uint64s one token's atom bitset takes.
func (t *atomTable) featureWords() int { return (t.n + 63) / 64 }

// features sets, in dst, the bit of every atom the word is.
func (t *atomTable) features(word string, dst []uint64) {
	for _, id := range t.words[word] {
		dst[id>>6] |= 1 << (id & 63)
	}
	n := 0
	for i := 0; i < len(word); i++ {
		c := trieIndex(word[i])
		if c < 0 || t.prefixes[n].next[c] == 0 {
			return
		}
		n = int(t.prefixes[n].next[c])
		for _, id := range t.prefixes[n].atoms {
			dst[id>>6] |= 1 << (id & 63)
		}
	}
}

func hasBit(set []uint64, id int) bool { return set[id>>6]&(1<<(id&63)) != 0 }

// Automaton states.
const (
	opAtom  = iota // consume a word that is the atom
	opAny          // consume any word (a gap)
	opSplit        // go to out and out1
	opBOL          // at the start of a clause
	opEOL          // at the end of a clause
	opNot          // the next word is not the atom
	opMatch        // pattern pat matched
)

type nstate struct {
	op        uint8
	atom      int
	out, out1 int
	pat       int
	seqs      [][]int // opNot: atom sequences that must not follow
}

// automaton is every pattern compiled together.
type automaton struct {
	atoms   *atomTable
	states  []nstate
	starts  []int   // pattern -> start state
	byFirst [][]int // atom -> patterns whose first word may be it
	// required lists, for each pattern, what every match consumes: for
	// each clause, one of its atoms. A pattern is only started when the
	// message satisfies every clause, which keeps the threads to the few
	// patterns a message could match.
	required [][][]int
	// closure lists, for each state, the states other than splits it
	// reaches without consuming a word: the walk through alternatives and
	// gaps done once at load rather than for every word.
	closure [][]int32
	pool    sync.Pool // *matcher
}

// finish computes the closures; call it once every pattern is added.
func (a *automaton) finish() {
	a.closure = make([][]int32, len(a.states))
	seen := make([]int, len(a.states))
	gen := 0
	var walk func(s int, out *[]int32)
	walk = func(s int, out *[]int32) {
		if seen[s] == gen {
			return
		}
		seen[s] = gen
		if st := a.states[s]; st.op == opSplit {
			walk(st.out, out)
			walk(st.out1, out)
			return
		}
		*out = append(*out, int32(s))
	}
	for s := range a.states {
		gen++
		var out []int32
		walk(s, &out)
		a.closure[s] = out
	}
}

// node is a parsed pattern element.
type node struct {
	kind  byte // 'a' atom, 's' sequence, '|' alternatives, '?' optional, '~' gap, '^', '$', '!'
	atom  int
	n     int
	kids  []*node
	words []member // for an atom: what it matches (to build classes of alternatives)
	seqs  [][]int  // for '!': the word sequences that must not follow
}

// patternParser parses one pattern line.
type patternParser struct {
	toks    []string
	pos     int
	atoms   *atomTable
	classes map[string][]member
}

func lexPattern(s string) []string {
	var out []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch r {
		case '(', ')', '|', '?', '!', '^', '$':
			flush()
			out = append(out, string(r))
		case ' ', '\t':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

func (p *patternParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

// parseSeq reads items until ')' or '|' or the end.
func (p *patternParser) parseSeq() (*node, error) {
	seq := &node{kind: 's'}
	for {
		switch p.peek() {
		case "", ")", "|":
			if len(seq.kids) == 0 {
				return nil, fmt.Errorf("an empty sequence")
			}
			return seq, nil
		}
		it, err := p.parseItem()
		if err != nil {
			return nil, err
		}
		seq.kids = append(seq.kids, it)
	}
}

func (p *patternParser) parseItem() (*node, error) {
	tok := p.peek()
	p.pos++
	var n *node
	switch {
	case tok == "^" || tok == "$":
		return &node{kind: tok[0]}, nil
	case strings.HasPrefix(tok, "~"):
		g := 3
		if tok != "~" {
			v, err := strconv.Atoi(tok[1:])
			if err != nil || v < 1 || v > 12 {
				return nil, fmt.Errorf("gap %q: write ~ or ~N with N from 1 to 12", tok)
			}
			g = v
		}
		return &node{kind: '~', n: g}, nil
	case tok == "!":
		x, err := p.parseAtomic()
		if err != nil {
			return nil, err
		}
		n = &node{kind: '!'}
		switch x.kind {
		case 'a':
			n.seqs = [][]int{{x.atom}}
		case '|':
			for _, alt := range x.kids {
				var seq []int
				for _, k := range alt.kids {
					if k.kind != 'a' {
						return nil, fmt.Errorf("! takes words, word*, @class, or (a b|c) of them without gaps")
					}
					seq = append(seq, k.atom)
				}
				n.seqs = append(n.seqs, seq)
			}
		}
	default:
		p.pos--
		x, err := p.parseAtomic()
		if err != nil {
			return nil, err
		}
		n = x
	}
	if p.peek() == "?" {
		p.pos++
		n = &node{kind: '?', kids: []*node{n}}
	}
	return n, nil
}

// parseAtomic reads a word, word*, @class or a group. A group whose
// alternatives are all single words becomes one atom (an unnamed class).
func (p *patternParser) parseAtomic() (*node, error) {
	tok := p.peek()
	p.pos++
	switch {
	case tok == "":
		return nil, fmt.Errorf("the pattern ends too early")
	case tok == "(":
		alt := &node{kind: '|'}
		for {
			s, err := p.parseSeq()
			if err != nil {
				return nil, err
			}
			alt.kids = append(alt.kids, s)
			switch p.peek() {
			case "|":
				p.pos++
				continue
			case ")":
				p.pos++
			default:
				return nil, fmt.Errorf("a ( without its )")
			}
			break
		}
		var ms []member
		for _, s := range alt.kids {
			if len(s.kids) != 1 || s.kids[0].kind != 'a' {
				return alt, nil
			}
			ms = append(ms, s.kids[0].words...)
		}
		return p.atomOf(ms), nil
	case tok == ")" || tok == "|" || tok == "?" || tok == "!" || tok == "^" || tok == "$" || strings.HasPrefix(tok, "~"):
		return nil, fmt.Errorf("unexpected %q", tok)
	case strings.HasPrefix(tok, "@"):
		ms, ok := p.classes[tok[1:]]
		if !ok {
			return nil, fmt.Errorf("unknown class %s", tok)
		}
		return &node{kind: 'a', atom: p.atoms.atom("c:"+tok[1:], ms), words: ms}, nil
	}
	m := parseMember(tok)
	if m.text == "" {
		return nil, fmt.Errorf("an empty word")
	}
	return p.atomOf([]member{m}), nil
}

func (p *patternParser) atomOf(ms []member) *node {
	keys := make([]string, len(ms))
	for i, m := range ms {
		keys[i] = m.text
		if m.prefix {
			keys[i] += "*"
		}
	}
	key := "w:" + strings.Join(keys, "|")
	return &node{kind: 'a', atom: p.atoms.atom(key, ms), words: ms}
}

// compile adds states for n that continue at next, returning n's start.
func (a *automaton) compile(n *node, next int) int {
	add := func(s nstate) int {
		a.states = append(a.states, s)
		return len(a.states) - 1
	}
	switch n.kind {
	case 'a':
		return add(nstate{op: opAtom, atom: n.atom, out: next})
	case 's':
		for i := len(n.kids) - 1; i >= 0; i-- {
			next = a.compile(n.kids[i], next)
		}
		return next
	case '|':
		start := a.compile(n.kids[len(n.kids)-1], next)
		for i := len(n.kids) - 2; i >= 0; i-- {
			start = add(nstate{op: opSplit, out: a.compile(n.kids[i], next), out1: start})
		}
		return start
	case '?':
		return add(nstate{op: opSplit, out: a.compile(n.kids[0], next), out1: next})
	case '~':
		s := next
		for range n.n {
			s = add(nstate{op: opSplit, out: add(nstate{op: opAny, out: s}), out1: next})
		}
		return s
	case '^':
		return add(nstate{op: opBOL, out: next})
	case '$':
		return add(nstate{op: opEOL, out: next})
	case '!':
		return add(nstate{op: opNot, seqs: n.seqs, out: next})
	}
	panic("unknown node " + string(n.kind))
}

// requiredClauses is what a message must hold for n to match: for each
// clause, at least one of its atoms. A sequence needs all its items'
// clauses; alternatives need one of them, so they give one clause of the
// most telling atom of each alternative (the one with the longest words,
// as long words are rare); optional parts, gaps and anchors need nothing.
func (a *automaton) requiredClauses(n *node) [][]int {
	switch n.kind {
	case 'a':
		return [][]int{{n.atom}}
	case 's':
		var out [][]int
		for _, k := range n.kids {
			out = append(out, a.requiredClauses(k)...)
		}
		return out
	case '|':
		var clause []int
		for _, k := range n.kids {
			cs := a.requiredClauses(k)
			if len(cs) == 0 {
				return nil // an alternative that needs nothing
			}
			best, bestLen := cs[0], -1
			for _, c := range cs {
				if l := a.atoms.shortest(c); l > bestLen {
					best, bestLen = c, l
				}
			}
			for _, id := range best {
				clause = appendUnique(clause, id)
			}
		}
		return [][]int{clause}
	}
	return nil
}

// addPattern compiles one pattern as pattern number pat.
func (a *automaton) addPattern(n *node, pat int) error {
	match := len(a.states)
	a.states = append(a.states, nstate{op: opMatch, pat: pat})
	start := a.compile(n, match)
	for len(a.starts) <= pat {
		a.starts = append(a.starts, -1)
	}
	a.starts[pat] = start
	for len(a.required) <= pat {
		a.required = append(a.required, nil)
	}
	a.required[pat] = a.requiredClauses(n)
	firsts, err := a.firstAtoms(start, map[int]bool{})
	if err != nil {
		return err
	}
	for _, f := range firsts {
		for len(a.byFirst) <= f {
			a.byFirst = append(a.byFirst, nil)
		}
		a.byFirst[f] = appendUnique(a.byFirst[f], pat)
	}
	return nil
}

// firstAtoms lists the atoms a pattern's first word may be; a pattern must
// begin with a word, not a gap, and must consume one.
func (a *automaton) firstAtoms(s int, seen map[int]bool) ([]int, error) {
	if seen[s] {
		return nil, nil
	}
	seen[s] = true
	st := a.states[s]
	switch st.op {
	case opAtom:
		return []int{st.atom}, nil
	case opAny:
		return nil, fmt.Errorf("a pattern cannot begin with a gap")
	case opMatch:
		return nil, fmt.Errorf("a pattern must match at least one word")
	case opSplit:
		x, err := a.firstAtoms(st.out, seen)
		if err != nil {
			return nil, err
		}
		y, err := a.firstAtoms(st.out1, seen)
		return append(x, y...), err
	default:
		return a.firstAtoms(st.out, seen)
	}
}

// hit is one pattern matching tokens [start, end).
type hit struct {
	pat        int
	start, end int
}

// matcher holds one run's scratch space, reused through the pool.
type matcher struct {
	a       *automaton
	toks    []token
	feats   []uint64 // per token, the atoms it is
	present []uint64 // the atoms of any token
	fw      int
	mark    []uint32 // state -> the generation it was last added in
	gen     uint32
	cur     []thread // consuming threads at the current position
	hits    []hit
	seenAt  []int  // pattern -> 1 + the last position it was started at
	allowed []bool // pattern -> its required atoms are all present
}

type thread struct{ s, start int }

// feat is token i's atom bitset.
func (m *matcher) feat(i int) []uint64 { return m.feats[i*m.fw : (i+1)*m.fw] }

// newMatcher takes scratch space for toks from the pool; release returns it.
func (a *automaton) newMatcher(toks []token) *matcher {
	m, _ := a.pool.Get().(*matcher)
	if m == nil {
		m = &matcher{a: a, fw: a.atoms.featureWords()}
		m.mark = make([]uint32, len(a.states))
		m.seenAt = make([]int, len(a.starts))
		m.allowed = make([]bool, len(a.starts))
		m.present = make([]uint64, m.fw)
	}
	m.toks = toks
	m.hits = m.hits[:0]
	if n := len(toks) * m.fw; cap(m.feats) < n {
		m.feats = make([]uint64, n)
	} else {
		m.feats = m.feats[:n]
		clear(m.feats)
	}
	clear(m.present)
	clear(m.seenAt)
	for i, t := range toks {
		if t.brk == 0 {
			f := m.feat(i)
			a.atoms.features(t.text, f)
			for w := range f {
				m.present[w] |= f[w]
			}
		}
	}
	for p, req := range a.required {
		ok := true
		for _, clause := range req {
			any := false
			for _, id := range clause {
				if hasBit(m.present, id) {
					any = true
					break
				}
			}
			if !any {
				ok = false
				break
			}
		}
		m.allowed[p] = ok
	}
	return m
}

func (a *automaton) release(m *matcher) {
	m.toks = nil
	a.pool.Put(m)
}

// run finds every pattern's matches in m's tokens.
func (m *matcher) run() []hit {
	a, toks := m.a, m.toks
	var stepped, buf []thread
	for pos := 0; pos <= len(toks); pos++ {
		m.nextGen()
		m.cur = m.cur[:0]
		// Threads that consumed the previous word go first, so a state
		// reached from an earlier start keeps that start.
		for _, th := range stepped {
			m.add(th.s, th.start, pos)
		}
		if pos == len(toks) {
			break
		}
		if toks[pos].brk == 0 {
			f := m.feat(pos)
			for w, word := range f {
				for word != 0 {
					id := w*64 + bits.TrailingZeros64(word)
					word &= word - 1
					if id >= len(a.byFirst) {
						continue
					}
					for _, p := range a.byFirst[id] {
						if m.allowed[p] && m.seenAt[p] != pos+1 {
							m.seenAt[p] = pos + 1
							m.add(a.starts[p], pos, pos)
						}
					}
				}
			}
		}
		// Every thread on the list takes this word (add checked).
		buf = buf[:0]
		for _, th := range m.cur {
			buf = append(buf, thread{a.states[th.s].out, th.start})
		}
		stepped, buf = buf, stepped
	}
	return m.hits
}

// nextGen starts a new generation of marks, clearing them when the
// counter wraps.
func (m *matcher) nextGen() {
	m.gen++
	if m.gen == 0 {
		clear(m.mark)
		m.gen = 1
	}
}

// add puts state s, and what it reaches without consuming a word, on the
// list at position pos: a consuming state only if the word at pos is one it
// takes. Matches are recorded as they are reached.
func (m *matcher) add(s, start, pos int) {
	n := len(m.toks)
	word := pos < n && m.toks[pos].brk == 0
	for _, t32 := range m.a.closure[s] {
		t := int(t32)
		if m.mark[t] == m.gen {
			continue
		}
		m.mark[t] = m.gen
		st := &m.a.states[t]
		switch st.op {
		case opAtom:
			if word && hasBit(m.feat(pos), st.atom) {
				m.cur = append(m.cur, thread{t, start})
			}
		case opAny:
			if word {
				m.cur = append(m.cur, thread{t, start})
			}
		case opBOL:
			if pos == 0 || m.toks[pos-1].brk != 0 {
				m.add(st.out, start, pos)
			}
		case opEOL:
			if pos == n || m.toks[pos].brk != 0 {
				m.add(st.out, start, pos)
			}
		case opNot:
			if !m.follows(st.seqs, pos) {
				m.add(st.out, start, pos)
			}
		case opMatch:
			m.hits = append(m.hits, hit{pat: st.pat, start: start, end: pos})
		}
	}
}

// follows reports whether one of seqs matches the words from pos on.
func (m *matcher) follows(seqs [][]int, pos int) bool {
next:
	for _, seq := range seqs {
		for i, atom := range seq {
			p := pos + i
			if p >= len(m.toks) || m.toks[p].brk != 0 || !hasBit(m.feat(p), atom) {
				continue next
			}
		}
		return true
	}
	return false
}
