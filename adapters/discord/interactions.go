package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/careersbot/careersbot/adapters/internal/work"
	"github.com/careersbot/careersbot/bot"
)

// maxBodyBytes is the largest interaction body read; Discord's are a few KiB.
const maxBodyBytes = 1 << 20

// response is an interaction's first response.
type response struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data any                               `json:"data,omitempty"`
}

type choicesData struct {
	Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
}

// respondFunc sends an interaction's first response: the reply to Discord's
// request in HTTP mode, a call to the callback endpoint on the gateway.
type respondFunc func(ctx context.Context, r response) error

// serveInteraction is POST /discord/interactions: every request is checked
// (an Ed25519 signature over the timestamp and the body, by the
// application's public key, and a timestamp no more than 5 minutes off)
// before anything else; a failed check is 401.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	if why := a.verify(r.Header, body); why != "" {
		// The sender only as a pseudonym: no raw address in the logs.
		a.o.Logger.Warn("discord interaction refused", "reason", why, "remote", a.o.HashUser(remoteHost(r.RemoteAddr)))
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var ic discordgo.Interaction
	if err := json.Unmarshal(body, &ic); err != nil {
		http.Error(w, "invalid interaction", http.StatusBadRequest)
		return
	}
	// Discord sends an interaction once: the same id again is a replay
	// of a signed request within the signature window.
	if ic.Type != discordgo.InteractionPing && !a.firstTime(&ic) {
		http.Error(w, "interaction already handled", http.StatusConflict)
		return
	}
	responded := false
	respond := func(_ context.Context, resp response) error {
		if responded {
			return errors.New("the interaction already has its response")
		}
		responded = true
		b, err := json.Marshal(resp)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		if _, err := w.Write(b); err != nil {
			return err
		}
		// Out to Discord now: what follows (an edit, follow-ups) needs
		// the response to have arrived.
		_ = http.NewResponseController(w).Flush()
		return nil
	}
	if ic.Type == discordgo.InteractionPing {
		_ = respond(r.Context(), response{Type: discordgo.InteractionResponsePong})
		return
	}
	a.interaction(r.Context(), &ic, respond)
	if !responded {
		http.Error(w, "unsupported interaction", http.StatusBadRequest)
	}
}

// verify checks an HTTP interaction's signature and timestamp; it returns
// why the check failed, or "".
func (a *Adapter) verify(h http.Header, body []byte) string {
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return "missing or malformed X-Signature-Ed25519"
	}
	ts := h.Get("X-Signature-Timestamp")
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "missing or malformed X-Signature-Timestamp"
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(a.pub, msg, sig) {
		return "bad signature"
	}
	// The signature covers the timestamp: an old one is a replay.
	skew := a.o.Now().Sub(time.Unix(secs, 0))
	if skew > MaxTimestampSkew || skew < -MaxTimestampSkew {
		return "timestamp " + ts + " is more than 5 minutes off"
	}
	return ""
}

// firstTime records an interaction and reports whether it is new; a
// replay is counted and logged.
func (a *Adapter) firstTime(ic *discordgo.Interaction) bool {
	if ic.ID == "" || a.seen.First("discord:interaction:"+ic.ID) {
		return true
	}
	a.o.OnReplay()
	a.o.Logger.Info("discord interaction already handled; not answered again", "user", a.o.HashUser(userID(ic)))
	return false
}

// remoteHost is the address part of a remote address.
func remoteHost(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

// gatewayInteraction handles an INTERACTION_CREATE from the gateway: it
// responds at the callback endpoint.
func (a *Adapter) gatewayInteraction(ic *discordgo.Interaction) {
	if !a.firstTime(ic) {
		return // a resume may deliver an event again
	}
	ctx := context.Background()
	respond := func(ctx context.Context, resp response) error {
		ctx, cancel := context.WithTimeout(ctx, respondTimeout)
		defer cancel()
		_, err := a.rest.call(ctx, "POST", discordgo.EndpointInteractionResponse(ic.ID, ic.Token), resp)
		return err
	}
	a.interaction(ctx, ic, respond)
}

// interaction handles a command or an autocomplete; anything else gets no
// response.
func (a *Adapter) interaction(ctx context.Context, ic *discordgo.Interaction, respond respondFunc) {
	switch ic.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		a.autocomplete(ctx, ic, respond)
	case discordgo.InteractionApplicationCommand:
		a.command(ctx, ic, respond)
	default:
		a.o.Logger.Debug("discord interaction ignored", "type", int(ic.Type))
	}
}

