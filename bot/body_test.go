package bot

import "testing"

func TestAnswerBody(t *testing.T) {
	cited := []Citation{{Reference: "ST0127", ID: "K12"}}
	for _, tc := range []struct {
		name string
		a    Answer
		want string
	}{
		{"source line and cited quotes dropped", Answer{
			Text:      "Yes. The standard covers this:\n- Knowledge: wireless [ST0127 K12]\n\nSource: Skills England.",
			Source:    "Source: Skills England.",
			Citations: cited,
		}, "Yes. The standard covers this:"},
		{"a line quoting an uncited passage stays", Answer{
			Text:      "Covers:\n- Knowledge: wireless [ST0127 K12] and [ST0127 K13]",
			Citations: cited,
		}, "Covers:\n- Knowledge: wireless [ST0127 K12] and [ST0127 K13]"},
		{"nothing but quotes gives the lead", Answer{
			Text:      "- Knowledge: wireless [ST0127 K12]",
			Lead:      " Wireless is covered. ",
			Citations: cited,
		}, "Wireless is covered."},
		{"blank lines between paragraphs kept once", Answer{Text: "One.\n\n\nTwo.\n"}, "One.\n\nTwo."},
	} {
		if got := tc.a.Body(); got != tc.want {
			t.Errorf("%s: Body() = %q, want %q", tc.name, got, tc.want)
		}
	}
}
