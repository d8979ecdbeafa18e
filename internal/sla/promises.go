package sla

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Quick choices for a promise's due time, as agents say them to customers.
var quickChoices = map[string]time.Duration{"2h": 2 * time.Hour, "24h": 24 * time.Hour, "48h": 48 * time.Hour}

// PromiseInput makes a promise. Give one of In (a quick choice: 2h, 24h,
// 48h, wall-clock), DueAt, or BusinessMinutes (counted on the team's
// calendar, for hand-offs to a department).
type PromiseInput struct {
	Kind            string     `json:"kind"` // follow_up (default) or handoff
	In              string     `json:"in,omitempty"`
	DueAt           *time.Time `json:"due_at,omitempty"`
	BusinessMinutes int        `json:"business_minutes,omitempty"`
	Note            string     `json:"note"`
	TeamID          *int64     `json:"team_id,omitempty"`       // handoff: the department
	OwnerUserID     *int64     `json:"owner_user_id,omitempty"` // default: the agent making it (follow_up)
}

// remindLead is how long before its due time a promise reminds its owner:
// a quarter of the time given, at least 5 minutes, at most 2 hours.
func remindLead(total time.Duration) time.Duration {
	return min(max(total/4, 5*time.Minute), 2*time.Hour)
}

// visibleTicket checks the actor may change the ticket and locks it.
func (s *Service) visibleTicket(ctx context.Context, actor *kefu.User, id int64) (*kefu.Ticket, error) {
	if err := auth.Can(actor, auth.EditTickets); err != nil {
		return nil, err
	}
	ok, err := s.st.TicketVisible(ctx, id, auth.Scope(actor))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, kefu.NotFound("ticket")
	}
	return s.st.LockTicket(ctx, id)
}

// Promise records a promise on a ticket and schedules its reminder.
func (s *Service) Promise(ctx context.Context, actor *kefu.User, ticketID int64, in PromiseInput) (*kefu.Promise, error) {
	if in.Kind == "" {
		in.Kind = kefu.PromiseFollowUp
	}
	if in.Kind != kefu.PromiseFollowUp && in.Kind != kefu.PromiseHandoff {
		return nil, kefu.Invalid("kind", "must be follow_up or handoff; got %q", in.Kind)
	}
	note, err := kefu.CleanText("note", in.Note, 0, 1000)
	if err != nil {
		return nil, err
	}
	given := 0
	for _, set := range []bool{in.In != "", in.DueAt != nil, in.BusinessMinutes != 0} {
		if set {
			given++
		}
	}
	if given != 1 {
		return nil, kefu.Invalid("due_at", "give exactly one of in (2h, 24h, 48h), due_at, or business_minutes")
	}
	if in.Kind == kefu.PromiseHandoff && in.TeamID == nil {
		return nil, kefu.Invalid("team_id", "a hand-off promise names the department that must answer")
	}
	var p *kefu.Promise
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.visibleTicket(ctx, actor, ticketID)
		if err != nil {
			return err
		}
		if !t.Status.Active() || t.MergedInto != nil {
			return &kefu.ConflictError{Field: "ticket", Message: fmt.Sprintf("ticket #%d is not open; reopen it to promise anything", t.Number)}
		}
		now := s.now()
		var due time.Time
		switch {
		case in.In != "":
			d, ok := quickChoices[in.In]
			if !ok {
				return kefu.Invalid("in", "must be 2h, 24h or 48h; got %q", in.In)
			}
			due = now.Add(d)
		case in.DueAt != nil:
			due = in.DueAt.UTC().Truncate(time.Microsecond)
		default:
			if in.BusinessMinutes < 0 || in.BusinessMinutes > 366*24*60 {
				return kefu.Invalid("business_minutes", "must be between 1 and %d", 366*24*60)
			}
			cal, err := s.teamCalendar(ctx, in.TeamID)
			if err != nil {
				return err
			}
			if due, err = cal.Add(now, time.Duration(in.BusinessMinutes)*time.Minute); err != nil {
				return kefu.Invalid("business_minutes", "the team's calendar has no business hours to count them in")
			}
		}
		if !due.After(now) {
			return kefu.Invalid("due_at", "must be in the future")
		}
		if in.TeamID != nil {
			if _, err := s.st.Team(ctx, *in.TeamID); errors.Is(err, kefu.ErrNotFound) {
				return &kefu.NotFoundError{What: "team", Field: "team_id"}
			} else if err != nil {
				return err
			}
		}
		owner := in.OwnerUserID
		if owner == nil && in.Kind == kefu.PromiseFollowUp {
			owner = &actor.ID
		}
		if owner != nil {
			if u, err := s.st.User(ctx, *owner); err != nil || u.Status != kefu.UserActive {
				return &kefu.NotFoundError{What: "active user", Field: "owner_user_id"}
			}
		}
		p = &kefu.Promise{TicketID: t.ID, Kind: in.Kind, State: kefu.PromiseOpen, OwnerUserID: owner, TeamID: in.TeamID,
			Note: note, DueAt: due, RemindAt: due.Add(-remindLead(due.Sub(now))), CreatedBy: actor.ID, CreatedAt: now}
		if err := s.st.CreatePromise(ctx, p); err != nil {
			return err
		}
		if err := s.st.SetTimer(ctx, TimerPromise, p.ID, p.RemindAt); err != nil {
			return err
		}
		return s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventPromiseCreated, TicketID: &t.ID, ActorUserID: &actor.ID},
			map[string]any{"promise_id": p.ID, "kind": p.Kind, "due_at": p.DueAt, "note": p.Note, "team_id": p.TeamID})
	})
	return p, err
}

