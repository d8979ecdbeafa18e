// Package server wires kefu's HTTP side together: the REST API, health and
// readiness checks, Prometheus metrics, request ids, structured logs and a
// graceful shutdown that lets in-flight requests finish.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kefu-dev/kefu/internal/httpapi"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Server is kefu's HTTP server.
type Server struct {
	st      *store.Store
	log     *slog.Logger
	reg     *prometheus.Registry
	reqs    *prometheus.CounterVec
	latency *prometheus.HistogramVec
	handler http.Handler
}

// Site is a part of the server that adds its own routes (the workspace).
type Site interface {
	Register(mux *http.ServeMux, wrap func(pattern string, h http.Handler) http.Handler)
}

// New builds the server's handler tree: the API, then each site.
func New(st *store.Store, api *httpapi.API, log *slog.Logger, sites ...Site) *Server {
	s := &Server{st: st, log: log, reg: prometheus.NewRegistry()}
	s.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kefu_http_requests_total", Help: "HTTP requests by route, method and status code."}, []string{"route", "method", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kefu_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"route", "method"})
	s.reg.MustRegister(s.reqs, s.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(st.DB(), string(st.Dialect())),
		newTicketCollector(st))

	mux := http.NewServeMux()
	api.Register(mux, s.instrument)
	for _, site := range sites {
		site.Register(mux, s.instrument)
	}
	mux.Handle("GET /healthz", s.instrument("GET /healthz", http.HandlerFunc(s.healthz)))
	mux.Handle("GET /readyz", s.instrument("GET /readyz", http.HandlerFunc(s.readyz)))
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	s.handler = s.requestID(s.recover(mux))
	return s
}

// Handler is the root handler, for tests and for http.Server.
func (s *Server) Handler() http.Handler { return s.handler }

// Run serves on ln until ctx is cancelled, then stops taking connections and
// gives in-flight requests up to grace to finish.
func (s *Server) Run(ctx context.Context, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing in-flight requests", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz says whether this node can serve: the database answers and has
// every migration this binary expects.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.st.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "database unreachable: %v\n", err)
		return
	}
	pending, err := s.st.PendingMigrations(ctx)
	if err != nil || len(pending) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "migrations pending: %v %v\n", pending, err)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

type ctxRequestID struct{}

// RequestID returns the id of the request ctx belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxRequestID{}).(string)
	return id
}

// requestID gives every request an id (the caller's X-Request-Id if it sent
// a sane one), echoes it and puts it in the context for logs.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 100 {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxRequestID{}, id)))
	})
}

// recover turns a panic into a 500 in the error shape and a log line, so
// one bad request never takes the node down.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "request_id", RequestID(r.Context()), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"error":{"code":"internal","message":"something went wrong on our side"}}` + "\n"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts, times and logs requests under their route pattern.
func (s *Server) instrument(pattern string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		s.reqs.WithLabelValues(pattern, r.Method, strconv.Itoa(sw.status)).Inc()
		s.latency.WithLabelValues(pattern, r.Method).Observe(d.Seconds())
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		} else if sw.status >= 400 {
			level = slog.LevelInfo
		}
		s.log.LogAttrs(r.Context(), level, "request", slog.String("request_id", RequestID(r.Context())),
			slog.String("method", r.Method), slog.String("route", pattern), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes), slog.Duration("duration", d))
	})
}

// ticketCollector reports tickets by status, counted at most every 15 s so a
// busy scraper cannot load the database.
type ticketCollector struct {
	st   *store.Store
	desc *prometheus.Desc
	mu   sync.Mutex
	at   time.Time
	last map[kefu.Status]int
}

func newTicketCollector(st *store.Store) *ticketCollector {
	return &ticketCollector{st: st, desc: prometheus.NewDesc("kefu_tickets", "Tickets by status.", []string{"status"}, nil)}
}

func (c *ticketCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *ticketCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) > 15*time.Second {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		counts, err := c.st.CountTicketsByStatus(ctx)
		cancel()
		if err == nil {
			c.last, c.at = counts, time.Now()
		}
	}
	for _, st := range kefu.Statuses {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(c.last[st]), string(st))
	}
}
