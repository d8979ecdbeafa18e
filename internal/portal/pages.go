package portal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// ordersView is the list of the customer's orders, requests and
// conversations.
type ordersView struct {
	*view
	Orders  []*kefu.Order
	Cases   map[int64][]*kefu.Case // by order
	Tickets []*kefu.Ticket
}

// DeliveryState names where an order is.
func (v *ordersView) DeliveryState(o *kefu.Order) string {
	switch {
	case o.DeliveredAt != nil:
		return v.T("order.delivered")
	case o.ShippedAt != nil:
		return v.T("order.shipped")
	}
	for _, s := range o.Shipments {
		if s.Status == kefu.ShipmentDelivered {
			return v.T("order.delivered")
		}
		if s.Status != kefu.ShipmentPending {
			return v.T("order.shipped")
		}
	}
	return v.T("order.unshipped")
}

func (p *Portal) orders(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	os, err := p.cases.CustomerOrders(r.Context(), c.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	cs, err := p.cases.CustomerCases(r.Context(), c.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	ts, err := p.cases.CustomerTickets(r.Context(), c.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v := &ordersView{view: p.view(w, r), Orders: os, Cases: map[int64][]*kefu.Case{}, Tickets: ts}
	if err := p.loadNames(r, v.view); err != nil {
		p.fail(w, r, err)
		return
	}
	for _, cs := range cs {
		v.Cases[cs.OrderID] = append(v.Cases[cs.OrderID], cs)
	}
	p.render(w, r, http.StatusOK, "orders", v)
}

func (p *Portal) loadNames(r *http.Request, v *view) error {
	cats, err := p.cases.Problems(r.Context())
	if err != nil {
		return err
	}
	v.names = map[string]*kefu.Category{}
	for _, c := range cats {
		v.names[c.Key] = c
	}
	return nil
}

// requestView is the request form and, once checked, the policy's answer.
type requestView struct {
	*view
	Order      *kefu.Order
	Groups     []problemGroup
	Kinds      []kefu.CaseKind
	Conditions []string
	Form       requestForm
	Decision   *aftersale.Decision
	Reasons    []aftersale.Reason
}

type problemGroup struct {
	Group    *kefu.Category
	Problems []*kefu.Category
}

// requestForm is what the customer filled in.
type requestForm struct {
	Items       map[int64]int // order item → quantity chosen
	Reason      string
	Kind        kefu.CaseKind
	Condition   string
	Insurance   bool
	Description string
}

// Selected reports whether an item is chosen (all are, on a fresh form).
func (f requestForm) Selected(id int64) bool { _, ok := f.Items[id]; return ok || len(f.Items) == 0 }

// Qty is the quantity chosen for an item (all of it on a fresh form).
func (f requestForm) Qty(it kefu.OrderItem) int {
	if q, ok := f.Items[it.ID]; ok {
		return q
	}
	return it.Quantity
}

// OfferText describes an offer to the customer; compensation amounts are
// the agent's to negotiate, so they are not shown.
func (v *requestView) OfferText(o *aftersale.Offer) string {
	if o == nil {
		return ""
	}
	if o.Kind == kefu.CaseCompensation {
		return v.Kind(o.Kind)
	}
	return v.Pick(o.ZH, o.EN)
}

// errEmptyReply is a reply with neither words nor photos.
var errEmptyReply = kefu.Invalid("body", "is required")

// customerKinds are the remedies a customer can ask for.
var customerKinds = []kefu.CaseKind{kefu.CaseReturnRefund, kefu.CaseExchange, kefu.CaseRefundOnly, kefu.CaseResend, kefu.CaseRepair, kefu.CaseCompensation}

// customerConditions are the states a customer can say the item is in.
var customerConditions = []string{aftersale.ConditionUnopened, aftersale.ConditionOpened, aftersale.ConditionTried,
	aftersale.ConditionTagRemoved, aftersale.ConditionUsed, aftersale.ConditionDamaged}

func (p *Portal) newRequestView(w http.ResponseWriter, r *http.Request, c *kefu.Customer) (*requestView, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, kefu.NotFound("order")
	}
	o, err := p.cases.CustomerOrder(r.Context(), c.ID, id)
	if err != nil {
		return nil, err
	}
	v := &requestView{view: p.view(w, r), Order: o, Kinds: customerKinds, Conditions: customerConditions, Form: requestForm{Kind: kefu.CaseReturnRefund}}
	if err := p.loadNames(r, v.view); err != nil {
		return nil, err
	}
	cats, err := p.cases.Problems(r.Context())
	if err != nil {
		return nil, err
	}
	for _, cat := range cats {
		if cat.ParentID == nil {
			v.Groups = append(v.Groups, problemGroup{Group: cat})
		} else if len(v.Groups) > 0 {
			g := &v.Groups[len(v.Groups)-1]
			g.Problems = append(g.Problems, cat)
		}
	}
	return v, nil
}

func (p *Portal) requestForm(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	v, err := p.newRequestView(w, r, c)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if reason := r.URL.Query().Get("reason"); reason != "" {
		v.Form.Reason = reason
	}
	p.render(w, r, http.StatusOK, "request", v)
}

// readRequest reads the form into v.Form and a proposal.
func readRequest(r *http.Request, v *requestView) aftersale.Proposal {
	f := requestForm{Items: map[int64]int{}, Reason: r.FormValue("reason"), Kind: kefu.CaseKind(r.FormValue("kind")),
		Condition: r.FormValue("condition"), Insurance: r.FormValue("insurance") == "on", Description: r.FormValue("description")}
	pr := aftersale.Proposal{Kind: f.Kind, Reason: f.Reason, Condition: f.Condition, ShippingInsurance: f.Insurance}
	for _, sid := range r.Form["item"] {
		id, err := strconv.ParseInt(sid, 10, 64)
		if err != nil {
			continue
		}
		q, _ := strconv.Atoi(r.FormValue(fmt.Sprintf("qty_%d", id)))
		if q < 1 {
			q = 1
		}
		f.Items[id] = q
		pr.Items = append(pr.Items, aftersale.ItemQty{OrderItemID: id, Quantity: q})
	}
	if len(f.Items) == 0 {
		f.Items[-1] = 0 // nothing chosen: keep every box unticked
	}
	v.Form = f
	return pr
}

// check evaluates the form; false means the form itself is incomplete.
func (p *Portal) check(r *http.Request, c *kefu.Customer, v *requestView, pr aftersale.Proposal) bool {
	if pr.Reason == "" || !pr.Kind.Valid() || len(pr.Items) == 0 {
		v.Error = v.T("req.required")
		return false
	}
	d, err := p.cases.CheckRequest(r.Context(), c.ID, v.Order.ID, pr)
	if err != nil {
		v.Error = userMessage(v.view, err)
		return false
	}
	v.Decision, v.Reasons = &d, shownReasons(d)
	return true
}

// shownReasons are the reasons a customer reads: for a refusal only what
// rules it out, otherwise everything not internal to the shop.
func shownReasons(d aftersale.Decision) []aftersale.Reason {
	if !d.Eligible {
		return d.Denials()
	}
	return aftersale.CustomerReasons(d)
}

// checkFragment answers the form's live check with the decision panel.
func (p *Portal) checkFragment(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	v, err := p.newRequestView(w, r, c)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.check(r, c, v, readRequest(r, v))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := p.pages["request"].ExecuteTemplate(w, "decision", v); err != nil {
		p.log.ErrorContext(r.Context(), "render decision", "err", err)
	}
}

func (p *Portal) submitRequest(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	v, err := p.newRequestView(w, r, c)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pr := readRequest(r, v)
	if !p.check(r, c, v, pr) {
		p.render(w, r, http.StatusUnprocessableEntity, "request", v)
		return
	}
	if r.FormValue("action") == "check" {
		p.render(w, r, http.StatusOK, "request", v)
		return
	}
	if strings.TrimSpace(v.Form.Description) == "" {
		v.Error = v.T("req.required")
		p.render(w, r, http.StatusUnprocessableEntity, "request", v)
		return
	}
	photos, err := uploads(r, "photos")
	if err != nil {
		v.Error = userMessage(v.view, err)
		p.render(w, r, http.StatusUnprocessableEntity, "request", v)
		return
	}
	cs, err := p.cases.OpenRequest(r.Context(), c.ID, aftersale.CustomerRequest{OrderID: v.Order.ID, Proposal: pr,
		Description: v.Form.Description, Photos: photos})
	var ie *aftersale.IneligibleError
	switch {
	case errors.As(err, &ie):
		// Refused with the reasons, in the customer's language; nothing was created.
		v.Decision, v.Reasons = &ie.Decision, shownReasons(ie.Decision)
		p.render(w, r, http.StatusUnprocessableEntity, "request", v)
		return
	case errors.Is(err, kefu.ErrInvalid) || errors.Is(err, kefu.ErrConflict):
		v.Error = userMessage(v.view, err)
		p.render(w, r, http.StatusUnprocessableEntity, "request", v)
		return
	case err != nil:
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/portal/cases/%d", cs.ID), http.StatusSeeOther)
}

// uploads reads the files of a multipart field.
func uploads(r *http.Request, field string) ([]aftersale.Upload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []aftersale.Upload
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // an empty file input
		}
		data, err := readFile(fh)
		if err != nil {
			return nil, err
		}
		out = append(out, aftersale.Upload{Filename: fh.Filename, Data: data})
	}
	if len(out) > aftersale.MaxEvidence {
		return nil, kefu.Invalid("photos", "at most %d photos", aftersale.MaxEvidence)
	}
	return out, nil
}

func readFile(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, aftersale.MaxUpload+1))
}