func (s *Service) teamCalendar(ctx context.Context, teamID *int64) (*Calendar, error) {
	_, cals, def, err := s.config(ctx)
	if err != nil {
		return nil, err
	}
	id := def
	if teamID != nil {
		ts, err := s.st.TeamSettings(ctx, *teamID)
		if err != nil {
			return nil, err
		}
		if ts.CalendarID != nil {
			id = ts.CalendarID
		}
	}
	return calendarFunc(cals, def)(id)
}

// Promises lists a ticket's promises, newest first.
func (s *Service) Promises(ctx context.Context, actor *kefu.User, ticketID int64) ([]*kefu.Promise, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	ok, err := s.st.TicketVisible(ctx, ticketID, auth.Scope(actor))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, kefu.NotFound("ticket")
	}
	return s.st.Promises(ctx, ticketID, false)
}

// ClosePromise marks a promise kept or cancelled by hand.
func (s *Service) ClosePromise(ctx context.Context, actor *kefu.User, id int64, kept bool) (*kefu.Promise, error) {
	var p *kefu.Promise
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = s.st.Promise(ctx, id); err != nil {
			return err
		}
		if _, err := s.visibleTicket(ctx, actor, p.TicketID); err != nil {
			if errors.Is(err, kefu.ErrNotFound) {
				return kefu.NotFound("promise")
			}
			return err
		}
		if p.State != kefu.PromiseOpen {
			return &kefu.ConflictError{Field: "state", Message: "this promise is already " + p.State}
		}
		return s.closePromise(ctx, p, kept, &actor.ID, "")
	})
	return p, err
}

func (s *Service) closePromise(ctx context.Context, p *kefu.Promise, kept bool, actor *int64, why string) error {
	now := s.now()
	typ := kefu.EventPromiseCanceled
	p.State = kefu.PromiseCancelled
	if kept {
		typ, p.State, p.KeptAt = kefu.EventPromiseKept, kefu.PromiseKept, &now
	}
	if err := s.st.UpdatePromise(ctx, p); err != nil {
		return err
	}
	if err := s.st.CancelTimer(ctx, TimerPromise, p.ID); err != nil {
		return err
	}
	data := map[string]any{"promise_id": p.ID, "kind": p.Kind, "due_at": p.DueAt, "late": kept && now.After(p.DueAt)}
	if why != "" {
		data["by"] = why
	}
	return s.st.AddEvent(ctx, &kefu.Event{Type: typ, TicketID: &p.TicketID, ActorUserID: actor, CreatedAt: now}, data)
}

