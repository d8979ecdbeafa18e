// Command chat is kefu's live-chat load benchmark. In one run it:
//
//  1. builds kefu and starts it with the demo shop, on each database of
//     -dialects in turn (SQLite in a temporary folder; PostgreSQL in a scratch
//     database created on the -pg server and dropped after);
//  2. signs an agent in, sets them online and listens to their live stream
//     (Server-Sent Events) as the workspace does;
//  3. opens -conns visitor websockets to /chat/ws and holds them, reporting
//     kefu's resident memory;
//  4. starts -chatting of those chats (the agent accepts each) and sends
//     -rate visitor messages per second for -duration, measuring the time
//     from a visitor's send to the agent's browser stream receiving it, and
//     to the visitor's acknowledgement (committed);
//  5. as a ceiling, runs a bare websocket echo server written here (in its
//     own process, so its memory is measured alone) under the same
//     connections and message rate, measuring the round trip.
//
// Run: go run ./bench/chat            (defaults: 10000 connections, 500 msg/s for 20 s)
//
//	go run ./bench/chat -dialects sqlite,postgres -pg postgres://postgres@127.0.0.1:5432/postgres
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

var (
	conns      = flag.Int("conns", 10000, "visitor websocket connections to hold")
	chatting   = flag.Int("chatting", 500, "of those, visitors who chat during the load phase")
	rate       = flag.Int("rate", 500, "visitor messages per second in the load phase")
	duration   = flag.Duration("duration", 20*time.Second, "length of the load phase")
	dialects   = flag.String("dialects", "sqlite", "databases to run kefu on, in turn: sqlite, postgres or both (sqlite,postgres)")
	pgURL      = flag.String("pg", os.Getenv("KEFU_TEST_DATABASE_URL"), "PostgreSQL server for -dialects postgres: a scratch database is created there and dropped after")
	echoServer = flag.String("echo-server", "", "internal: run the bare echo server on this address")
	skipEcho   = flag.Bool("skip-echo", false, "do not run the echo ceiling")
)