// caseView is one request with its progress and conversation.
type caseView struct {
	*view
	D             *aftersale.Detail
	Order         *kefu.Order
	Steps         []step
	Timeline      []entry
	Messages      []*kefu.Message
	ReturnAddress string
	CanTrack      bool
	CanRate       bool
	CanCancel     bool
}

type step struct {
	Label         string
	Done, Current bool
}

type entry struct {
	At   time.Time
	Text string
	Note string
}

func (p *Portal) loadCase(w http.ResponseWriter, r *http.Request, c *kefu.Customer) (*caseView, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, kefu.NotFound("case")
	}
	d, err := p.cases.CustomerCase(r.Context(), c.ID, id)
	if err != nil {
		return nil, err
	}
	o, err := p.cases.CustomerOrder(r.Context(), c.ID, d.OrderID)
	if err != nil {
		return nil, err
	}
	ms, err := p.cases.CustomerMessages(r.Context(), c.ID, id)
	if err != nil {
		return nil, err
	}
	pol, err := p.cases.Policy(r.Context())
	if err != nil {
		return nil, err
	}
	v := &caseView{view: p.view(w, r), D: d, Order: o, ReturnAddress: pol.ReturnAddress}
	for _, m := range ms {
		if m.Kind != kefu.MessageSystem { // progress notices are the timeline
			v.Messages = append(v.Messages, m)
		}
	}
	if err := p.loadNames(r, v.view); err != nil {
		return nil, err
	}
	path := []kefu.CaseStatus{kefu.CaseRequested, kefu.CaseApproved, kefu.CaseExecuted, kefu.CaseCompleted}
	if d.Kind.NeedsReturn() {
		path = []kefu.CaseStatus{kefu.CaseRequested, kefu.CaseApproved, kefu.CaseAwaitingReturn, kefu.CaseReceived, kefu.CaseInspected, kefu.CaseExecuted, kefu.CaseCompleted}
	}
	reached := map[kefu.CaseStatus]bool{}
	for _, t := range d.Transitions {
		reached[t.To] = true
		at := *d.Case
		if t.To == kefu.CaseRequested {
			// The request is told as it was made, before an approval changed the remedy.
			var first struct {
				Kind kefu.CaseKind `json:"kind"`
			}
			if json.Unmarshal(t.Data, &first) == nil && first.Kind.Valid() {
				at.Kind = first.Kind
			}
		}
		text := aftersale.ProgressText(&at, &pol, t.To).Text(v.Lang)
		note := ""
		if t.To == kefu.CaseCancelled {
			note = t.Note // a rejection's reason is already in its progress text
		}
		v.Timeline = append(v.Timeline, entry{At: t.CreatedAt, Text: text, Note: note})
	}
	if d.Status == kefu.CaseRejected || d.Status == kefu.CaseCancelled {
		var kept []kefu.CaseStatus
		for _, s := range path {
			if reached[s] {
				kept = append(kept, s)
			}
		}
		path = append(kept, d.Status)
	}
	for _, s := range path {
		v.Steps = append(v.Steps, step{Label: v.Status(s), Done: reached[s], Current: s == d.Status})
	}
	v.CanTrack = d.Status == kefu.CaseApproved && d.Kind.NeedsReturn()
	v.CanRate = d.Rating == 0 && (d.Status == kefu.CaseExecuted || d.Status == kefu.CaseCompleted || d.Status == kefu.CaseRejected)
	inFlight := d.Execution == kefu.ExecutionPending || d.Execution == kefu.ExecutionDelivered
	v.CanCancel = (d.Status == kefu.CaseRequested || d.Status == kefu.CaseApproved) && !inFlight
	return v, nil
}

