package aftersale

import (
	"context"
	"fmt"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// Move asks a case to take its next step.
type Move struct {
	To   kefu.CaseStatus `json:"to"`
	Note string          `json:"note,omitempty"` // why: required to reject, cancel, override or approve above a limit
	// Kind changes the remedy when approving (the customer accepted the
	// recommended exchange instead of the refund they asked for).
	Kind kefu.CaseKind `json:"kind,omitempty"`
	// Amount is the amount agreed when approving a refund or compensation;
	// 0 takes the requested or recommended amount.
	Amount int64 `json:"amount,omitempty"`
	// Carrier and TrackingNumber identify the return parcel (awaiting_return).
	Carrier        string `json:"carrier,omitempty"`
	TrackingNumber string `json:"tracking_number,omitempty"`
	// RequestApproval turns an approval the agent may not give into a
	// request for a supervisor; the case stays requested.
	RequestApproval bool `json:"request_approval,omitempty"`
}

// ApprovalError says an approval needs a supervisor, and why.
type ApprovalError struct {
	Reasons []Reason
}

func (e *ApprovalError) Error() string {
	var parts []string
	for _, r := range e.Reasons {
		parts = append(parts, r.EN)
	}
	return "a supervisor must approve this: " + strings.Join(parts, "; ") + " (set request_approval to ask one)"
}

// Unwrap makes an ApprovalError a kefu.ErrForbidden.
func (e *ApprovalError) Unwrap() error { return kefu.ErrForbidden }

// Transition moves a case to m.To, checking the state machine, the policy
// and the actor's rights, and audits who did it and why.
func (s *Service) Transition(ctx context.Context, actor *kefu.User, id int64, m Move) (*kefu.Case, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	if !m.To.Valid() {
		return nil, kefu.Invalid("to", "must be a case status (approved, rejected, awaiting_return, received, inspected, executed, completed, cancelled); got %q", m.To)
	}
	note, err := kefu.CleanText("note", m.Note, 0, MaxNote)
	if err != nil {
		return nil, err
	}
	m.Note = note
	var c *kefu.Case
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		c, err = s.visible(ctx, actor, id, true)
		if err != nil {
			return err
		}
		// Departments may move the physical steps of cases they hold a task on.
		if err := auth.Can(actor, auth.WorkCases); err != nil {
			if (m.To != kefu.CaseReceived && m.To != kefu.CaseInspected) || !s.hasTeamTask(ctx, actor, c.ID) {
				return err
			}
		}
		w := byUser(actor)
		switch m.To {
		case kefu.CaseApproved:
			return s.approve(ctx, actor, c, m)
		case kefu.CaseRejected, kefu.CaseCancelled:
			if m.Note == "" {
				return kefu.Invalid("note", "is required: tell the customer why")
			}
			if m.To == kefu.CaseRejected {
				c.RejectionReason = m.Note
			}
			return s.move(ctx, c, m.To, w, m.Note, nil)
		case kefu.CaseAwaitingReturn:
			if err := setTracking(c, m.Carrier, m.TrackingNumber); err != nil {
				return err
			}
			return s.move(ctx, c, m.To, w, m.Note, map[string]any{"carrier": c.ReturnCarrier, "tracking_number": c.ReturnTracking})
		case kefu.CaseReceived:
			return s.move(ctx, c, m.To, w, m.Note, nil)
		case kefu.CaseInspected:
			if err := s.move(ctx, c, m.To, w, m.Note, nil); err != nil {
				return err
			}
			return s.queueExecution(ctx, c, w)
		case kefu.CaseExecuted:
			// Normally the shop's confirmation executes a case; by hand only
			// when nothing is on its way to the shop.
			if c.Execution == kefu.ExecutionPending || c.Execution == kefu.ExecutionDelivered {
				return &kefu.ConflictError{Field: "to", Message: "the shop has been asked to carry this out; wait for its confirmation, or cancel"}
			}
			if m.Note == "" {
				return kefu.Invalid("note", "is required: say where and how it was carried out")
			}
			c.Execution = kefu.ExecutionConfirmed
			return s.move(ctx, c, m.To, w, m.Note, map[string]any{"manual": true})
		case kefu.CaseCompleted:
			return s.move(ctx, c, m.To, w, m.Note, nil)
		}
		return kefu.Invalid("to", "a case cannot be moved to %s by hand", m.To)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func setTracking(c *kefu.Case, carrier, tracking string) error {
	tn, err := kefu.CleanText("tracking_number", tracking, 1, 100)
	if err != nil {
		return err
	}
	cr, err := kefu.CleanText("carrier", carrier, 0, 100)
	if err != nil {
		return err
	}
	c.ReturnCarrier, c.ReturnTracking = cr, tn
	return nil
}

// approve re-evaluates the case under the policy as it is now and approves
// it within the actor's rights.
func (s *Service) approve(ctx context.Context, actor *kefu.User, c *kefu.Case, m Move) error {
	if c.Status != kefu.CaseRequested {
		return &kefu.ConflictError{Field: "to", Message: fmt.Sprintf("only a requested case can be approved; this one is %s", c.Status)}
	}
	kind := c.Kind
	if m.Kind != "" {
		if !m.Kind.Valid() {
			return kefu.Invalid("kind", "unknown case kind %q", m.Kind)
		}
		kind = m.Kind
	}
	if m.Amount < 0 {
		return kefu.Invalid("amount", "must not be negative")
	}
	amount := m.Amount
	if amount == 0 && c.Approval != nil && c.Approval.Kind == kind {
		amount = c.Approval.Amount
	}
	if amount == 0 && kind == c.Kind {
		amount = c.RequestedAmount
	}
	o, err := s.st.Order(ctx, c.OrderID)
	if err != nil {
		return err
	}
	pr := Proposal{Kind: kind, Reason: c.Reason, Responsibility: c.Responsibility, Condition: c.Condition, Amount: amount}
	for _, it := range c.Items {
		if it.OrderItemID > 0 {
			pr.Items = append(pr.Items, ItemQty{OrderItemID: it.OrderItemID, Quantity: it.Quantity})
		}
	}
	d, err := s.decide(ctx, o, pr)
	if err != nil {
		return err
	}
	supervisor := auth.Can(actor, auth.ApproveOverLimit) == nil
	override := !offered(d, kind)
	if d.NeedsApproval {
		if !supervisor {
			if !m.RequestApproval {
				return &ApprovalError{Reasons: approvalReasons(d)}
			}
			c.Approval = &kefu.ApprovalRequest{Kind: kind, Amount: d.Amount, Note: m.Note, RequestedBy: actor.ID, RequestedAt: s.now()}
			c.Decision, c.Ceiling, c.UpdatedAt = mustJSON(d), d.Ceiling, s.now()
			if err := s.st.UpdateCase(ctx, c); err != nil {
				return err
			}
			if err := s.event(ctx, kefu.EventCaseApprovalRequested, c, byUser(actor), map[string]any{"kind": kind, "amount": d.Amount, "note": m.Note}); err != nil {
				return err
			}
			return nil // the case stays requested until a supervisor approves

		}
		override = true
	}
	if override && m.Note == "" {
		why := reasonTexts(approvalReasons(d), "en")
		if d.Recommended != nil {
			why = append(why, "the policy recommends "+KindName(string(d.Recommended.Kind), "en"))
		}
		return kefu.Invalid("note", "is required to approve outside the policy or its recommendation (%s)", strings.Join(why, "; "))
	}
	c.Kind, c.Ceiling, c.ShippingPaidBy, c.Decision, c.Approval = kind, d.Ceiling, d.ShippingPaidBy, mustJSON(d), nil
	c.Amount = 0
	if kind.MovesMoney() {
		c.Amount = d.Amount
	}
	data := map[string]any{"kind": kind, "amount": c.Amount, "ceiling": d.Ceiling, "override": override}
	if err := s.move(ctx, c, kefu.CaseApproved, byUser(actor), m.Note, data); err != nil {
		return err
	}
	if !kind.NeedsReturn() {
		return s.queueExecution(ctx, c, byUser(actor))
	}
	return nil
}

// offered reports whether the policy offers kind: as its recommendation or
// one of the fallbacks it allows. Anything else is an override.
func offered(d Decision, kind kefu.CaseKind) bool {
	if d.Recommended == nil {
		return false
	}
	if d.Recommended.Kind == kind {
		return true
	}
	for _, f := range d.Fallbacks {
		if f.Kind == kind {
			return true
		}
	}
	return false
}

func approvalReasons(d Decision) []Reason {
	var rs []Reason
	for _, r := range d.Reasons {
		if r.Effect == Deny || r.Code == "over_ceiling" || r.Code == "over_agent_limit" {
			rs = append(rs, r)
		}
	}
	return rs
}

func reasonTexts(rs []Reason, lang string) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text(lang)
	}
	return out
}

