package main

import (
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"
	"time"
)

// Aims the report checks.
const (
	aimCreateShare = 0.50                  // creates/s at least this share of pgbench tps
	aimReadP99     = 25 * time.Millisecond // list and get p99 below this
	aimPeakRSS     = 300 << 20             // server peak RSS below this
)

func report(w io.Writer, cfg config, results []*dialectResult, pg *pgbenchResult) {
	fmt.Fprintf(w, "\n=== results (%d clients, %v per operation, %d tickets / %d messages seeded) ===\n",
		cfg.clients, cfg.duration, cfg.tickets, cfg.messages)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "dialect\toperation\trequests\treq/s\tp50 ms\tp99 ms\terrors\t\tkefu cores\tpg cores\tbench cores\tother cores\t")
	for _, r := range results {
		for _, o := range r.ops {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%.2f\t%.2f\t%d\t\t%.2f\t%s\t%.2f\t%.2f\t\n", r.dialect, o.name, o.count(), o.rate(),
				ms(o.pct(0.50)), ms(o.pct(0.99)), o.errors.Load(), o.cpu.server, pgCores(o.cpu), o.cpu.bench, o.cpu.other())
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "(cores: CPU used during the operation by the kefu server, the PostgreSQL backends serving it, this benchmark, and everything else: PostgreSQL's shared background processes (WAL writer, checkpointer) and any other work on the machine, of %d)\n", runtime.NumCPU())

	fmt.Fprintln(w)
	for _, r := range results {
		fmt.Fprintf(w, "peak RSS %-8s %s   (seeding took %v)\n", r.dialect, mib(r.peakRSS), r.seedTime.Round(time.Millisecond))
	}

	fmt.Fprintln(w)
	if pg == nil {
		fmt.Fprintln(w, "pgbench: not run (-pgbench=false)")
	} else if pg.skipped != "" {
		fmt.Fprintln(w, "pgbench: skipped:", pg.skipped)
	} else {
		fmt.Fprintf(w, "pgbench TPC-B tps %.1f\n", pg.tps)
		for _, r := range results {
			if c := r.op("create"); c != nil {
				fmt.Fprintf(w, "create req/s ÷ pgbench tps  %-8s %.1f / %.1f = %.2f\n", r.dialect, c.rate(), pg.tps, c.rate()/pg.tps)
			}
		}
	}

	fmt.Fprintln(w, "\naims:")
	mark := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "MISS"
	}
	for _, r := range results {
		if c := r.op("create"); c == nil {
			fmt.Fprintf(w, "  n/a   %-8s creates ≥ %.0f%% of pgbench tps (create not run)\n", r.dialect, aimCreateShare*100)
		} else if pg == nil || pg.skipped != "" {
			fmt.Fprintf(w, "  n/a   %-8s creates ≥ %.0f%% of pgbench tps (no pgbench number)\n", r.dialect, aimCreateShare*100)
		} else {
			share := c.rate() / pg.tps
			fmt.Fprintf(w, "  %s  %-8s creates ≥ %.0f%% of pgbench tps: %.1f req/s = %.1f%% of %.1f\n", mark(share >= aimCreateShare && c.errors.Load() == 0), r.dialect, aimCreateShare*100, c.rate(), share*100, pg.tps)
		}
		for _, name := range []string{"list", "get"} {
			o := r.op(name)
			if o == nil {
				fmt.Fprintf(w, "  n/a   %-8s %s p99 < %v (not run)\n", r.dialect, name, aimReadP99)
				continue
			}
			p := o.pct(0.99)
			fmt.Fprintf(w, "  %s  %-8s %s p99 < %v: %.2f ms\n", mark(p < aimReadP99 && o.errors.Load() == 0), r.dialect, name, aimReadP99, ms(p))
		}
		fmt.Fprintf(w, "  %s  %-8s peak RSS < %d MiB: %s\n", mark(r.peakRSS < aimPeakRSS), r.dialect, aimPeakRSS>>20, mib(r.peakRSS))
	}
	var problems []string
	for _, r := range results {
		problems = append(problems, r.problems...)
	}
	if len(problems) > 0 {
		fmt.Fprintln(w, "\nserver problems seen:")
		for _, p := range problems {
			fmt.Fprintln(w, "  -", p)
		}
	} else {
		fmt.Fprintln(w, "\nno server errors seen (every response 2xx, clean shutdown, no error lines in the server log)")
	}
}

func pgCores(u cpuUse) string {
	if !u.havePG {
		return "-"
	}
	return fmt.Sprintf("%.2f", u.pg)
}