func (p *Portal) casePage(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	v, err := p.loadCase(w, r, c)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "case", v)
}

// act runs a customer's action on a case, then shows the case again:
// after success by redirect, after a refusal with the message.
func (p *Portal) act(w http.ResponseWriter, r *http.Request, c *kefu.Customer, do func(caseID int64) error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		p.fail(w, r, kefu.NotFound("case"))
		return
	}
	err = do(id)
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/portal/cases/%d", id), http.StatusSeeOther)
		return
	}
	if !errors.Is(err, kefu.ErrInvalid) && !errors.Is(err, kefu.ErrConflict) {
		p.fail(w, r, err)
		return
	}
	v, lerr := p.loadCase(w, r, c)
	if lerr != nil {
		p.fail(w, r, lerr)
		return
	}
	v.Error = userMessage(v.view, err)
	p.render(w, r, http.StatusUnprocessableEntity, "case", v)
}

func (p *Portal) reply(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	p.act(w, r, c, func(id int64) error {
		photos, err := uploads(r, "photos")
		if err != nil {
			return err
		}
		if strings.TrimSpace(r.FormValue("body")) == "" && len(photos) == 0 {
			return errEmptyReply
		}
		return p.cases.CustomerReply(r.Context(), c.ID, id, r.FormValue("body"), photos)
	})
}