// autocomplete offers occupations for the option being typed: at most 25,
// names that start with it and close matches first.
func (a *Adapter) autocomplete(ctx context.Context, ic *discordgo.Interaction, respond respondFunc) {
	data, _ := ic.Data.(discordgo.ApplicationCommandInteractionData)
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if name, partial, ok := focused(data); ok && (name == optOccupation || name == optName) && a.o.Complete != nil {
		// The option is at most 100 characters long (its definition):
		// a longer one costs no more than that.
		if r := []rune(partial); len(r) > 100 {
			partial = string(r[:100])
		}
		for _, c := range a.o.Complete(partial, maxChoices) {
			if len(choices) == maxChoices {
				break
			}
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{
				Name: choiceName(c), Value: truncate(c.Reference, maxChoiceValue)})
		}
	}
	if err := respond(ctx, response{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: choicesData{choices}}); err != nil {
		a.platformError("autocomplete response", err)
	}
}

// outcome is what the Asker returned.
type outcome struct {
	answer bot.Answer
	err    error
}

// command answers a slash command: in the first response when the answer
// is ready within QuickAnswer, else with a deferred response (type 5) and
// then one edit of @original when it is ready, plus follow-ups for an answer
// longer than one message.
func (a *Adapter) command(ctx context.Context, ic *discordgo.Interaction, respond respondFunc) {
	start := time.Now()
	data, _ := ic.Data.(discordgo.ApplicationCommandInteractionData)
	cmd, err := readCommand(data)
	user := userID(ic)
	if err != nil {
		// A command this version does not know (an old registration):
		// say what it does know.
		a.o.Logger.Warn("discord command not understood", "error", err.Error(), "user", a.o.HashUser(user))
		cmd.sub = subHelp
	}
	if cmd.sub == subHelp || (cmd.sub != subAsk && cmd.sub != subOccupation && cmd.sub != subKSB && cmd.sub != subList) {
		if err := respond(ctx, messageResponse(renderHelp())); err != nil {
			a.platformError("help response", err)
		}
		a.log(cmd, user, "help", false, 1, start)
		return
	}
	q := cmd.toQuestion()
	q.User = user
	q.Channel = ic.ChannelID
	memKey := ""
	if a.o.Memory != nil && ic.ChannelID != "" {
		memKey = "discord:" + ic.ChannelID
		q.Context = a.o.Memory.Get(memKey)
	}

	// A place among the commands being answered, taken before any
	// response: past the bound, the first response says "busy".
	slot, err := a.jobs.Reserve()
	if err != nil {
		if rerr := respond(ctx, messageResponse(renderBusy(err))); rerr != nil {
			a.platformError("busy response", rerr)
		}
		a.o.OnReply(ReplyBusy)
		a.log(cmd, user, "busy", false, 1, start)
		return
	}
	workCtx, cancel := slot.Context(ctx)
	result := make(chan outcome, 1)
	go func() {
		ans, err := a.o.Asker.Ask(workCtx, q)
		if err == nil && memKey != "" {
			a.o.Memory.Remember(memKey, ans)
		}
		result <- outcome{ans, err}
	}()
	finish := func() { cancel(); slot.Release() }
	pending := pendingCommand{ic: ic, cmd: cmd, user: user, start: start, result: result, respond: respond, finish: finish}

	if a.o.QuickAnswer < 0 {
		a.deferred(ctx, workCtx, pending)
		return
	}
	quick := time.NewTimer(a.o.QuickAnswer)
	defer quick.Stop()
	var out outcome
	select {
	case out = <-result:
	case <-quick.C:
		a.deferred(ctx, workCtx, pending)
		return
	}
	msgs := a.messages(out, user)
	if err := respond(ctx, messageResponse(msgs[0])); err != nil {
		a.platformError("response", err)
		a.o.OnReply(ReplyUndelivered)
		finish()
		return
	}
	a.log(cmd, user, outcomeName(out), false, len(msgs), start)
	if len(msgs) == 1 {
		a.o.OnReply(replyResult(out.err, true))
		finish()
		return
	}
	go func() {
		defer finish()
		a.followUps(workCtx, ic, msgs[1:])
		a.o.OnReply(replyResult(out.err, true))
	}()
}

// result classifies how a command ended, for OnReply.
func replyResult(err error, delivered bool) string {
	switch {
	case !delivered:
		return ReplyUndelivered
	case err == nil:
		return ReplyAnswered
	case bot.Refused(err):
		return ReplyRefused
	}
	return ReplyFailed
}

// pendingCommand is a command whose answer is being worked on: what its
// delivery needs once the answer is ready.
type pendingCommand struct {
	ic      *discordgo.Interaction
	cmd     command
	user    string
	start   time.Time
	result  <-chan outcome
	respond respondFunc
	finish  func() // releases the command's slot; called once it is delivered
}

