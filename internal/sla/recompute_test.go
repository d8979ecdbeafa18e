package sla_test

import (
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestRecomputeJob: a calendar change through the admin use case moves no
// due time in the request; it queues a background job whose steps, fired as
// durable timers, recompute every running clock. A node that stops after
// one step leaves the rest to a fresh node (a restart), which finishes from
// where the committed progress says, and the job reports its progress.
func TestRecomputeJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		admin := r.newAdmin()
		cal := &kefu.Calendar{Name: "office", TimeZone: "Asia/Shanghai", Hours: sla.ChinaOfficeHours(), IsDefault: true}
		if err := st.CreateCalendar(r.ctx, cal); err != nil {
			t.Fatal(err)
		}
		r.policy(&kefu.SLAPolicy{Name: "business", FirstResponseMinutes: mins(9 * 60)})
		var tks []*kefu.Ticket
		for _, s := range []string{"a", "b", "c", "d", "e"} {
			tks = append(tks, r.open(s, 0))
		}
		all := []string{"00:00-24:00"}
		cal.Hours = kefu.WeeklyHours{"mon": all, "tue": all, "wed": all, "thu": all, "fri": all, "sat": all, "sun": all}
		if _, err := r.svc.UpdateCalendar(r.ctx, r.agent, cal); err == nil {
			t.Fatal("an agent changed a calendar")
		}
		job, err := r.svc.UpdateCalendar(r.ctx, admin, cal)
		if err != nil || job.State != "running" || job.Done != 0 {
			t.Fatalf("UpdateCalendar = %+v, %v; want a running job", job, err)
		}
		moved := func() int {
			n := 0
			for _, tk := range tks {
				if r.view(tk.ID).SLA.FirstResponseDueAt.Equal(tk.CreatedAt.Add(9 * time.Hour)) {
					n++
				}
			}
			return n
		}
		if n := moved(); n != 0 {
			t.Fatalf("%d due times moved inside the admin's request", n)
		}
		// One step on the first node: clocks of two tickets per step.
		r.svc.BatchSize = 2
		if _, err := r.timers.RunDue(r.ctx); err != nil {
			t.Fatal(err)
		}
		if n := moved(); n == 0 || n == len(tks) {
			t.Fatalf("after one step %d of %d due times moved, want some", n, len(tks))
		}
		half, err := r.svc.RecomputeStatus(r.ctx, r.agent, cal.ID)
		if err != nil || half.State != "running" || half.Done == 0 || half.Total != len(tks) || half.Batches != 1 {
			t.Fatalf("progress after one step: %+v %v", half, err)
		}
		// That node stops; another starts on the same database.
		svc2, timers2 := r.secondNode(2)
		for i := 0; i < 10; i++ {
			if _, err := timers2.RunDue(r.ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := moved(); n != len(tks) {
			t.Errorf("after the restart %d of %d due times moved", n, len(tks))
		}
		end, err := svc2.RecomputeStatus(r.ctx, r.agent, cal.ID)
		if err != nil || end.State != "done" || end.Done != len(tks) || end.FinishedAt == nil {
			t.Errorf("final progress: %+v %v; want done with %d clocks", end, err, len(tks))
		}
		for _, tk := range tks {
			if due, ok, _ := st.TimerDue(r.ctx, sla.TimerSLA, tk.ID); !ok || !due.Equal(tk.CreatedAt.Add(9*time.Hour)) {
				t.Errorf("ticket %d: SLA timer at %s, want moved", tk.ID, due)
			}
		}
		if _, ok, _ := st.TimerDue(r.ctx, sla.TimerRecompute, cal.ID); ok {
			t.Errorf("the recompute timer is still set after the job finished")
		}
		// A deleted calendar: what counted on it is recomputed on the default one.
		if err := r.svc.DeleteCalendar(r.ctx, admin, cal.ID); err != nil {
			t.Fatal(err)
		}
		if j, err := r.svc.RecomputeStatus(r.ctx, admin, 0); err != nil || j.State != "running" {
			t.Errorf("after a deletion: %+v %v; want a running recompute of every calendar", j, err)
		}
	})
}
