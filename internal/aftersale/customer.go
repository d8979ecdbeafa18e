package aftersale

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// This file holds what a customer does for themselves in the portal. The
// customer is identified by the portal (order number plus email or phone,
// or a one-time link) and every call checks the case or order is theirs.

// IneligibleError refuses a customer's request the policy does not allow,
// with the decision whose reasons the customer is shown.
type IneligibleError struct {
	Decision Decision
}

func (e *IneligibleError) Error() string {
	var parts []string
	for _, r := range e.Decision.Denials() {
		parts = append(parts, r.EN)
	}
	return "the request is not eligible: " + strings.Join(parts, "; ")
}

// Unwrap makes an IneligibleError a conflict with the policy.
func (e *IneligibleError) Unwrap() error { return kefu.ErrConflict }

// internalCodes are reasons about the shop's money and limits, never shown
// to customers.
var internalCodes = map[string]bool{
	"margin_floor": true, "margin_ok": true, "margin_unknown": true, "over_ceiling": true, "over_agent_limit": true,
	"check_stock": true, "no_remedy": true, "band_same_city": true, "band_same_province": true, "band_other_province": true,
	"band_high_value": true, "signed_but_missing": true,
}

// CustomerReasons are the reasons of a decision a customer may read.
func CustomerReasons(d Decision) []Reason {
	var out []Reason
	for _, r := range d.Reasons {
		if !internalCodes[r.Code] {
			out = append(out, r)
		}
	}
	return out
}

// VerifyBuyer finds the customer who placed order number and uses email or
// phone contact. The answer is the same "not found" for an unknown order
// and a wrong contact, so the portal leaks neither.
func (s *Service) VerifyBuyer(ctx context.Context, orderNumber, contact string) (int64, error) {
	orderNumber, contact = strings.TrimSpace(orderNumber), strings.TrimSpace(contact)
	if orderNumber == "" || contact == "" {
		return 0, kefu.Invalid("order", "order number and email or phone are required")
	}
	o, err := s.st.OrderByNumber(ctx, orderNumber)
	if errors.Is(err, kefu.ErrNotFound) {
		return 0, kefu.NotFound("order")
	}
	if err != nil {
		return 0, err
	}
	c, err := s.st.Customer(ctx, o.CustomerID)
	if err != nil {
		return 0, err
	}
	kind := kefu.IdentityPhone
	if strings.Contains(contact, "@") {
		kind = kefu.IdentityEmail
	}
	v, err := kefu.NormalizeIdentity(kind, contact)
	if err != nil {
		return 0, kefu.NotFound("order")
	}
	for _, id := range c.Identities {
		if id.Kind == kind && id.Value == v {
			return c.ID, nil
		}
	}
	return 0, kefu.NotFound("order")
}

// PortalLinkTTL is how long a one-time sign-in link works.
const PortalLinkTTL = 30 * time.Minute

// CreatePortalLink makes a one-time sign-in token for the customer with
// email. ok is false (and no error) when no customer has that address, so
// the portal answers the same either way.
func (s *Service) CreatePortalLink(ctx context.Context, email string) (token string, c *kefu.Customer, ok bool, err error) {
	v, err := kefu.NormalizeIdentity(kefu.IdentityEmail, email)
	if err != nil {
		return "", nil, false, err
	}
	c, err = s.st.CustomerByIdentity(ctx, kefu.IdentityEmail, v)
	if errors.Is(err, kefu.ErrNotFound) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, err
	}
	token = randomToken(24)
	if err := s.st.CreatePortalLink(ctx, hashToken(token), c.ID, s.now().Add(PortalLinkTTL)); err != nil {
		return "", nil, false, err
	}
	return token, c, true, nil
}

