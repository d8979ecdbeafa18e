package automation_test

import (
	"errors"
	"testing"

	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestMoveAndEnable: rules with equal positions are renumbered by a move so
// the order is what the admin sees; the ends are no-ops; disabling a rule
// keeps it; only admins may do either.
func TestMoveAndEnable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		r := newRig(t, st)
		note := []automation.Action{{Type: "note", BodyZH: "x"}}
		on := []automation.Trigger{{On: automation.TriggerCreated}}
		a := r.rule(automation.Rule{Name: "a", Triggers: on, Actions: note})
		b := r.rule(automation.Rule{Name: "b", Triggers: on, Actions: note})
		c := r.rule(automation.Rule{Name: "c", Triggers: on, Actions: note})
		names := func() string {
			rs, err := r.svc.Rules(r.ctx, r.admin)
			if err != nil {
				t.Fatal(err)
			}
			s := ""
			for _, x := range rs {
				s += x.Name
				if !x.Enabled {
					s += "-"
				}
			}
			return s
		}
		if err := r.svc.Move(r.ctx, r.lead, c.ID, -1); !errors.Is(err, kefu.ErrForbidden) {
			t.Errorf("a supervisor moves a rule: %v", err)
		}
		for _, m := range []struct {
			id    int64
			delta int
			want  string
		}{{c.ID, -1, "acb"}, {c.ID, -1, "cab"}, {c.ID, -1, "cab"}, {b.ID, 1, "cab"}, {a.ID, 1, "cba"}} {
			if err := r.svc.Move(r.ctx, r.admin, m.id, m.delta); err != nil {
				t.Fatal(err)
			}
			if got := names(); got != m.want {
				t.Errorf("after moving %d by %d: %s, want %s", m.id, m.delta, got, m.want)
			}
		}
		if err := r.svc.SetEnabled(r.ctx, r.agent, b.ID, false); !errors.Is(err, kefu.ErrForbidden) {
			t.Errorf("an agent disables a rule: %v", err)
		}
		if err := r.svc.SetEnabled(r.ctx, r.admin, b.ID, false); err != nil {
			t.Fatal(err)
		}
		if got := names(); got != "cb-a" {
			t.Errorf("after disabling b: %s", got)
		}
		if err := r.svc.Move(r.ctx, r.admin, 99999999, 1); !errors.Is(err, kefu.ErrNotFound) {
			t.Errorf("move a missing rule: %v", err)
		}
	})
}
