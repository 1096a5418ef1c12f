package config

import (
	"encoding/json"
	"log/slog"
)

// Redacted is what a secret prints as.
const Redacted = "REDACTED"

// Secret is a token, key or password. It prints, logs and marshals as
// REDACTED, so that a setting dumped by mistake leaks nothing; Reveal gives
// the value to the code that must send it.
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String redacts the secret for fmt's %s and %v.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// GoString redacts the secret for fmt's %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// LogValue redacts the secret in slog records.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON redacts the secret in JSON.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText redacts the secret in text encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