func (p *Portal) tracking(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	p.act(w, r, c, func(id int64) error {
		return p.cases.CustomerTracking(r.Context(), c.ID, id, r.FormValue("carrier"), r.FormValue("tracking_number"))
	})
}

func (p *Portal) rate(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	p.act(w, r, c, func(id int64) error {
		n, _ := strconv.Atoi(r.FormValue("rating"))
		return p.cases.CustomerRate(r.Context(), c.ID, id, n, r.FormValue("comment"))
	})
}

func (p *Portal) cancel(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	p.act(w, r, c, func(id int64) error { return p.cases.CustomerCancel(r.Context(), c.ID, id) })
}

// file serves a photo of the customer's own case.
func (p *Portal) file(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	fid, err2 := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err1 != nil || err2 != nil {
		p.fail(w, r, kefu.NotFound("file"))
		return
	}
	ev, data, err := p.cases.CustomerEvidence(r.Context(), c.ID, id, fid)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	disp := "attachment"
	if strings.HasPrefix(ev.ContentType, "image/") && !strings.Contains(ev.ContentType, "svg") {
		disp = "inline"
	}
	w.Header().Set("Content-Type", ev.ContentType)
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": ev.Filename}))
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, _ = w.Write(data)
}

// TicketStatus names a ticket status for the customer.
func (v *view) TicketStatus(s kefu.Status) string { return v.T("tstatus." + string(s)) }

// ticketView is one of the customer's conversations.
type ticketView struct {
	*view
	Ticket   *kefu.Ticket
	Messages []*kefu.Message
	Cases    []*kefu.Case
}

func (p *Portal) loadTicket(w http.ResponseWriter, r *http.Request, c *kefu.Customer) (*ticketView, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, kefu.NotFound("ticket")
	}
	t, ms, err := p.cases.CustomerTicket(r.Context(), c.ID, id)
	if err != nil {
		return nil, err
	}
	all, err := p.cases.CustomerCases(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	v := &ticketView{view: p.view(w, r), Ticket: t, Messages: ms}
	if err := p.loadNames(r, v.view); err != nil {
		return nil, err
	}
	for _, cs := range all {
		if cs.TicketID == t.ID {
			v.Cases = append(v.Cases, cs)
		}
	}
	return v, nil
}

func (p *Portal) ticketPage(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	v, err := p.loadTicket(w, r, c)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "ticket", v)
}

func (p *Portal) ticketReply(w http.ResponseWriter, r *http.Request, c *kefu.Customer) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		p.fail(w, r, kefu.NotFound("ticket"))
		return
	}
	photos, err := uploads(r, "photos")
	if err == nil && strings.TrimSpace(r.FormValue("body")) == "" && len(photos) == 0 {
		err = errEmptyReply
	}
	landed := id
	if err == nil {
		landed, err = p.cases.CustomerTicketReply(r.Context(), c.ID, id, r.FormValue("body"), photos)
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/portal/tickets/%d", landed), http.StatusSeeOther)
		return
	}
	if !errors.Is(err, kefu.ErrInvalid) && !errors.Is(err, kefu.ErrConflict) {
		p.fail(w, r, err)
		return
	}
	v, lerr := p.loadTicket(w, r, c)
	if lerr != nil {
		p.fail(w, r, lerr)
		return
	}
	v.Error = userMessage(v.view, err)
	p.render(w, r, http.StatusUnprocessableEntity, "ticket", v)
}
