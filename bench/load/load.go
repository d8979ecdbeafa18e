package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// client talks to one kefu server as the bench admin.
type client struct {
	base  string
	token string
	hc    *http.Client
	nonce uint64 // makes idempotency keys unique across runs
	seq   atomic.Int64
}

func newClient(base, token string) *client {
	tr := &http.Transport{
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	return &client{base: base, token: token, hc: &http.Client{Transport: tr, Timeout: 60 * time.Second}, nonce: rand.Uint64()}
}

// do sends one request and reads the whole answer.
func (c *client) do(ctx context.Context, method, path string, body []byte, hdr map[string]string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return resp.StatusCode, b, err
	}
	return resp.StatusCode, b, nil
}

// opResult collects one operation's measurements.
type opResult struct {
	name    string
	elapsed time.Duration
	cpu     cpuUse
	// subs breaks the latencies down by request kind (list variants, the two
	// requests of get), to show which one is slow.
	subs map[string]*opResult

	lat      []time.Duration // of every completed operation, sorted when done
	errors   atomic.Int64
	errOnce  sync.Once
	firstErr string
}

func (r *opResult) fail(format string, a ...any) {
	r.errors.Add(1)
	r.errOnce.Do(func() {
		s := fmt.Sprintf(format, a...)
		if len(s) > 600 {
			s = s[:600] + "…"
		}
		r.firstErr = s
	})
}

// firstError is the first failure, once the operation has finished.
func (r *opResult) firstError() string { return r.firstErr }

func (r *opResult) count() int { return len(r.lat) }

func (r *opResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(len(r.lat)) / r.elapsed.Seconds()
}

// pct is the q-quantile latency (nearest rank).
func (r *opResult) pct(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(q*float64(len(r.lat))+0.5) - 1
	return r.lat[max(0, min(i, len(r.lat)-1))]
}

// opState is one load goroutine's state.
type opState struct {
	r      *rand.Rand
	cursor string // list: a next page to follow on the next request
	query  string // list: the query the cursor belongs to
	label  string // list: the variant the cursor belongs to
	sub    map[string][]time.Duration
}

// loadHooks let crash mode watch and stop a load.
type loadHooks struct {
	// created is called for every ticket the server acknowledged with 201.
	created func(id, number int64)
	// stop, when closed, ends the load early.
	stop <-chan struct{}
	// result, if set, collects the measurements (so they can be read while
	// the load runs).
	result *opResult
}

