package ticket_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// TestTagAdmin renames, merges and deletes tags across tickets (closed ones
// too), checks each changed ticket got its ticket.updated event, and that
// bad input and agents are refused with nothing changed.
func TestTagAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := ticket.New(st, customer.New(st))
		team, _ := st.TeamByName(ctx, kefu.DefaultTeam)
		var admin, agent *kefu.User
		for _, u := range []**kefu.User{&admin, &agent} {
			role := kefu.RoleAdmin
			if u == &agent {
				role = kefu.RoleAgent
			}
			*u = &kefu.User{Email: string(role) + "@tags.test", Name: string(role), Role: role, Language: "en", Status: kefu.UserActive, TeamIDs: []int64{team.ID}}
			if err := st.CreateUser(ctx, *u, ""); err != nil {
				t.Fatal(err)
			}
		}
		open := func(tags ...string) int64 {
			tk, _, err := svc.Create(ctx, nil, ticket.NewTicket{Subject: "标签", Channel: kefu.ChannelEmail,
				Customer: customer.Ref{Email: "tags@example.com"}, Message: ticket.NewMessage{Body: "你好"}, Tags: tags})
			if err != nil {
				t.Fatal(err)
			}
			return tk.ID
		}
		both, onlyA, onlyB, other := open("a", "b"), open("a"), open("b"), open("c")
		// A closed ticket no agent may edit still sheds a renamed tag.
		closed, _ := st.Ticket(ctx, onlyA)
		closed.Status = kefu.StatusClosed
		if err := st.UpdateTicket(ctx, closed); err != nil {
			t.Fatal(err)
		}
		tagsOf := func(id int64) []string {
			tk, err := st.Ticket(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return tk.Tags
		}
		counts := func() string {
			cs, _, err := st.TicketTagCounts(ctx, store.TagFilter{Sort: "name", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(cs)
		}
		tagEvents := func(id int64) int {
			es, err := st.TicketEvents(ctx, id, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range es {
				var d struct {
					Changes map[string]json.RawMessage `json:"changes"`
				}
				_ = json.Unmarshal(e.Data, &d)
				if _, ok := d.Changes["tags"]; ok && e.Type == kefu.EventTicketUpdated && e.ActorUserID != nil && *e.ActorUserID == admin.ID {
					n++
				}
			}
			return n
		}

		if got, want := counts(), "[{a 2} {b 2} {c 1}]"; got != want {
			t.Fatalf("counts before: %s, want %s", got, want)
		}
		before := counts()
		refusals := []struct {
			name string
			run  func() (int, error)
			want error
		}{
			{"agent renames", func() (int, error) { return svc.RenameTag(ctx, agent, "a", "x") }, kefu.ErrForbidden},
			{"agent deletes", func() (int, error) { return svc.DeleteTag(ctx, agent, "a") }, kefu.ErrForbidden},
			{"empty new name", func() (int, error) { return svc.RenameTag(ctx, admin, "a", "  ") }, kefu.ErrInvalid},
			{"empty tag", func() (int, error) { return svc.DeleteTag(ctx, admin, "") }, kefu.ErrInvalid},
			{"same name", func() (int, error) { return svc.RenameTag(ctx, admin, "a", " a ") }, kefu.ErrInvalid},
			{"merge into itself", func() (int, error) { return svc.MergeTag(ctx, admin, "a", "a") }, kefu.ErrInvalid},
			{"rename onto an existing tag", func() (int, error) { return svc.RenameTag(ctx, admin, "a", "b") }, kefu.ErrConflict},
			{"rename an unknown tag", func() (int, error) { return svc.RenameTag(ctx, admin, "nope", "x") }, kefu.ErrNotFound},
			{"merge an unknown tag", func() (int, error) { return svc.MergeTag(ctx, admin, "nope", "a") }, kefu.ErrNotFound},
			{"merge into an unknown tag", func() (int, error) { return svc.MergeTag(ctx, admin, "a", "nope") }, kefu.ErrNotFound},
			{"delete an unknown tag", func() (int, error) { return svc.DeleteTag(ctx, admin, "nope") }, kefu.ErrNotFound},
		}
		for _, r := range refusals {
			n, err := r.run()
			if !errors.Is(err, r.want) || n != 0 {
				t.Errorf("%s: %d, %v; want %v", r.name, n, err, r.want)
			}
			if got := counts(); got != before {
				t.Errorf("%s changed the tags: %s, was %s", r.name, got, before)
			}
		}
		if tagEvents(both) != 0 {
			t.Fatal("refused changes wrote events")
		}

		if n, err := svc.RenameTag(ctx, admin, "a", "新标签"); err != nil || n != 2 {
			t.Fatalf("rename: %d, %v", n, err)
		}
		if got := tagsOf(both); !slices.Equal(got, []string{"b", "新标签"}) {
			t.Errorf("renamed ticket's tags: %v", got)
		}
		if got := tagsOf(onlyA); !slices.Equal(got, []string{"新标签"}) {
			t.Errorf("closed ticket's tags: %v", got)
		}
		if tagEvents(both) != 1 || tagEvents(onlyA) != 1 || tagEvents(onlyB) != 0 {
			t.Errorf("rename events: %d %d %d, want 1 1 0", tagEvents(both), tagEvents(onlyA), tagEvents(onlyB))
		}

		// Merge with overlap: the ticket carrying both keeps one.
		if n, err := svc.MergeTag(ctx, admin, "新标签", "b"); err != nil || n != 2 {
			t.Fatalf("merge: %d, %v", n, err)
		}
		for _, id := range []int64{both, onlyA, onlyB} {
			if got := tagsOf(id); !slices.Equal(got, []string{"b"}) {
				t.Errorf("ticket %d after merge: %v, want [b]", id, got)
			}
		}
		if got, want := counts(), "[{b 3} {c 1}]"; got != want {
			t.Errorf("counts after merge: %s, want %s", got, want)
		}

		if n, err := svc.DeleteTag(ctx, admin, "b"); err != nil || n != 3 {
			t.Fatalf("delete: %d, %v", n, err)
		}
		if got := tagsOf(both); len(got) != 0 {
			t.Errorf("after delete: %v", got)
		}
		if got := tagsOf(other); !slices.Equal(got, []string{"c"}) {
			t.Errorf("an untouched ticket lost its tags: %v", got)
		}
		if tagEvents(both) != 3 || tagEvents(other) != 0 {
			t.Errorf("events after delete: %d %d, want 3 0", tagEvents(both), tagEvents(other))
		}
	})
}

// TestTagCounts pages, sorts and searches the tag list.
func TestTagCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := ticket.New(st, customer.New(st))
		for i, tags := range [][]string{{"Refund", "vip"}, {"refund_slow", "vip"}, {"vip"}, {"50%off"}} {
			if _, _, err := svc.Create(ctx, nil, ticket.NewTicket{Subject: fmt.Sprint("t", i), Channel: kefu.ChannelEmail,
				Customer: customer.Ref{Email: "c@example.com"}, Message: ticket.NewMessage{Body: "x"}, Tags: tags}); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			f     store.TagFilter
			want  string
			total int
		}{
			{store.TagFilter{}, "[{vip 3} {50%off 1} {Refund 1} {refund_slow 1}]", 4},
			{store.TagFilter{Sort: "-count"}, "[{50%off 1} {Refund 1} {refund_slow 1} {vip 3}]", 4},
			{store.TagFilter{Sort: "-name", Limit: 2}, "[{vip 3} {refund_slow 1}]", 4},
			{store.TagFilter{Sort: "name", Limit: 2, Offset: 2}, "[{refund_slow 1} {vip 3}]", 4},
			{store.TagFilter{Query: "REFUND", Sort: "name"}, "[{Refund 1} {refund_slow 1}]", 2},
			{store.TagFilter{Query: "d_"}, "[{refund_slow 1}]", 1}, // _ is not a wildcard
			{store.TagFilter{Query: "%"}, "[{50%off 1}]", 1},
			{store.TagFilter{Query: "none"}, "[]", 0},
		}
		for _, c := range cases {
			got, total, err := st.TicketTagCounts(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != c.want || total != c.total {
				t.Errorf("%+v: %v (%d), want %s (%d)", c.f, got, total, c.want, c.total)
			}
		}
	})
}
