package aftersale

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Limits on what a person may submit with a case.
const (
	MaxDescription = 4000
	MaxNote        = 2000
	MaxEvidence    = 9 // photos per upload, as shopping apps allow
)

// EvaluateInput is a proposed case to evaluate without creating it.
type EvaluateInput struct {
	OrderID  int64 `json:"order_id,omitempty"`
	TicketID int64 `json:"ticket_id,omitempty"` // its order is used when order_id is absent
	Proposal
}

// NewCase is what it takes to open a case on a ticket.
type NewCase struct {
	TicketID    int64  `json:"ticket_id"`
	OrderID     int64  `json:"order_id,omitempty"` // default: the ticket's order
	Description string `json:"description,omitempty"`
	Proposal
}

// Detail is a case with everything the agent's case panel shows.
type Detail struct {
	*kefu.Case
	Transitions []*kefu.CaseTransition `json:"transitions"`
	Evidence    []*kefu.Evidence       `json:"evidence"`
	Tasks       []*kefu.CaseTask       `json:"tasks"`
	Deliveries  []*kefu.Delivery       `json:"deliveries"`
	Deadlines   []Deadline             `json:"deadlines"`
}

// Deadline is a legal clock running on a case: handling the request
// (ProcessWithinDays of the policy) and refunding once the return arrived
// (RefundWithinDays). Overdue ones are breaches the platform can punish.
type Deadline struct {
	Key     string    `json:"key"` // process, refund
	At      time.Time `json:"at"`
	Overdue bool      `json:"overdue"`
	ZH      string    `json:"zh"`
	EN      string    `json:"en"`
}

// deadlines works out the clocks running on a case now.
func deadlines(pol *Policy, c *kefu.Case, trail []*kefu.CaseTransition, now time.Time) []Deadline {
	out := []Deadline{}
	if c.Status.Final() || c.Status == kefu.CaseExecuted {
		return out
	}
	day := 24 * time.Hour
	if c.Status == kefu.CaseRequested && pol.ProcessWithinDays > 0 {
		at := c.CreatedAt.Add(time.Duration(pol.ProcessWithinDays) * day)
		out = append(out, Deadline{Key: "process", At: at, Overdue: now.After(at),
			ZH: fmt.Sprintf("须在申请后 %d 天内处理", pol.ProcessWithinDays), EN: fmt.Sprintf("must be handled within %d days of the request", pol.ProcessWithinDays)})
	}
	if c.Kind.MovesMoney() && (c.Status == kefu.CaseReceived || c.Status == kefu.CaseInspected) && pol.RefundWithinDays > 0 {
		for _, t := range trail {
			if t.To == kefu.CaseReceived {
				at := t.CreatedAt.Add(time.Duration(pol.RefundWithinDays) * day)
				out = append(out, Deadline{Key: "refund", At: at, Overdue: now.After(at),
					ZH: fmt.Sprintf("须在收到退货后 %d 天内退款", pol.RefundWithinDays), EN: fmt.Sprintf("the refund is due within %d days of receiving the return", pol.RefundWithinDays)})
			}
		}
	}
	return out
}

