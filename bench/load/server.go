package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/kefu-dev/kefu/internal/store"
)

// moduleRoot finds the folder of kefu's go.mod, so the benchmark works from
// the repository root (go run) and from bench/load (go test).
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the kefu module (go env GOMOD is empty)")
	}
	return filepath.Dir(mod), nil
}

// buildKefu builds ./cmd/kefu once into dir, without cgo as it ships.
func buildKefu(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "kefu")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/kefu")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/kefu: %w\n%s", err, out)
	}
	return bin, nil
}

// database is one fresh database the benchmark owns.
type database struct {
	dialect string
	dataDir string // SQLite
	url     string // PostgreSQL
	admin   *sql.DB
	name    string
}

// newDatabase makes a fresh database: a new data folder for SQLite, a new
// PostgreSQL database (kefu_bench_<random>) on cfg.pgURL.
func newDatabase(ctx context.Context, cfg config, dialect, tmp string) (*database, error) {
	if dialect == "sqlite" {
		dir, err := os.MkdirTemp(tmp, "sqlite-data-")
		if err != nil {
			return nil, err
		}
		return &database{dialect: dialect, dataDir: dir}, nil
	}
	admin, name, u, err := createPGDatabase(ctx, cfg.pgURL, "kefu_bench_")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tmp, "pg-data-")
	if err != nil {
		return nil, err
	}
	return &database{dialect: dialect, url: u, admin: admin, name: name, dataDir: dir}, nil
}

// createPGDatabase creates a database named prefix+random on the server of
// base and returns an admin connection (to drop it later) and its URL.
func createPGDatabase(ctx context.Context, base, prefix string) (*sql.DB, string, string, error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return nil, "", "", fmt.Errorf("open %s: %w", redact(base), err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := admin.PingContext(pctx); err != nil {
		admin.Close()
		return nil, "", "", fmt.Errorf("connect to PostgreSQL at %s (set -pg or KEFU_TEST_DATABASE_URL): %w", redact(base), err)
	}
	name := fmt.Sprintf("%s%08x", prefix, rand.Uint32())
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		return nil, "", "", fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		admin.Close()
		return nil, "", "", err
	}
	u.Path = "/" + name
	return admin, name, u.String(), nil
}

func dropPGDatabase(admin *sql.DB, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	admin.Close()
	return err
}

// drop removes a PostgreSQL database (the SQLite folder goes with the
// temporary folder).
func (db *database) drop(cfg config) {
	if db.admin == nil {
		return
	}
	if cfg.keep {
		fmt.Fprintf(cfg.out, "kept database %s\n", db.url)
		db.admin.Close()
		return
	}
	if err := dropPGDatabase(db.admin, db.name); err != nil {
		fmt.Fprintf(cfg.out, "warning: drop database %s: %v\n", db.name, err)
	}
}

// backendPids lists the PostgreSQL server processes connected to this
// database (nil for SQLite), so their CPU can be counted.
func (db *database) backendPids(ctx context.Context) []int {
	if db.admin == nil {
		return nil
	}
	rows, err := db.admin.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, db.name)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var p int
		if rows.Scan(&p) == nil {
			pids = append(pids, p)
		}
	}
	return pids
}

// flags are the kefu command-line flags that select this database.
func (db *database) flags() []string {
	if db.url != "" {
		return []string{"--database-url", db.url}
	}
	return []string{"--data-dir", db.dataDir}
}

func (db *database) storeOptions() store.Options {
	return store.Options{DatabaseURL: db.url, DataDir: db.dataDir}
}

