// Package openaifake is an OpenAI-compatible server for tests, at the wire:
// /v1/chat/completions (streamed with server-sent events, or not) and
// /v1/embeddings, on a real loopback HTTP server. By default it answers a
// chat from the passages it is sent, citing each by its id, as a
// well-behaved model would; tests set Reply, failures and delays to play a
// badly behaved one.
package openaifake

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the fake. Set its fields before the requests they should shape.
type Server struct {
	*httptest.Server

	mu sync.Mutex
	// Reply, when set, writes the chat reply from the system and user
	// messages; nil answers from the passages.
	Reply func(system, user string) string
	// FailNext answers the next n requests (of any kind) with Status.
	FailNext   int
	FailStatus int
	// Hang makes chat requests wait until the client gives up.
	Hang bool
	// Dims is the length of embeddings (default 64).
	Dims int

	chats      []ChatRequest
	embeddings [][]string
	failures   int
}

// ChatRequest is what a chat request carried.
type ChatRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

// New starts a fake on 127.0.0.1, closed when the test ends. Its URL + "/v1"
// is the base URL to configure.
func New(t testing.TB) *Server {
	s := &Server{FailStatus: http.StatusTooManyRequests, Dims: 64}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/embeddings", s.embed)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the URL to give careersbot: with the version path.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Chats returns the chat requests received.
func (s *Server) Chats() []ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ChatRequest(nil), s.chats...)
}

// EmbeddingCalls returns the inputs of each embeddings request.
func (s *Server) EmbeddingCalls() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]string(nil), s.embeddings...)
}

// Failures is how many requests were answered with FailStatus.
func (s *Server) Failures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failures
}

// Set changes the fake's behaviour under its lock.
func (s *Server) Set(f func(s *Server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *Server) fail(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.FailNext <= 0 {
		return false
	}
	s.FailNext--
	s.failures++
	if s.FailStatus == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "0")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.FailStatus)
	fmt.Fprintf(w, `{"error":{"message":"fake failure %d","type":"fake","code":"%d"}}`, s.FailStatus, s.FailStatus)
	return true
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req ChatRequest
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.chats = append(s.chats, req)
	hang, reply := s.Hang, s.Reply
	s.mu.Unlock()
	if s.fail(w) {
		return
	}
	if hang {
		<-r.Context().Done()
		return
	}
	var system, user string
	for _, m := range req.Messages {
		switch m.Role {
		case "system":
			system = m.Content
		case "user":
			user = m.Content
		}
	}
	text := AnswerFromPassages(user)
	if reply != nil {
		text = reply(system, user)
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]string{"role": "assistant", "content": text}}},
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher, _ := w.(http.Flusher)
	for _, piece := range chunks(text, 12) {
		b, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": time.Now().Unix(), "model": req.Model,
			"choices": []map[string]any{{"index": 0, "delta": map[string]string{"content": piece}}},
		})
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func chunks(s string, n int) []string {
	var out []string
	r := []rune(s)
	for len(r) > n {
		out = append(out, string(r[:n]))
		r = r[n:]
	}
	return append(out, string(r))
}

var rePassage = regexp.MustCompile(`(?s)<passage id="([^"]+)"[^>]*>\n(.*?)\n</passage>`)

// Passage is a passage as the prompt carried it.
type Passage struct{ ID, Text string }

// Passages parses the passage blocks of a user message.
func Passages(user string) []Passage {
	var out []Passage
	for _, m := range rePassage.FindAllStringSubmatch(user, -1) {
		out = append(out, Passage{ID: m[1], Text: m[2]})
	}
	return out
}

// AnswerFromPassages is the well-behaved model: it restates up to five of
// the passages it was sent, in order, each with its citation.
func AnswerFromPassages(user string) string {
	ps := Passages(user)
	if len(ps) == 0 {
		return "The standards do not cover that."
	}
	var b strings.Builder
	b.WriteString("Here is what the standards say. ")
	for i, p := range ps {
		if i == 5 {
			break
		}
		text := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&amp;", "&").Replace(p.Text)
		fmt.Fprintf(&b, "%s [%s] ", strings.TrimSpace(text), p.ID)
	}
	return strings.TrimSpace(b.String())
}

func (s *Server) embed(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Input any    `json:"input"`
		Model string `json:"model"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	var inputs []string
	switch v := req.Input.(type) {
	case string:
		inputs = []string{v}
	case []any:
		for _, x := range v {
			str, _ := x.(string)
			inputs = append(inputs, str)
		}
	}
	s.mu.Lock()
	s.embeddings = append(s.embeddings, inputs)
	dims := s.Dims
	s.mu.Unlock()
	if s.fail(w) {
		return
	}
	data := make([]map[string]any, len(inputs))
	for i, in := range inputs {
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": Vector(in, dims)}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": req.Model, "data": data,
		"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
}

// Vector is the fake model's embedding: hashed lower-case words, normalised,
// so texts that share words are close.
func Vector(text string, dims int) []float32 {
	v := make([]float32, dims)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%uint32(dims)]++
	}
	var sum float64
	for _, x := range v {
		sum += float64(x * x)
	}
	if sum == 0 {
		v[0] = 1
		return v
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
	return v
}