// checkProposal validates a proposal against its order, naming the field
// at fault, and fills the items (the whole order when none are named).
func (s *Service) checkProposal(ctx context.Context, o *kefu.Order, pr *Proposal) error {
	if !pr.Kind.Valid() {
		return kefu.Invalid("kind", "must be one of refund_only, return_refund, exchange, resend, repair, compensation; got %q", pr.Kind)
	}
	pr.Reason = strings.TrimSpace(pr.Reason)
	if pr.Reason == "" || !strings.Contains(pr.Reason, ".") {
		return kefu.Invalid("reason", "is required: a problem of the taxonomy such as product.colour_difference")
	}
	if _, err := s.st.CategoryByKey(ctx, pr.Reason); err != nil {
		if errors.Is(err, kefu.ErrNotFound) {
			return kefu.Invalid("reason", "%q is not a problem of the taxonomy (GET /api/v1/categories)", pr.Reason)
		}
		return err
	}
	if pr.Responsibility != "" && !pr.Responsibility.Valid() {
		return kefu.Invalid("responsibility", "must be shop, logistics, buyer or manufacturer; got %q", pr.Responsibility)
	}
	if pr.Condition != "" && !knownCondition(pr.Condition) {
		return kefu.Invalid("condition", "unknown condition %q", pr.Condition)
	}
	if pr.Amount < 0 {
		return kefu.Invalid("amount", "must not be negative (minor units, e.g. 分)")
	}
	byID := map[int64]kefu.OrderItem{}
	for _, it := range o.Items {
		byID[it.ID] = it
	}
	seen := map[int64]bool{}
	for i, iq := range pr.Items {
		it, ok := byID[iq.OrderItemID]
		if !ok {
			return kefu.Invalid(fmt.Sprintf("items[%d].order_item_id", i), "item %d is not in order %s", iq.OrderItemID, o.Number)
		}
		if seen[iq.OrderItemID] {
			return kefu.Invalid(fmt.Sprintf("items[%d].order_item_id", i), "item %d is named twice", iq.OrderItemID)
		}
		seen[iq.OrderItemID] = true
		if iq.Quantity < 1 || iq.Quantity > it.Quantity {
			return kefu.Invalid(fmt.Sprintf("items[%d].quantity", i), "must be from 1 to %d", it.Quantity)
		}
	}
	if len(pr.Items) == 0 {
		if len(o.Items) == 0 {
			return kefu.Invalid("items", "order %s has no items", o.Number)
		}
		for _, it := range o.Items {
			pr.Items = append(pr.Items, ItemQty{OrderItemID: it.ID, Quantity: it.Quantity})
		}
	}
	return nil
}

// decide evaluates a proposal for an order under the shop's policy now.
func (s *Service) decide(ctx context.Context, o *kefu.Order, pr Proposal) (Decision, error) {
	pol, err := s.Policy(ctx)
	if err != nil {
		return Decision{}, err
	}
	pb, err := s.Playbook(ctx, pr.Reason)
	if err != nil {
		return Decision{}, err
	}
	return Evaluate(&pol, o, pr, pb, s.now()), nil
}

// Evaluate returns the policy's decision on a proposed case — eligibility,
// recommended offer, ceiling and reasons — without creating anything.
func (s *Service) Evaluate(ctx context.Context, actor *kefu.User, in EvaluateInput) (*Decision, error) {
	if err := auth.Can(actor, auth.WorkCases); err != nil {
		return nil, err
	}
	orderID := in.OrderID
	if in.TicketID > 0 {
		t, err := s.tickets.Get(ctx, actor, in.TicketID)
		if err != nil {
			return nil, asRef(err, "ticket", "ticket_id")
		}
		if orderID == 0 && t.OrderID != nil {
			orderID = *t.OrderID
		}
	}
	if orderID == 0 {
		return nil, kefu.Invalid("order_id", "is required (or a ticket_id whose ticket has an order)")
	}
	o, err := s.st.Order(ctx, orderID)
	if err != nil {
		return nil, asRef(err, "order", "order_id")
	}
	if err := s.checkProposal(ctx, o, &in.Proposal); err != nil {
		return nil, err
	}
	d, err := s.decide(ctx, o, in.Proposal)
	return &d, err
}

// asRef turns "not found" into a reference error on field.
func asRef(err error, what, field string) error {
	if errors.Is(err, kefu.ErrNotFound) {
		return &kefu.NotFoundError{What: what, Field: field}
	}
	return err
}