// promisesOnEvent keeps promises that the event fulfils and ends a snooze
// the customer interrupted: a public reply keeps the follow-up promises; a
// message from a member of a hand-off's department keeps that hand-off; a
// solved, closed or merged ticket cancels what is left.
func (s *Service) promisesOnEvent(ctx context.Context, e *kefu.Event, kind kefu.MessageKind) error {
	ticketID := *e.TicketID
	if e.Type == kefu.EventMessageAdded && kind == kefu.MessageCustomer {
		if err := s.endSnooze(ctx, ticketID, "customer_replied"); err != nil {
			return err
		}
	}
	if e.Type != kefu.EventMessageAdded && e.Type != kefu.EventTicketUpdated && e.Type != kefu.EventTicketMerged {
		return nil
	}
	ps, err := s.st.Promises(ctx, ticketID, true)
	if err != nil || len(ps) == 0 {
		return err
	}
	var actorTeams []int64
	if e.ActorUserID != nil && e.Type == kefu.EventMessageAdded {
		if u, err := s.st.User(ctx, *e.ActorUserID); err == nil {
			actorTeams = u.TeamIDs
		}
	}
	var t *kefu.Ticket
	if e.Type != kefu.EventMessageAdded {
		if t, err = s.st.Ticket(ctx, ticketID); err != nil {
			return err
		}
	}
	for _, p := range ps {
		switch {
		case t != nil && (!t.Status.Active() || t.MergedInto != nil):
			if err := s.closePromise(ctx, p, t.Status == kefu.StatusSolved && t.MergedInto == nil, nil, "ticket_"+string(t.Status)); err != nil {
				return err
			}
		case e.Type == kefu.EventMessageAdded && p.Kind == kefu.PromiseFollowUp && kind == kefu.MessageReply:
			if err := s.closePromise(ctx, p, true, e.ActorUserID, "reply"); err != nil {
				return err
			}
		case e.Type == kefu.EventMessageAdded && p.Kind == kefu.PromiseHandoff && p.TeamID != nil && (kind == kefu.MessageNote || kind == kefu.MessageReply) && contains(actorTeams, *p.TeamID):
			if err := s.closePromise(ctx, p, true, e.ActorUserID, "department_answered"); err != nil {
				return err
			}
		}
	}
	return nil
}

// firePromise is the promise timer: first the reminder, then the due time.
func (s *Service) firePromise(ctx context.Context, tm *store.Timer) error {
	p, err := s.st.Promise(ctx, tm.RefID)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	t, busy, err := s.st.TryLockTicket(ctx, p.TicketID)
	if err != nil {
		return err
	}
	if busy {
		return jobs.ErrTimerBusy
	}
	if p, err = s.st.Promise(ctx, tm.RefID); err != nil || p.State != kefu.PromiseOpen {
		return err
	}
	now := s.now()
	to, err := s.promiseAudience(ctx, p, t)
	if err != nil {
		return err
	}
	due := p.DueAt.In(shanghaiOr(time.UTC)).Format("2006-01-02 15:04")
	if now.Before(p.DueAt) {
		if p.RemindedAt != nil {
			return s.st.SetTimer(ctx, TimerPromise, p.ID, p.DueAt)
		}
		p.RemindedAt = &now
		if err := s.st.UpdatePromise(ctx, p); err != nil {
			return err
		}
		if err := s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventPromiseDueSoon, TicketID: &t.ID, CreatedAt: now},
			map[string]any{"promise_id": p.ID, "kind": p.Kind, "due_at": p.DueAt}); err != nil {
			return err
		}
		err = s.notify(ctx, to, kefu.Notification{TicketID: &t.ID, Kind: "promise.reminder",
			TextZH: fmt.Sprintf("提醒：工单 #%d 承诺在 %s 前回复客户%s", t.Number, due, suffix("：", p.Note)),
			TextEN: fmt.Sprintf("Reminder: ticket #%d, you promised an answer by %s%s", t.Number, due, suffix(": ", p.Note))})
		if err != nil {
			return err
		}
		return s.st.SetTimer(ctx, TimerPromise, p.ID, p.DueAt)
	}
	p.OverdueAt = &now
	if p.RemindedAt == nil {
		p.RemindedAt = &now
	}
	if err := s.st.UpdatePromise(ctx, p); err != nil {
		return err
	}
	if err := s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventPromiseOverdue, TicketID: &t.ID, CreatedAt: now},
		map[string]any{"promise_id": p.ID, "kind": p.Kind, "due_at": p.DueAt}); err != nil {
		return err
	}
	leads, err := s.st.TeamSupervisors(ctx, t.TeamID)
	if err != nil {
		return err
	}
	return s.notify(ctx, append(to, leads...), kefu.Notification{TicketID: &t.ID, Kind: kefu.EventPromiseOverdue,
		TextZH: fmt.Sprintf("逾期：工单 #%d 对客户的承诺（%s 前）未兑现%s", t.Number, due, suffix("：", p.Note)),
		TextEN: fmt.Sprintf("Overdue: ticket #%d, the promise due %s was not kept%s", t.Number, due, suffix(": ", p.Note))})
}