func main() {
	flag.Parse()
	if *echoServer != "" {
		runEcho(*echoServer)
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func rssMiB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return -1
}

// peakRSS samples a process's memory until stop is closed.
func peakRSS(pid int, stop <-chan struct{}) *atomic.Int64 {
	var peak atomic.Int64
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			if r := int64(rssMiB(pid) * 1024); r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return &peak
}

type result struct {
	name             string
	conns            int
	connectTime      time.Duration
	rssHeld, rssPeak float64
	sent, delivered  int
	errors           int             // error frames the visitors got (kefu)
	note             string          // what went wrong on the way, if anything
	lat              []time.Duration // visitor → agent (kefu) or round trip (echo)
	ack              []time.Duration // visitor → acknowledgement (kefu)
	achievedRate     float64
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p)
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func run() error {
	tmp, err := os.MkdirTemp("", "kefu-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "kefu")
	fmt.Printf("building kefu…\n")
	build := exec.Command("go", "build", "-o", bin, "./cmd/kefu")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build kefu (run from the repository root): %w", err)
	}
	var runs []*result
	for _, d := range strings.Split(*dialects, ",") {
		var r *result
		switch d = strings.TrimSpace(d); d {
		case "sqlite":
			r, err = runKefu(bin, filepath.Join(tmp, "data-sqlite"), "")
		case "postgres":
			u, drop, perr := scratchDatabase(*pgURL)
			if perr != nil {
				return perr
			}
			r, err = runKefu(bin, filepath.Join(tmp, "data-postgres"), u)
			if derr := drop(); derr != nil {
				fmt.Fprintln(os.Stderr, "bench: drop scratch database:", derr)
			}
		default:
			return fmt.Errorf("unknown dialect %q (sqlite, postgres)", d)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		report(r)
		runs = append(runs, r)
	}
	if *skipEcho {
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	eaddr := freeAddr()
	echo := exec.Command(self, "-echo-server", eaddr)
	echo.Stderr = os.Stderr
	if err := echo.Start(); err != nil {
		return err
	}
	defer func() { _ = echo.Process.Kill(); _, _ = echo.Process.Wait() }()
	if err := waitReady("http://" + eaddr); err != nil {
		return err
	}
	e, err := benchEcho("ws://"+eaddr+"/echo", echo.Process.Pid)
	if err != nil {
		return err
	}
	report(e)
	fmt.Println()
	for _, k := range runs {
		fmt.Printf("ratio %s / bare echo: memory held %.1fx, p50 %.1fx, p90 %.1fx, p99 %.1fx\n", k.name,
			k.rssHeld/e.rssHeld, float64(pct(k.lat, .5))/float64(pct(e.lat, .5)), float64(pct(k.lat, .9))/float64(pct(e.lat, .9)), float64(pct(k.lat, .99))/float64(pct(e.lat, .99)))
	}
	return nil
}

// runKefu starts kefu on one database, measures it and stops it.
func runKefu(bin, dataDir, dbURL string) (*result, error) {
	addr := freeAddr()
	args := []string{"serve", "--demo", "--data-dir", dataDir, "--addr", addr, "--log-level", "error"}
	dialect := "SQLite"
	if dbURL != "" {
		args = append(args, "--database-url", dbURL)
		dialect = "PostgreSQL"
	}
	kefu := exec.Command(bin, args...)
	logf, err := os.Create(dataDir + ".log")
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	kefu.Stdout, kefu.Stderr = logf, logf
	if err := kefu.Start(); err != nil {
		return nil, err
	}
	defer func() { _ = kefu.Process.Kill(); _, _ = kefu.Process.Wait() }()
	base := "http://" + addr
	if err := waitReady(base); err != nil {
		b, _ := os.ReadFile(logf.Name())
		return nil, fmt.Errorf("%w\n%s", err, b)
	}
	fmt.Printf("\nkefu on %s, %s (pid %d), %s; this machine: %d cores\n", dialect, addr, kefu.Process.Pid, runtime.Version(), runtime.NumCPU())
	r, err := benchKefu(base, kefu.Process.Pid)
	if r != nil {
		r.name = fmt.Sprintf("kefu on %s (pid %d)", dialect, kefu.Process.Pid)
	}
	if b, _ := os.ReadFile(logf.Name()); bytes.Contains(b, []byte("ERROR")) {
		var errs []string
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "ERROR") {
				errs = append(errs, l)
			}
		}
		fmt.Printf("kefu logged %d errors, the last: %s\n", len(errs), errs[len(errs)-1])
	}
	return r, err
}

// scratchDatabase creates an empty database on the PostgreSQL server of
// base, as bench/load does, and returns its URL and how to drop it.
func scratchDatabase(base string) (string, func() error, error) {
	if base == "" {
		return "", nil, errors.New("postgres: set -pg (or KEFU_TEST_DATABASE_URL)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, fmt.Errorf("open %s: %w", base, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := fmt.Sprintf("kefu_chatbench_%08x", rand.Uint32())
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() error {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		return err
	}, nil
}

func waitReady(base string) error {
	for i := 0; i < 300; i++ {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("server not ready after 30 s")
}

func report(r *result) {
	fmt.Printf("\n== %s\n", r.name)
	fmt.Printf("connections held:        %d (opened in %s)\n", r.conns, r.connectTime.Round(time.Millisecond))
	fmt.Printf("server RSS, held idle:   %.0f MiB (%.1f KiB per connection)\n", r.rssHeld, r.rssHeld*1024/float64(r.conns))
	fmt.Printf("server RSS, peak:        %.0f MiB\n", r.rssPeak)
	fmt.Printf("messages sent/delivered: %d / %d at %.0f msg/s\n", r.sent, r.delivered, r.achievedRate)
	if r.ack != nil {
		fmt.Printf("acknowledged / errors:   %d / %d\n", len(r.ack)-r.errors, r.errors)
	}
	if r.note != "" {
		fmt.Printf("note:                    %s\n", r.note)
	}
	label := "visitor→agent latency"
	if r.ack == nil {
		label = "round trip (echo)   "
	}
	fmt.Printf("%s:  p50 %s  p90 %s  p99 %s  max %s\n", label, ms(pct(r.lat, .5)), ms(pct(r.lat, .9)), ms(pct(r.lat, .99)), ms(pct(r.lat, 1)))
	if r.ack != nil {
		fmt.Printf("visitor→ack (committed): p50 %s  p90 %s  p99 %s  max %s\n", ms(pct(r.ack, .5)), ms(pct(r.ack, .9)), ms(pct(r.ack, .99)), ms(pct(r.ack, 1)))
	}
}

// ---- the kefu run ----

type session struct {
	base string
	c    *http.Client
	csrf string
	user string
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	userAttr  = regexp.MustCompile(`data-user="(\d+)"`)
)

func signIn(base, email string) (*session, error) {
	jar, _ := cookiejar.New(nil)
	s := &session{base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	body, err := s.get("/login")
	if err != nil {
		return nil, err
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		return nil, errors.New("no CSRF field on /login")
	}
	res, err := s.c.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {"demo"}})
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	body, err = s.get("/")
	if err != nil {
		return nil, err
	}
	if m = csrfField.FindStringSubmatch(body); m == nil {
		return nil, fmt.Errorf("sign-in as %s failed", email)
	}
	s.csrf = m[1]
	if u := userAttr.FindStringSubmatch(body); u != nil {
		s.user = u[1]
	}
	return s, nil
}

func (s *session) get(path string) (string, error) {
	res, err := s.c.Get(s.base + path)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

func (s *session) post(path string, form url.Values) error {
	form.Set("csrf", s.csrf)
	res, err := s.c.PostForm(s.base+path, form)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 400 {
		b, _ := io.ReadAll(res.Body)
		return fmt.Errorf("POST %s: %d %s", path, res.StatusCode, b)
	}
	return nil
}

type visitor struct {
	ws     *websocket.Conn
	ticket atomic.Int64
	acks   sync.Map // cid → chan time.Time
}

func dialAll(u string, n int, origin string, hello func(i int) []byte, onFrame func(i int, v *visitor, b []byte)) ([]*visitor, time.Duration, error) {
	vs := make([]*visitor, n)
	start := time.Now()
	sem := make(chan struct{}, 100)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var ws *websocket.Conn
			var err error
			for try := 0; try < 5; try++ {
				ws, _, err = websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
				if err == nil {
					break
				}
				time.Sleep(time.Duration(try+1) * 100 * time.Millisecond)
			}
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
				return
			}
			v := &visitor{ws: ws}
			vs[i] = v
			if h := hello(i); h != nil {
				_ = ws.Write(ctx, websocket.MessageText, h)
				if _, _, err := ws.Read(ctx); err != nil { // welcome
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
			go func() {
				for {
					_, b, err := ws.Read(context.Background())
					if err != nil {
						return
					}
					onFrame(i, v, b)
				}
			}()
		}(i)
	}
	wg.Wait()
	if e, ok := firstErr.Load().(error); ok {
		return vs, time.Since(start), fmt.Errorf("open connections: %w", e)
	}
	return vs, time.Since(start), nil
}

func benchKefu(base string, pid int) (*result, error) {
	r := &result{name: fmt.Sprintf("kefu (pid %d)", pid), conns: *conns}
	// The demo channel takes up to 600 messages a minute per visitor here.
	admin, err := signIn(base, "admin@demo.test")
	if err != nil {
		return nil, err
	}
	if err := admin.post("/settings/chat", url.Values{"id": {"1"}, "name": {"Bench"}, "color": {"#1f6feb"}, "max_chats": {"50"},
		"max_upload_mb": {"10"}, "rate_per_min": {"600"}, "time_zone": {"Asia/Shanghai"}}); err != nil {
		return nil, err
	}
	agent, err := signIn(base, "agent@demo.test")
	if err != nil {
		return nil, err
	}
	if err := agent.post("/me/chat-status", url.Values{"status": {"online"}}); err != nil {
		return nil, err
	}
	stopHB := make(chan struct{})
	defer close(stopHB)
	go func() {
		for {
			select {
			case <-stopHB:
				return
			case <-time.After(20 * time.Second):
				_ = agent.post("/me/heartbeat", url.Values{})
			}
		}
	}()
	// The agent's live stream, as the workspace opens it.
	type hit struct {
		body string
		at   time.Time
	}
	hits := make(chan hit, 100000)
	// A client of its own without a timeout: http.Client.Timeout covers
	// reading the body too, and would cut the stream mid-run.
	sse, err := (&http.Client{Jar: agent.c.Jar}).Get(base + "/live?topic=user." + agent.user)
	if err != nil {
		return nil, err
	}
	defer sse.Body.Close()
	streamEnded := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(sse.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "data: ") {
				continue
			}
			now := time.Now()
			var m struct {
				Type string `json:"type"`
				Data struct {
					From string `json:"from"`
					Body string `json:"body"`
				} `json:"data"`
			}
			if json.Unmarshal([]byte(line[6:]), &m) == nil && m.Type == "chat.entry" && m.Data.From == "visitor" {
				hits <- hit{m.Data.Body, now}
			}
		}
		streamEnded <- fmt.Errorf("the agent's stream ended: %v", sc.Err())
	}()

	stop := make(chan struct{})
	peak := peakRSS(pid, stop)
	wsURL := strings.Replace(base, "http", "ws", 1) + "/chat/ws?channel=demo"
	hello := func(i int) []byte {
		b, _ := json.Marshal(map[string]any{"t": "hello", "lang": "zh-CN", "profile": map[string]string{"name": fmt.Sprintf("访客%d", i), "email": fmt.Sprintf("v%d@bench.test", i)}})
		return b
	}
	var errFrames atomic.Int64
	onFrame := func(i int, v *visitor, b []byte) {
		var f struct {
			T      string `json:"t"`
			CID    string `json:"cid"`
			Ticket int64  `json:"ticket"`
		}
		if json.Unmarshal(b, &f) != nil {
			return
		}
		switch f.T {
		case "e":
			if f.Ticket != 0 {
				v.ticket.Store(f.Ticket)
			}
		case "ack", "error":
			if f.T == "error" {
				errFrames.Add(1)
			}
			if ch, ok := v.acks.LoadAndDelete(f.CID); ok {
				ch.(chan time.Time) <- time.Now()
			}
		}
	}
	vs, took, err := dialAll(wsURL, *conns, base, hello, onFrame)
	if err != nil {
		return nil, err
	}
	r.connectTime = took
	time.Sleep(2 * time.Second)
	runtime.GC()
	r.rssHeld = rssMiB(pid)
	fmt.Printf("kefu holds %d visitor connections; RSS %.0f MiB\n", *conns, r.rssHeld)

	// Start the chats and let the agent accept them.
	send := func(v *visitor, cid, body string) (chan time.Time, error) {
		ch := make(chan time.Time, 1)
		v.acks.Store(cid, ch)
		b, _ := json.Marshal(map[string]string{"t": "msg", "cid": cid, "body": body})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return ch, v.ws.Write(ctx, websocket.MessageText, b)
	}
	n := min(*chatting, *conns)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 20)
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(v *visitor, i int) {
			defer func() { <-sem; wg.Done() }()
			ch, err := send(v, fmt.Sprintf("start-%d", i), "你好，我想咨询一下订单")
			if err == nil {
				select {
				case <-ch:
				case <-time.After(30 * time.Second):
				}
			}
		}(vs[i], i)
	}
	wg.Wait()
	time.Sleep(500 * time.Millisecond)
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(v *visitor) {
			defer func() { <-sem; wg.Done() }()
			if t := v.ticket.Load(); t != 0 {
				_ = agent.post(fmt.Sprintf("/tickets/%d/chat/accept", t), url.Values{})
			}
		}(vs[i])
	}
	wg.Wait()
	fmt.Printf("%d chats started and accepted; load: %d msg/s for %s\n", n, *rate, *duration)
	time.Sleep(time.Second)
	for len(hits) > 0 {
		<-hits
	}

	// The load: -rate messages a second, round-robin over the chatting visitors.
	sentAt := sync.Map{}
	var ackMu sync.Mutex
	total := int(float64(*rate) * duration.Seconds())
	interval := time.Second / time.Duration(*rate)
	startLoad := time.Now()
	var sendWG sync.WaitGroup
	for i := 0; i < total; i++ {
		due := startLoad.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		v := vs[i%n]
		body := fmt.Sprintf("b%d 订单什么时候发货", i)
		cid := fmt.Sprintf("load-%d", i)
		t0 := time.Now()
		sentAt.Store(fmt.Sprintf("b%d", i), t0)
		sendWG.Add(1)
		go func() {
			defer sendWG.Done()
			ch, err := send(v, cid, body)
			if err != nil {
				return
			}
			select {
			case at := <-ch:
				ackMu.Lock()
				r.ack = append(r.ack, at.Sub(t0))
				ackMu.Unlock()
			case <-time.After(30 * time.Second):
			}
		}()
		r.sent++
	}
	r.achievedRate = float64(r.sent) / time.Since(startLoad).Seconds()
	collectUntil := time.Now().Add(15 * time.Second)
	for r.delivered < r.sent && time.Now().Before(collectUntil) {
		select {
		case h := <-hits:
			key, _, _ := strings.Cut(h.body, " ")
			if t0, ok := sentAt.LoadAndDelete(key); ok {
				r.lat = append(r.lat, h.at.Sub(t0.(time.Time)))
				r.delivered++
			}
		case <-time.After(time.Second):
		}
	}
	sendWG.Wait()
	r.errors = int(errFrames.Load())
	select {
	case err := <-streamEnded:
		r.note = err.Error()
	default:
	}
	close(stop)
	r.rssPeak = float64(peak.Load()) / 1024
	for _, v := range vs {
		if v != nil {
			v.ws.CloseNow()
		}
	}
	return r, nil
}

