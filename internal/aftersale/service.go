package aftersale

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// Service runs after-sales use cases against a store. Each checks the
// actor's rights through package auth, runs in one transaction, audits
// every transition and writes the events others react to.
type Service struct {
	st      *store.Store
	tickets *ticket.Service
	log     *slog.Logger
	client  *http.Client
	// now is the clock; tests move it to make retries and windows due.
	now func() time.Time
}

// New returns a Service on st that opens tickets through tickets.
func New(st *store.Store, tickets *ticket.Service, log *slog.Logger) *Service {
	return &Service{st: st, tickets: tickets, log: log, client: &http.Client{Timeout: 15 * time.Second},
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetHTTPClient replaces the client that sends webhooks (tests, proxies).
func (s *Service) SetHTTPClient(c *http.Client) { s.client = c }

// who is the author of a change: a user, the customer, the shop's system
// or kefu itself.
type who struct {
	user       *kefu.User
	customerID int64
	label      string // user, customer, shop, system
}

func byUser(u *kefu.User) who { return who{user: u, label: "user"} }
func byCustomer(id int64) who { return who{customerID: id, label: "customer"} }
func byShop(u *kefu.User) who { return who{user: u, label: "shop"} }
func bySystem() who           { return who{label: "system"} }
func (w who) userID() *int64  { return idOf(w.user) }
func (w who) custID() *int64 {
	if w.customerID == 0 {
		return nil
	}
	id := w.customerID
	return &id
}

func idOf(u *kefu.User) *int64 {
	if u == nil {
		return nil
	}
	id := u.ID
	return &id
}

// event writes an event about a case in the current transaction.
func (s *Service) event(ctx context.Context, typ string, c *kefu.Case, w who, data map[string]any) error {
	e := &kefu.Event{Type: typ, ActorUserID: w.userID()}
	if c != nil {
		e.TicketID = &c.TicketID
		if data == nil {
			data = map[string]any{}
		}
		data["case_id"] = c.ID
	}
	if w.label != "user" {
		if data == nil {
			data = map[string]any{}
		}
		data["actor"] = w.label
	}
	return s.st.AddEvent(ctx, e, data)
}

// canSee reports whether the actor may see case c: through its ticket, or
// through a task handed to one of the actor's teams.
func (s *Service) canSee(ctx context.Context, actor *kefu.User, c *kefu.Case) error {
	if err := auth.Can(actor, auth.AddNotes); err != nil { // every signed-in role reads what it sees
		return err
	}
	ok, err := s.st.TicketVisible(ctx, c.TicketID, auth.Scope(actor))
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	if s.hasTeamTask(ctx, actor, c.ID) {
		return nil
	}
	return kefu.NotFound("case")
}

func (s *Service) hasTeamTask(ctx context.Context, actor *kefu.User, caseID int64) bool {
	if len(actor.TeamIDs) == 0 {
		return false
	}
	ts, err := s.st.CaseTasks(ctx, store.CaseTaskFilter{CaseID: caseID, TeamIDs: actor.TeamIDs, Limit: 1}, s.now())
	return err == nil && len(ts) > 0
}

// visible loads a case the actor may see; inside a transaction it is locked.
func (s *Service) visible(ctx context.Context, actor *kefu.User, id int64, lock bool) (*kefu.Case, error) {
	var c *kefu.Case
	var err error
	if lock {
		c, err = s.st.LockCase(ctx, id)
	} else {
		c, err = s.st.Case(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	if actor == nil {
		return c, nil
	}
	if err := s.canSee(ctx, actor, c); err != nil {
		return nil, err
	}
	return c, nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return b
}
