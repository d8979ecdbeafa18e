package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// pgbenchResult is the TPC-B ceiling measured with pgbench.
type pgbenchResult struct {
	tps     float64
	skipped string // why there is no number
}

var tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)
var anyTPS = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)

// runPgbench runs pgbench's TPC-B (scale 10) on a scratch database of the
// PostgreSQL server with the same client count and duration as the load.
func runPgbench(ctx context.Context, cfg config) *pgbenchResult {
	w := cfg.out
	fmt.Fprintf(w, "\n=== pgbench ===\n")
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		msg := "pgbench is not installed (Debian: apt-get install postgresql-client); no TPC-B ceiling"
		fmt.Fprintln(w, "skipped:", msg)
		return &pgbenchResult{skipped: msg}
	}
	admin, name, u, err := createPGDatabase(ctx, cfg.pgURL, "kefu_pgbench_")
	if err != nil {
		msg := fmt.Sprintf("no PostgreSQL for pgbench: %v", err)
		fmt.Fprintln(w, "skipped:", msg)
		return &pgbenchResult{skipped: msg}
	}
	defer func() {
		if err := dropPGDatabase(admin, name); err != nil {
			fmt.Fprintf(w, "warning: drop database %s: %v\n", name, err)
		}
	}()
	start := time.Now()
	if out, err := exec.CommandContext(ctx, bin, "-i", "-s", "10", "-q", u).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("pgbench -i failed: %v: %s", err, lastLines(string(out), 5))
		fmt.Fprintln(w, "skipped:", msg)
		return &pgbenchResult{skipped: msg}
	}
	fmt.Fprintf(w, "pgbench -i -s 10 in %v\n", time.Since(start).Round(time.Millisecond))
	secs := max(1, int(cfg.duration.Round(time.Second)/time.Second))
	args := []string{"-c", strconv.Itoa(cfg.clients), "-j", "2", "-T", strconv.Itoa(secs), u}
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		msg := fmt.Sprintf("pgbench failed: %v: %s", err, lastLines(string(out), 5))
		fmt.Fprintln(w, "skipped:", msg)
		return &pgbenchResult{skipped: msg}
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		m = anyTPS.FindSubmatch(out)
	}
	if m == nil {
		msg := "no tps line in pgbench output: " + lastLines(string(out), 5)
		fmt.Fprintln(w, "skipped:", msg)
		return &pgbenchResult{skipped: msg}
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	fmt.Fprintf(w, "pgbench -c %d -j 2 -T %d (TPC-B, scale 10): %s\n", cfg.clients, secs, strings.TrimSpace(string(tpsLine.Find(out))))
	return &pgbenchResult{tps: tps}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