// move takes a case to status to, audits it, writes its event, opens the
// tasks the playbook attaches to the step and tells the customer.
func (s *Service) move(ctx context.Context, c *kefu.Case, to kefu.CaseStatus, w who, note string, data map[string]any) error {
	if !kefu.CanMoveCase(c.Kind, c.Status, to) {
		return &kefu.ConflictError{Field: "to", Message: fmt.Sprintf("a %s case cannot go from %s to %s", c.Kind, c.Status, to)}
	}
	from := c.Status
	now := s.now()
	c.Status, c.UpdatedAt = to, now
	if to.Final() {
		c.ClosedAt = &now
	}
	if err := s.st.UpdateCase(ctx, c); err != nil {
		return err
	}
	tr := &kefu.CaseTransition{CaseID: c.ID, From: from, To: to, Actor: w.label, ActorUserID: w.userID(), ActorCustomerID: w.custID(),
		Note: note, Data: mustJSON(data), CreatedAt: now}
	if data == nil {
		tr.Data = nil
	}
	if err := s.st.AddCaseTransition(ctx, tr); err != nil {
		return err
	}
	if err := s.event(ctx, kefu.EventCaseTransitioned, c, w, map[string]any{"from": from, "to": to, "note": note}); err != nil {
		return err
	}
	switch to {
	case kefu.CaseApproved:
		if err := s.openStepTasks(ctx, c, StepApproved, w); err != nil {
			return err
		}
	case kefu.CaseReceived:
		if err := s.openStepTasks(ctx, c, StepReceived, w); err != nil {
			return err
		}
	case kefu.CaseRejected, kefu.CaseCancelled:
		if err := s.closeOpenWork(ctx, c, w); err != nil {
			return err
		}
	}
	return s.notify(ctx, c, w)
}