// Create opens a case on a ticket the actor may see. The policy's decision
// is stored with it; an ineligible case may still be recorded (a supervisor
// can approve it as an exception), but only a supervisor can approve it.
func (s *Service) Create(ctx context.Context, actor *kefu.User, in NewCase) (*kefu.Case, error) {
	if err := auth.Can(actor, auth.WorkCases); err != nil {
		return nil, err
	}
	if in.TicketID <= 0 {
		return nil, kefu.Invalid("ticket_id", "is required: a case belongs to a ticket")
	}
	t, err := s.tickets.Get(ctx, actor, in.TicketID)
	if err != nil {
		return nil, asRef(err, "ticket", "ticket_id")
	}
	desc, err := kefu.CleanText("description", in.Description, 0, MaxDescription)
	if err != nil {
		return nil, err
	}
	orderID := in.OrderID
	if orderID == 0 && t.OrderID != nil {
		orderID = *t.OrderID
	}
	if orderID == 0 {
		return nil, kefu.Invalid("order_id", "is required: ticket #%d has no order", t.Number)
	}
	o, err := s.st.Order(ctx, orderID)
	if err != nil {
		return nil, asRef(err, "order", "order_id")
	}
	if o.CustomerID != t.CustomerID {
		return nil, kefu.Invalid("order_id", "order %s belongs to another customer than ticket #%d", o.Number, t.Number)
	}
	if err := s.checkProposal(ctx, o, &in.Proposal); err != nil {
		return nil, err
	}
	d, err := s.decide(ctx, o, in.Proposal)
	if err != nil {
		return nil, err
	}
	c := s.newCase(t, o, in.Proposal, d, desc)
	c.CreatedByUserID = &actor.ID
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		return s.insertCase(ctx, c, o, byUser(actor))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Service) newCase(t *kefu.Ticket, o *kefu.Order, pr Proposal, d Decision, desc string) *kefu.Case {
	now := s.now()
	c := &kefu.Case{TicketID: t.ID, OrderID: o.ID, CustomerID: o.CustomerID, Kind: pr.Kind, Status: kefu.CaseRequested,
		Reason: pr.Reason, Responsibility: d.Responsibility, Description: desc, Condition: pr.Condition, Currency: d.Currency,
		RequestedAmount: pr.Amount, Ceiling: d.Ceiling, ShippingPaidBy: d.ShippingPaidBy, Channel: t.Channel,
		Decision: mustJSON(d), CreatedAt: now, UpdatedAt: now}
	for _, iq := range pr.Items {
		for _, it := range o.Items {
			if it.ID == iq.OrderItemID {
				c.Items = append(c.Items, kefu.CaseItem{OrderItemID: it.ID, Quantity: iq.Quantity, SKU: it.SKU, ProductName: it.ProductName,
					ProductCategory: it.ProductCategory, Variant: it.Variant, UnitPrice: it.UnitPrice})
			}
		}
	}
	return c
}

// insertCase writes a new case, its first transition, its event, the
// tasks its playbook opens at creation and tells the customer.
func (s *Service) insertCase(ctx context.Context, c *kefu.Case, o *kefu.Order, w who) error {
	if err := s.st.CreateCase(ctx, c); err != nil {
		return err
	}
	tr := &kefu.CaseTransition{CaseID: c.ID, To: kefu.CaseRequested, Actor: w.label, ActorUserID: w.userID(), ActorCustomerID: w.custID(),
		Data: mustJSON(map[string]any{"kind": c.Kind, "reason": c.Reason}), CreatedAt: c.CreatedAt}
	if err := s.st.AddCaseTransition(ctx, tr); err != nil {
		return err
	}
	if err := s.event(ctx, kefu.EventCaseCreated, c, w, map[string]any{"kind": c.Kind, "reason": c.Reason, "order_id": o.ID, "channel": c.Channel}); err != nil {
		return err
	}
	if err := s.openStepTasks(ctx, c, StepCreated, w); err != nil {
		return err
	}
	return s.notify(ctx, c, w)
}

// Get returns a case with its trail, evidence, tasks and deliveries.
func (s *Service) Get(ctx context.Context, actor *kefu.User, id int64) (*Detail, error) {
	c, err := s.visible(ctx, actor, id, false)
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, c)
}

func (s *Service) detail(ctx context.Context, c *kefu.Case) (*Detail, error) {
	d := &Detail{Case: c}
	var err error
	if d.Transitions, err = s.st.CaseTransitions(ctx, c.ID); err != nil {
		return nil, err
	}
	if d.Evidence, err = s.st.CaseEvidence(ctx, c.ID); err != nil {
		return nil, err
	}
	if d.Tasks, err = s.st.CaseTasks(ctx, store.CaseTaskFilter{CaseID: c.ID}, s.now()); err != nil {
		return nil, err
	}
	if d.Deliveries, err = s.st.CaseDeliveries(ctx, c.ID); err != nil {
		return nil, err
	}
	pol, err := s.Policy(ctx)
	if err != nil {
		return nil, err
	}
	d.Deadlines = deadlines(&pol, c, d.Transitions, s.now())
	return d, nil
}