// ---- the ceiling: a bare websocket echo server ----

func runEcho(addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, b, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if err := c.Write(r.Context(), typ, b); err != nil {
				return
			}
		}
	})
	srv := &http.Server{Addr: addr, Handler: mux}
	_ = srv.ListenAndServe()
}

func benchEcho(u string, pid int) (*result, error) {
	r := &result{name: fmt.Sprintf("bare websocket echo server (pid %d)", pid), conns: *conns}
	stop := make(chan struct{})
	peak := peakRSS(pid, stop)
	var mu sync.Mutex
	sentAt := map[string]time.Time{}
	onFrame := func(i int, v *visitor, b []byte) {
		now := time.Now()
		key, _, _ := bytes.Cut(b, []byte(" "))
		mu.Lock()
		if t0, ok := sentAt[string(key)]; ok {
			delete(sentAt, string(key))
			r.lat = append(r.lat, now.Sub(t0))
			r.delivered++
		}
		mu.Unlock()
	}
	vs, took, err := dialAll(u, *conns, "http://bench", func(int) []byte { return nil }, onFrame)
	if err != nil {
		return nil, err
	}
	r.connectTime = took
	time.Sleep(2 * time.Second)
	r.rssHeld = rssMiB(pid)
	n := min(*chatting, *conns)
	total := int(float64(*rate) * duration.Seconds())
	interval := time.Second / time.Duration(*rate)
	start := time.Now()
	for i := 0; i < total; i++ {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		key := fmt.Sprintf("b%d", i)
		mu.Lock()
		sentAt[key] = time.Now()
		mu.Unlock()
		go func(v *visitor) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = v.ws.Write(ctx, websocket.MessageText, []byte(key+" 订单什么时候发货"))
		}(vs[i%n])
		r.sent++
	}
	r.achievedRate = float64(r.sent) / time.Since(start).Seconds()
	time.Sleep(2 * time.Second)
	close(stop)
	r.rssPeak = float64(peak.Load()) / 1024
	for _, v := range vs {
		if v != nil {
			v.ws.CloseNow()
		}
	}
	return r, nil
}
