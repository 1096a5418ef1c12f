// Package metrics is careersbot's one dependency on the Prometheus client:
// the registry, every metric (names start with careersbot_), and the
// funcs the bot and adapters report through, so that they stay free of it.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the registry and the metrics.
type Metrics struct {
	reg *prometheus.Registry

	Questions         *prometheus.CounterVec
	AnswerSeconds     *prometheus.HistogramVec
	RetrievalSeconds  prometheus.Histogram
	Distress          *prometheus.CounterVec
	SafeguardAlerts   *prometheus.CounterVec
	Passages          prometheus.Gauge
	Occupations       prometheus.Gauge
	AdapterConnected  *prometheus.GaugeVec
	AdapterRetries    *prometheus.CounterVec
	Feedback          *prometheus.CounterVec
	CitationsStripped prometheus.Counter
	LLMFallbacks      *prometheus.CounterVec
	Reloads           *prometheus.CounterVec
	PlatformErrors    *prometheus.CounterVec
	InsightEvents     *prometheus.CounterVec
	LLMCircuitChanges *prometheus.CounterVec
	Replies           *prometheus.CounterVec
	Replays           *prometheus.CounterVec
}

// New registers every metric in a registry of its own (with the Go and
// process collectors).
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	// Latency buckets from 0.5 ms to 20 s: extractive answers take
	// milliseconds, generated ones seconds.
	buckets := []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20}
	m := &Metrics{
		reg: reg,
		Questions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_questions_total",
			Help: "Questions by adapter and outcome (grounded, not_grounded, refused, error)."}, []string{"adapter", "outcome"}),
		AnswerSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "careersbot_answer_seconds",
			Help: "Time to answer a question, by adapter.", Buckets: buckets}, []string{"adapter"}),
		RetrievalSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "careersbot_retrieval_seconds",
			Help: "Time of one search of the index.", Buckets: buckets}),
		Distress: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_distress_total",
			Help: "Messages that showed distress and got the reply pointing to people who can help, by kind and whether the danger was now."},
			[]string{"kind", "danger_now"}),
		SafeguardAlerts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_safeguarding_alerts_total",
			Help: "Alerts to the safeguarding lead, by kind and result (sent, failed, dropped)."}, []string{"kind", "result"}),
		Passages: prometheus.NewGauge(prometheus.GaugeOpts{Name: "careersbot_index_passages",
			Help: "Passages in the index."}),
		Occupations: prometheus.NewGauge(prometheus.GaugeOpts{Name: "careersbot_index_occupations",
			Help: "Occupations in the index."}),
		AdapterConnected: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "careersbot_adapter_connected",
			Help: "1 when the adapter is connected (or its platform answered at start), else 0."}, []string{"adapter"}),
		AdapterRetries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_adapter_retries_total",
			Help: "Times an adapter's connection was retried after a failure."}, []string{"adapter"}),
		Feedback: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_feedback_total",
			Help: "Feedback on answers, by adapter and vote (up, down)."}, []string{"adapter", "vote"}),
		CitationsStripped: prometheus.NewCounter(prometheus.CounterOpts{Name: "careersbot_llm_citations_stripped_total",
			Help: "Citation markers a generated answer made up, removed before it was sent."}),
		LLMFallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_llm_fallbacks_total",
			Help: "Generated answers replaced by the extractive one, by reason."}, []string{"reason"}),
		Reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_index_reloads_total",
			Help: "Index reloads, by result (ok, error)."}, []string{"result"}),
		PlatformErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_platform_errors_total",
			Help: "Errors from a platform's API after retries, by adapter."}, []string{"adapter"}),
		InsightEvents: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_insights_events_total",
			Help: "Insight events and votes, by result: recorded, dropped (the buffer was full or the store down too long), write_error (a batch failed and will be retried)."},
			[]string{"result"}),
		LLMCircuitChanges: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_llm_circuit_changes_total",
			Help: "Changes of the model server's circuit, by operation and the state changed to."}, []string{"op", "to"}),
		Replies: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_platform_replies_total",
			Help: "How questions acknowledged on a platform ended, by adapter and result: answered, refused (too long, too fast, busy, starting), busy (past CAREERSBOT_PENDING_MAX), failed (told so), undelivered."},
			[]string{"adapter", "result"}),
		Replays: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careersbot_platform_replays_total",
			Help: "Events, commands and interactions taken before (a resend or a replay), not answered again, by adapter."}, []string{"adapter"}),
	}
	for _, c := range []prometheus.Collector{m.Questions, m.AnswerSeconds, m.RetrievalSeconds, m.Distress, m.SafeguardAlerts, m.Passages,
		m.Occupations, m.AdapterConnected, m.AdapterRetries, m.Feedback, m.CitationsStripped, m.LLMFallbacks, m.Reloads, m.PlatformErrors,
		m.InsightEvents, m.LLMCircuitChanges, m.Replies, m.Replays} {
		f(c)
	}
	return m
}

// circuitValues are the values of careersbot_llm_circuit_state.
var circuitValues = map[string]float64{"closed": 0, "half-open": 1, "open": 2}

// WatchCircuit reports an operation's circuit, read at each scrape:
// careersbot_llm_circuit_state{op} (0 closed, 1 half-open, 2 open) and
// careersbot_llm_circuit_rejected_total{op}, the calls it failed fast.
func (m *Metrics) WatchCircuit(op string, state func() string, rejected func() int64) {
	labels := prometheus.Labels{"op": op}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careersbot_llm_circuit_state",
		Help: "The model server's circuit, by operation (chat, embed): 0 closed, 1 half-open (the next call is a probe), 2 open (calls fail fast).", ConstLabels: labels},
		func() float64 { return circuitValues[state()] }))
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careersbot_llm_circuit_rejected_total",
		Help: "Calls to the model server failed fast by its open circuit, by operation.", ConstLabels: labels},
		func() float64 { return float64(rejected()) }))
}

// WatchStore reports a bounded store's size and early evictions, read at
// each scrape: careersbot_state_entries{store} and
// careersbot_state_evictions_total{store}.
func (m *Metrics) WatchStore(store string, entries func() int, evicted func() int64) {
	labels := prometheus.Labels{"store": store}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careersbot_state_entries",
		Help: "Entries held by a bounded store of state (LRU with TTL), by store.", ConstLabels: labels},
		func() float64 { return float64(entries()) }))
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careersbot_state_evictions_total",
		Help: "Entries pushed out of a full store before their time, by store: a store that evicts often is too small.", ConstLabels: labels},
		func() float64 { return float64(evicted()) }))
}

// WatchPending reports an adapter's questions acknowledged and not yet
// answered, read at each scrape: careersbot_platform_pending{adapter}.
func (m *Metrics) WatchPending(adapter string, pending func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careersbot_platform_pending",
		Help: "Questions acknowledged on a platform and not yet answered, by adapter.", ConstLabels: prometheus.Labels{"adapter": adapter}},
		func() float64 { return float64(pending()) }))
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveAnswer records one question's outcome and latency.
func (m *Metrics) ObserveAnswer(adapter, outcome string, took time.Duration) {
	if adapter == "" {
		adapter = "unknown"
	}
	m.Questions.WithLabelValues(adapter, outcome).Inc()
	m.AnswerSeconds.WithLabelValues(adapter).Observe(took.Seconds())
}

// SetConnected records an adapter's connection state.
func (m *Metrics) SetConnected(adapter string, connected bool) {
	v := 0.0
	if connected {
		v = 1
	}
	m.AdapterConnected.WithLabelValues(adapter).Set(v)
}
