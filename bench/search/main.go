// Command search benchmarks kefu's search on SQLite and PostgreSQL:
//
//	go run ./bench/search                     # 1,000,000 messages on 200,000 tickets
//	go run ./bench/search -tickets 2000 -messages 10000 -queries 200   # a quick smoke run
//
// For each database it makes a fresh one, bulk-loads a deterministic shop
// (customers with e-mail and phone, orders with items and parcels, tickets
// with their conversations in Chinese and English), builds the search index
// with the same code as "kefu reindex", and reports the build time, the
// index's size and the latency (p50/p95/p99) of a fixed mix of queries run
// one after another through the search service as an admin and, with
// -agent, as an agent of one team. PostgreSQL runs in a scratch database
// (kefu_search_bench_<random>) on the server -pg names, dropped at the end.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/user"
)

type config struct {
	dialects  []string
	tickets   int
	messages  int
	customers int
	orders    int
	queries   int
	seed      uint64
	pg        string
	dir       string
	keep      bool
	agent     bool
	window    int
}

func main() {
	var cfg config
	var dialects string
	flag.StringVar(&dialects, "dialects", "sqlite,postgres", "databases to run on")
	flag.IntVar(&cfg.tickets, "tickets", 200000, "tickets")
	flag.IntVar(&cfg.messages, "messages", 1000000, "messages, spread over the tickets (1 to 9 each, then adjusted to the exact total)")
	flag.IntVar(&cfg.customers, "customers", 0, "customers (default tickets/4)")
	flag.IntVar(&cfg.orders, "orders", 0, "orders (default tickets/2)")
	flag.IntVar(&cfg.queries, "queries", 1000, "queries in the measured mix")
	flag.Uint64Var(&cfg.seed, "seed", 1, "seed of the corpus and the query mix")
	flag.StringVar(&cfg.pg, "pg", firstNonEmpty(os.Getenv("KEFU_BENCH_DATABASE_URL"), os.Getenv("KEFU_TEST_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"a PostgreSQL server URL; the benchmark creates and drops its own database there")
	flag.StringVar(&cfg.dir, "dir", "", "folder for the SQLite database (default: a temporary folder, removed)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the databases")
	flag.BoolVar(&cfg.agent, "agent", true, "also run the mix as an agent of one team (team-scoped visibility)")
	flag.IntVar(&cfg.window, "window", search.DefaultWindow, "most recent matches ranked per kind and search")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	cfg.dialects = strings.Split(dialects, ",")
	if cfg.customers <= 0 {
		cfg.customers = max(1, cfg.tickets/4)
	}
	if cfg.orders <= 0 {
		cfg.orders = max(1, cfg.tickets/2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/search:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

type result struct {
	dialect   string
	load      time.Duration
	build     time.Duration
	docs      int
	size      int64
	latencies map[string][]benchLatency // role → per query
}

type benchLatency struct {
	q    benchQuery
	d    time.Duration
	hits int
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	c := newCorpus(cfg.seed, cfg.customers, cfg.orders, cfg.tickets, cfg.messages)
	qs := makeQueries(c, cfg.queries, 1)
	warm := makeQueries(c, min(200, cfg.queries), 2)
	fmt.Fprintf(out, "kefu search benchmark: %d tickets, %d messages, %d customers, %d orders; seed %d\n", cfg.tickets, cfg.messages, cfg.customers, cfg.orders, cfg.seed)
	fmt.Fprintf(out, "query mix (%d): %s; ranking window %d\n", len(qs), describeMix(qs), cfg.window)
	fmt.Fprintf(out, "machine: %d CPUs, load average %s at the start\n\n", runtime.NumCPU(), loadAvg())
	var results []*result
	for _, d := range cfg.dialects {
		r, err := runDialect(ctx, cfg, store.Dialect(strings.TrimSpace(d)), c, qs, warm)
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		results = append(results, r)
		report(out, r, categories(qs))
		fmt.Fprintf(out, "  (load average %s after %s)\n\n", loadAvg(), r.dialect)
	}
	fmt.Fprintln(out, "aim: p95 < 50 ms")
	for _, r := range results {
		for _, role := range []string{"admin", "agent"} {
			ls := r.latencies[role]
			if len(ls) == 0 {
				continue
			}
			p95 := percentile(durations(ls), 95)
			verdict := "PASS"
			if p95 >= 50*time.Millisecond {
				verdict = "MISS"
			}
			fmt.Fprintf(out, "  %-8s as %-5s p95 %7s  %s\n", r.dialect, role, ms(p95), verdict)
		}
	}
	return nil
}

func runDialect(ctx context.Context, cfg config, d store.Dialect, c *corpus, qs, warm []benchQuery) (*result, error) {
	res := &result{dialect: string(d), latencies: map[string][]benchLatency{}}
	var opts store.Options
	var cleanup []func()
	defer func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}()
	var pgURL string
	switch d {
	case store.SQLite:
		dir := cfg.dir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "kefu-search-bench-")
			if err != nil {
				return nil, err
			}
			dir = tmp
			if !cfg.keep {
				cleanup = append(cleanup, func() { os.RemoveAll(tmp) })
			}
		} else if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
		if _, err := os.Stat(filepath.Join(dir, "kefu.db")); err == nil {
			return nil, fmt.Errorf("%s already holds a kefu.db; give an empty -dir", dir)
		}
		opts.DataDir = dir
		fmt.Fprintf(os.Stderr, "sqlite: %s\n", dir)
	case store.Postgres:
		u, drop, err := scratchDatabase(ctx, cfg.pg)
		if err != nil {
			return nil, err
		}
		if !cfg.keep {
			cleanup = append(cleanup, drop)
		}
		pgURL = u
		opts.DatabaseURL = u
		opts.MaxConns = 8
		fmt.Fprintf(os.Stderr, "postgres: %s\n", redact(u))
	default:
		return nil, fmt.Errorf("unknown dialect %q", d)
	}
	st, err := store.Open(ctx, opts)
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	users := user.New(st)
	defTeam, err := st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		return nil, err
	}
	second, err := users.CreateTeam(ctx, nil, user.TeamInput{Name: "二线客服", Kind: kefu.TeamSupport})
	if err != nil {
		return nil, err
	}
	admin, _, err := users.Create(ctx, nil, user.Input{Email: "admin@bench.test", Name: "admin", Role: kefu.RoleAdmin, Password: "bench"})
	if err != nil {
		return nil, err
	}
	agent, _, err := users.Create(ctx, nil, user.Input{Email: "agent@bench.test", Name: "小雨", Role: kefu.RoleAgent, Password: "bench", TeamIDs: []int64{second.ID}})
	if err != nil {
		return nil, err
	}

	// Load.
	t0 := time.Now()
	var l loader
	if d == store.SQLite {
		l = sqliteLoader{db: st.DB()}
	} else {
		conn, err := pgx.Connect(ctx, pgURL)
		if err != nil {
			return nil, err
		}
		cleanup = append(cleanup, func() { conn.Close(context.Background()) })
		l = pgLoader{conn: conn}
	}
	status := func(s string) { fmt.Fprintf(os.Stderr, "\r%s: loading %-30s", d, s) }
	if err := seed(ctx, l, c, [2]int64{defTeam.ID, second.ID}, agent.ID, status); err != nil {
		return nil, err
	}
	if _, err := st.DB().ExecContext(ctx, "ANALYZE"); err != nil {
		return nil, err
	}
	if d == store.Postgres {
		if _, err := st.DB().ExecContext(ctx, "CHECKPOINT"); err != nil {
			return nil, err
		}
	}
	res.load = time.Since(t0)
	fmt.Fprintf(os.Stderr, "\r%s: loaded in %s%30s\n", d, res.load.Round(time.Millisecond), "")

	// Build the index, as "kefu reindex" does.
	svc := search.New(st)
	svc.Window = cfg.window
	t1 := time.Now()
	last := time.Time{}
	err = svc.Reindex(ctx, func(k store.SearchKind, done, total int) {
		if time.Since(last) > 500*time.Millisecond || done == total {
			last = time.Now()
			fmt.Fprintf(os.Stderr, "\r%s: indexing %-8s %3d%% %d/%d  ", d, k, percent(done, total), done, total)
		}
		if done == total && k == store.SearchTicket {
			res.docs = total
		}
	})
	if err != nil {
		return nil, err
	}
	if d == store.Postgres {
		// What autovacuum would do soon after: statistics for the planner.
		if _, err := st.DB().ExecContext(ctx, "VACUUM ANALYZE search_tickets, search_customers, search_orders"); err != nil {
			return nil, err
		}
	}
	res.build = time.Since(t1)
	fmt.Fprintf(os.Stderr, "\r%s: index built in %s%30s\n", d, res.build.Round(time.Millisecond), "")
	if res.size, err = st.SearchIndexSize(ctx); err != nil {
		return nil, err
	}

	// Queries: a warm-up mix, then the measured one, one after another.
	roles := []*kefu.User{admin}
	if cfg.agent {
		roles = append(roles, agent)
	}
	for _, u := range roles {
		role := string(u.Role)
		for _, q := range warm {
			if _, err := svc.Search(ctx, u, search.Request{Q: q.q}); err != nil {
				return nil, fmt.Errorf("warm-up %q: %w", q.q, err)
			}
		}
		for i, q := range qs {
			start := time.Now()
			r, err := svc.Search(ctx, u, search.Request{Q: q.q})
			if err != nil {
				return nil, fmt.Errorf("query %q: %w", q.q, err)
			}
			res.latencies[role] = append(res.latencies[role], benchLatency{q: q, d: time.Since(start), hits: len(r.Items)})
			if i%50 == 0 {
				fmt.Fprintf(os.Stderr, "\r%s: queries as %s %d/%d  ", d, role, i, len(qs))
			}
		}
	}
	fmt.Fprintf(os.Stderr, "\r%50s\r", "")
	return res, nil
}

// scratchDatabase creates a database of its own on the server base names
// and returns its URL and a function that drops it.
func scratchDatabase(ctx context.Context, base string) (string, func(), error) {
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", redact(base), err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "kefu_search_bench_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		c, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.Exec(c, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "drop", name+":", err)
		}
		admin.Close(c)
	}
	return u.String(), drop, nil
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

func percent(done, total int) int {
	if total == 0 {
		return 100
	}
	return done * 100 / total
}

func durations(ls []benchLatency) []time.Duration {
	ds := make([]time.Duration, len(ls))
	for i, l := range ls {
		ds[i] = l.d
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds
}

// percentile of sorted durations (nearest rank).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	k := int(float64(len(ds))*p/100+0.999999) - 1
	return ds[min(max(k, 0), len(ds)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func report(out io.Writer, r *result, cats []string) {
	fmt.Fprintf(out, "%s\n", r.dialect)
	fmt.Fprintf(out, "  bulk load        %s\n", r.load.Round(time.Millisecond))
	rate := 0.0
	if r.build > 0 {
		rate = float64(r.docs) / r.build.Seconds()
	}
	fmt.Fprintf(out, "  index build      %s (%.0f tickets/s, customers and orders included)\n", r.build.Round(time.Millisecond), rate)
	if r.size >= 0 {
		fmt.Fprintf(out, "  index size       %.1f MiB\n", float64(r.size)/(1<<20))
	} else {
		fmt.Fprintf(out, "  index size       unknown (no dbstat)\n")
	}
	for _, role := range []string{"admin", "agent"} {
		ls := r.latencies[role]
		if len(ls) == 0 {
			continue
		}
		ds := durations(ls)
		var total time.Duration
		hits := 0
		for _, l := range ls {
			total += l.d
			hits += l.hits
		}
		fmt.Fprintf(out, "  queries as %-5s p50 %8s  p95 %8s  p99 %8s  max %8s  mean %8s  (%.1f results per query)\n", role,
			ms(percentile(ds, 50)), ms(percentile(ds, 95)), ms(percentile(ds, 99)), ms(ds[len(ds)-1]), ms(total/time.Duration(len(ds))), float64(hits)/float64(len(ls)))
		for _, c := range cats {
			var sub []benchLatency
			for _, l := range ls {
				if l.q.cat == c {
					sub = append(sub, l)
				}
			}
			if len(sub) == 0 {
				continue
			}
			cd := durations(sub)
			fmt.Fprintf(out, "    %-12s %4d  p50 %8s  p95 %8s  p99 %8s\n", c, len(sub), ms(percentile(cd, 50)), ms(percentile(cd, 95)), ms(percentile(cd, 99)))
		}
		slow := append([]benchLatency(nil), ls...)
		sort.Slice(slow, func(i, j int) bool { return slow[i].d > slow[j].d })
		var names []string
		for _, l := range slow[:min(3, len(slow))] {
			names = append(names, fmt.Sprintf("%s (%s)", l.q.q, ms(l.d)))
		}
		fmt.Fprintf(out, "    slowest: %s\n", strings.Join(names, ", "))
	}
}

// loadAvg is the machine's 1, 5 and 15 minute load average: other work on
// the machine shows in the latencies.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