// deferred acknowledges the interaction with a deferred response and
// delivers the answer when it is ready.
func (a *Adapter) deferred(ctx, workCtx context.Context, p pendingCommand) {
	if err := p.respond(ctx, response{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		a.platformError("deferred response", err)
		p.finish()
		return
	}
	go func() {
		defer p.finish()
		var out outcome
		select {
		case out = <-p.result:
		case <-workCtx.Done():
			out = outcome{err: workCtx.Err()}
		}
		// The answer, or the apology, goes out even when the work's
		// context has just ended (its timeout, a shutdown).
		dctx, cancel := work.Notice(workCtx)
		defer cancel()
		msgs := a.messages(out, p.user)
		delivered := true
		if msgs[0].Ephemeral {
			// The deferred response shows in the channel; what only the
			// asker should see goes in an ephemeral follow-up, and the
			// placeholder goes.
			a.deleteOriginal(dctx, p.ic)
			delivered = a.followUps(dctx, p.ic, msgs) > 0
		} else {
			if err := a.editOriginal(dctx, p.ic, msgs[0]); err != nil {
				a.platformError("edit of the deferred response", err)
				// The placeholder must not stay "thinking": say so.
				if a.editOriginal(dctx, p.ic, renderError(errors.New("edit failed"))) == nil {
					a.o.OnReply(ReplyFailed)
				} else {
					a.o.OnReply(ReplyUndelivered)
				}
				return
			}
			a.followUps(dctx, p.ic, msgs[1:])
		}
		a.o.OnReply(replyResult(out.err, delivered))
		a.log(p.cmd, p.user, outcomeName(out), true, len(msgs), p.start)
	}()
}

// messages renders an outcome.
func (a *Adapter) messages(out outcome, user string) []message {
	if out.err != nil {
		if !bot.Refused(out.err) {
			a.o.Logger.Error("discord answer failed", "error", out.err.Error(), "user", a.o.HashUser(user))
		}
		return []message{renderError(out.err)}
	}
	return renderAnswer(out.answer)
}

func outcomeName(o outcome) string {
	if o.err != nil {
		return bot.ErrorReason(o.err)
	}
	if o.answer.Outcome != "" {
		return string(o.answer.Outcome)
	}
	if o.answer.Grounded {
		return string(bot.OutcomeGrounded)
	}
	return string(bot.OutcomeNotGrounded)
}

func messageResponse(m message) response {
	return response{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: m.wire(false)}
}

func (a *Adapter) appID(ic *discordgo.Interaction) string {
	if ic.AppID != "" {
		return ic.AppID
	}
	return a.o.AppID
}

// editOriginal replaces the deferred response with the answer's first
// message.
func (a *Adapter) editOriginal(ctx context.Context, ic *discordgo.Interaction, m message) error {
	_, err := a.rest.call(ctx, "PATCH", discordgo.EndpointWebhookMessage(a.appID(ic), ic.Token, "@original"), m.wire(true))
	return err
}

func (a *Adapter) deleteOriginal(ctx context.Context, ic *discordgo.Interaction) {
	if _, err := a.rest.call(ctx, "DELETE", discordgo.EndpointWebhookMessage(a.appID(ic), ic.Token, "@original"), nil); err != nil {
		a.platformError("delete of the deferred response", err)
	}
}

// followUps sends the rest of a long answer, in order; it stops at the
// first that fails, and returns how many were sent.
func (a *Adapter) followUps(ctx context.Context, ic *discordgo.Interaction, msgs []message) int {
	for i, m := range msgs {
		if _, err := a.rest.call(ctx, "POST", discordgo.EndpointWebhookToken(a.appID(ic), ic.Token), m.wire(false)); err != nil {
			a.platformError(fmt.Sprintf("follow-up %d of %d", i+1, len(msgs)), err)
			return i
		}
	}
	return len(msgs)
}

func (a *Adapter) platformError(what string, err error) {
	a.o.OnPlatformError()
	a.o.Logger.Warn("discord API call failed", "call", what, "error", err.Error())
}

// log records one command: never the question unless LogQuestions, and
// the user only as a pseudonym.
func (a *Adapter) log(cmd command, user, outcome string, deferred bool, messages int, start time.Time) {
	attrs := []any{"command", cmd.sub, "outcome", outcome, "deferred", deferred, "messages", messages,
		"took_ms", float64(time.Since(start).Microseconds()) / 1000, "user", a.o.HashUser(user)}
	if cmd.occupation != "" {
		attrs = append(attrs, "occupation", cmd.occupation)
	}
	if a.o.LogQuestions && cmd.question != "" {
		attrs = append(attrs, "question", cmd.question)
	}
	a.o.Logger.Info("discord command", attrs...)
}

// userID is who invoked the interaction: the member in a guild, the user
// in a DM.
func userID(ic *discordgo.Interaction) string {
	if ic.Member != nil && ic.Member.User != nil {
		return ic.Member.User.ID
	}
	if ic.User != nil {
		return ic.User.ID
	}
	return ""
}
