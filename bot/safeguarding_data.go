package bot

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// role is what a pattern's match tells the decision.
type role uint8

const (
	roleDisclosure role = iota // someone telling of harm
	roleTopic                  // the subject named
	roleCareers                // a sign of a careers question
	roleSpeech                 // someone else's words follow
	rolePast                   // long ago
	rolePastTense              // told in the past tense
	rolePresent                // now, or still going on
	roleNow                    // danger now, when the message shows distress
)

// patternInfo is one pattern line of safeguarding.txt.
type patternInfo struct {
	role   role
	kind   SafeguardingKind // disclosures and topics
	now    bool             // a disclosure of danger now
	weight int              // careers cues: points; kinds: which kind wins
	// agent marks a pattern whose doer is said before it ("he is going
	// to kill me"): a thing there is a figure of speech ("this
	// interview is going to kill me").
	agent bool
	// object marks a pattern whose object may follow it ("want to cut"):
	// a thing there is work, not harm ("want to cut trees down").
	object bool
	line   int
	text   string
}

// safeguardingData is safeguarding.txt, compiled.
type safeguardingData struct {
	norm     *normaliser
	auto     *automaton
	patterns []patternInfo
	first    int // atom of @first
	third    int // atom of @third
	body     int // atom of @body
	family   int // atom of @family
	// lexicon holds the [score KIND] words: an atom for each kind and
	// weight.
	lexicon []lexiconAtom
}

// lexiconAtom is the words of one kind worth one weight.
type lexiconAtom struct {
	kind   SafeguardingKind
	weight int
	atom   int
}

var (
	reSection = regexp.MustCompile(`^\[([a-z_]+)((?: -?[a-z0-9_]+)*)\]$`)
	reDefine  = regexp.MustCompile(`%[a-z_]+`)
)

