package discordfake

import (
	"encoding/json"
	"fmt"
	"unicode/utf16"
)

// Discord's documented limits on a message.
const (
	LimitContent     = 2000
	LimitEmbeds      = 10
	LimitTitle       = 256
	LimitDescription = 4096
	LimitFields      = 25
	LimitFieldName   = 256
	LimitFieldValue  = 1024
	LimitFooter      = 2048
	LimitAuthor      = 256
	LimitEmbedsTotal = 6000
)

// Message is the part of a message body the checks read.
type Message struct {
	Content         *string          `json:"content"`
	Embeds          []Embed          `json:"embeds"`
	AllowedMentions *AllowedMentions `json:"allowed_mentions"`
	Flags           int              `json:"flags"`
}

// Embed is one embed of a message.
type Embed struct {
	Title       string  `json:"title"`
	URL         string  `json:"url"`
	Description string  `json:"description"`
	Fields      []Field `json:"fields"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
}

// Field is one field of an embed.
type Field struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

// AllowedMentions is a message's allowed_mentions.
type AllowedMentions struct {
	Parse *[]string `json:"parse"`
	Roles []string  `json:"roles"`
	Users []string  `json:"users"`
}

// MentionsOff is true when allowed_mentions is present and allows nothing:
// "parse" is an empty list and no role or user is named.
func (m Message) MentionsOff() bool {
	am := m.AllowedMentions
	return am != nil && am.Parse != nil && len(*am.Parse) == 0 && len(am.Roles) == 0 && len(am.Users) == 0
}

// n counts characters as UTF-16 code units, the strictest reading of
// Discord's limits.
func n(s string) int { return len(utf16.Encode([]rune(s))) }

// CheckMessage returns every way a message body breaks Discord's limits.
func CheckMessage(body []byte) []string {
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		return []string{"message body is not JSON: " + err.Error()}
	}
	return m.Check()
}

// Check returns every way m breaks Discord's limits.
func (m Message) Check() []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if m.Content != nil && n(*m.Content) > LimitContent {
		bad("content has %d characters, over %d", n(*m.Content), LimitContent)
	}
	if len(m.Embeds) > LimitEmbeds {
		bad("%d embeds, over %d", len(m.Embeds), LimitEmbeds)
	}
	if (m.Content == nil || *m.Content == "") && len(m.Embeds) == 0 {
		bad("empty message: no content and no embeds")
	}
	total := 0
	for i, e := range m.Embeds {
		size := n(e.Title) + n(e.Description)
		if n(e.Title) > LimitTitle {
			bad("embed %d: title has %d characters, over %d", i, n(e.Title), LimitTitle)
		}
		if n(e.Description) > LimitDescription {
			bad("embed %d: description has %d characters, over %d", i, n(e.Description), LimitDescription)
		}
		if len(e.Fields) > LimitFields {
			bad("embed %d: %d fields, over %d", i, len(e.Fields), LimitFields)
		}
		for j, f := range e.Fields {
			if f.Name == "" || f.Value == "" {
				bad("embed %d field %d: empty name or value", i, j)
			}
			if n(f.Name) > LimitFieldName {
				bad("embed %d field %d: name has %d characters, over %d", i, j, n(f.Name), LimitFieldName)
			}
			if n(f.Value) > LimitFieldValue {
				bad("embed %d field %d: value has %d characters, over %d", i, j, n(f.Value), LimitFieldValue)
			}
			size += n(f.Name) + n(f.Value)
		}
		if e.Footer != nil {
			if n(e.Footer.Text) > LimitFooter {
				bad("embed %d: footer has %d characters, over %d", i, n(e.Footer.Text), LimitFooter)
			}
			size += n(e.Footer.Text)
		}
		if e.Author != nil {
			if n(e.Author.Name) > LimitAuthor {
				bad("embed %d: author has %d characters, over %d", i, n(e.Author.Name), LimitAuthor)
			}
			size += n(e.Author.Name)
		}
		if e.Title == "" && e.Description == "" && len(e.Fields) == 0 && e.Footer == nil && e.Author == nil {
			bad("embed %d is empty", i)
		}
		total += size
	}
	if total > LimitEmbedsTotal {
		bad("embeds hold %d characters in all, over %d", total, LimitEmbedsTotal)
	}
	return out
}

// CheckCommand returns every way a command definition breaks Discord's
// rules that a registration would trip on.
func CheckCommand(c map[string]any) []string {
	var out []string
	name, _ := c["name"].(string)
	if name == "" || len(name) > 32 {
		out = append(out, fmt.Sprintf("command name %q must have 1 to 32 characters", name))
	}
	var walk func(where string, opts []any, depth int)
	walk = func(where string, opts []any, depth int) {
		if len(opts) > 25 {
			out = append(out, where+": over 25 options")
		}
		optionalSeen := false
		for _, o := range opts {
			m, _ := o.(map[string]any)
			oname, _ := m["name"].(string)
			desc, _ := m["description"].(string)
			at := where + " " + oname
			if oname == "" || len(oname) > 32 {
				out = append(out, at+": option name must have 1 to 32 characters")
			}
			if desc == "" || n(desc) > 100 {
				out = append(out, at+": description must have 1 to 100 characters")
			}
			typ, _ := m["type"].(float64)
			required, _ := m["required"].(bool)
			if typ > 2 {
				if required && optionalSeen {
					out = append(out, at+": a required option after an optional one")
				}
				if !required {
					optionalSeen = true
				}
			}
			if ac, _ := m["autocomplete"].(bool); ac {
				if ch, _ := m["choices"].([]any); len(ch) > 0 {
					out = append(out, at+": autocomplete with choices")
				}
			}
			if sub, _ := m["options"].([]any); len(sub) > 0 {
				if depth > 2 {
					out = append(out, at+": nested too deep")
				}
				walk(at, sub, depth+1)
			}
		}
	}
	desc, _ := c["description"].(string)
	if desc == "" || n(desc) > 100 {
		out = append(out, fmt.Sprintf("command %q: description must have 1 to 100 characters", name))
	}
	opts, _ := c["options"].([]any)
	walk(name, opts, 1)
	return out
}
