package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// writer puts a planned demo shop into the store, inside one transaction.
type writer struct {
	st   *store.Store
	g    *gen
	sum  *Summary
	hash string
	pics []picture
	cats map[string]int64
}

func (w *writer) write(ctx context.Context) error {
	steps := []func(context.Context) error{w.teams, w.users, w.categories, w.pictures, w.customers, w.orders, w.tickets}
	for _, f := range steps {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) teams(ctx context.Context) error {
	sup, err := w.st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		return fmt.Errorf("find the team %s: %w", kefu.DefaultTeam, err)
	}
	w.g.support.t = sup
	for _, tp := range w.g.teams {
		t, err := w.st.TeamByName(ctx, tp.t.Name)
		switch {
		case err == nil:
			tp.t = t // the shop made it already
			continue
		case !errors.Is(err, kefu.ErrNotFound):
			return err
		}
		if err := w.st.CreateTeam(ctx, tp.t); err != nil {
			return fmt.Errorf("create team %s: %w", tp.t.Name, err)
		}
		w.sum.Teams++
	}
	return nil
}

func (w *writer) users(ctx context.Context) error {
	for _, s := range w.g.staffAll {
		s.u.TeamIDs = []int64{}
		if s.team != nil {
			s.u.TeamIDs = []int64{s.team.t.ID}
		}
		if err := w.st.CreateUser(ctx, s.u, w.hash); err != nil {
			return fmt.Errorf("create user %s: %w", s.u.Email, err)
		}
		w.sum.Users++
	}
	return nil
}

func (w *writer) categories(ctx context.Context) error {
	cs, err := w.st.Categories(ctx)
	if err != nil {
		return err
	}
	w.cats = map[string]int64{}
	for _, c := range cs {
		if !c.Archived {
			w.cats[c.Key] = c.ID
		}
	}
	return nil
}

func (w *writer) pictures(ctx context.Context) error {
	pics, err := storePictures(ctx, w.st)
	w.pics = pics
	return err
}

func (w *writer) customers(ctx context.Context) error {
	for _, cp := range w.g.customers {
		if err := w.st.CreateCustomer(ctx, cp.c); err != nil {
			return fmt.Errorf("create customer %s: %w", cp.c.Name, err)
		}
		w.sum.Customers++
	}
	return nil
}

func (w *writer) orders(ctx context.Context) error {
	for _, op := range w.g.orders {
		op.o.CustomerID = op.cust.c.ID
		if _, err := w.st.UpsertOrder(ctx, op.o); err != nil {
			return fmt.Errorf("write order %s: %w", op.o.Number, err)
		}
		w.sum.Orders++
	}
	return nil
}

func (w *writer) tickets(ctx context.Context) error {
	for _, tp := range w.g.tickets {
		if err := w.ticket(ctx, tp); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) ticket(ctx context.Context, tp *ticketPlan) error {
	last := tp.msgs[len(tp.msgs)-1].at
	t := &kefu.Ticket{
		Subject: tp.subject, Channel: tp.channel, Type: tp.sc.typ, Priority: tp.prio, Status: tp.status,
		CustomerID: tp.cust.c.ID, Tags: tp.tags, CustomFields: tp.customFields(),
		FirstResponseAt: tp.firstResp, SolvedAt: tp.solved, ClosedAt: tp.closed,
		CreatedAt: tp.created, UpdatedAt: last, LastMessageAt: last,
	}
	if id, ok := w.cats[tp.sc.category]; ok {
		t.CategoryID = &id
	}
	if tp.owner != nil {
		t.AssigneeID = &tp.owner.u.ID
	}
	team := w.g.support.t.ID
	if tp.status == kefu.StatusOnHold && tp.dept != nil {
		team = tp.dept.t.ID
	}
	t.TeamID = &team
	if tp.order != nil {
		t.OrderID = &tp.order.o.ID
	}
	if err := w.st.CreateTicket(ctx, t); err != nil {
		return fmt.Errorf("create ticket %q: %w", tp.subject, err)
	}
	w.sum.Tickets++
	var actor *int64
	if tp.channel == kefu.ChannelPhone && tp.owner != nil {
		actor = &tp.owner.u.ID // the agent who took the call opened it
	}
	err := w.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventTicketCreated, TicketID: &t.ID, ActorUserID: actor, CreatedAt: tp.created},
		map[string]any{"number": t.Number, "channel": t.Channel, "customer_id": t.CustomerID, "follow_up_of": t.FollowUpOf})
	if err != nil {
		return err
	}
	for i, mp := range tp.msgs {
		if mp.handoff {
			if err := w.handoff(ctx, tp, t, mp); err != nil {
				return err
			}
		}
		m := &kefu.Message{TicketID: t.ID, Body: mp.text, CreatedAt: mp.at}
		switch mp.k {
		case 'C':
			m.Kind, m.AuthorCustomerID = kefu.MessageCustomer, &tp.cust.c.ID
			if tp.channel == kefu.ChannelEmail {
				m.ExternalID = fmt.Sprintf("<%s.%d.%d@%s>", mp.at.In(cst).Format("20060102150405"), t.Number, i, mailDomain(tp.cust.email))
			}
		case 'A':
			m.Kind, m.AuthorUserID = kefu.MessageReply, &mp.author.u.ID
		case 'N', 'D':
			m.Kind, m.AuthorUserID = kefu.MessageNote, &mp.author.u.ID
		default:
			m.Kind = kefu.MessageSystem
		}
		for j, p := range mp.pics {
			m.Attachments = append(m.Attachments, w.attachment(p, mp, j))
		}
		if err := w.st.AddMessage(ctx, m); err != nil {
			return fmt.Errorf("add message to ticket %d: %w", t.Number, err)
		}
		w.sum.Messages++
		err := w.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventMessageAdded, TicketID: &t.ID, ActorUserID: m.AuthorUserID, CreatedAt: mp.at},
			map[string]any{"message_id": m.ID, "kind": m.Kind})
		if err != nil {
			return err
		}
	}
	return nil
}

// handoff records a ticket's transfer to its department.
func (w *writer) handoff(ctx context.Context, tp *ticketPlan, t *kefu.Ticket, mp *msgPlan) error {
	h := &kefu.Handoff{TicketID: t.ID, FromUserID: &tp.owner.u.ID, ToTeamID: &tp.dept.t.ID, Note: tp.handNote, CreatedAt: mp.at}
	if err := w.st.AddHandoff(ctx, h); err != nil {
		return err
	}
	return w.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventTicketHandedOff, TicketID: &t.ID, ActorUserID: &tp.owner.u.ID, CreatedAt: mp.at},
		map[string]any{"handoff_id": h.ID, "to_team_id": tp.dept.t.ID, "note": h.Note})
}

// attachment describes picture p sent with a message, named as a phone
// would name it.
func (w *writer) attachment(p int, mp *msgPlan, j int) kefu.Attachment {
	pic := w.pics[p]
	at := mp.at.In(cst)
	name := fmt.Sprintf("IMG_%s_%s.png", at.Format("20060102"), at.Add(-time.Duration(len(mp.pics)-j)*41*time.Second).Format("150405"))
	if pic.screenshot {
		name = "Screenshot_" + at.Format("20060102-150405") + ".png"
	}
	return kefu.Attachment{SHA256: pic.sum, Filename: name, ContentType: pic.contentType, Size: pic.size}
}

func mailDomain(email string) string {
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		return email[i+1:]
	}
	return "mail.demo.test"
}
