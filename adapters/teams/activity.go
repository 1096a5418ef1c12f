package teams

import (
	"encoding/json"
)

// Activity is the part of the Bot Framework's activity schema this adapter
// reads and writes: messages (text, or the value of a card's Action.Submit),
// conversationUpdate, typing. Fields it does not use are left out; unknown
// fields of an incoming activity are ignored.
type Activity struct {
	Type         string               `json:"type"`
	ID           string               `json:"id,omitempty"`
	Timestamp    string               `json:"timestamp,omitempty"`
	ServiceURL   string               `json:"serviceUrl,omitempty"`
	ChannelID    string               `json:"channelId,omitempty"`
	From         *ChannelAccount      `json:"from,omitempty"`
	Conversation *ConversationAccount `json:"conversation,omitempty"`
	Recipient    *ChannelAccount      `json:"recipient,omitempty"`
	TextFormat   string               `json:"textFormat,omitempty"`
	Text         string               `json:"text,omitempty"`
	Summary      string               `json:"summary,omitempty"`
	Locale       string               `json:"locale,omitempty"`
	ReplyToID    string               `json:"replyToId,omitempty"`
	Entities     []Entity             `json:"entities,omitempty"`
	Attachments  []Attachment         `json:"attachments,omitempty"`
	Value        json.RawMessage      `json:"value,omitempty"`
	ChannelData  json.RawMessage      `json:"channelData,omitempty"`
	MembersAdded []ChannelAccount     `json:"membersAdded,omitempty"`
}

// Activity types.
const (
	TypeMessage            = "message"
	TypeConversationUpdate = "conversationUpdate"
	TypeTyping             = "typing"
	TypeInvoke             = "invoke"
)

// ChannelAccount is a user or bot in a conversation.
type ChannelAccount struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	AADObjectID string `json:"aadObjectId,omitempty"`
	Role        string `json:"role,omitempty"`
}

// ConversationAccount is a conversation: a personal (1:1) chat, a group
// chat, or a channel (whose id names the thread: "...;messageid=...").
type ConversationAccount struct {
	ID               string `json:"id"`
	Name             string `json:"name,omitempty"`
	ConversationType string `json:"conversationType,omitempty"` // personal, groupChat, channel
	IsGroup          bool   `json:"isGroup,omitempty"`
	TenantID         string `json:"tenantId,omitempty"`
}

// Conversation types Teams sends.
const (
	ConversationPersonal = "personal"
	ConversationGroup    = "groupChat"
	ConversationChannel  = "channel"
)

// Entity is an entity of a message: a mention of the bot or someone else.
type Entity struct {
	Type      string          `json:"type"`
	Mentioned *ChannelAccount `json:"mentioned,omitempty"`
	Text      string          `json:"text,omitempty"`
}

// Attachment is a card in a message.
type Attachment struct {
	ContentType string `json:"contentType"`
	Content     any    `json:"content"`
}

// ContentTypeAdaptiveCard is an Adaptive Card attachment's content type.
const ContentTypeAdaptiveCard = "application/vnd.microsoft.card.adaptive"

// channelData is the part of Teams' channelData this adapter reads.
type channelData struct {
	Tenant *struct {
		ID string `json:"id"`
	} `json:"tenant,omitempty"`
	Team *struct {
		ID string `json:"id"`
	} `json:"team,omitempty"`
	Channel *struct {
		ID string `json:"id"`
	} `json:"channel,omitempty"`
}

func (a *Activity) channelData() channelData {
	var cd channelData
	if len(a.ChannelData) > 0 {
		_ = json.Unmarshal(a.ChannelData, &cd)
	}
	return cd
}

// tenant is the Microsoft Entra tenant an activity comes from, "" when it
// does not say (other channels than Teams).
func (a *Activity) tenant() string {
	if cd := a.channelData(); cd.Tenant != nil && cd.Tenant.ID != "" {
		return cd.Tenant.ID
	}
	if a.Conversation != nil {
		return a.Conversation.TenantID
	}
	return ""
}

// conversationType is personal, groupChat or channel.
func (a *Activity) conversationType() string {
	if a.Conversation == nil {
		return ""
	}
	if t := a.Conversation.ConversationType; t != "" {
		return t
	}
	if a.Conversation.IsGroup {
		return ConversationGroup
	}
	return ConversationPersonal
}

// userID is who sent the activity, for rate limits and the safeguarding
// alert: the Microsoft Entra object id where Teams gives it (the lead can
// find the person in the directory), else the channel's user id.
func (a *Activity) userID() string {
	if a.From == nil {
		return ""
	}
	if a.From.AADObjectID != "" {
		return a.From.AADObjectID
	}
	return a.From.ID
}

// conversationID is the activity's conversation id, or "".
func (a *Activity) conversationID() string {
	if a.Conversation == nil {
		return ""
	}
	return a.Conversation.ID
}
