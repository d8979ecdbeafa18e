// Command load is kefu's load benchmark. It builds the kefu binary, seeds a
// fresh SQLite and/or PostgreSQL database with a realistic volume of tickets,
// starts `kefu serve` and drives the REST API with concurrent clients, then
// prints throughput, latency percentiles, the server's peak memory and a
// pgbench TPC-B ceiling for comparison.
//
// With -crash it instead kills the server with SIGKILL in the middle of a
// create load, restarts it on the same database and checks that every ticket
// the server acknowledged with 201 is still there.
//
//	go run ./bench/load                                     # full run, both dialects
//	go run ./bench/load -tickets 2000 -messages 10000 -duration 3s   # smoke run
//	go run ./bench/load -crash -dialects sqlite             # crash check
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// config is everything a run needs; flags fill it in main, the crash test
// fills it directly.
type config struct {
	tickets     int
	messages    int
	customers   int
	duration    time.Duration
	clients     int
	dialects    []string
	ops         []string
	pgURL       string
	crash       bool
	crashAfter  time.Duration
	seed        uint64
	seedWorkers int
	pgbench     bool
	keep        bool
	bin         string // a prebuilt kefu binary; "" builds ./cmd/kefu
	out         io.Writer
}

var allOps = []string{"create", "reply", "list", "get"}