// List returns cases the actor may see that f selects.
func (s *Service) List(ctx context.Context, actor *kefu.User, f store.CaseFilter) ([]*kefu.Case, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	f.Scope = auth.Scope(actor)
	f.TaskTeamIDs = actor.TeamIDs
	return s.st.Cases(ctx, f)
}

// Evidence returns a piece of evidence on a case the actor may see, with
// its bytes.
func (s *Service) Evidence(ctx context.Context, actor *kefu.User, caseID, evidenceID int64) (*kefu.Evidence, []byte, error) {
	c, err := s.visible(ctx, actor, caseID, false)
	if err != nil {
		return nil, nil, err
	}
	return s.evidenceOf(ctx, c, evidenceID)
}

func (s *Service) evidenceOf(ctx context.Context, c *kefu.Case, evidenceID int64) (*kefu.Evidence, []byte, error) {
	ev, err := s.st.Evidence(ctx, evidenceID)
	if err != nil || ev.CaseID != c.ID {
		return nil, nil, kefu.NotFound("evidence")
	}
	data, err := s.st.Blob(ctx, ev.SHA256)
	return ev, data, err
}

// Upload is a file a person attaches to a case.
type Upload struct {
	Filename string
	Data     []byte
}

// MaxUpload bounds one evidence file.
const MaxUpload = 25 << 20

// AddEvidence attaches photos or videos (and a note) to a case.
func (s *Service) AddEvidence(ctx context.Context, actor *kefu.User, caseID int64, note string, ups []Upload) ([]*kefu.Evidence, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil {
		return nil, err
	}
	if _, err := s.visible(ctx, actor, caseID, false); err != nil {
		return nil, err
	}
	return s.addEvidence(ctx, caseID, note, ups, byUser(actor))
}

func (s *Service) addEvidence(ctx context.Context, caseID int64, note string, ups []Upload, w who) ([]*kefu.Evidence, error) {
	note, err := kefu.CleanText("note", note, 0, MaxNote)
	if err != nil {
		return nil, err
	}
	if len(ups) == 0 {
		return nil, kefu.Invalid("files", "at least one file is required")
	}
	if len(ups) > MaxEvidence {
		return nil, kefu.Invalid("files", "at most %d files at once", MaxEvidence)
	}
	type stored struct{ sum, name string }
	var blobs []stored
	for _, u := range ups {
		name, err := kefu.CleanText("files", u.Filename, 1, 255)
		if err != nil {
			return nil, kefu.Invalid("files", "every file needs a name")
		}
		if len(u.Data) == 0 || len(u.Data) > MaxUpload {
			return nil, kefu.Invalid("files", "%s must be 1 byte to %d MB", name, MaxUpload>>20)
		}
		sum, ctype, err := s.st.PutBlob(ctx, u.Data)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(ctype, "image/") && !strings.HasPrefix(ctype, "video/") && ctype != "application/pdf" {
			return nil, kefu.Invalid("files", "%s is %s; send photos, videos or PDF", name, ctype)
		}
		blobs = append(blobs, stored{sum, name})
	}
	var out []*kefu.Evidence
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.st.LockCase(ctx, caseID)
		if err != nil {
			return err
		}
		for _, b := range blobs {
			ev := &kefu.Evidence{CaseID: caseID, SHA256: b.sum, Filename: b.name, Note: note, AuthorUserID: w.userID(),
				AuthorCustomerID: w.custID(), CreatedAt: s.now()}
			if err := s.st.AddEvidence(ctx, ev); err != nil {
				return err
			}
			out = append(out, ev)
		}
		c.UpdatedAt = s.now()
		if err := s.st.UpdateCase(ctx, c); err != nil {
			return err
		}
		return s.event(ctx, kefu.EventCaseEvidenceAdded, c, w, map[string]any{"files": len(out)})
	})
	if err != nil {
		return nil, err
	}
	// Content type and size come from the blob table.
	for i, ev := range out {
		full, err := s.st.Evidence(ctx, ev.ID)
		if err == nil {
			out[i] = full
		}
	}
	return out, nil
}