// UsePortalLink spends a one-time token and returns its customer.
func (s *Service) UsePortalLink(ctx context.Context, token string) (int64, error) {
	return s.st.UsePortalLink(ctx, hashToken(token), s.now())
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// PortalSecret is the key that signs portal cookies, generated once and
// shared by every node through the database.
func (s *Service) PortalSecret(ctx context.Context) ([]byte, error) {
	v, err := s.st.EnsureAftersaleSetting(ctx, settingPortalSecret, `"`+randomToken(32)+`"`)
	if err != nil {
		return nil, err
	}
	return []byte(strings.Trim(v, `"`)), nil
}

// Customer returns a customer (the portal's signed-in buyer).
func (s *Service) Customer(ctx context.Context, id int64) (*kefu.Customer, error) {
	return s.st.Customer(ctx, id)
}

// CustomerOrders lists a customer's orders, newest first.
func (s *Service) CustomerOrders(ctx context.Context, customerID int64) ([]*kefu.Order, error) {
	return s.st.Orders(ctx, store.OrderFilter{CustomerID: customerID, Limit: 100})
}

// CustomerOrder returns one of the customer's orders.
func (s *Service) CustomerOrder(ctx context.Context, customerID, orderID int64) (*kefu.Order, error) {
	o, err := s.st.Order(ctx, orderID)
	if err != nil || o.CustomerID != customerID {
		return nil, kefu.NotFound("order")
	}
	return o, nil
}

// CustomerCases lists a customer's cases, newest first.
func (s *Service) CustomerCases(ctx context.Context, customerID int64) ([]*kefu.Case, error) {
	return s.st.Cases(ctx, store.CaseFilter{CustomerID: customerID, Limit: 200})
}

// CustomerCase returns one of the customer's cases with its trail.
func (s *Service) CustomerCase(ctx context.Context, customerID, caseID int64) (*Detail, error) {
	c, err := s.st.Case(ctx, caseID)
	if err != nil || c.CustomerID != customerID {
		return nil, kefu.NotFound("case")
	}
	return s.detail(ctx, c)
}

// CustomerEvidence returns a file of one of the customer's cases.
func (s *Service) CustomerEvidence(ctx context.Context, customerID, caseID, evidenceID int64) (*kefu.Evidence, []byte, error) {
	c, err := s.st.Case(ctx, caseID)
	if err != nil || c.CustomerID != customerID {
		return nil, nil, kefu.NotFound("evidence")
	}
	return s.evidenceOf(ctx, c, evidenceID)
}

// CustomerMessages is the part of a case's ticket the customer may read:
// their messages, the team's replies and progress notices, never notes.
func (s *Service) CustomerMessages(ctx context.Context, customerID, caseID int64) ([]*kefu.Message, error) {
	c, err := s.st.Case(ctx, caseID)
	if err != nil || c.CustomerID != customerID {
		return nil, kefu.NotFound("case")
	}
	ms, err := s.st.Messages(ctx, c.TicketID, 0, 1000)
	if err != nil {
		return nil, err
	}
	out := []*kefu.Message{}
	for _, m := range ms {
		if m.Kind != kefu.MessageNote {
			out = append(out, m)
		}
	}
	return out, nil
}

// CheckRequest evaluates a customer's proposal on their own order.
func (s *Service) CheckRequest(ctx context.Context, customerID, orderID int64, pr Proposal) (Decision, error) {
	o, err := s.CustomerOrder(ctx, customerID, orderID)
	if err != nil {
		return Decision{}, err
	}
	pr.Responsibility, pr.Amount = "", 0 // the customer names the problem; the playbook says who answers for it
	if err := s.checkProposal(ctx, o, &pr); err != nil {
		return Decision{}, err
	}
	return s.decide(ctx, o, pr)
}

// CustomerRequest is an after-sales request a customer opens in the portal.
type CustomerRequest struct {
	OrderID     int64
	Proposal    Proposal
	Description string
	Photos      []Upload
}

// OpenRequest opens a ticket and a case for a customer's request, with
// their photos as evidence. A request the policy does not allow is refused
// with an IneligibleError and nothing is created.
func (s *Service) OpenRequest(ctx context.Context, customerID int64, in CustomerRequest) (*kefu.Case, error) {
	d, err := s.CheckRequest(ctx, customerID, in.OrderID, in.Proposal)
	if err != nil {
		return nil, err
	}
	if !d.Eligible {
		return nil, &IneligibleError{Decision: d}
	}
	desc, err := kefu.CleanText("description", in.Description, 1, MaxDescription)
	if err != nil {
		return nil, err
	}
	if err := checkMedia(in.Photos); err != nil {
		return nil, err
	}
	o, err := s.CustomerOrder(ctx, customerID, in.OrderID)
	if err != nil {
		return nil, err
	}
	pr := in.Proposal
	pr.Responsibility, pr.Amount = "", 0
	if err := s.checkProposal(ctx, o, &pr); err != nil {
		return nil, err
	}
	cat, err := s.st.CategoryByKey(ctx, pr.Reason)
	if err != nil {
		return nil, err
	}
	var ups []ticket.Upload
	for _, p := range in.Photos {
		ups = append(ups, ticket.Upload{Filename: p.Filename, Data: p.Data})
	}
	subject := fmt.Sprintf("%s · %s · %s", KindName(string(pr.Kind), "zh-CN"), cat.NameZH, o.Number)
	var c *kefu.Case
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		t, m, err := s.tickets.Create(ctx, nil, ticket.NewTicket{Subject: subject, Channel: kefu.ChannelPortal, Type: kefu.TypeAfterSales,
			CategoryID: &cat.ID, OrderID: &o.ID, Customer: customer.Ref{ID: customerID},
			Message: ticket.NewMessage{Kind: kefu.MessageCustomer, Body: desc, Attachments: ups}})
		if err != nil {
			return err
		}
		c = s.newCase(t, o, pr, d, desc)
		if err := s.insertCase(ctx, c, o, byCustomer(customerID)); err != nil {
			return err
		}
		for _, a := range m.Attachments {
			ev := &kefu.Evidence{CaseID: c.ID, SHA256: a.SHA256, Filename: a.Filename, AuthorCustomerID: &customerID, CreatedAt: s.now()}
			if err := s.st.AddEvidence(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkMedia accepts what a customer may send as evidence: at most
// MaxEvidence photos, videos or PDFs, judged by their bytes, not their names.
func checkMedia(ups []Upload) error {
	if len(ups) > MaxEvidence {
		return kefu.Invalid("photos", "at most %d photos", MaxEvidence)
	}
	for _, u := range ups {
		if len(u.Data) == 0 || len(u.Data) > MaxUpload {
			return kefu.Invalid("photos", "%s must be 1 byte to %d MB", u.Filename, MaxUpload>>20)
		}
		ct := http.DetectContentType(u.Data)
		if !strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "video/") && ct != "application/pdf" {
			return kefu.Invalid("photos", "%s is not a photo, a video or a PDF", u.Filename)
		}
	}
	return nil
}

// lockOwn locks one of the customer's cases in the current transaction.
func (s *Service) lockOwn(ctx context.Context, customerID, caseID int64) (*kefu.Case, error) {
	c, err := s.st.LockCase(ctx, caseID)
	if err != nil || c.CustomerID != customerID {
		return nil, kefu.NotFound("case")
	}
	return c, nil
}

// CustomerReply adds the customer's message (and photos, which also become
// evidence) to the case's ticket.
func (s *Service) CustomerReply(ctx context.Context, customerID, caseID int64, body string, photos []Upload) error {
	c, err := s.st.Case(ctx, caseID)
	if err != nil || c.CustomerID != customerID {
		return kefu.NotFound("case")
	}
	if err := checkMedia(photos); err != nil {
		return err
	}
	var ups []ticket.Upload
	for _, p := range photos {
		ups = append(ups, ticket.Upload{Filename: p.Filename, Data: p.Data})
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		m, _, err := s.tickets.AddMessage(ctx, nil, c.TicketID, ticket.NewMessage{Kind: kefu.MessageCustomer, Body: body, Attachments: ups})
		if err != nil {
			return err
		}
		for _, a := range m.Attachments {
			ev := &kefu.Evidence{CaseID: c.ID, SHA256: a.SHA256, Filename: a.Filename, AuthorCustomerID: &customerID, CreatedAt: s.now()}
			if err := s.st.AddEvidence(ctx, ev); err != nil {
				return err
			}
		}
		if len(m.Attachments) > 0 {
			return s.event(ctx, kefu.EventCaseEvidenceAdded, c, byCustomer(customerID), map[string]any{"files": len(m.Attachments)})
		}
		return nil
	})
}

// CustomerTracking records the return parcel the customer sent.
func (s *Service) CustomerTracking(ctx context.Context, customerID, caseID int64, carrier, tracking string) error {
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.lockOwn(ctx, customerID, caseID)
		if err != nil {
			return err
		}
		if c.Status != kefu.CaseApproved || !c.Kind.NeedsReturn() {
			return &kefu.ConflictError{Field: "tracking_number", Message: "a return tracking number is entered once a return is approved"}
		}
		if err := setTracking(c, carrier, tracking); err != nil {
			return err
		}
		return s.move(ctx, c, kefu.CaseAwaitingReturn, byCustomer(customerID), "", map[string]any{"carrier": c.ReturnCarrier, "tracking_number": c.ReturnTracking})
	})
}

