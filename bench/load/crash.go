package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// crashResult is what the crash check found.
type crashResult struct {
	acknowledged int // tickets answered with 201 before the kill
	lost         int // of those, not found after the restart
	mismatched   int // found, but with another number than acknowledged
}

// runCrash seeds a fresh database, runs the create load, SIGKILLs the server
// cfg.crashAfter into it, restarts the server on the same database and checks
// that every acknowledged ticket is there.
func runCrash(ctx context.Context, cfg config, bin, dialect, tmp string) (*crashResult, error) {
	w := cfg.out
	fmt.Fprintf(w, "\n=== crash check: %s ===\n", dialect)
	db, err := newDatabase(ctx, cfg, dialect, tmp)
	if err != nil {
		return nil, err
	}
	defer db.drop(cfg)
	if err := migrate(ctx, bin, db); err != nil {
		return nil, err
	}
	start := time.Now()
	data, err := seed(ctx, cfg, db)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(w, "seeded %d customers, %d tickets, %d messages in %v\n", len(data.customerIDs), len(data.ticketIDs), data.messages, time.Since(start).Round(time.Millisecond))
	token, err := createUserAndToken(ctx, bin, db)
	if err != nil {
		return nil, err
	}
	srv, err := startServer(ctx, bin, db, tmp, dialect+"-before-crash")
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	fmt.Fprintf(w, "server pid %d on %s ready in %v\n", srv.cmd.Process.Pid, srv.addr, srv.readyIn.Round(time.Millisecond))

	var mu sync.Mutex
	acked := map[int64]int64{} // id → number
	stop := make(chan struct{})
	res := &opResult{name: "create"}
	hooks := &loadHooks{
		created: func(id, number int64) {
			mu.Lock()
			acked[id] = number
			mu.Unlock()
		},
		stop:   stop,
		result: res,
	}
	var errsBeforeKill int64
	var ackedAtKill int
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		select {
		case <-time.After(cfg.crashAfter):
		case <-ctx.Done():
			return
		}
		errsBeforeKill = res.errors.Load()
		srv.kill()
		mu.Lock()
		ackedAtKill = len(acked)
		mu.Unlock()
		close(stop)
	}()
	cl := newClient(srv.base(), token)
	runOp(ctx, cfg, cl, "create", data, hooks)
	<-killed
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "create load: %d clients; SIGKILL after %v with %d tickets acknowledged; %d requests failed before the kill, %d at or after it\n",
		cfg.clients, cfg.crashAfter, ackedAtKill, errsBeforeKill, res.errors.Load()-errsBeforeKill)
	if errsBeforeKill > 0 {
		fmt.Fprintf(w, "first error: %s\n", res.firstError())
	}
	if len(acked) == 0 {
		return nil, fmt.Errorf("no ticket was acknowledged before the kill, so nothing could be checked (first error: %s)", res.firstError())
	}

	restart := time.Now()
	srv2, err := startServer(ctx, bin, db, tmp, dialect+"-after-crash")
	if err != nil {
		return nil, fmt.Errorf("restart after SIGKILL: %w", err)
	}
	defer srv2.stop()
	fmt.Fprintf(w, "restarted on the same database; ready in %v\n", time.Since(restart).Round(time.Millisecond))

	out := &crashResult{acknowledged: len(acked)}
	ids := make([]int64, 0, len(acked))
	for id := range acked {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var lost, mismatched []string
	var rmu sync.Mutex
	cl2 := newClient(srv2.base(), token)
	err = parallel(ctx, 8, len(ids), func(ctx context.Context, i int) error {
		id := ids[i]
		path := "/api/v1/tickets/" + strconv.FormatInt(id, 10)
		var status int
		var body []byte
		var err error
		for try := 0; try < 3; try++ {
			status, body, err = cl2.do(ctx, http.MethodGet, path, nil, nil)
			if err == nil && (status == http.StatusOK || status == http.StatusNotFound) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		rmu.Lock()
		defer rmu.Unlock()
		switch {
		case err != nil:
			lost = append(lost, fmt.Sprintf("%d (GET: %v)", id, err))
		case status != http.StatusOK:
			lost = append(lost, fmt.Sprintf("%d (%d: %.200s)", id, status, body))
		default:
			var t struct {
				Number int64 `json:"number"`
			}
			if jerr := json.Unmarshal(body, &t); jerr != nil || t.Number != acked[id] {
				mismatched = append(mismatched, fmt.Sprintf("%d (acknowledged number %d, now %.200s)", id, acked[id], body))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.lost, out.mismatched = len(lost), len(mismatched)
	fmt.Fprintf(w, "acknowledged %d, lost %d\n", out.acknowledged, out.lost)
	for i, l := range lost {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more\n", len(lost)-10)
			break
		}
		fmt.Fprintf(w, "  lost ticket %s\n", l)
	}
	if len(mismatched) > 0 {
		fmt.Fprintf(w, "%d acknowledged tickets came back with another number, e.g. %s\n", len(mismatched), mismatched[0])
	}
	for _, l := range srv.logProblems() {
		fmt.Fprintf(w, "server log before the crash: %s\n", l)
	}
	if msg := srv2.stop(); msg != "" {
		fmt.Fprintf(w, "restarted server: %s\n", msg)
	}
	for _, l := range srv2.logProblems() {
		fmt.Fprintf(w, "server log after the restart: %s\n", l)
	}
	return out, nil
}
