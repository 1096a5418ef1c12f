package discord

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/careersbot/careersbot/bot"
)

// CommandName is the one slash command; its subcommands are ask,
// occupation, ksb, list and help.
const CommandName = "careers"

// Subcommands and their options.
const (
	subAsk        = "ask"
	subOccupation = "occupation"
	subKSB        = "ksb"
	subList       = "list"
	subHelp       = "help"

	optQuestion   = "question"
	optOccupation = "occupation"
	optName       = "name"
	optID         = "id"
	optKind       = "kind"
)

// Commands is what registration sends: /careers and its subcommands.
// maxQuestionChars, when above 0, caps the question option's length (Discord
// allows up to 6,000).
func Commands(maxQuestionChars int) []*discordgo.ApplicationCommand {
	str := discordgo.ApplicationCommandOptionString
	one := 1
	occupation := func(name, desc string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: str, Name: name, Description: desc, Required: required,
			Autocomplete: true, MinLength: &one, MaxLength: 100}
	}
	question := &discordgo.ApplicationCommandOption{Type: str, Name: optQuestion, Required: true, MinLength: &one,
		Description: "Your question, e.g. Which skills does a network engineer need?"}
	if maxQuestionChars > 0 {
		question.MaxLength = min(maxQuestionChars, 6000)
	}
	var kinds []*discordgo.ApplicationCommandOptionChoice
	for _, k := range bot.ListKinds {
		kinds = append(kinds, &discordgo.ApplicationCommandOptionChoice{Name: k, Value: k})
	}
	sub := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts}
	}
	return []*discordgo.ApplicationCommand{{
		Type:        discordgo.ChatApplicationCommand,
		Name:        CommandName,
		Description: "Careers answers cited from England's occupational standards",
		Options: []*discordgo.ApplicationCommandOption{
			sub(subAsk, "Ask a careers question; the answer cites the standards",
				question,
				occupation(optOccupation, "The occupation to ask about (optional)", false)),
			sub(subOccupation, "An occupation's profile: level, pay and duration where known, job titles, overview",
				occupation(optName, "The occupation: a title, job title or reference such as ST0127", true)),
			sub(subKSB, "One knowledge, skill, behaviour or duty of a standard, exactly as worded",
				occupation(optOccupation, "The occupation: a title, job title or reference such as ST0127", true),
				&discordgo.ApplicationCommandOption{Type: str, Name: optID, Required: true, MinLength: &one, MaxLength: 20,
					Description: "The passage's label, such as K12, S3, B1 or D2"}),
			sub(subList, "All of an occupation's knowledge, skills, behaviours or duties",
				occupation(optOccupation, "The occupation: a title, job title or reference such as ST0127", true),
				&discordgo.ApplicationCommandOption{Type: str, Name: optKind, Required: true, Choices: kinds,
					Description: "Which list"}),
			sub(subHelp, "What I can do, with examples (only you see it)"),
		},
	}}
}

// register overwrites the application's commands with Commands in one call:
// in the guild when one is set (instant), else globally. Overwriting with
// the same commands changes nothing, so registering again is harmless.
func (a *Adapter) register(ctx context.Context) error {
	endpoint := discordgo.EndpointApplicationGlobalCommands(a.o.AppID)
	if a.o.GuildID != "" {
		endpoint = discordgo.EndpointApplicationGuildCommands(a.o.AppID, a.o.GuildID)
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if _, err := a.rest.call(ctx, "PUT", endpoint, Commands(a.o.MaxQuestionChars)); err != nil {
		return err
	}
	return nil
}

// command is a slash command read from an interaction.
type command struct {
	sub        string
	question   string
	occupation string
	id         string
	kind       string
}

// readCommand reads /careers's subcommand and options.
func readCommand(d discordgo.ApplicationCommandInteractionData) (command, error) {
	if d.Name != CommandName {
		return command{}, fmt.Errorf("unknown command %q", d.Name)
	}
	var c command
	var opts []*discordgo.ApplicationCommandInteractionDataOption
	for _, o := range d.Options {
		if o.Type == discordgo.ApplicationCommandOptionSubCommand {
			c.sub = o.Name
			opts = o.Options
			break
		}
	}
	if c.sub == "" {
		c.sub = subHelp
	}
	for _, o := range opts {
		v := strings.TrimSpace(stringValue(o))
		switch o.Name {
		case optQuestion:
			c.question = v
		case optOccupation, optName:
			c.occupation = v
		case optID:
			c.id = v
		case optKind:
			c.kind = v
		}
	}
	return c, nil
}

// stringValue is an option's value as a string; discordgo's StringValue
// panics on any other type.
func stringValue(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch v := o.Value.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// focused is the option being typed in an autocomplete interaction.
func focused(d discordgo.ApplicationCommandInteractionData) (name, value string, ok bool) {
	var walk func(opts []*discordgo.ApplicationCommandInteractionDataOption) bool
	walk = func(opts []*discordgo.ApplicationCommandInteractionDataOption) bool {
		for _, o := range opts {
			if o.Focused {
				name, value = o.Name, stringValue(o)
				return true
			}
			if walk(o.Options) {
				return true
			}
		}
		return false
	}
	ok = walk(d.Options)
	return name, value, ok
}

// question turns a command into the bot's question. Structured commands
// carry a bot.Request, with a text that describes them.
func (c command) toQuestion() bot.Question {
	q := bot.Question{Via: "discord", Occupation: c.occupation}
	switch c.sub {
	case subAsk:
		q.Text = c.question
	case subOccupation:
		q.Text = "/careers occupation " + c.occupation
		q.Request = &bot.Request{What: bot.RequestCard}
	case subKSB:
		q.Text = "/careers ksb " + c.occupation + " " + c.id
		q.Request = &bot.Request{What: bot.RequestPassage, ID: c.id}
	case subList:
		q.Text = "/careers list " + c.occupation + " " + c.kind
		q.Request = &bot.Request{What: bot.RequestList, List: c.kind}
	}
	return q
}