// CustomerCancel withdraws a request the shop has not acted on yet.
func (s *Service) CustomerCancel(ctx context.Context, customerID, caseID int64) error {
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.lockOwn(ctx, customerID, caseID)
		if err != nil {
			return err
		}
		inFlight := c.Execution == kefu.ExecutionPending || c.Execution == kefu.ExecutionDelivered
		if (c.Status != kefu.CaseRequested && c.Status != kefu.CaseApproved) || inFlight {
			return &kefu.ConflictError{Field: "case", Message: "the request can no longer be withdrawn here; please write to us"}
		}
		return s.move(ctx, c, kefu.CaseCancelled, byCustomer(customerID), "客户撤销申请 / withdrawn by the customer", nil)
	})
}

// CustomerRate records the customer's rating of a case's outcome (1–5,
// once). Rating an executed case completes it.
func (s *Service) CustomerRate(ctx context.Context, customerID, caseID int64, rating int, comment string) error {
	if rating < 1 || rating > 5 {
		return kefu.Invalid("rating", "must be from 1 to 5")
	}
	comment, err := kefu.CleanText("comment", comment, 0, MaxNote)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.lockOwn(ctx, customerID, caseID)
		if err != nil {
			return err
		}
		if c.Status != kefu.CaseExecuted && c.Status != kefu.CaseCompleted && c.Status != kefu.CaseRejected {
			return &kefu.ConflictError{Field: "rating", Message: "a request can be rated once it is carried out or decided"}
		}
		if c.Rating > 0 {
			return &kefu.ConflictError{Field: "rating", Message: "this request is already rated"}
		}
		c.Rating, c.RatingComment, c.UpdatedAt = rating, comment, s.now()
		w := byCustomer(customerID)
		if err := s.event(ctx, kefu.EventCaseRated, c, w, map[string]any{"rating": rating, "comment": comment}); err != nil {
			return err
		}
		if c.Status == kefu.CaseExecuted {
			return s.move(ctx, c, kefu.CaseCompleted, w, "", map[string]any{"rating": rating})
		}
		return s.st.UpdateCase(ctx, c)
	})
}

