package sla_test

import (
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestReapplyJob: a changed policy reaches every active ticket through a
// durable job. With no time to step in the request, nothing moves before it
// answers; one timer step moves a batch; a fresh node finishes the rest
// from the committed progress. With the default budget a small shop's
// tickets all follow the change before the request answers, and no timer
// is left behind.
func TestReapplyJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		admin := r.newAdmin()
		p := r.policy(&kefu.SLAPolicy{Name: "all", FirstResponseMinutes: mins(9 * 60)})
		var tks []*kefu.Ticket
		for _, s := range []string{"a", "b", "c", "d", "e"} {
			tks = append(tks, r.open(s, 0))
		}
		following := func(d time.Duration) int {
			n := 0
			for _, tk := range tks {
				if due := r.view(tk.ID).SLA.FirstResponseDueAt; due != nil && due.Equal(tk.CreatedAt.Add(d)) {
					n++
				}
			}
			return n
		}
		if n := following(9 * time.Hour); n != len(tks) {
			t.Fatalf("%d of %d tickets start on the 9 h target", n, len(tks))
		}

		r.svc.ReapplyInline, r.svc.BatchSize = -1, 2
		p.FirstResponseMinutes = mins(60)
		if err := r.svc.SavePolicy(r.ctx, admin, p); err != nil {
			t.Fatal(err)
		}
		if n := following(time.Hour); n != 0 {
			t.Fatalf("%d due times moved inside the admin's request with no inline budget", n)
		}
		job, err := r.svc.ReapplyStatus(r.ctx, r.agent)
		if err != nil || job.State != "running" || job.Done != 0 {
			t.Fatalf("status before any step: %+v %v", job, err)
		}
		if _, err := r.timers.RunDue(r.ctx); err != nil {
			t.Fatal(err)
		}
		if n := following(time.Hour); n != 2 {
			t.Fatalf("after one step of two tickets %d follow the new target", n)
		}
		// That node stops; another finishes on the same database.
		svc2, timers2 := r.secondNode(2)
		for i := 0; i < 10; i++ {
			if _, err := timers2.RunDue(r.ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := following(time.Hour); n != len(tks) {
			t.Errorf("after the restart %d of %d tickets follow the new target", n, len(tks))
		}
		end, err := svc2.ReapplyStatus(r.ctx, r.agent)
		if err != nil || end.State != "done" || end.Done != len(tks) || end.Total != len(tks) || end.FinishedAt == nil {
			t.Errorf("final status: %+v %v; want done with %d tickets", end, err, len(tks))
		}
		if _, ok, _ := st.TimerDue(r.ctx, sla.TimerReapply, 0); ok {
			t.Error("the re-apply timer is still set after the job finished")
		}

		// The default budget: done before the request answers.
		r.svc.ReapplyInline, r.svc.BatchSize = 0, 0
		p.FirstResponseMinutes = mins(30)
		if err := r.svc.SavePolicy(r.ctx, admin, p); err != nil {
			t.Fatal(err)
		}
		if n := following(30 * time.Minute); n != len(tks) {
			t.Errorf("with the default budget %d of %d tickets follow the change when it answers", n, len(tks))
		}
		if j, err := r.svc.ReapplyStatus(r.ctx, admin); err != nil || j.State != "done" {
			t.Errorf("status after an inline run: %+v %v", j, err)
		}
		if _, ok, _ := st.TimerDue(r.ctx, sla.TimerReapply, 0); ok {
			t.Error("an inline run left its timer set")
		}
		if err := r.svc.SavePolicy(r.ctx, r.agent, p); err == nil {
			t.Error("an agent changed a policy")
		}
	})
}
