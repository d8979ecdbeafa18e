// Command sla benchmarks kefu's SLA timers at scale: it fills a database
// with open tickets whose SLA clocks and timers are running, then measures
//
//   - the lag between a deadline and the commit of its breach event, for a
//     stream of deadlines that fall due during the run;
//   - the CPU this process uses while no timer is due;
//   - the time to recompute every due time after a calendar change, as the
//     background job kefu runs (or inline with -inline).
//
// Usage:
//
//	go run ./bench/sla -db postgres://postgres@127.0.0.1:5432/bench -tickets 1000000
//	go run ./bench/sla -tickets 100000            # SQLite in a temporary folder
//
// The PostgreSQL database is used as given: point it at a scratch database
// (it creates its own schema, sla_bench, and drops it first).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
)

func main() {
	dbURL := flag.String("db", "", "PostgreSQL URL (a scratch database); empty: SQLite in a temporary folder")
	tickets := flag.Int("tickets", 1_000_000, "open tickets, each with a first-response and a resolution clock")
	due := flag.Int("due", 20_000, "deadlines that fall due during the lag measurement")
	rate := flag.Int("rate", 1000, "deadlines falling due per second during the lag measurement")
	idle := flag.Duration("idle", 30*time.Second, "how long to measure CPU while nothing is due")
	poll := flag.Duration("poll", time.Second, "the timer runner's poll interval (kefu's default)")
	lead := flag.Duration("lead", 20*time.Second, "time from the end of filling to the first deadline")
	workers := flag.Int("workers", 0, "timer claim loops (0: the runner's default for the database)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the recompute to this file")
	inline := flag.Bool("inline", false, "recompute in one call (sla.Service.Recompute) instead of the background job")
	flag.Parse()
	if *due > *tickets {
		log.Fatal("-due must not exceed -tickets")
	}
	ctx := context.Background()
	st, cleanup, err := open(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer cleanup()
	fmt.Printf("database: %s\n", st.Dialect())

	svc := sla.New(st)
	cal := sla.ChinaCalendar("bench")
	cal.IsDefault = true
	if err := st.CreateCalendar(ctx, cal); err != nil {
		log.Fatal(err)
	}
	policy := &kefu.SLAPolicy{Name: "bench", Enabled: true, FirstResponseMinutes: ptr(120), ResolutionMinutes: ptr(24 * 60), WarnShare: 0.75,
		PauseStatuses: []kefu.Status{kefu.StatusPending}}
	if err := st.CreateSLAPolicy(ctx, policy); err != nil {
		log.Fatal(err)
	}

	t0 := time.Now()
	if err := fill(ctx, st, *tickets, cal, policy); err != nil {
		log.Fatal(err)
	}
	// Setting the timers of a million tickets takes seconds: leave room.
	start := time.Now().UTC().Truncate(time.Second).Add(*lead)
	if err := schedule(ctx, st, *due, *rate, start); err != nil {
		log.Fatal(err)
	}
	n, _ := st.CountTimers(ctx)
	fmt.Printf("filled %d open tickets, %d SLA clocks, %d timers in %s\n", *tickets, 2**tickets, n, time.Since(t0).Round(time.Millisecond))
	if wait := time.Until(start); wait > 0 {
		fmt.Printf("the first deadline is %s away\n", wait.Round(time.Millisecond))
	} else {
		fmt.Printf("WARNING: filling took longer than the lead time; the first %s of deadlines were already due\n", (-wait).Round(time.Millisecond))
	}

	// The lag: from each deadline to the commit of its breach event.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	timers := jobs.NewTimers(st, quiet, *poll)
	if *workers > 0 {
		timers.Workers = *workers
	}
	svc.Register(timers)
	var mu sync.Mutex
	var lags []time.Duration
	timers.Fired = func(ts []*store.Timer, at time.Time) {
		mu.Lock()
		for _, t := range ts {
			lags = append(lags, at.Sub(t.DueAt))
		}
		mu.Unlock()
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); timers.Run(runCtx) }()
	deadline := start.Add(time.Duration(*due) * time.Second / time.Duration(*rate)).Add(30 * time.Second)
	for {
		mu.Lock()
		got := len(lags)
		mu.Unlock()
		if got >= *due || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	fired := slices.Clone(lags)
	mu.Unlock()
	breaches := countEvents(ctx, st, kefu.EventSLABreached)
	fmt.Printf("lag from deadline to committed breach event, %d deadlines at %d/s, %d workers: p50 %s, p99 %s, max %s (breach events: %d)\n",
		len(fired), *rate, timers.Workers, pct(fired, 50), pct(fired, 99), pct(fired, 100), breaches)

	// Idle: nothing is due for hours; the runner polls every -poll.
	before := cpu()
	wall := time.Now()
	time.Sleep(*idle)
	used := cpu() - before
	fmt.Printf("CPU while nothing is due: %s over %s = %.3f%% of one core (this process; poll %s)\n",
		used.Round(time.Microsecond), idle.String(), 100*used.Seconds()/time.Since(wall).Seconds(), poll.String())
	stop()
	wg.Wait()

	// Recompute after a calendar change: a new company holiday.
	cal.Days = append(cal.Days, kefu.CalendarDay{Date: start.In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 1).Format(time.DateOnly), Kind: kefu.DayHoliday, Name: "bench holiday"})
	if err := st.UpdateCalendar(ctx, cal); err != nil {
		log.Fatal(err)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	t1 := time.Now()
	if *inline {
		count, err := svc.Recompute(ctx, cal.ID)
		if err != nil {
			log.Fatal(err)
		}
		el := time.Since(t1)
		fmt.Printf("recomputed %d running clocks and their timers inline after a calendar change in %s (%.0f clocks/s)\n",
			count, el.Round(time.Millisecond), float64(count)/el.Seconds())
		return
	}
	// As kefu does it: a background job of durable timer steps, fired by
	// the same runner as the breaches.
	if _, err := svc.QueueRecompute(ctx, cal.ID); err != nil {
		log.Fatal(err)
	}
	runCtx, stop = context.WithCancel(ctx)
	wg.Add(1)
	go func() { defer wg.Done(); timers.Run(runCtx) }()
	for {
		j, err := st.SLARecomputeOf(ctx, cal.ID, false)
		if err != nil {
			log.Fatal(err)
		}
		if j.State == "done" {
			el := time.Since(t1)
			fmt.Printf("recomputed %d running clocks and their timers after a calendar change in %s as a background job of %d steps (%.0f clocks/s)\n",
				j.Done, el.Round(time.Millisecond), j.Batches, float64(j.Done)/el.Seconds())
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
}

func ptr(n int) *int { return &n }

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	i = min(max(i-1, 0), len(s)-1)
	return s[i].Round(time.Microsecond)
}

func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func countEvents(ctx context.Context, st *store.Store, typ string) int {
	var n int
	_ = st.DB().QueryRowContext(ctx, rebind(st, `SELECT COUNT(*) FROM events WHERE type = ?`), typ).Scan(&n)
	return n
}

func rebind(st *store.Store, q string) string {
	if st.Dialect() != store.Postgres {
		return q
	}
	out, n := []byte{}, 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, fmt.Sprintf("$%d", n)...)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

// open returns a migrated store: a fresh schema on PostgreSQL, or SQLite in
// a temporary folder.
func open(ctx context.Context, dbURL string) (*store.Store, func(), error) {
	if dbURL == "" {
		dir, err := os.MkdirTemp("", "kefu-bench-sla-")
		if err != nil {
			return nil, nil, err
		}
		st, err := store.Open(ctx, store.Options{DataDir: dir})
		if err != nil {
			return nil, nil, err
		}
		if _, err := st.Migrate(ctx); err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close(); os.RemoveAll(dir) }, nil
	}
	admin, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS sla_bench CASCADE; CREATE SCHEMA sla_bench`); err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, nil, err
	}
	q := u.Query()
	q.Set("search_path", "sla_bench")
	u.RawQuery = q.Encode()
	st, err := store.Open(ctx, store.Options{DatabaseURL: u.String()})
	if err != nil {
		return nil, nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		return nil, nil, err
	}
	return st, func() { st.Close() }, nil
}
