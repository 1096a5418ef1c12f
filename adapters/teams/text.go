package teams

import (
	"html"
	"net"
	"regexp"
	"strings"
)

// reAt is a mention as Teams writes it in a message's text.
var reAt = regexp.MustCompile(`(?is)<at(?:\s[^>]*)?>(.*?)</at>`)

// reTag is any other markup tag left in a message's text.
var reTag = regexp.MustCompile(`(?s)<[^<>]{1,200}>`)

// questionText turns a message's text as Teams sends it into the question:
// the bot's own mentions dropped (by their entities, and any mention of
// the bot's name), other people's mentions kept as their names, other tags
// dropped, HTML entities decoded, spaces collapsed.
func questionText(act *Activity) string {
	botNames := map[string]bool{}
	if act.Recipient != nil && act.Recipient.Name != "" {
		botNames[strings.ToLower(act.Recipient.Name)] = true
	}
	for _, e := range act.Entities {
		if e.Type != "mention" || e.Mentioned == nil || act.Recipient == nil || e.Mentioned.ID != act.Recipient.ID {
			continue
		}
		if m := reAt.FindStringSubmatch(e.Text); m != nil {
			botNames[strings.ToLower(strings.TrimSpace(html.UnescapeString(m[1])))] = true
		}
		if e.Mentioned.Name != "" {
			botNames[strings.ToLower(e.Mentioned.Name)] = true
		}
	}
	t := reAt.ReplaceAllStringFunc(act.Text, func(tag string) string {
		name := strings.TrimSpace(html.UnescapeString(reAt.FindStringSubmatch(tag)[1]))
		if botNames[strings.ToLower(name)] || len(botNames) == 0 {
			return " "
		}
		return " " + name + " "
	})
	t = reTag.ReplaceAllString(t, " ")
	t = html.UnescapeString(t)
	return strings.Join(strings.Fields(t), " ")
}

// isHelp reports whether a message asks what the bot can do rather than a
// careers question: empty, "help", "?" and the like.
func isHelp(q string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	q = strings.TrimRight(q, "?!. ")
	switch q {
	case "", "help", "help me", "commands", "usage", "hi", "hello":
		return true
	}
	return false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
