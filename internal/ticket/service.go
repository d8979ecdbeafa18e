// Package ticket holds the use cases of a ticket's life: open it, reply, add a
// note, change its fields and status, hand it off, merge it. Each use case
// checks the actor's rights through package auth, runs in one transaction and
// writes the events others react to.
package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Limits on what a person or a channel may submit.
const (
	MaxSubject    = 500
	MaxBody       = 256 << 10 // characters of plain text in one message
	MaxNote       = 2000
	MaxAttachment = 25 << 20
)

// Service runs ticket use cases against a store.
type Service struct {
	st        *store.Store
	customers *customer.Service
	ugc       *bluemonday.Policy
	strip     *bluemonday.Policy
	teamOnce  sync.Once
	team      int64
	teamErr   error
}

// New returns a Service on st that finds or creates customers through customers.
func New(st *store.Store, customers *customer.Service) *Service {
	return &Service{st: st, customers: customers, ugc: bluemonday.UGCPolicy(), strip: bluemonday.StrictPolicy()}
}

func (s *Service) defaultTeam(ctx context.Context) (int64, error) {
	s.teamOnce.Do(func() {
		t, err := s.st.TeamByName(ctx, kefu.DefaultTeam)
		if err != nil {
			s.teamErr = fmt.Errorf("default team: %w", err)
			return
		}
		s.team = t.ID
	})
	return s.team, s.teamErr
}

// event writes an event for a ticket in the current transaction.
func (s *Service) event(ctx context.Context, typ string, ticketID int64, actor *kefu.User, data any) error {
	e := &kefu.Event{Type: typ, TicketID: &ticketID}
	if actor != nil {
		e.ActorUserID = &actor.ID
	}
	return s.st.AddEvent(ctx, e, data)
}

// visible loads a ticket the actor may see, inside the current transaction
// and locked against concurrent changes. A nil actor is the system (a channel).
func (s *Service) visible(ctx context.Context, actor *kefu.User, id int64) (*kefu.Ticket, error) {
	if actor != nil {
		ok, err := s.st.TicketVisible(ctx, id, auth.Scope(actor))
		if err != nil {
			return nil, err
		}
		if !ok {
			// Say "not found", not "forbidden": a ticket's existence is private too.
			return nil, kefu.NotFound("ticket")
		}
	}
	return s.st.LockTicket(ctx, id)
}

// Get returns a ticket the actor may see.
func (s *Service) Get(ctx context.Context, actor *kefu.User, id int64) (*kefu.Ticket, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil { // every signed-in role may read what it sees
		return nil, err
	}
	ok, err := s.st.TicketVisible(ctx, id, auth.Scope(actor))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, kefu.NotFound("ticket")
	}
	return s.st.Ticket(ctx, id)
}

// List returns the tickets f selects among those the actor may see.
func (s *Service) List(ctx context.Context, actor *kefu.User, f store.TicketFilter) ([]*kefu.Ticket, string, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, "", err
	}
	f.Scope = auth.Scope(actor)
	return s.st.Tickets(ctx, f)
}

// Messages returns a ticket's conversation after message id after.
func (s *Service) Messages(ctx context.Context, actor *kefu.User, id, after int64, limit int) ([]*kefu.Message, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.st.Messages(ctx, id, after, limit)
}

// Activity returns a ticket's activity trail after event id after.
func (s *Service) Activity(ctx context.Context, actor *kefu.User, id, after int64, limit int) ([]*kefu.Event, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.st.TicketEvents(ctx, id, after, limit)
}

// Handoffs returns a ticket's transfers, newest first.
func (s *Service) Handoffs(ctx context.Context, actor *kefu.User, id int64) ([]*kefu.Handoff, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.st.Handoffs(ctx, id)
}

// body turns submitted text and optional HTML into a stored plain-text body
// and sanitised HTML.
func (s *Service) body(text, rawHTML string) (plain, safe string, err error) {
	if rawHTML != "" {
		safe = s.ugc.Sanitize(rawHTML)
		if strings.TrimSpace(text) == "" {
			text = html.UnescapeString(s.strip.Sanitize(strings.NewReplacer("<br>", "\n", "<br/>", "\n", "</p>", "\n").Replace(rawHTML)))
		}
	}
	plain, err = kefu.CleanText("body", text, 0, MaxBody)
	return plain, safe, err
}

// Upload is a file attached to a new message.
type Upload struct {
	Filename string
	Data     []byte
}

func (s *Service) storeUploads(ctx context.Context, ups []Upload) ([]kefu.Attachment, error) {
	as := make([]kefu.Attachment, 0, len(ups))
	for _, u := range ups {
		name, err := kefu.CleanText("attachments", u.Filename, 1, 255)
		if err != nil {
			return nil, err
		}
		if len(u.Data) == 0 {
			return nil, kefu.Invalid("attachments", "%s is empty", name)
		}
		if len(u.Data) > MaxAttachment {
			return nil, kefu.Invalid("attachments", "%s is %d bytes; the limit is %d", name, len(u.Data), MaxAttachment)
		}
		sum, ctype, err := s.st.PutBlob(ctx, u.Data)
		if err != nil {
			return nil, err
		}
		as = append(as, kefu.Attachment{SHA256: sum, Filename: name, ContentType: ctype, Size: int64(len(u.Data))})
	}
	return as, nil
}

// marshalChanges is the data of a ticket.updated event: field → [old, new].
type changes map[string][2]any

func (c changes) add(field string, old, new any) {
	ob, _ := json.Marshal(old)
	nb, _ := json.Marshal(new)
	if string(ob) != string(nb) {
		c[field] = [2]any{old, new}
	}
}