// parseSafeguarding compiles the data file; errors name the line.
func parseSafeguarding(name, text string) (*safeguardingData, error) {
	type patLine struct {
		info patternInfo
	}
	classes := map[string][]member{}
	classRefs := map[string][]string{}
	var classOrder []string
	spell := map[string][]string{}
	defines := map[string]string{}
	vocab := map[string]bool{}
	var pats []patLine

	type scoreLine struct {
		kind   SafeguardingKind
		weight int
		words  []member
		line   int
	}
	var scores []scoreLine
	var section, arg string
	var cur patternInfo
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		errorf := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", name, n, fmt.Sprintf(format, args...))
		}
		if strings.HasPrefix(line, "[") {
			m := reSection.FindStringSubmatch(line)
			if m == nil {
				return nil, errorf("not a section header: %q", line)
			}
			section, arg = m[1], strings.TrimSpace(m[2])
			cur = patternInfo{weight: 2}
			switch section {
			case "class":
				if arg == "" || strings.Contains(arg, " ") {
					return nil, errorf("write [class NAME]")
				}
				if _, dup := classRefs[arg]; dup || classes[arg] != nil {
					return nil, errorf("class %s defined twice", arg)
				}
				classRefs[arg] = []string{}
				classOrder = append(classOrder, arg)
			case "score":
				if !SafeguardingKind(arg).Valid() {
					return nil, errorf("write [score KIND] with one of the kinds, not %q", arg)
				}
			case "spell", "vocabulary":
			case "define":
				if arg == "" || strings.Contains(arg, " ") {
					return nil, errorf("write [define NAME]")
				}
				if _, dup := defines[arg]; dup {
					return nil, errorf("%%%s defined twice", arg)
				}
				defines[arg] = ""
			case "careers":
				w, err := strconv.Atoi(arg)
				if err != nil || w == 0 {
					return nil, errorf("write [careers W] with W a whole number of points (less than 0 for signs against)")
				}
				cur = patternInfo{role: roleCareers, weight: w}
			case "speech":
				cur.role = roleSpeech
			case "past":
				cur.role = rolePast
				if arg == "tense" {
					cur.role = rolePastTense
				}
			case "present":
				cur.role = rolePresent
			case "now":
				cur.role = roleNow
			default:
				kind := SafeguardingKind(section)
				if !kind.Valid() {
					return nil, errorf("unknown section or kind %q", section)
				}
				cur.kind = kind
				words := strings.Fields(arg)
				if len(words) == 0 {
					return nil, errorf("write [%s disclosure] or [%s topic]", section, section)
				}
				switch words[0] {
				case "disclosure":
					cur.role = roleDisclosure
				case "topic":
					cur.role = roleTopic
				default:
					return nil, errorf("%q: a kind's section is disclosure or topic", words[0])
				}
				for _, w := range words[1:] {
					if w == "now" {
						cur.now = true
						continue
					}
					if w == "agent" {
						cur.agent = true
						continue
					}
					if w == "object" {
						cur.object = true
						continue
					}
					v, err := strconv.Atoi(w)
					if err != nil || v < 1 {
						return nil, errorf("%q: after disclosure or topic come \"now\", \"agent\", \"object\" and a weight", w)
					}
					cur.weight = v
				}
			}
			continue
		}
		switch section {
		case "":
			return nil, errorf("text before the first section")
		case "class":
			for _, w := range strings.Fields(line) {
				if strings.HasPrefix(w, "@") {
					classRefs[arg] = append(classRefs[arg], w[1:])
					continue
				}
				classes[arg] = append(classes[arg], parseMember(w))
			}
		case "spell":
			from, to, ok := strings.Cut(line, "=")
			from = strings.Join(strings.Fields(from), " ")
			if !ok || from == "" {
				return nil, errorf("write \"typed = meant\"")
			}
			if _, dup := spell[from]; dup {
				return nil, errorf("%q spelled twice", from)
			}
			spell[from] = strings.Fields(to)
		case "vocabulary":
			for _, w := range strings.Fields(line) {
				vocab[w] = true
			}
		case "score":
			f := strings.Fields(line)
			w, err := strconv.Atoi(f[0])
			if err != nil || w < 1 || len(f) < 2 {
				return nil, errorf("write a weight, then words: \"2 pills tablets\"")
			}
			sl := scoreLine{kind: SafeguardingKind(arg), weight: w, line: n}
			for _, x := range f[1:] {
				sl.words = append(sl.words, parseMember(x))
			}
			scores = append(scores, sl)
		case "define":
			// A fragment may span lines: they are alternatives.
			if defines[arg] != "" {
				defines[arg] += "|"
			}
			defines[arg] += line
		default:
			info := cur
			info.line, info.text = n, line
			pats = append(pats, patLine{info})
		}
	}
	// Classes may name other classes: flatten them.
	var resolve func(name string, seen map[string]bool) ([]member, error)
	resolve = func(name string, seen map[string]bool) ([]member, error) {
		if seen[name] {
			return nil, fmt.Errorf("%s: class %s includes itself", name, name)
		}
		seen[name] = true
		out := append([]member(nil), classes[name]...)
		for _, ref := range classRefs[name] {
			if _, ok := classRefs[ref]; !ok {
				return nil, fmt.Errorf("%s: class %s names unknown class @%s", name, name, ref)
			}
			ms, err := resolve(ref, seen)
			if err != nil {
				return nil, err
			}
			out = append(out, ms...)
		}
		return out, nil
	}
	flat := map[string][]member{}
	for _, c := range classOrder {
		ms, err := resolve(c, map[string]bool{})
		if err != nil {
			return nil, err
		}
		flat[c] = ms
	}
	for _, need := range []string{"first", "third"} {
		if _, ok := flat[need]; !ok {
			return nil, fmt.Errorf("%s: no [class %s]", name, need)
		}
	}

	d := &safeguardingData{auto: &automaton{atoms: newAtomTable()}}
	// Every literal word is vocabulary, for spelling correction; a literal
	// the normaliser rewrites could never match, so it is an error.
	addVocab := func(m member) {
		if !m.prefix {
			vocab[m.text] = true
		}
	}
	for _, ms := range flat {
		for _, m := range ms {
			addVocab(m)
		}
	}
	for _, rep := range spell {
		for _, w := range rep {
			vocab[w] = true
		}
	}
	checkWord := func(m member) error {
		if _, ok := spell[m.text]; ok && !m.prefix {
			return fmt.Errorf("%q never reaches a pattern: the normaliser spells it %q", m.text, strings.Join(spell[m.text], " "))
		}
		return nil
	}
	for _, c := range classOrder {
		for _, m := range classes[c] {
			if err := checkWord(m); err != nil {
				return nil, fmt.Errorf("%s: class %s: %w", name, c, err)
			}
		}
	}
	multi := map[string]bool{}
	for k := range spell {
		if strings.Contains(k, " ") {
			multi[k] = true
		}
	}
	expand := func(text string) (string, error) {
		for range 8 { // fragments may use fragments, not endlessly
			if !strings.Contains(text, "%") {
				return text, nil
			}
			var err error
			text = reDefine.ReplaceAllStringFunc(text, func(m string) string {
				body, ok := defines[m[1:]]
				if !ok {
					err = fmt.Errorf("unknown fragment %s", m)
				}
				return "(" + body + ")"
			})
			if err != nil {
				return "", err
			}
		}
		return "", fmt.Errorf("fragments nest too deep")
	}
	for i, pl := range pats {
		expanded, err := expand(pl.info.text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %q: %w", name, pl.info.line, pl.info.text, err)
		}
		p := &patternParser{toks: lexPattern(expanded), atoms: d.auto.atoms, classes: flat}
		errorf := func(err error) error { return fmt.Errorf("%s:%d: %q: %w", name, pl.info.line, pl.info.text, err) }
		for _, t := range p.toks {
			m := parseMember(t)
			if strings.HasPrefix(t, "@") || strings.HasPrefix(t, "~") || len(t) == 1 && strings.ContainsAny(t, "()|?!^$") {
				continue
			}
			if err := checkWord(m); err != nil {
				return nil, errorf(err)
			}
			addVocab(m)
		}
		words := " " + strings.Join(strings.FieldsFunc(expanded, func(r rune) bool { return strings.ContainsRune(" ()|?!^$", r) }), " ") + " "
		for k := range multi {
			if strings.Contains(words, " "+k+" ") {
				return nil, errorf(fmt.Errorf("%q never reaches a pattern: the normaliser spells it %q", k, strings.Join(spell[k], " ")))
			}
		}
		node, err := p.parseSeq()
		if err == nil && p.pos != len(p.toks) {
			err = fmt.Errorf("unexpected %q", p.toks[p.pos])
		}
		if err != nil {
			return nil, errorf(err)
		}
		if err := d.auto.addPattern(node, i); err != nil {
			return nil, errorf(err)
		}
		d.patterns = append(d.patterns, pl.info)
	}
	for _, sl := range scores {
		for _, m := range sl.words {
			if err := checkWord(m); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, sl.line, err)
			}
			addVocab(m)
		}
		key := fmt.Sprintf("score:%s:%d:%d", sl.kind, sl.weight, sl.line)
		d.lexicon = append(d.lexicon, lexiconAtom{kind: sl.kind, weight: sl.weight, atom: d.auto.atoms.atom(key, sl.words)})
	}
	d.auto.finish()
	d.first = d.auto.atoms.atom("c:first", flat["first"])
	d.third = d.auto.atoms.atom("c:third", flat["third"])
	d.body = d.auto.atoms.atom("c:body", flat["body"])
	d.family = d.auto.atoms.atom("c:family", flat["family"])
	d.norm = newNormaliser(spell, vocab)
	d.norm.isWord = retrieval.WordNet.Known
	return d, nil
}
