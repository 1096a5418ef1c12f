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
	// reDecodedTag is markup that decoding entities made ("&lt;b&gt;"
	// became "<b>"): an element with its script or style, a comment, or a
	// tag whose name follows "<" at once. A "<" in prose ("below <5°C",
	// "a < b") is none of these and stays.
	reDecodedTag = regexp.MustCompile(`(?is)<(?:script|style)\b[^>]*>.*?</(?:script|style)\s*>|<!--.*?-->|</?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>`)
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
		// Scripts, styles and comments go whole, then every tag.
		text := reAnyTag.ReplaceAllString(reDecodedTag.ReplaceAllString(block, " "), " ")
		// Entities decoded may make tags again: they go too, so that no
		// markup reaches an answer.
		text = reDecodedTag.ReplaceAllString(html.UnescapeString(text), " ")
		text = cleanSpace(text)
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

// htmlList is HTMLText of each item, without the empty ones and repeats:
// job titles.
func htmlList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, htmlText(s))
	}
	return cleanList(out)
}
