package ticket

import (
	"context"
	"fmt"
	"slices"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// maxTag is the longest tag, in characters (as customer.CleanTags allows).
const maxTag = 64

// Tags lists the tags on tickets with how many tickets carry each, and how
// many tags match f in all.
func (s *Service) Tags(ctx context.Context, actor *kefu.User, f store.TagFilter) ([]store.TagCount, int, error) {
	if err := auth.Can(actor, auth.ManageTags); err != nil {
		return nil, 0, err
	}
	return s.st.TicketTagCounts(ctx, f)
}

// RenameTag gives a tag a new name on every ticket carrying it. The new
// name must be free: renaming onto an existing tag would quietly merge two
// tags, so that is MergeTag's job. It returns how many tickets changed.
func (s *Service) RenameTag(ctx context.Context, actor *kefu.User, from, to string) (int, error) {
	return s.retag(ctx, actor, from, to, false)
}

// MergeTag folds tag from into tag into on every ticket: a ticket carrying
// both ends with into alone. It returns how many tickets changed.
func (s *Service) MergeTag(ctx context.Context, actor *kefu.User, from, into string) (int, error) {
	return s.retag(ctx, actor, from, into, true)
}

// DeleteTag removes a tag from every ticket. It returns how many tickets
// changed.
func (s *Service) DeleteTag(ctx context.Context, actor *kefu.User, tag string) (int, error) {
	if err := auth.Can(actor, auth.ManageTags); err != nil {
		return 0, err
	}
	tag, err := kefu.CleanText("tag", tag, 1, maxTag)
	if err != nil {
		return 0, err
	}
	return s.replaceTag(ctx, actor, tag, "")
}

func (s *Service) retag(ctx context.Context, actor *kefu.User, from, to string, merge bool) (int, error) {
	if err := auth.Can(actor, auth.ManageTags); err != nil {
		return 0, err
	}
	from, err := kefu.CleanText("tag", from, 1, maxTag)
	if err != nil {
		return 0, err
	}
	to, err = kefu.CleanText("name", to, 1, maxTag)
	if err != nil {
		return 0, err
	}
	if from == to {
		return 0, kefu.Invalid("name", "is already the tag's name (%q)", from)
	}
	var n int
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		target, err := s.st.TicketsTagged(ctx, to)
		if err != nil {
			return err
		}
		switch {
		case merge && len(target) == 0:
			return &kefu.NotFoundError{What: fmt.Sprintf("tag %q", to), Field: "name"}
		case !merge && len(target) > 0:
			return &kefu.ConflictError{Field: "name", Message: fmt.Sprintf("tag %q already exists; merge into it instead", to)}
		}
		n, err = s.replaceTag(ctx, actor, from, to)
		return err
	})
	return n, err
}

// replaceTag puts to in place of from on every ticket carrying from, or just
// removes from when to is empty, writing each ticket's ticket.updated event
// as any other tag change does (search, live inboxes, automations and SLA
// policies hear of it). It covers closed and merged tickets too, which no
// agent may edit: a tag renamed everywhere but there would never go away.
// Only admins and supervisors may, and they see every ticket, so no ticket
// outside the actor's sight is touched.
func (s *Service) replaceTag(ctx context.Context, actor *kefu.User, from, to string) (int, error) {
	var n int
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		ids, err := s.st.TicketsTagged(ctx, from)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return &kefu.NotFoundError{What: fmt.Sprintf("tag %q", from), Field: "tag"}
		}
		for _, id := range ids { // in id order, like every multi-ticket lock
			t, err := s.st.LockTicket(ctx, id)
			if err != nil {
				return fmt.Errorf("retag ticket %d: %w", id, err)
			}
			tags := make([]string, 0, len(t.Tags))
			for _, tg := range t.Tags {
				if tg == from {
					tg = to
				}
				if tg != "" && !slices.Contains(tags, tg) {
					tags = append(tags, tg)
				}
			}
			if err := s.st.SetTicketTags(ctx, id, tags); err != nil {
				return err
			}
			ch := changes{}
			ch.add("tags", t.Tags, tags)
			if err := s.event(ctx, kefu.EventTicketUpdated, id, actor, map[string]any{"changes": ch}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}
