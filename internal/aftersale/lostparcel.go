package aftersale

import (
	"context"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// lostReason is the taxonomy problem the lost-parcel rule files cases under.
const lostReason = "logistics.parcel_lost"

// OpenLostParcelCases is the lost-parcel rule: a parcel that shows no
// movement for the policy's LostParcelDays gets a resend case (and the
// playbook's tracing and claim tasks) before the customer has to ask. It
// uses the order's open ticket, or opens one, and never opens a second case
// for the same order. It returns how many cases it opened.
func (s *Service) OpenLostParcelCases(ctx context.Context) (int, error) {
	pol, err := s.Policy(ctx)
	if err != nil || pol.LostParcelDays <= 0 {
		return 0, err
	}
	cutoff := s.now().Add(-time.Duration(pol.LostParcelDays) * 24 * time.Hour)
	stalled, err := s.st.StalledShipments(ctx, cutoff, 200)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for _, ss := range stalled {
		ids = append(ids, ss.OrderID)
	}
	open, err := s.st.OrdersWithOpenCase(ctx, lostReason, ids)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ss := range stalled {
		if open[ss.OrderID] {
			continue
		}
		open[ss.OrderID] = true
		if err := s.openLostParcelCase(ctx, &pol, ss); err != nil {
			return n, fmt.Errorf("lost-parcel case for order %d: %w", ss.OrderID, err)
		}
		n++
	}
	return n, nil
}

func (s *Service) openLostParcelCase(ctx context.Context, pol *Policy, ss store.StalledShipment) error {
	o, err := s.st.Order(ctx, ss.OrderID)
	if err != nil {
		return err
	}
	cat, err := s.st.CategoryByKey(ctx, lostReason)
	if err != nil {
		return err
	}
	days := int(s.now().Sub(ss.LastMove).Hours() / 24)
	note := fmt.Sprintf("系统：包裹 %s %s 已 %d 天没有物流更新（规则：%d 天），自动创建补发售后并通知物流部门跟进。\nSystem: parcel %s %s has shown no movement for %d days (rule: %d days); a resend case was opened and logistics asked to follow up.",
		ss.Carrier, ss.Tracking, days, pol.LostParcelDays, ss.Carrier, ss.Tracking, days, pol.LostParcelDays)
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.ticketForOrder(ctx, o, cat, note)
		if err != nil {
			return err
		}
		pr := Proposal{Kind: kefu.CaseResend, Reason: lostReason, Responsibility: kefu.ResponsibleLogistics}
		for _, it := range o.Items {
			pr.Items = append(pr.Items, ItemQty{OrderItemID: it.ID, Quantity: it.Quantity})
		}
		d, err := s.decide(ctx, o, pr)
		if err != nil {
			return err
		}
		c := s.newCase(t, o, pr, d, note)
		return s.insertCase(ctx, c, o, bySystem())
	})
}

// ticketForOrder returns the order's newest active ticket, or opens one
// written by the system (not in the customer's name).
func (s *Service) ticketForOrder(ctx context.Context, o *kefu.Order, cat *kefu.Category, note string) (*kefu.Ticket, error) {
	ts, _, err := s.st.Tickets(ctx, store.TicketFilter{OrderID: o.ID, Statuses: []kefu.Status{kefu.StatusNew, kefu.StatusOpen, kefu.StatusPending, kefu.StatusOnHold}, Limit: 1})
	if err != nil {
		return nil, err
	}
	now := s.now()
	if len(ts) > 0 {
		m := &kefu.Message{TicketID: ts[0].ID, Kind: kefu.MessageNote, Body: note, CreatedAt: now}
		if err := s.st.AddMessage(ctx, m); err != nil {
			return nil, err
		}
		return ts[0], s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventMessageAdded, TicketID: &ts[0].ID}, map[string]any{"message_id": m.ID, "kind": m.Kind, "actor": "system"})
	}
	team, err := s.st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		return nil, err
	}
	t := &kefu.Ticket{Subject: fmt.Sprintf("包裹无物流更新 / Parcel without movement — %s", o.Number), Channel: kefu.ChannelAPI,
		Type: kefu.TypeAfterSales, CategoryID: &cat.ID, Priority: kefu.PriorityHigh, Status: kefu.StatusNew, TeamID: &team.ID,
		CustomerID: o.CustomerID, OrderID: &o.ID, Tags: []string{"lost-parcel"}, CreatedAt: now, UpdatedAt: now, LastMessageAt: now}
	if err := s.st.CreateTicket(ctx, t); err != nil {
		return nil, err
	}
	m := &kefu.Message{TicketID: t.ID, Kind: kefu.MessageNote, Body: note, CreatedAt: now}
	if err := s.st.AddMessage(ctx, m); err != nil {
		return nil, err
	}
	if err := s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventTicketCreated, TicketID: &t.ID}, map[string]any{"number": t.Number, "channel": t.Channel, "customer_id": t.CustomerID, "actor": "system"}); err != nil {
		return nil, err
	}
	return t, s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventMessageAdded, TicketID: &t.ID}, map[string]any{"message_id": m.ID, "kind": m.Kind, "actor": "system"})
}