// runOp runs op with cfg.clients goroutines for cfg.duration.
func runOp(ctx context.Context, cfg config, c *client, op string, data *seeded, hooks *loadHooks) *opResult {
	res := &opResult{name: op}
	var stop <-chan struct{}
	if hooks != nil {
		stop = hooks.stop
		if hooks.result != nil {
			res = hooks.result
		}
	}
	start := time.Now()
	deadline := start.Add(cfg.duration)
	var wg sync.WaitGroup
	lats := make([][]time.Duration, cfg.clients)
	subs := make([]map[string][]time.Duration, cfg.clients)
	for w := 0; w < cfg.clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := &opState{r: rand.New(rand.NewPCG(cfg.seed, uint64(w)<<8|uint64(len(op)))), sub: map[string][]time.Duration{}}
			subs[w] = st.sub
			for ctx.Err() == nil && time.Now().Before(deadline) {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				switch op {
				case "create":
					opCreate(ctx, c, st, data, res, hooks)
				case "reply":
					opReply(ctx, c, st, data, res)
				case "list":
					opList(ctx, c, st, res)
				case "get":
					opGet(ctx, c, st, data, res)
				}
				lats[w] = append(lats[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	for _, l := range lats {
		res.lat = append(res.lat, l...)
	}
	slices.Sort(res.lat)
	res.subs = map[string]*opResult{}
	for _, m := range subs {
		for label, l := range m {
			if res.subs[label] == nil {
				res.subs[label] = &opResult{name: label, elapsed: res.elapsed}
			}
			res.subs[label].lat = append(res.subs[label].lat, l...)
		}
	}
	for _, s := range res.subs {
		slices.Sort(s.lat)
	}
	return res
}

func (c *client) json(ctx context.Context, method, path string, v any, hdr map[string]string) (int, []byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, nil, err
	}
	return c.do(ctx, method, path, b, hdr)
}

// requestText makes a subject and body like the seeded ones.
func requestText(r *rand.Rand) (subject, body, name string) {
	zh := r.IntN(10) < 7
	a := textArgs{order: fmt.Sprintf("SO%010d", r.IntN(1e10)), date: time.Now().AddDate(0, 0, -r.IntN(10)).Format("2006-01-02"), track: 100000000000 + r.IntN(900000000000)}
	if zh {
		a.product = one(r, productsZH)
		return a.fill(one(r, subjectsZH)), sentences(r, customerZH, 1+r.IntN(4), a), one(r, zhSurnames) + one(r, zhGiven)
	}
	a.product = one(r, productsEN)
	return a.fill(one(r, subjectsEN)), sentences(r, customerEN, 1+r.IntN(4), a), one(r, enFirst) + " " + one(r, enLast)
}

// newCustomers numbers customers that do not exist yet, after the seeded ones.
var newCustomers atomic.Int64

func opCreate(ctx context.Context, c *client, st *opState, data *seeded, res *opResult, hooks *loadHooks) {
	r := st.r
	subject, body, name := requestText(r)
	// Most tickets come from known customers; one in five from a new one.
	n := int64(r.IntN(len(data.customerIDs)))
	if r.IntN(5) == 0 {
		n = int64(len(data.customerIDs)) + newCustomers.Add(1) - 1
	}
	req := map[string]any{
		"subject":  subject,
		"channel":  "api",
		"customer": map[string]any{"email": fmt.Sprintf("c%d@bench.test", n), "name": name},
		"message":  map[string]any{"body": body},
	}
	key := fmt.Sprintf("bench-%x-%d", c.nonce, c.seq.Add(1))
	status, b, err := c.json(ctx, http.MethodPost, "/api/v1/tickets", req, map[string]string{"Idempotency-Key": key})
	if err != nil {
		res.fail("POST /api/v1/tickets: %v", err)
		return
	}
	if status != http.StatusCreated {
		res.fail("POST /api/v1/tickets → %d: %s", status, b)
		return
	}
	var t struct {
		ID     int64 `json:"id"`
		Number int64 `json:"number"`
		Ticket *struct {
			ID     int64 `json:"id"`
			Number int64 `json:"number"`
		} `json:"ticket"`
	}
	if err := json.Unmarshal(b, &t); err == nil && t.ID == 0 && t.Ticket != nil {
		t.ID, t.Number = t.Ticket.ID, t.Ticket.Number
	}
	if t.ID == 0 || t.Number == 0 {
		res.fail("POST /api/v1/tickets → 201 without id and number: %s", b)
		return
	}
	if hooks != nil && hooks.created != nil {
		hooks.created(t.ID, t.Number)
	}
}

func opReply(ctx context.Context, c *client, st *opState, data *seeded, res *opResult) {
	if len(data.notClosed) == 0 {
		res.fail("reply: no seeded ticket is open")
		return
	}
	id := data.notClosed[st.r.IntN(len(data.notClosed))]
	a := textArgs{order: fmt.Sprintf("SO%010d", st.r.IntN(1e10))}
	var body string
	if st.r.IntN(10) < 7 {
		body = sentences(st.r, replyZH, 2+st.r.IntN(3), a)
	} else {
		body = sentences(st.r, replyEN, 2+st.r.IntN(3), a)
	}
	path := "/api/v1/tickets/" + strconv.FormatInt(id, 10) + "/messages"
	status, b, err := c.json(ctx, http.MethodPost, path, map[string]any{"kind": "reply", "body": body}, nil)
	if err != nil {
		res.fail("POST %s: %v", path, err)
		return
	}
	if status != http.StatusCreated {
		res.fail("POST %s → %d: %s", path, status, b)
	}
}

func opList(ctx context.Context, c *client, st *opState, res *opResult) {
	r := st.r
	var q url.Values
	var label string
	if st.cursor != "" {
		q, _ = url.ParseQuery(st.query)
		q.Set("cursor", st.cursor)
		label = st.label + ", page 2"
		st.cursor = ""
	} else {
		q = url.Values{"status": {"open"}, "limit": {"50"}}
		label = "status=open"
		if r.IntN(4) == 0 {
			q.Set("channel", "email")
			label += "&channel=email"
		}
		if r.IntN(4) == 0 {
			q.Set("sort", "created_at")
			label += "&sort=created_at"
		}
		st.query, st.label = q.Encode(), label
	}
	path := "/api/v1/tickets?" + q.Encode()
	t0 := time.Now()
	status, b, err := c.do(ctx, http.MethodGet, path, nil, nil)
	st.sub[label] = append(st.sub[label], time.Since(t0))
	if err != nil {
		res.fail("GET %s: %v", path, err)
		return
	}
	if status != http.StatusOK {
		res.fail("GET %s → %d: %s", path, status, b)
		return
	}
	var page struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor *string           `json:"next_cursor"`
	}
	if err := json.Unmarshal(b, &page); err != nil || page.Items == nil {
		res.fail("GET %s → 200 but not {\"items\": [...], \"next_cursor\": …}: %.300s", path, b)
		return
	}
	if q.Get("cursor") == "" && page.NextCursor != nil && *page.NextCursor != "" && r.IntN(4) == 0 {
		st.cursor = *page.NextCursor
	}
}

func opGet(ctx context.Context, c *client, st *opState, data *seeded, res *opResult) {
	id := strconv.FormatInt(data.ticketIDs[st.r.IntN(len(data.ticketIDs))], 10)
	for k, path := range []string{"/api/v1/tickets/" + id, "/api/v1/tickets/" + id + "/messages"} {
		t0 := time.Now()
		status, b, err := c.do(ctx, http.MethodGet, path, nil, nil)
		label := "GET /tickets/{id}"
		if k == 1 {
			label = "GET /tickets/{id}/messages"
		}
		st.sub[label] = append(st.sub[label], time.Since(t0))
		if err != nil {
			res.fail("GET %s: %v", path, err)
			return
		}
		if status != http.StatusOK {
			res.fail("GET %s → %d: %s", path, status, b)
			return
		}
	}
}

// goRuntimeBytes reads go_memstats_sys_bytes from the server's /metrics: the
// memory the Go runtime holds, so RSS beyond it is memory outside the Go heap
// (SQLite's page caches in modernc's allocator, for one). 0 if unavailable.
func (c *client) goRuntimeBytes(ctx context.Context) int64 {
	status, b, err := c.do(ctx, http.MethodGet, "/metrics", nil, nil)
	if err != nil || status != http.StatusOK {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "go_memstats_sys_bytes "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return int64(f)
			}
		}
	}
	return 0
}
