// Package schedule sends replies later: an agent writes a reply now and
// schedules it; it can be cancelled until it goes, and when its time comes a
// durable timer sends it through the ticket use cases as its author, with
// the author's rights as they are then.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// TimerSend is the timer kind of a scheduled reply (ref: its id).
const TimerSend = "schedule.send"

// Scheduled message states.
const (
	Scheduled = "scheduled"
	Sent      = "sent"
	Cancelled = "cancelled"
	Failed    = "failed"
)

// Service schedules replies.
type Service struct {
	st      *store.Store
	tickets *ticket.Service
	now     func() time.Time
}

// New returns the service.
func New(st *store.Store, tickets *ticket.Service) *Service {
	return &Service{st: st, tickets: tickets, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetClock replaces the service's clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Register handles the send timers.
func (s *Service) Register(timers *jobs.Timers) { timers.Register(TimerSend, s.send) }

// Input is a reply to send later.
type Input struct {
	Body   string      `json:"body"`
	HTML   string      `json:"html,omitempty"`
	Status kefu.Status `json:"status,omitempty"` // move the ticket along when it is sent
	SendAt time.Time   `json:"send_at"`
}

func (s *Service) check(ctx context.Context, actor *kefu.User, ticketID int64) error {
	if err := auth.Can(actor, auth.ReplyToCustomer); err != nil {
		return err
	}
	ok, err := s.st.TicketVisible(ctx, ticketID, auth.Scope(actor))
	if err != nil {
		return err
	}
	if !ok {
		return kefu.NotFound("ticket")
	}
	return nil
}

// Schedule stores a reply to send at in.SendAt.
func (s *Service) Schedule(ctx context.Context, actor *kefu.User, ticketID int64, in Input) (*store.ScheduledMessage, error) {
	if err := s.check(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	body, err := kefu.CleanText("body", in.Body, 0, ticket.MaxBody)
	if err != nil {
		return nil, err
	}
	if body == "" && in.HTML == "" {
		return nil, kefu.Invalid("body", "is required")
	}
	if in.Status != "" && !in.Status.Valid() {
		return nil, kefu.Invalid("status", "unknown status %q", in.Status)
	}
	if !in.SendAt.After(s.now()) {
		return nil, kefu.Invalid("send_at", "must be in the future")
	}
	if in.SendAt.After(s.now().AddDate(1, 0, 0)) {
		return nil, kefu.Invalid("send_at", "must be within a year")
	}
	m := &store.ScheduledMessage{TicketID: ticketID, AuthorUserID: actor.ID, Body: body, HTML: in.HTML, StatusAfter: in.Status,
		SendAt: in.SendAt.UTC().Truncate(time.Microsecond), State: Scheduled}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.CreateScheduledMessage(ctx, m); err != nil {
			return err
		}
		if err := s.st.SetTimer(ctx, TimerSend, m.ID, m.SendAt); err != nil {
			return err
		}
		return s.st.AddEvent(ctx, &kefu.Event{Type: "message.scheduled", TicketID: &ticketID, ActorUserID: &actor.ID},
			map[string]any{"scheduled_id": m.ID, "send_at": m.SendAt})
	})
	return m, err
}

// Cancel stops a scheduled reply that has not gone yet.
func (s *Service) Cancel(ctx context.Context, actor *kefu.User, id int64) (*store.ScheduledMessage, error) {
	var m *store.ScheduledMessage
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.st.ScheduledMessage(ctx, id); err != nil {
			return err
		}
		if err := s.check(ctx, actor, m.TicketID); err != nil {
			if errors.Is(err, kefu.ErrNotFound) {
				return kefu.NotFound("scheduled message")
			}
			return err
		}
		if m.State != Scheduled {
			return &kefu.ConflictError{Field: "state", Message: "this reply is already " + m.State}
		}
		m.State = Cancelled
		if err := s.st.UpdateScheduledMessage(ctx, m); err != nil {
			return err
		}
		if err := s.st.CancelTimer(ctx, TimerSend, m.ID); err != nil {
			return err
		}
		return s.st.AddEvent(ctx, &kefu.Event{Type: "message.schedule_cancelled", TicketID: &m.TicketID, ActorUserID: &actor.ID},
			map[string]any{"scheduled_id": m.ID})
	})
	return m, err
}

// List returns a ticket's scheduled replies, newest first.
func (s *Service) List(ctx context.Context, actor *kefu.User, ticketID int64) ([]*store.ScheduledMessage, error) {
	if err := s.check(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	return s.st.ScheduledMessages(ctx, ticketID)
}

// send is the timer: it sends the reply as its author. A reply that can no
// longer be sent (the ticket closed, the author disabled) is marked failed
// with the reason, so the author sees it, and is not retried.
func (s *Service) send(ctx context.Context, tm *store.Timer) error {
	m, err := s.st.ScheduledMessage(ctx, tm.RefID)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil
	}
	if err != nil || m.State != Scheduled {
		return err
	}
	author, err := s.st.User(ctx, m.AuthorUserID)
	if err != nil {
		return err
	}
	var msg *kefu.Message
	err = s.st.Savepoint(ctx, "send", func(ctx context.Context) error {
		var err error
		msg, _, err = s.tickets.AddMessage(ctx, author, m.TicketID, ticket.NewMessage{Kind: kefu.MessageReply, Body: m.Body, HTML: m.HTML, Status: m.StatusAfter})
		return err
	})
	switch {
	case err == nil:
		m.State, m.MessageID = Sent, &msg.ID
	case errors.Is(err, kefu.ErrConflict), errors.Is(err, kefu.ErrForbidden), errors.Is(err, kefu.ErrUnauthorized),
		errors.Is(err, kefu.ErrNotFound), errors.Is(err, kefu.ErrInvalid):
		m.State, m.Error = Failed, err.Error()
		n := &kefu.Notification{UserID: author.ID, TicketID: &m.TicketID, Kind: "schedule.failed",
			TextZH: fmt.Sprintf("定时回复未能发送：%v", err), TextEN: fmt.Sprintf("A scheduled reply could not be sent: %v", err)}
		if err := s.st.AddNotification(ctx, n); err != nil {
			return err
		}
	default:
		return err // a database problem: the timer retries
	}
	return s.st.UpdateScheduledMessage(ctx, m)
}
