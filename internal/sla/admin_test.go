package sla_test

import (
	"errors"
	"testing"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestMovePolicy: moving a policy up the order applies the policies anew,
// so a ticket both match gets the one now first; the ends are no-ops and
// only admins may move.
func TestMovePolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		admin := &kefu.User{ID: r.lead.ID, Role: kefu.RoleAdmin, Status: kefu.UserActive}
		first := r.policy(&kefu.SLAPolicy{Name: "first", Position: 0, FirstResponseMinutes: mins(15)})
		second := r.policy(&kefu.SLAPolicy{Name: "second", Position: 0, FirstResponseMinutes: mins(240)})
		tk := r.open("both", 0)
		if got := r.view(tk.ID).SLA.PolicyName; got != "first" {
			t.Fatalf("before the move: policy %q", got)
		}
		if err := r.svc.MovePolicy(r.ctx, r.lead, second.ID, -1); !errors.Is(err, kefu.ErrForbidden) {
			t.Errorf("a supervisor moves a policy: %v", err)
		}
		if err := r.svc.MovePolicy(r.ctx, admin, second.ID, -1); err != nil {
			t.Fatal(err)
		}
		ps, _ := st.SLAPolicies(r.ctx)
		if ps[0].ID != second.ID || ps[0].Position != 0 || ps[1].Position != 1 {
			t.Errorf("order after the move: %q at %d, %q at %d", ps[0].Name, ps[0].Position, ps[1].Name, ps[1].Position)
		}
		if got := r.view(tk.ID).SLA.PolicyName; got != "second" {
			t.Errorf("after the move: policy %q, want the one now first", got)
		}
		for _, m := range []struct {
			id    int64
			delta int
		}{{second.ID, -1}, {first.ID, 1}} {
			if err := r.svc.MovePolicy(r.ctx, admin, m.id, m.delta); err != nil {
				t.Errorf("move past the end: %v", err)
			}
		}
		if ps, _ := st.SLAPolicies(r.ctx); ps[0].ID != second.ID {
			t.Error("a move past the end changed the order")
		}
		if err := r.svc.MovePolicy(r.ctx, admin, 99999999, 1); !errors.Is(err, kefu.ErrNotFound) {
			t.Errorf("move a missing policy: %v", err)
		}
	})
}
