package retrieval

import "strconv"

// Kind is what a passage is: one of the standard's lists, an overview
// paragraph, or the profile of facts. The names are those of the answer's JSON.
type Kind string

const (
	KindKnowledge Kind = "knowledge"
	KindSkill     Kind = "skill"
	KindBehaviour Kind = "behaviour"
	KindDuty      Kind = "duty"
	KindOverview  Kind = "overview"
	KindProfile   Kind = "profile"
)

// Kinds lists every kind in the order an occupation's passages are laid out.
var Kinds = []Kind{KindProfile, KindOverview, KindKnowledge, KindSkill, KindBehaviour, KindDuty}

// Passage is one citable piece of a standard. Its ID is the standard's own
// label (K12, D3), overview-N, or profile; with the occupation's reference it
// names the passage uniquely: [ST0127 K12].
type Passage struct {
	Occupation *Occupation
	ID         string
	Kind       Kind
	Text       string
	KSBs       []string // a duty's mapped K, S and B labels
	pos        int      // where the index lays it out, for stable ordering
}

// Ref is the reference of the passage's standard.
func (p *Passage) Ref() string { return p.Occupation.Reference }

// Key is the passage's unique name across the corpus: "ST0127 K12".
func (p *Passage) Key() string { return p.Occupation.Reference + " " + p.ID }

// Passages lays out an occupation's passages: the profile, the overview
// paragraphs, then K, S, B and duties in the standard's own order.
func Passages(o *Occupation) []Passage {
	ov := o.Overview()
	out := make([]Passage, 0, 1+len(ov)+len(o.Knowledge)+len(o.Skills)+len(o.Behaviours)+len(o.Duties))
	out = append(out, Passage{Occupation: o, ID: "profile", Kind: KindProfile, Text: o.ProfileText()})
	for i, text := range ov {
		out = append(out, Passage{Occupation: o, ID: "overview-" + strconv.Itoa(i+1), Kind: KindOverview, Text: text})
	}
	for _, k := range []Kind{KindKnowledge, KindSkill, KindBehaviour} {
		for _, s := range o.Statements(k) {
			out = append(out, Passage{Occupation: o, ID: s.ID, Kind: k, Text: s.Text})
		}
	}
	for _, d := range o.Duties {
		out = append(out, Passage{Occupation: o, ID: d.ID, Kind: KindDuty, Text: d.Text, KSBs: d.KSBs})
	}
	return out
}
