package retrieval

import (
	"html"
	"regexp"
	"strings"
)

var (
	// Tags that end a paragraph: a new block starts after them.
	reBlockTag = regexp.MustCompile(`(?i)<\s*/?\s*(p|div|li|ul|ol|h[1-6]|tr|table|section)\b[^>]*>|<\s*br\s*/?\s*>\s*<\s*br\s*/?\s*>|\r?\n\s*\r?\n`)
	reAnyTag   = regexp.MustCompile(`<[^>]*>`)
)

// htmlParagraphs turns a summary as the official API gives it (HTML, often
// entity-escaped once more: "&lt;p&gt;") into plain-text paragraphs.
func htmlParagraphs(s string) []string {
	// Undo the extra escaping first, so that tags become tags; only once,
	// and only for text that holds escaped tags and no real ones, so that
	// an escaped "<" in the text stays text.
	if !strings.Contains(s, "<") && strings.Contains(s, "&lt;") {
		s = html.UnescapeString(s)
	}
	var out []string
	for _, block := range reBlockTag.Split(s, -1) {
		text := reAnyTag.ReplaceAllString(block, " ")
		text = cleanSpace(html.UnescapeString(text))
		if text != "" {
			out = append(out, text)
		}
	}
	return out
}

// htmlText is HTMLParagraphs joined into one line.
func htmlText(s string) string {
	return strings.Join(htmlParagraphs(s), " ")
}
