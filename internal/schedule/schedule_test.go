package schedule_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/schedule"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

func TestScheduledReply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		clock := func() time.Time { return now }
		tickets := ticket.New(st, customer.New(st))
		svc := schedule.New(st, tickets)
		svc.SetClock(clock)
		timers := jobs.NewTimers(st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour)
		timers.Now = clock
		svc.Register(timers)
		team, _ := st.TeamByName(ctx, kefu.DefaultTeam)
		agent, _, err := user.New(st).Create(ctx, nil, user.Input{Email: "a@t.test", Name: "a", Role: kefu.RoleAgent, Password: "secret", TeamIDs: []int64{team.ID}})
		if err != nil {
			t.Fatal(err)
		}
		tk, _, err := tickets.Create(ctx, nil, ticket.NewTicket{Channel: kefu.ChannelEmail, Customer: customer.Ref{Email: "b@buyer.test"}, Message: ticket.NewMessage{Body: "在吗"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Schedule(ctx, agent, tk.ID, schedule.Input{Body: "早上好", SendAt: now.Add(-time.Minute)}); !errors.Is(err, kefu.ErrInvalid) {
			t.Errorf("a reply scheduled in the past: %v", err)
		}
		keep, err := svc.Schedule(ctx, agent, tk.ID, schedule.Input{Body: "早上好，已为您补发", Status: kefu.StatusPending, SendAt: now.Add(10 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		drop, err := svc.Schedule(ctx, agent, tk.ID, schedule.Input{Body: "取消的回复", SendAt: now.Add(9 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Cancel(ctx, agent, drop.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Cancel(ctx, agent, drop.ID); !errors.Is(err, kefu.ErrConflict) {
			t.Errorf("cancelling twice: %v", err)
		}
		now = now.Add(9*time.Hour + 30*time.Minute)
		if n, _ := timers.RunDue(ctx); n != 0 {
			t.Errorf("%d timers fired before the send time (the cancelled one must not)", n)
		}
		if ms, _ := st.Messages(ctx, tk.ID, 0, 10); len(ms) != 1 {
			t.Fatalf("%d messages before the send time", len(ms))
		}
		now = now.Add(time.Hour)
		if _, err := timers.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		ms, _ := st.Messages(ctx, tk.ID, 0, 10)
		if len(ms) != 2 || ms[1].Body != "早上好，已为您补发" || ms[1].Kind != kefu.MessageReply || *ms[1].AuthorUserID != agent.ID {
			t.Fatalf("messages after the send time: %+v", ms)
		}
		got, _ := st.Ticket(ctx, tk.ID)
		if got.Status != kefu.StatusPending {
			t.Errorf("status %s after the scheduled reply, want pending", got.Status)
		}
		list, _ := svc.List(ctx, agent, tk.ID)
		states := map[int64]string{}
		for _, m := range list {
			states[m.ID] = m.State
		}
		if states[keep.ID] != schedule.Sent || states[drop.ID] != schedule.Cancelled {
			t.Errorf("states %v", states)
		}
		// A reply due on a ticket closed meanwhile fails and tells its author.
		late, err := svc.Schedule(ctx, agent, tk.ID, schedule.Input{Body: "太晚了", SendAt: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tickets.Update(ctx, agent, tk.ID, ticket.Patch{Status: ticket.Field[kefu.Status]{Set: true, Value: kefu.StatusClosed}}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Hour)
		if _, err := timers.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		list, _ = svc.List(ctx, agent, tk.ID)
		for _, m := range list {
			if m.ID == late.ID && (m.State != schedule.Failed || m.Error == "") {
				t.Errorf("reply on a closed ticket: %+v", m)
			}
		}
		if ns, _ := st.Notifications(ctx, agent.ID, 0, false, 10); len(ns) != 1 {
			t.Errorf("author notified %d times, want once", len(ns))
		}
	})
}