func defaultPG() string {
	if u := os.Getenv("KEFU_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres"
}

func main() {
	var cfg config
	var dialects, ops string
	flag.IntVar(&cfg.tickets, "tickets", 100000, "tickets to seed")
	flag.IntVar(&cfg.messages, "messages", 500000, "messages to seed in total (at least one per ticket)")
	flag.IntVar(&cfg.customers, "customers", 0, "customers to seed (0: min(5000, tickets/20), at least 10)")
	flag.DurationVar(&cfg.duration, "duration", 20*time.Second, "how long each operation runs")
	flag.IntVar(&cfg.clients, "clients", 32, "concurrent clients")
	flag.StringVar(&dialects, "dialects", "sqlite,postgres", "databases to benchmark: sqlite, postgres")
	flag.StringVar(&ops, "ops", strings.Join(allOps, ","), "operations to run: create, reply, list, get")
	flag.StringVar(&cfg.pgURL, "pg", defaultPG(), "PostgreSQL server URL; bench and pgbench databases are created and dropped there (default $KEFU_TEST_DATABASE_URL)")
	flag.BoolVar(&cfg.crash, "crash", false, "crash mode: SIGKILL the server during the create load and check no acknowledged ticket is lost")
	flag.DurationVar(&cfg.crashAfter, "crash-after", 5*time.Second, "crash mode: how long into the create load to kill the server")
	flag.Uint64Var(&cfg.seed, "seed", 1, "seed of the generated data")
	flag.IntVar(&cfg.seedWorkers, "seed-workers", 4, "concurrent seeding transactions on PostgreSQL (SQLite has one writer)")
	flag.BoolVar(&cfg.pgbench, "pgbench", true, "run pgbench TPC-B on the PostgreSQL server as a ceiling")
	flag.StringVar(&cfg.bin, "bin", "", "use this kefu binary instead of building ./cmd/kefu")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary folder (binary, SQLite data, server logs) and PostgreSQL databases")
	flag.Parse()
	cfg.dialects = splitList(dialects)
	cfg.ops = splitList(ops)
	cfg.out = os.Stdout

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// normalize checks cfg and fills in derived defaults.
func (cfg *config) normalize() error {
	if cfg.out == nil {
		cfg.out = io.Discard
	}
	if cfg.tickets < 1 {
		return errors.New("-tickets must be at least 1")
	}
	if cfg.messages < cfg.tickets {
		fmt.Fprintf(cfg.out, "note: -messages %d < -tickets %d; seeding one message per ticket\n", cfg.messages, cfg.tickets)
		cfg.messages = cfg.tickets
	}
	if cfg.customers <= 0 {
		cfg.customers = min(5000, max(10, cfg.tickets/20))
	}
	if cfg.clients < 1 {
		return errors.New("-clients must be at least 1")
	}
	if cfg.seedWorkers < 1 {
		cfg.seedWorkers = 1
	}
	if len(cfg.dialects) == 0 {
		return errors.New("-dialects is empty")
	}
	for _, d := range cfg.dialects {
		if d != "sqlite" && d != "postgres" {
			return fmt.Errorf("unknown dialect %q (want sqlite or postgres)", d)
		}
	}
	for _, op := range cfg.ops {
		if !contains(allOps, op) {
			return fmt.Errorf("unknown operation %q (want one of %s)", op, strings.Join(allOps, ", "))
		}
	}
	if cfg.crash && cfg.crashAfter >= cfg.duration {
		return fmt.Errorf("-crash-after %v must be shorter than -duration %v", cfg.crashAfter, cfg.duration)
	}
	return nil
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// dialectResult is what one dialect's run measured.
type dialectResult struct {
	dialect  string
	seedTime time.Duration
	ops      []*opResult
	peakRSS  int64 // bytes
	problems []string
}

func (r *dialectResult) op(name string) *opResult {
	for _, o := range r.ops {
		if o.name == name {
			return o
		}
	}
	return nil
}

// run is the whole benchmark (or the crash check) as main runs it.
func run(ctx context.Context, cfg config) error {
	if err := cfg.normalize(); err != nil {
		return err
	}
	w := cfg.out
	tmp, err := os.MkdirTemp("", "kefu-bench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintf(w, "temporary folder (kept): %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	bin := cfg.bin
	if bin == "" {
		root, err := moduleRoot(ctx)
		if err != nil {
			return err
		}
		start := time.Now()
		if bin, err = buildKefu(ctx, root, tmp); err != nil {
			return err
		}
		fmt.Fprintf(w, "built kefu in %v\n", time.Since(start).Round(time.Millisecond))
	}

	if cfg.crash {
		var failed []string
		for _, d := range cfg.dialects {
			res, err := runCrash(ctx, cfg, bin, d, tmp)
			if err != nil {
				return fmt.Errorf("%s: %w", d, err)
			}
			if res.lost > 0 || res.mismatched > 0 {
				failed = append(failed, fmt.Sprintf("%s lost %d of %d acknowledged tickets (%d with another number)", d, res.lost, res.acknowledged, res.mismatched))
			}
		}
		if len(failed) > 0 {
			return errors.New(strings.Join(failed, "; "))
		}
		return nil
	}

	if busy := machineBusyNow(time.Second); busy > 0.15 {
		fmt.Fprintf(w, "warning: the machine was already %.0f%% busy before the benchmark started; other work will lower the numbers\n", busy*100)
	}
	fmt.Fprintf(w, "config: tickets=%d messages=%d customers=%d duration=%v clients=%d ops=%s dialects=%s seed=%d\n",
		cfg.tickets, cfg.messages, cfg.customers, cfg.duration, cfg.clients, strings.Join(cfg.ops, ","), strings.Join(cfg.dialects, ","), cfg.seed)
	var results []*dialectResult
	for _, d := range cfg.dialects {
		res, err := runDialect(ctx, cfg, bin, d, tmp)
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		results = append(results, res)
	}
	var pg *pgbenchResult
	if cfg.pgbench {
		pg = runPgbench(ctx, cfg)
	}
	report(w, cfg, results, pg)
	return nil
}

// runDialect benchmarks one database: fresh database, migrate, seed, user and
// token, serve, the operations, stop.
func runDialect(ctx context.Context, cfg config, bin, dialect, tmp string) (*dialectResult, error) {
	w := cfg.out
	fmt.Fprintf(w, "\n=== %s ===\n", dialect)
	db, err := newDatabase(ctx, cfg, dialect, tmp)
	if err != nil {
		return nil, err
	}
	defer db.drop(cfg)
	res := &dialectResult{dialect: dialect}

	if err := migrate(ctx, bin, db); err != nil {
		return nil, err
	}
	seedStart := time.Now()
	seeded, err := seed(ctx, cfg, db)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	res.seedTime = time.Since(seedStart)
	fmt.Fprintf(w, "seeded %d customers, %d tickets, %d messages in %v (%.0f rows/s)\n",
		len(seeded.customerIDs), len(seeded.ticketIDs), seeded.messages, res.seedTime.Round(time.Millisecond),
		float64(len(seeded.customerIDs)+len(seeded.ticketIDs)+seeded.messages)/res.seedTime.Seconds())
	if err := prepareAfterSeed(ctx, db, w); err != nil {
		return nil, err
	}
	token, err := createUserAndToken(ctx, bin, db)
	if err != nil {
		return nil, err
	}

	srv, err := startServer(ctx, bin, db, tmp, dialect)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	fmt.Fprintf(w, "server pid %d on %s ready in %v (RSS %s)\n", srv.cmd.Process.Pid, srv.addr, srv.readyIn.Round(time.Millisecond), mib(srv.rss.current()))

	cl := newClient(srv.base(), token)
	for _, op := range cfg.ops {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		before := takeCPU(srv.cmd.Process.Pid, db.backendPids(ctx))
		r := runOp(ctx, cfg, cl, op, seeded, nil)
		r.cpu = cpuBetween(before, takeCPU(srv.cmd.Process.Pid, db.backendPids(ctx)))
		res.ops = append(res.ops, r)
		goMem := ""
		if b := cl.goRuntimeBytes(ctx); b > 0 {
			goMem = ", Go runtime " + mib(b)
		}
		fmt.Fprintf(w, "%-7s %8d req  %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  (RSS now %s%s; %v)\n",
			op, r.count(), r.rate(), ms(r.pct(0.50)), ms(r.pct(0.99)), r.errors.Load(), mib(srv.rss.current()), goMem, r.cpu)
		labels := make([]string, 0, len(r.subs))
		for l := range r.subs {
			labels = append(labels, l)
		}
		slices.Sort(labels)
		for _, l := range labels {
			sr := r.subs[l]
			fmt.Fprintf(w, "        %-52s %7d req  p50 %7.2f ms  p99 %7.2f ms\n", l, sr.count(), ms(sr.pct(0.50)), ms(sr.pct(0.99)))
		}
		if fe := r.firstError(); fe != "" {
			fmt.Fprintf(w, "        first error: %s\n", fe)
			res.problems = append(res.problems, fmt.Sprintf("%s %s: %d errors, first: %s", dialect, op, r.errors.Load(), fe))
		}
	}
	res.peakRSS = srv.rss.peak()
	exit := srv.stop()
	if exit != "" {
		res.problems = append(res.problems, dialect+": "+exit)
	}
	for _, l := range srv.logProblems() {
		res.problems = append(res.problems, dialect+" server log: "+l)
	}
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
