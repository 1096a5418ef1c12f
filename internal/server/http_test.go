package server

import (
	"bytes"
	"strings"
	"testing"
)

// TestAddrRedactor: net/http's own log lines (a handler's panic, a bad TLS
// handshake) name the client by pseudonym.
func TestAddrRedactor(t *testing.T) {
	var out bytes.Buffer
	var hashed []string
	r := addrRedactor{next: &out, hash: func(s string) string { hashed = append(hashed, s); return "p53ud0" }}
	for _, tc := range []struct{ line, addr string }{
		{"http: panic serving 203.0.113.7:51234: boom\n", "203.0.113.7"},
		{"http: TLS handshake error from [2001:db8::1]:443: EOF\n", "2001:db8::1"},
	} {
		out.Reset()
		if n, err := r.Write([]byte(tc.line)); err != nil || n != len(tc.line) {
			t.Fatalf("Write = %d, %v", n, err)
		}
		if got := out.String(); strings.Contains(got, tc.addr) || !strings.Contains(got, "client p53ud0") {
			t.Errorf("%q logged as %q, want the pseudonym only", tc.line, got)
		}
		if hashed[len(hashed)-1] != tc.addr {
			t.Errorf("hashed %q, want the address %q", hashed[len(hashed)-1], tc.addr)
		}
	}
}
