package teams

// Seen remembers activities already taken, so that one the Bot Framework
// delivers again (after a timeout, or a replay) is answered once. It is
// declared here, by its one consumer, with the methods of the bounded
// store serve passes (internal/store.Dedupe), so a store shared by
// replicas plugs in behind them.
type Seen interface {
	// First records key and reports whether it is new.
	First(key string) bool
	// Forget drops key, so that a redelivery is taken: for an activity
	// that was accepted but could not be worked on.
	Forget(key string)
}