// kefuCmd runs one kefu subcommand to completion and returns its stdout.
func kefuCmd(ctx context.Context, bin string, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("kefu %s: %w\nstdout: %s\nstderr: %s", strings.Join(redactArgs(args), " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}

func migrate(ctx context.Context, bin string, db *database) error {
	_, err := kefuCmd(ctx, bin, "", append([]string{"migrate"}, db.flags()...)...)
	return err
}

// createUserAndToken adds the admin the load runs as, through the CLI, and
// returns its API token.
func createUserAndToken(ctx context.Context, bin string, db *database) (string, error) {
	args := append([]string{"user", "add", "--email", "bench@bench.test", "--name", "Bench", "--role", "admin", "--password-stdin"}, db.flags()...)
	if _, err := kefuCmd(ctx, bin, "bench-password-1234\n", args...); err != nil {
		return "", err
	}
	out, err := kefuCmd(ctx, bin, "", append([]string{"token", "add", "--email", "bench@bench.test"}, db.flags()...)...)
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(out)
	if token == "" || strings.ContainsAny(token, " \n\t") {
		return "", fmt.Errorf("kefu token add printed %q; want only the token", out)
	}
	return token, nil
}

// prepareAfterSeed brings a freshly bulk-loaded PostgreSQL database to the
// state autovacuum would soon reach (fresh statistics) and checkpoints, so
// neither lands in the middle of a measurement. SQLite is left as kefu leaves it.
func prepareAfterSeed(ctx context.Context, db *database, w io.Writer) error {
	if db.url == "" {
		return nil
	}
	conn, err := sql.Open("pgx", db.url)
	if err != nil {
		return err
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return fmt.Errorf("vacuum analyze: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `CHECKPOINT`); err != nil {
		fmt.Fprintf(w, "note: CHECKPOINT failed (needs superuser): %v\n", err)
	}
	fmt.Fprintf(w, "VACUUM ANALYZE + CHECKPOINT in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// server is a running `kefu serve`.
type server struct {
	cmd     *exec.Cmd
	addr    string
	logPath string
	logFile *os.File
	rss     *rssSampler
	readyIn time.Duration
	exited  chan struct{}
	waitErr error

	stopOnce sync.Once
	stopMsg  string
}

func (s *server) base() string { return "http://" + s.addr }

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer starts `kefu serve` on a free loopback port, logging to a file
// in tmp, and waits until /readyz answers 200.
func startServer(ctx context.Context, bin string, db *database, tmp, tag string) (*server, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(tmp, fmt.Sprintf("serve-%s-%d.log", tag, time.Now().UnixNano()))
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--addr", addr}, db.flags()...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start kefu serve: %w", err)
	}
	s := &server{cmd: cmd, addr: addr, logPath: logPath, logFile: lf, exited: make(chan struct{})}
	s.rss = startRSS(cmd.Process.Pid)
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w\nserver log %s:\n%s", err, logPath, tail(logPath, 30))
	}
	s.readyIn = time.Since(start)
	s.rss.sample()
	return s, nil
}

func (s *server) waitReady(ctx context.Context, timeout time.Duration) error {
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	last := "no answer"
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("kefu serve exited before it was ready: %v", s.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := c.Get(s.base() + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("GET /readyz did not return 200 within %v (last: %s)", timeout, last)
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
	s.rss.stop()
	s.logFile.Close()
	s.stopOnce.Do(func() { s.stopMsg = "" })
}

// stop asks the server to shut down (SIGTERM), kills it after 15 s, and
// returns a description of anything abnormal about its exit ("" if clean).
func (s *server) stop() string {
	s.stopOnce.Do(func() {
		start := time.Now()
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(15 * time.Second):
			_ = s.cmd.Process.Signal(syscall.SIGKILL)
			<-s.exited
			s.stopMsg = "did not exit within 15 s of SIGTERM; killed"
		}
		if s.stopMsg == "" && s.waitErr != nil {
			s.stopMsg = fmt.Sprintf("exited with %v after SIGTERM (took %v)", s.waitErr, time.Since(start).Round(time.Millisecond))
		}
		s.rss.stop()
		s.logFile.Close()
	})
	return s.stopMsg
}

// logProblems returns up to five log lines that look like server errors.
func (s *server) logProblems() []string {
	f, err := os.Open(s.logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		low := strings.ToLower(l)
		if strings.Contains(low, "level=error") || strings.Contains(low, `"level":"error"`) ||
			strings.Contains(low, "panic") || strings.Contains(low, "fatal") || strings.Contains(low, "data race") {
			n++
			if len(out) < 5 {
				if len(l) > 400 {
					l = l[:400] + "…"
				}
				out = append(out, l)
			}
		}
	}
	if n > len(out) {
		out = append(out, fmt.Sprintf("(%d such lines in all, log %s)", n, s.logPath))
	}
	return out
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// rssSampler reads a process's VmRSS every 250 ms and remembers the peak.
type rssSampler struct {
	pid     int
	max     atomic.Int64
	last    atomic.Int64
	hwm     atomic.Int64
	done    chan struct{}
	stopped sync.Once
	wg      sync.WaitGroup
}

func startRSS(pid int) *rssSampler {
	r := &rssSampler{pid: pid, done: make(chan struct{})}
	r.sample()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-r.done:
				return
			case <-t.C:
				r.sample()
			}
		}
	}()
	return r
}

func (r *rssSampler) sample() {
	rss, hwm, ok := readProcStatus(r.pid)
	if !ok {
		return
	}
	r.last.Store(rss)
	if rss > r.max.Load() {
		r.max.Store(rss)
	}
	if hwm > r.hwm.Load() {
		r.hwm.Store(hwm)
	}
}

func (r *rssSampler) current() int64 { return r.last.Load() }

// peak is the larger of the highest sampled VmRSS and VmHWM read now. Call
// it while the process is still alive.
func (r *rssSampler) peak() int64 {
	r.sample()
	return max(r.max.Load(), r.hwm.Load())
}

func (r *rssSampler) stop() {
	r.stopped.Do(func() { close(r.done) })
	r.wg.Wait()
}

// readProcStatus returns VmRSS and VmHWM in bytes.
func readProcStatus(pid int) (rss, hwm int64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, found := strings.Cut(line, ":")
		if !found || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		if k == "VmRSS" {
			rss = n * 1024
		} else {
			hwm = n * 1024
		}
	}
	return rss, hwm, true
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	if _, ok := p.User.Password(); ok {
		p.User = url.UserPassword(p.User.Username(), "xxxxx")
	}
	return p.String()
}

func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.HasPrefix(a, "postgres://") || strings.HasPrefix(a, "postgresql://") {
			a = redact(a)
		}
		out[i] = a
	}
	return out
}
