package aftersale

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// LoadDemo gives a demo shop's after-sales tickets their cases, in states
// that follow each ticket's own: a new ticket has a requested case, one
// waiting on the customer an approved return, one on hold a parcel at the
// warehouse with its inspection task open, a solved one a case carried out
// and a closed one a completed, rated case. A request the policy refused
// when the ticket was opened is rejected with the policy's reason. It does
// nothing when the shop has cases already, and returns how many it made.
//
// It moves the service's clock to each ticket's time so trails read as they
// would have happened; run it at start-up, before the service is used.
func (s *Service) LoadDemo(ctx context.Context) (int, error) {
	if cs, err := s.st.Cases(ctx, store.CaseFilter{Limit: 1}); err != nil || len(cs) > 0 {
		return 0, err
	}
	actor, err := s.demoActor(ctx)
	if err != nil {
		return 0, err
	}
	var tickets []*kefu.Ticket
	for _, typ := range []kefu.TicketType{kefu.TypeAfterSales, kefu.TypeComplaint} {
		cursor := ""
		for {
			ts, next, err := s.st.Tickets(ctx, store.TicketFilter{Type: typ, Sort: "created_at", Asc: true, Cursor: cursor, Limit: 200})
			if err != nil {
				return 0, err
			}
			tickets = append(tickets, ts...)
			if next == "" {
				break
			}
			cursor = next
		}
	}
	cats, err := s.st.Categories(ctx)
	if err != nil {
		return 0, err
	}
	keyOf := map[int64]string{}
	for _, c := range cats {
		keyOf[c.ID] = c.Key
	}
	real := s.now
	defer func() { s.now = real }()
	n := 0
	for i, t := range tickets {
		if t.OrderID == nil || t.CategoryID == nil || t.MergedInto != nil {
			continue
		}
		reason := keyOf[*t.CategoryID]
		pb, err := s.Playbook(ctx, reason)
		if err != nil || pb.FirstOffer == "" {
			continue
		}
		at := t.CreatedAt.Add(10 * time.Minute)
		s.now = func() time.Time { return at }
		if err := s.demoCase(ctx, actor, t, reason, pb, i, &at); err != nil {
			return n, fmt.Errorf("demo case for ticket #%d: %w", t.Number, err)
		}
		n++
	}
	return n, nil
}

// demoActor is the supervisor who works the demo's cases (an admin if
// there is none), so exceptions the demo shows can be approved.
func (s *Service) demoActor(ctx context.Context) (*kefu.User, error) {
	us, err := s.st.Users(ctx)
	if err != nil {
		return nil, err
	}
	var admin *kefu.User
	for _, u := range us {
		if u.Status != kefu.UserActive {
			continue
		}
		if u.Role == kefu.RoleSupervisor {
			return u, nil
		}
		if u.Role == kefu.RoleAdmin && admin == nil {
			admin = u
		}
	}
	if admin == nil {
		return nil, fmt.Errorf("the demo has no supervisor or admin to work its cases")
	}
	return admin, nil
}

// demoCase opens one case on ticket t and walks it as far as the ticket's
// status says, each step some hours after the one before.
func (s *Service) demoCase(ctx context.Context, actor *kefu.User, t *kefu.Ticket, reason string, pb Playbook, i int, at *time.Time) error {
	o, err := s.st.Order(ctx, *t.OrderID)
	if err != nil {
		return err
	}
	pr := Proposal{Kind: pb.FirstOffer, Reason: reason}
	if len(o.Items) > 0 {
		it := o.Items[i%len(o.Items)]
		pr.Items = []ItemQty{{OrderItemID: it.ID, Quantity: 1}}
	}
	if err := s.checkProposal(ctx, o, &pr); err != nil {
		return err
	}
	d, err := s.decide(ctx, o, pr)
	if err != nil {
		return err
	}
	c := s.newCase(t, o, pr, d, t.Subject)
	c.CreatedByUserID = &actor.ID
	err = s.st.WithTx(ctx, func(ctx context.Context) error { return s.insertCase(ctx, c, o, byUser(actor)) })
	if err != nil {
		return err
	}
	later := func(h float64) {
		*at = at.Add(time.Duration(h * float64(time.Hour)))
		if limit := time.Now().UTC(); at.After(limit) {
			*at = limit
		}
	}
	step := func(m Move) error {
		later(3 + float64(i%5))
		_, err := s.Transition(ctx, actor, c.ID, m)
		return err
	}
	if t.Status == kefu.StatusNew {
		return nil
	}
	if !d.Eligible {
		var why []string
		for _, r := range d.Denials() {
			why = append(why, r.ZH)
		}
		return step(Move{To: kefu.CaseRejected, Note: strings.Join(why, "；")})
	}
	if err := step(Move{To: kefu.CaseApproved, Note: "按售后政策办理"}); err != nil {
		return err
	}
	if t.Status == kefu.StatusPending {
		return nil
	}
	if c.Kind.NeedsReturn() {
		if err := step(Move{To: kefu.CaseAwaitingReturn, Carrier: "顺丰速运", TrackingNumber: fmt.Sprintf("SF14%011d", 20000000+t.Number)}); err != nil {
			return err
		}
		if t.Status == kefu.StatusOpen {
			return nil
		}
		if err := step(Move{To: kefu.CaseReceived, Note: "仓库已签收退货"}); err != nil {
			return err
		}
		if t.Status == kefu.StatusOnHold {
			return nil
		}
		if err := step(Move{To: kefu.CaseInspected, Note: "验收通过：吊牌完好，问题属实"}); err != nil {
			return err
		}
	} else if t.Status == kefu.StatusOpen || t.Status == kefu.StatusOnHold {
		return nil
	}
	cur, err := s.st.Case(ctx, c.ID)
	if err != nil {
		return err
	}
	if cur.Execution == kefu.ExecutionNone {
		if err := step(Move{To: kefu.CaseExecuted, Note: "已在商家后台办理"}); err != nil {
			return err
		}
	}
	if t.Status != kefu.StatusClosed {
		return nil
	}
	later(20)
	return s.CustomerRate(ctx, c.CustomerID, c.ID, 3+i%3, "")
}
