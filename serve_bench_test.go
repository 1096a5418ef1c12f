package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The load mix: three questions in four name an occupation, one in four
// searches across all occupations.
var loadQuestions = []string{
	"Which skills does a network engineer need?",
	"Does a commis chef need to know about food allergens?",
	"What level is the cyber security technician apprenticeship?",
	"Which apprenticeships involve routing and switching?",
	"How much does a network engineer earn?",
	"Do cyber security technicians learn about cryptography?",
	"What knowledge does a software developer apprentice need?",
	"Which apprenticeships involve food safety?",
}

// BenchmarkServeAsk is the load test of serve: 64 concurrent clients on
// /v1/ask of a real server on loopback, over the default corpus, the rate
// limit off. It reports answers/s and the p50 and p99 latency, and fails on
// any error.
func BenchmarkServeAsk(b *testing.B) {
	dataDir, err := os.MkdirTemp("", "careersbot-load-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dataDir) })
	cfg := serveConfig(b, map[string]string{
		"CAREERSBOT_SEEDS":              "",
		"CAREERSBOT_DATA_DIR":           dataDir,
		"CAREERSBOT_RATE_PER_MINUTE":    "0",
		"CAREERSBOT_MAX_QUESTION_CHARS": "1000",
	})
	_, url, _ := startServer(b, cfg)
	const clients = 64
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	bodies := make([][]byte, len(loadQuestions))
	for i, q := range loadQuestions {
		bodies[i], _ = json.Marshal(map[string]string{"question": q})
	}
	// Warm the connections and the caches.
	for _, body := range bodies {
		resp, err := client.Post(url+"/v1/ask", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	var next atomic.Int64
	var failures atomic.Int64
	lat := make([][]time.Duration, clients)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				resp, err := client.Post(url+"/v1/ask", "application/json", bytes.NewReader(bodies[i%int64(len(bodies))]))
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failures.Add(1)
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "answers/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
