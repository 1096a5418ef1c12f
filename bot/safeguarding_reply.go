package bot

import "strings"

// DefaultDangerNowReply goes first in the reply when the danger is now.
const DefaultDangerNowReply = "If you are in danger right now, or you have already hurt yourself or taken something, please call 999 now, or ask someone near you to call."

// DefaultSafeguardingReplies are the replies to each kind: short, kind,
// pointing to people who can help, never counselling. Every one names a
// trusted adult and the careers adviser.
var DefaultSafeguardingReplies = map[SafeguardingKind]string{
	KindSuicide: "I'm really sorry you're feeling like this. I'm only a careers bot, but you don't have to face it alone. " +
		"Please talk to someone now: call Samaritans free on 116 123, day or night, or text SHOUT to 85258. " +
		"If you're under 19 you can call Childline free on 0800 1111. " +
		"A trusted adult, such as a teacher, tutor, parent or your careers adviser, can help too. " +
		"If you are in danger right now, call 999.",
	KindAbuse: "I'm sorry this is happening to you. Nobody should hurt you or make you feel unsafe. " +
		"I'm only a careers bot, so please tell someone who can help: a trusted adult, such as a teacher, tutor or your careers adviser. " +
		"If you're under 19 you can call Childline free on 0800 1111, any time. " +
		"If you're an adult worried about a child, call the NSPCC on 0808 800 5000. " +
		"If you are in danger right now, call 999.",
	KindOnline: "I'm sorry this is happening. It isn't your fault, and you don't have to sort it out alone. " +
		"I'm only a careers bot, so please tell a trusted adult, such as a parent, teacher or your careers adviser. " +
		"If you're under 19, Childline can help, including with getting pictures taken down: call free on 0800 1111. " +
		"If you're an adult worried about a child, call the NSPCC on 0808 800 5000. " +
		"If you are in danger right now, call 999.",
	KindCrime: "I'm sorry you're in this situation. Being made to carry, sell or hold things for someone is exploitation, and you can get help to get out of it. " +
		"I'm only a careers bot, so please tell a trusted adult, such as a teacher, youth worker or your careers adviser. " +
		"If you're under 19 you can call Childline free on 0800 1111. " +
		"If you are in danger right now, call 999.",
	KindHomeless: "I'm sorry, that sounds really hard. " +
		"Please tell a trusted adult today, such as a teacher, tutor or your careers adviser, so they can help you find somewhere safe to stay; your local council must help too. " +
		"If you're under 19 you can call Childline free on 0800 1111. " +
		"If you are in danger right now, call 999.",
	KindBullying: "I'm sorry you're being treated like this; it isn't okay. " +
		"Please tell a trusted adult, such as a teacher, tutor or your careers adviser, so they can help stop it. " +
		"If you're under 19 you can call Childline free on 0800 1111, or text SHOUT to 85258 any time. " +
		"If you are in danger right now, call 999.",
	KindDistress: "It sounds like things are really hard right now, and I'm sorry. " +
		"I'm only a careers bot, so please talk to someone who can help: a trusted adult, such as a teacher, tutor, parent or your careers adviser. " +
		"You can text SHOUT to 85258 or call Samaritans free on 116 123, any time. " +
		"If you're under 19 you can call Childline free on 0800 1111. " +
		"If you are in danger right now, call 999.",
}

// SafeguardingReplies are the texts an organisation may set instead of the
// defaults. Empty fields keep the defaults.
type SafeguardingReplies struct {
	// Kinds replaces the reply to a kind.
	Kinds map[SafeguardingKind]string
	// DangerNow replaces DefaultDangerNowReply.
	DangerNow string
	// All, when set, is the whole reply to every kind without its own
	// text, with no danger-now line unless DangerNow is set: the one
	// reply CAREERSBOT_DISTRESS_REPLY sets.
	All string
}

// Reply is the text for what the detector found: the kind's own text, or
// All, or the default; after the danger-now line when the danger is now.
func (r SafeguardingReplies) Reply(s Safeguarding) string {
	all := strings.TrimSpace(r.All)
	text := strings.TrimSpace(r.Kinds[s.Kind])
	if text == "" {
		text = all
	}
	if text == "" {
		text = DefaultSafeguardingReplies[s.Kind]
	}
	if text == "" {
		text = DefaultSafeguardingReplies[KindDistress]
	}
	danger := strings.TrimSpace(r.DangerNow)
	if danger == "" && all == "" {
		danger = DefaultDangerNowReply
	}
	if s.Now && danger != "" {
		return danger + "\n\n" + text
	}
	return text
}
