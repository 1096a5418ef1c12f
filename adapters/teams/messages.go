package teams

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/careersbot/careersbot/bot"
)

// maxBodyBytes is the largest activity read; Teams' are a few KiB.
const maxBodyBytes = 256 << 10

// serveMessages is POST /teams/messages. The request's bearer token is
// checked before anything is done with it: 401 when it fails, 503 while
// the signing keys are not loaded. A valid activity is acknowledged at
// once (200) and answered after; one delivered again is acknowledged and
// not answered again.
func (a *Adapter) serveMessages(w http.ResponseWriter, r *http.Request) {
	authz := r.Header.Get("Authorization")
	if !strings.HasPrefix(authz, "Bearer ") {
		a.unauthorized(w, r, errNoBearer)
		return
	}
	v := a.verifier.Load()
	if v == nil {
		w.Header().Set("Retry-After", "5")
		http.Error(w, errAuthNotReady.Error(), http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	// The activity's channelId and serviceUrl are part of the check: the
	// token must be for them. Nothing else is read before it passes.
	var act Activity
	parseErr := json.Unmarshal(body, &act)
	if _, err := v.verify(r.Context(), authz, act.ChannelID, act.ServiceURL); err != nil {
		a.unauthorized(w, r, err)
		return
	}
	if parseErr != nil {
		http.Error(w, "the body is not an activity (JSON)", http.StatusBadRequest)
		return
	}
	if tenant := act.tenant(); tenant != "" && !strings.EqualFold(tenant, a.o.TenantID) && a.o.TenantID != "" {
		// A single-tenant bot answers its own organisation only.
		a.log.Warn("an activity from another tenant was ignored", "tenant", tenant)
		w.WriteHeader(http.StatusOK)
		return
	}
	key := act.conversationID() + "|" + act.ID
	if act.ID != "" && !a.o.Seen.First(key) {
		a.log.Debug("activity already taken; not answered again", "type", act.Type)
		w.WriteHeader(http.StatusOK)
		return
	}
	work := a.dispatch(&act)
	if work != nil && !a.goWork(r.Context(), work) {
		// Shutting down: not taken, so a redelivery may be.
		a.o.Seen.Forget(key)
		w.Header().Set("Retry-After", "5")
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) unauthorized(w http.ResponseWriter, r *http.Request, why error) {
	a.log.Warn("rejected a request to /teams/messages", "reason", why.Error(), "remote", r.RemoteAddr)
	w.Header().Set("WWW-Authenticate", `Bearer realm="careersbot", error="invalid_token"`)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

// dispatch returns the work an activity needs, or nil.
func (a *Adapter) dispatch(act *Activity) func(ctx context.Context) {
	if act.Conversation == nil || act.Conversation.ID == "" || act.ServiceURL == "" {
		return nil
	}
	switch act.Type {
	case TypeMessage:
		if act.From == nil || act.From.ID == "" || (act.Recipient != nil && act.From.ID == act.Recipient.ID) {
			return nil // itself, or no one
		}
		if len(act.Value) > 0 {
			var d submitData
			if json.Unmarshal(act.Value, &d) == nil && d.Kind == kindFeedback {
				return a.feedback(act, d)
			}
		}
		return func(ctx context.Context) { a.answerMessage(ctx, act) }
	case TypeConversationUpdate:
		if act.Recipient == nil {
			return nil
		}
		for _, m := range act.MembersAdded {
			if m.ID == act.Recipient.ID {
				return func(ctx context.Context) { a.welcome(ctx, act) }
			}
		}
	}
	return nil
}

// memoryKey names a conversation: a personal or group chat, or a channel
// post's thread (its conversation id names the thread).
func memoryKey(act *Activity) string {
	return "teams/" + act.tenant() + "/" + act.conversationID()
}

// answerMessage answers a question: a typing indicator at once, then the
// answer's cards as a reply (in a channel, in the post's thread); the
// distress reply privately.
func (a *Adapter) answerMessage(ctx context.Context, act *Activity) {
	start := time.Now()
	scope := act.conversationType()
	q := questionText(act)
	if isHelp(q) {
		a.reply(ctx, act, renderHelp(false))
		a.logQuestion(asked{scope, act.userID(), q, start}, bot.Answer{Outcome: bot.OutcomeHelp}, nil)
		return
	}
	typing := make(chan struct{})
	go func() {
		defer close(typing)
		_, err := a.connector.send(ctx, act.ServiceURL, act.Conversation.ID, a.outgoing(act, &Activity{Type: TypeTyping}))
		if err != nil && ctx.Err() == nil {
			a.log.Debug("typing indicator not sent", "error", err.Error())
		}
	}()
	key := memoryKey(act)
	question := bot.Question{Text: q, User: act.userID(), Channel: act.conversationID(), Via: "teams"}
	if a.o.Memory != nil {
		question.Context = a.o.Memory.Get(key)
	}
	ans, err := a.o.Asker.Ask(ctx, question)
	<-typing // the reply comes after the indicator, never before it
	switch {
	case err != nil:
		// A personal chat is private already; in a channel the polite
		// limit message says nothing about the asker.
		a.reply(ctx, act, textMessage(errorReply(err)))
	case isDistress(ans):
		a.distress(ctx, act, ans.Text)
	default:
		if a.o.Memory != nil {
			a.o.Memory.Remember(key, ans)
		}
		for _, page := range renderAnswer(ans, renderOptions{Feedback: ans.Outcome != bot.OutcomeHelp}) {
			if a.reply(ctx, act, page) != nil {
				break
			}
		}
	}
	a.logQuestion(asked{scope, act.userID(), q, start}, ans, err)
}

// distress sends the safeguarding reply privately: in a personal chat as
// the reply; asked in a channel or group chat, in a 1:1 chat the bot opens
// with the asker (a proactive message), with nothing about it in the
// channel. When the bot cannot open that chat, the thread gets a line that
// says nothing of why, asking the person to message the bot directly.
func (a *Adapter) distress(ctx context.Context, act *Activity, reply string) {
	if act.conversationType() == ConversationPersonal {
		a.reply(ctx, act, textMessage(reply))
		return
	}
	var me ChannelAccount
	if act.Recipient != nil {
		me = *act.Recipient
	}
	conv, err := a.connector.createPersonal(ctx, act.ServiceURL, me, *act.From, act.tenant())
	if err == nil && conv != "" {
		_, err = a.connector.send(ctx, act.ServiceURL, conv, a.outgoingTo(act, conv, textMessage(reply)))
	} else if err == nil {
		err = errors.New("the connector returned no conversation id")
	}
	if a.platformError("private reply", err) != nil {
		a.reply(ctx, act, textMessage("I'd like to answer you privately, but I couldn't start a chat with you. "+
			"Please open a chat with me (careersbot) and send your message there."))
	}
}

// feedback counts a Helpful / Not helpful press and thanks the user.
func (a *Adapter) feedback(act *Activity, d submitData) func(ctx context.Context) {
	vote := d.Vote
	if vote != "up" && vote != "down" {
		return nil
	}
	return func(ctx context.Context) {
		// Counted here, once the press is taken: a press refused during
		// shutdown is delivered again and counted then.
		occ, rest, _ := strings.Cut(d.About, "|")
		intent, rest, _ := strings.Cut(rest, "|")
		outcome, answer, _ := strings.Cut(rest, "|")
		a.o.OnFeedback(bot.Feedback{Answer: answer, Vote: vote, Occupation: occ, Via: "teams"})
		a.log.Info("teams feedback", "vote", vote, "user", a.o.HashUser(act.userID()), "occupation", occ, "intent", intent, "outcome", outcome)
		a.reply(ctx, act, textMessage("Thanks for the feedback: it helps make the answers better."))
	}
}

// welcome greets a conversation the bot was just added to, with the help.
func (a *Adapter) welcome(ctx context.Context, act *Activity) {
	_, err := a.connector.send(ctx, act.ServiceURL, act.Conversation.ID, a.outgoing(act, renderHelp(true)))
	if a.platformError("welcome", err) == nil {
		a.log.Info("teams welcome sent", "scope", act.conversationType())
	}
}

// reply posts msg as a reply to act, in its conversation (and thread).
func (a *Adapter) reply(ctx context.Context, act *Activity, msg *Activity) error {
	out := a.outgoing(act, msg)
	out.ReplyToID = act.ID
	_, err := a.connector.reply(ctx, act.ServiceURL, act.Conversation.ID, act.ID, out)
	return a.platformError("reply", err)
}

// outgoing addresses msg from the bot to act's sender, in act's
// conversation.
func (a *Adapter) outgoing(act *Activity, msg *Activity) *Activity {
	return a.outgoingTo(act, act.Conversation.ID, msg)
}

func (a *Adapter) outgoingTo(act *Activity, conversation string, msg *Activity) *Activity {
	out := *msg
	out.From = act.Recipient
	out.Recipient = act.From
	out.Conversation = &ConversationAccount{ID: conversation}
	out.ChannelID = act.ChannelID
	out.ServiceURL = act.ServiceURL
	return &out
}
