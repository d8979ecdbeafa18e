package ticket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// Field is an optional change to one field of a patch: Set is false when the
// field was not given. In JSON, an absent key leaves the field alone and
// null clears a nullable one.
type Field[T any] struct {
	Set   bool
	Value T
}

// UnmarshalJSON marks the field as given.
func (f *Field[T]) UnmarshalJSON(b []byte) error {
	f.Set = true
	if bytes.Equal(b, []byte("null")) {
		var zero T
		f.Value = zero
		return nil
	}
	return json.Unmarshal(b, &f.Value)
}

// Patch changes a ticket's fields. Only fields that are Set change.
type Patch struct {
	Subject      Field[string]          `json:"subject"`
	Type         Field[kefu.TicketType] `json:"type"`
	CategoryID   Field[*int64]          `json:"category_id"`
	Priority     Field[kefu.Priority]   `json:"priority"`
	Status       Field[kefu.Status]     `json:"status"`
	AssigneeID   Field[*int64]          `json:"assignee_id"`
	TeamID       Field[*int64]          `json:"team_id"`
	OrderID      Field[*int64]          `json:"order_id"`
	Tags         Field[[]string]        `json:"tags"`
	CustomFields Field[map[string]any]  `json:"custom_fields"`
}

// Update applies a patch to a ticket and records what changed.
func (s *Service) Update(ctx context.Context, actor *kefu.User, id int64, p Patch) (*kefu.Ticket, error) {
	if err := auth.Can(actor, auth.EditTickets); err != nil {
		return nil, err
	}
	var t *kefu.Ticket
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		t, err = s.visible(ctx, actor, id)
		if err != nil {
			return err
		}
		if t.MergedInto != nil {
			return &kefu.ConflictError{Field: "ticket", Message: fmt.Sprintf("ticket #%d was merged into another ticket", t.Number)}
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		wasClosed := t.Status == kefu.StatusClosed
		ch := changes{}
		if p.Subject.Set {
			v, err := kefu.CleanText("subject", p.Subject.Value, 1, MaxSubject)
			if err != nil {
				return err
			}
			ch.add("subject", t.Subject, v)
			t.Subject = v
		}
		if p.Type.Set {
			if !p.Type.Value.Valid() {
				return kefu.Invalid("type", "must be one of consultation, complaint, after_sales; got %q", p.Type.Value)
			}
			ch.add("type", t.Type, p.Type.Value)
			t.Type = p.Type.Value
		}
		if p.Priority.Set {
			if !p.Priority.Value.Valid() {
				return kefu.Invalid("priority", "must be one of low, normal, high, urgent; got %q", p.Priority.Value)
			}
			ch.add("priority", t.Priority, p.Priority.Value)
			t.Priority = p.Priority.Value
		}
		if p.Tags.Set {
			tags, err := customer.CleanTags(p.Tags.Value)
			if err != nil {
				return err
			}
			ch.add("tags", t.Tags, tags)
			t.Tags = tags
		}
		if p.CustomFields.Set {
			ch.add("custom_fields", t.CustomFields, p.CustomFields.Value)
			t.CustomFields = p.CustomFields.Value
		}
		var orderID, categoryID, assigneeID *int64
		if p.OrderID.Set {
			orderID = p.OrderID.Value
			ch.add("order_id", t.OrderID, p.OrderID.Value)
			t.OrderID = p.OrderID.Value
		}
		if p.CategoryID.Set {
			categoryID = p.CategoryID.Value
			ch.add("category_id", t.CategoryID, p.CategoryID.Value)
			t.CategoryID = p.CategoryID.Value
		}
		if p.AssigneeID.Set {
			assigneeID = p.AssigneeID.Value
			ch.add("assignee_id", t.AssigneeID, p.AssigneeID.Value)
			t.AssigneeID = p.AssigneeID.Value
		}
		if p.TeamID.Set {
			if p.TeamID.Value != nil {
				if _, err := s.st.Team(ctx, *p.TeamID.Value); errors.Is(err, kefu.ErrNotFound) {
					return &kefu.NotFoundError{What: "team", Field: "team_id"}
				} else if err != nil {
					return err
				}
			}
			ch.add("team_id", t.TeamID, p.TeamID.Value)
			t.TeamID = p.TeamID.Value
		}
		if err := s.checkRefs(ctx, t.CustomerID, orderID, categoryID, assigneeID); err != nil {
			return err
		}
		if p.Status.Set {
			next := p.Status.Value
			if !next.Valid() {
				return kefu.Invalid("status", "must be one of new, open, pending, on_hold, solved, closed; got %q", next)
			}
			if !kefu.CanTransition(t.Status, next) {
				return &kefu.ConflictError{Field: "status", Message: fmt.Sprintf("a ticket cannot go from %s to %s", t.Status, next)}
			}
			ch.add("status", t.Status, next)
			applyStatus(t, next, now)
		}
		if wasClosed && len(ch) > 0 {
			return &kefu.ConflictError{Field: "status", Message: fmt.Sprintf("ticket #%d is closed and cannot change", t.Number)}
		}
		if len(ch) == 0 {
			return nil
		}
		t.UpdatedAt = now
		if err := s.st.UpdateTicket(ctx, t); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventTicketUpdated, t.ID, actor, map[string]any{"changes": ch})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Transfer hands a ticket to another agent, another team, or both. The note
// is required: it is what the receiver reads first, so the customer never has
// to repeat themselves. Handing to a support team moves the ticket there.
// Handing to a department (warehouse, logistics, tech) asks for its help
// without passing the buck: the ticket stays with its team, the department
// sees it through the hand-off, and it waits on hold for their answer.
func (s *Service) Transfer(ctx context.Context, actor *kefu.User, id int64, toUser, toTeam *int64, note string) (*kefu.Handoff, error) {
	if err := auth.Can(actor, auth.EditTickets); err != nil {
		return nil, err
	}
	note, err := kefu.CleanText("note", note, 1, MaxNote)
	if err != nil {
		return nil, err
	}
	if toUser == nil && toTeam == nil {
		return nil, kefu.Invalid("to_user_id", "name an agent or a team (to_team_id) to hand the ticket to")
	}
	var h *kefu.Handoff
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.visible(ctx, actor, id)
		if err != nil {
			return err
		}
		if t.Status == kefu.StatusClosed || t.MergedInto != nil {
			return &kefu.ConflictError{Field: "ticket", Message: fmt.Sprintf("ticket #%d is closed", t.Number)}
		}
		if err := s.checkRefs(ctx, t.CustomerID, nil, nil, toUser); err != nil {
			if fe := (*kefu.NotFoundError)(nil); errors.As(err, &fe) {
				fe.Field = "to_user_id"
			}
			return err
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		ch := changes{}
		var team *kefu.Team
		if toTeam != nil {
			if team, err = s.st.Team(ctx, *toTeam); errors.Is(err, kefu.ErrNotFound) {
				return &kefu.NotFoundError{What: "team", Field: "to_team_id"}
			} else if err != nil {
				return err
			}
			if team.Kind == kefu.TeamSupport {
				ch.add("team_id", t.TeamID, toTeam)
				t.TeamID = toTeam
				if toUser == nil {
					ch.add("assignee_id", t.AssigneeID, nil)
					t.AssigneeID = nil // the receiving team picks it up
				}
			}
		}
		if toUser != nil {
			ch.add("assignee_id", t.AssigneeID, toUser)
			t.AssigneeID = toUser
		}
		if team != nil && team.Kind == kefu.TeamDepartment && t.Status.Active() && t.Status != kefu.StatusOnHold {
			ch.add("status", t.Status, kefu.StatusOnHold)
			applyStatus(t, kefu.StatusOnHold, now)
		}
		t.UpdatedAt = now
		if err := s.st.UpdateTicket(ctx, t); err != nil {
			return err
		}
		h = &kefu.Handoff{TicketID: t.ID, FromUserID: &actor.ID, ToUserID: toUser, ToTeamID: toTeam, Note: note}
		if err := s.st.AddHandoff(ctx, h); err != nil {
			return err
		}
		if err := s.event(ctx, kefu.EventTicketHandedOff, t.ID, actor, map[string]any{"handoff_id": h.ID, "to_user_id": toUser, "to_team_id": toTeam, "note": note}); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventTicketUpdated, t.ID, actor, map[string]any{"changes": ch})
	})
	return h, err
}

