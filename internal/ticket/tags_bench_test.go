package ticket_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// BenchmarkRenameTag renames a tag carried by 2,000 tickets, with the SLA
// hook that runs inside each ticket's event as in the server, back and
// forth: one op is one rename of all 2,000 (one transaction, which holds
// SQLite's writer for its length).
//
//	go test -run '^$' -bench RenameTag -benchtime 5x ./internal/ticket/
func BenchmarkRenameTag(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.Open(b, d)
			ctx := context.Background()
			sla.New(st).Register(jobs.NewTimers(st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour))
			svc := ticket.New(st, customer.New(st))
			const n = 2000
			for i := range n {
				if _, _, err := svc.Create(ctx, nil, ticket.NewTicket{Subject: fmt.Sprint("t", i), Channel: kefu.ChannelEmail,
					Customer: customer.Ref{Email: fmt.Sprintf("c%d@example.com", i%200)}, Message: ticket.NewMessage{Body: "x"}, Tags: []string{"old", "other"}}); err != nil {
					b.Fatal(err)
				}
			}
			admin := &kefu.User{Email: "bench@example.com", Name: "bench", Role: kefu.RoleAdmin, Language: "en", Status: kefu.UserActive}
			if err := st.CreateUser(ctx, admin, ""); err != nil {
				b.Fatal(err)
			}
			from, to := "old", "new"
			for b.Loop() {
				if got, err := svc.RenameTag(ctx, admin, from, to); err != nil || got != n {
					b.Fatalf("rename: %d, %v", got, err)
				}
				from, to = to, from
			}
		})
	}
}