// Problems lists the problems of the shop's taxonomy a request can name,
// grouped: each group is followed by its problems.
func (s *Service) Problems(ctx context.Context) ([]*kefu.Category, error) {
	cats, err := s.st.Categories(ctx)
	if err != nil {
		return nil, err
	}
	var out []*kefu.Category
	for _, g := range cats {
		if g.ParentID != nil || g.Archived {
			continue
		}
		out = append(out, g)
		for _, c := range cats {
			if c.ParentID != nil && *c.ParentID == g.ID && !c.Archived {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// ShopLocation is the shop's time zone, for showing times to customers.
func (s *Service) ShopLocation(ctx context.Context) *time.Location {
	p, err := s.Policy(ctx)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return p.location()
}

// CustomerTickets lists a customer's tickets, newest first (merged ones
// are left out: their conversation lives on in the ticket they joined).
func (s *Service) CustomerTickets(ctx context.Context, customerID int64) ([]*kefu.Ticket, error) {
	ts, _, err := s.st.Tickets(ctx, store.TicketFilter{CustomerID: customerID, Sort: "created_at", Limit: 100})
	if err != nil {
		return nil, err
	}
	out := []*kefu.Ticket{}
	for _, t := range ts {
		if t.MergedInto == nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// CustomerTicket returns one of the customer's tickets and the part of its
// conversation they may read (no internal notes).
func (s *Service) CustomerTicket(ctx context.Context, customerID, ticketID int64) (*kefu.Ticket, []*kefu.Message, error) {
	t, err := s.st.Ticket(ctx, ticketID)
	if err != nil || t.CustomerID != customerID {
		return nil, nil, kefu.NotFound("ticket")
	}
	ms, err := s.st.Messages(ctx, t.ID, 0, 1000)
	if err != nil {
		return nil, nil, err
	}
	out := []*kefu.Message{}
	for _, m := range ms {
		if m.Kind != kefu.MessageNote {
			out = append(out, m)
		}
	}
	return t, out, nil
}

// CustomerTicketReply adds the customer's message to one of their tickets.
// A closed ticket starts a follow-up, whose id is returned.
func (s *Service) CustomerTicketReply(ctx context.Context, customerID, ticketID int64, body string, photos []Upload) (int64, error) {
	t, err := s.st.Ticket(ctx, ticketID)
	if err != nil || t.CustomerID != customerID {
		return 0, kefu.NotFound("ticket")
	}
	var ups []ticket.Upload
	for _, p := range photos {
		ups = append(ups, ticket.Upload{Filename: p.Filename, Data: p.Data})
	}
	_, landed, err := s.tickets.AddMessage(ctx, nil, t.ID, ticket.NewMessage{Kind: kefu.MessageCustomer, Body: body, Attachments: ups})
	if err != nil {
		return 0, err
	}
	return landed.ID, nil
}