// Merge folds ticket source into ticket target: the conversation and the
// activity move over, the source is closed and points at the target, and the
// target's conversation says so.
func (s *Service) Merge(ctx context.Context, actor *kefu.User, sourceID, targetID int64) (*kefu.Ticket, error) {
	if err := auth.Can(actor, auth.MergeTickets); err != nil {
		return nil, err
	}
	if sourceID == targetID {
		return nil, kefu.Invalid("target_id", "a ticket cannot be merged into itself")
	}
	var target *kefu.Ticket
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		// Lock in id order so two opposite merges cannot deadlock.
		first, second := sourceID, targetID
		if first > second {
			first, second = second, first
		}
		locked := map[int64]*kefu.Ticket{}
		for _, id := range []int64{first, second} {
			t, err := s.visible(ctx, actor, id)
			if err != nil {
				if id == targetID {
					return prefixNotFound(err, "target_id")
				}
				return err
			}
			locked[id] = t
		}
		source := locked[sourceID]
		target = locked[targetID]
		if source.MergedInto != nil {
			return &kefu.ConflictError{Field: "ticket", Message: fmt.Sprintf("ticket #%d is already merged", source.Number)}
		}
		if target.Status == kefu.StatusClosed || target.MergedInto != nil {
			return &kefu.ConflictError{Field: "target_id", Message: fmt.Sprintf("ticket #%d is closed; merge into an open ticket", target.Number)}
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		if err := s.st.MoveMessages(ctx, source.ID, target.ID); err != nil {
			return err
		}
		if err := s.st.MoveEvents(ctx, source.ID, target.ID); err != nil {
			return err
		}
		// After-sales cases follow their ticket, so their work stays in one place.
		if err := s.st.MoveCases(ctx, source.ID, target.ID); err != nil {
			return err
		}
		source.MergedInto = &target.ID
		applyStatus(source, kefu.StatusClosed, now)
		source.UpdatedAt = now
		if err := s.st.UpdateTicket(ctx, source); err != nil {
			return err
		}
		target.Tags = mergeTags(target.Tags, source.Tags)
		target.UpdatedAt, target.LastMessageAt = now, now
		if err := s.st.UpdateTicket(ctx, target); err != nil {
			return err
		}
		sys := &kefu.Message{TicketID: target.ID, Kind: kefu.MessageSystem, AuthorUserID: &actor.ID, CreatedAt: now,
			Body: fmt.Sprintf("工单 #%d 已合并到本工单 / Ticket #%d was merged into this ticket", source.Number, source.Number)}
		if err := s.st.AddMessage(ctx, sys); err != nil {
			return err
		}
		data := map[string]any{"source_id": source.ID, "source_number": source.Number, "target_id": target.ID, "target_number": target.Number}
		if err := s.event(ctx, kefu.EventTicketMerged, source.ID, actor, data); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventTicketMerged, target.ID, actor, data)
	})
	if err != nil {
		return nil, err
	}
	return target, nil
}

func mergeTags(a, b []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range append(append([]string{}, a...), b...) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func prefixNotFound(err error, field string) error {
	var nf *kefu.NotFoundError
	if errors.As(err, &nf) && nf.Field == "" {
		return &kefu.NotFoundError{What: strings.TrimSpace(nf.What), Field: field}
	}
	return err
}