// promiseAudience is who a promise reminds: its owner, else the members of
// its department, else the ticket's assignee.
func (s *Service) promiseAudience(ctx context.Context, p *kefu.Promise, t *kefu.Ticket) ([]int64, error) {
	if p.OwnerUserID != nil {
		return []int64{*p.OwnerUserID}, nil
	}
	if p.TeamID != nil {
		us, err := s.st.Users(ctx)
		if err != nil {
			return nil, err
		}
		var ids []int64
		for _, u := range us {
			if u.Status == kefu.UserActive && u.InTeam(*p.TeamID) {
				ids = append(ids, u.ID)
			}
		}
		if len(ids) > 0 {
			return ids, nil
		}
	}
	if t.AssigneeID != nil {
		return []int64{*t.AssigneeID}, nil
	}
	return s.st.TeamSupervisors(ctx, t.TeamID)
}

func suffix(sep, s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return sep + s
}

// ProgressReply is the bilingual progress update an agent can send when a
// promise is near: "we are still on it: …", with the promised time.
func ProgressReply(p *kefu.Promise, customerName string) (zh, en string) {
	due := p.DueAt.In(shanghaiOr(time.UTC)).Format("1月2日 15:04")
	dueEN := p.DueAt.In(shanghaiOr(time.UTC)).Format("Jan 2, 15:04")
	greetZH, greetEN := "您好", "Hello"
	if customerName != "" {
		greetZH, greetEN = customerName+"，您好", "Hello "+customerName
	}
	zh = fmt.Sprintf("%s！关于您的问题，我们仍在全力处理中%s。我们会在 %s 前给您明确答复，感谢您的耐心等待。", greetZH, suffix("：", p.Note), due)
	en = fmt.Sprintf("%s, we are still on it%s. We will get back to you by %s (China time). Thank you for your patience.", greetEN, suffix(": ", p.Note), dueEN)
	return zh, en
}

// Snooze puts a ticket aside until a time: it leaves the inbox and comes
// back then, or earlier if the customer writes.
func (s *Service) Snooze(ctx context.Context, actor *kefu.User, ticketID int64, until time.Time) (*store.Snooze, error) {
	var z *store.Snooze
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.visibleTicket(ctx, actor, ticketID)
		if err != nil {
			return err
		}
		if !t.Status.Active() {
			return &kefu.ConflictError{Field: "ticket", Message: fmt.Sprintf("ticket #%d is not open", t.Number)}
		}
		if !until.After(s.now()) {
			return kefu.Invalid("until", "must be in the future")
		}
		z = &store.Snooze{TicketID: t.ID, Until: until.UTC().Truncate(time.Microsecond), UserID: &actor.ID}
		if err := s.st.SetSnooze(ctx, z); err != nil {
			return err
		}
		if err := s.st.SetTimer(ctx, TimerSnooze, t.ID, z.Until); err != nil {
			return err
		}
		return s.st.AddEvent(ctx, &kefu.Event{Type: "ticket.snoozed", TicketID: &t.ID, ActorUserID: &actor.ID}, map[string]any{"until": z.Until})
	})
	return z, err
}

// Unsnooze brings a snoozed ticket back now.
func (s *Service) Unsnooze(ctx context.Context, actor *kefu.User, ticketID int64) error {
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.visibleTicket(ctx, actor, ticketID); err != nil {
			return err
		}
		return s.endSnooze(ctx, ticketID, "unsnoozed")
	})
}

// SnoozeOf returns a ticket's snooze (not found when not snoozed).
func (s *Service) SnoozeOf(ctx context.Context, actor *kefu.User, ticketID int64) (*store.Snooze, error) {
	if _, err := s.Promises(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	return s.st.SnoozeOf(ctx, ticketID)
}

func (s *Service) endSnooze(ctx context.Context, ticketID int64, why string) error {
	had, err := s.st.ClearSnooze(ctx, ticketID)
	if err != nil || !had {
		return err
	}
	if err := s.st.CancelTimer(ctx, TimerSnooze, ticketID); err != nil {
		return err
	}
	return s.st.AddEvent(ctx, &kefu.Event{Type: "ticket.snooze_ended", TicketID: &ticketID}, map[string]any{"by": why})
}

// fireSnooze ends a snooze whose time has come.
func (s *Service) fireSnooze(ctx context.Context, tm *store.Timer) error {
	z, err := s.st.SnoozeOf(ctx, tm.RefID)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if z.Until.After(s.now()) {
		return s.st.SetTimer(ctx, TimerSnooze, tm.RefID, z.Until)
	}
	return s.endSnooze(ctx, tm.RefID, "time")
}
