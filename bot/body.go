package bot

import (
	"regexp"
	"strings"
)

// reMarker finds a citation marker in an answer's text: "[ST0127 K12]".
var reMarker = regexp.MustCompile(`\[((?:ST|FA)\d{4}) ([A-Za-z0-9-]+)\]`)

// Body is the answer's text for a platform that shows the citations
// beneath it and the source line apart (Slack's context line, a Teams
// card's footer): without the source line, and without the list lines that
// only quote passages the citations show whole. An answer that is nothing
// but such lines gives its lead.
func (a Answer) Body() string {
	text := a.Text
	if a.Source != "" {
		text = strings.Replace(text, a.Source, "", 1)
	}
	cited := map[string]bool{}
	for _, c := range a.Citations {
		cited[c.Marker()] = true
	}
	var out []string
	blank := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " ")
		if strings.HasPrefix(line, "- ") && onlyQuotesCited(line, cited) {
			continue
		}
		if strings.TrimSpace(line) == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return strings.TrimSpace(a.Lead)
	}
	return strings.Join(out, "\n")
}

// onlyQuotesCited reports whether a list line's markers are all of cited
// passages (a line with none quotes nothing).
func onlyQuotesCited(line string, cited map[string]bool) bool {
	ms := reMarker.FindAllString(line, -1)
	if len(ms) == 0 {
		return false
	}
	for _, m := range ms {
		if !cited[m] {
			return false
		}
	}
	return true
}
