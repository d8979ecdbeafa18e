package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// caseRow is one case in the ticket page's case panel.
type caseRow struct {
	*aftersale.Detail
	Decision *aftersale.Decision // the stored evaluation, nil when unreadable
	Reason   string              // the taxonomy key in the user's language
	Moves    []kefu.CaseStatus   // the transitions the state machine allows now
}

// caseForm is a proposed case as the open-a-case form holds it.
type caseForm struct {
	Kind        string
	Reason      string
	Amount      string
	Description string
	Items       map[int64]int // order item → quantity
}

// loadCases adds the case panel's data to the ticket page's d: the
// ticket's cases, the remedies and reasons to open one, and whether the
// user may work cases. It adds nothing when the workspace has no cases.
func (w *Web) loadCases(ctx context.Context, v *view, t *kefu.Ticket, d map[string]any) error {
	if w.cases == nil {
		return nil
	}
	d["HasCases"] = true
	d["CanWorkCases"] = auth.Can(v.User, auth.WorkCases) == nil
	cs, err := w.cases.List(ctx, v.User, store.CaseFilter{TicketID: t.ID, Limit: 50})
	if errors.Is(err, kefu.ErrForbidden) {
		d["HasCases"] = false
		return nil
	}
	if err != nil {
		return fmt.Errorf("cases of ticket %d: %w", t.ID, err)
	}
	problems, err := w.cases.Problems(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range problems {
		names[p.Key] = categoryName(v.Lang, p)
	}
	rows := make([]caseRow, 0, len(cs))
	for _, c := range cs {
		det, err := w.cases.Get(ctx, v.User, c.ID)
		if err != nil {
			return fmt.Errorf("case %d: %w", c.ID, err)
		}
		row := caseRow{Detail: det, Reason: names[c.Reason]}
		if row.Reason == "" {
			row.Reason = c.Reason
		}
		if len(c.Decision) > 0 {
			var dec aftersale.Decision
			if json.Unmarshal(c.Decision, &dec) == nil {
				row.Decision = &dec
			}
		}
		for _, to := range kefu.CaseStatuses {
			if kefu.CanMoveCase(c.Kind, c.Status, to) {
				row.Moves = append(row.Moves, to)
			}
		}
		rows = append(rows, row)
	}
	d["Cases"] = rows
	d["CaseKinds"] = kefu.CaseKinds
	var reasons []*kefu.Category
	for _, p := range problems {
		if p.ParentID != nil {
			reasons = append(reasons, p)
		}
	}
	d["CaseReasons"] = reasons
	if _, ok := d["CaseForm"]; !ok {
		d["CaseForm"] = caseForm{Items: map[int64]int{}}
	}
	return nil
}

// readCaseForm reads the open-a-case form into a proposal.
func readCaseForm(r *http.Request) (caseForm, aftersale.Proposal, error) {
	_ = r.ParseForm()
	f := caseForm{Kind: r.FormValue("kind"), Reason: r.FormValue("reason"), Amount: strings.TrimSpace(r.FormValue("amount")),
		Description: r.FormValue("description"), Items: map[int64]int{}}
	pr := aftersale.Proposal{Kind: kefu.CaseKind(f.Kind), Reason: f.Reason}
	for _, s := range r.Form["item"] {
		id := optID(s)
		if id == nil {
			continue
		}
		q, err := strconv.Atoi(r.FormValue(fmt.Sprintf("qty_%d", *id)))
		if err != nil || q <= 0 {
			q = 1
		}
		f.Items[*id] = q
		pr.Items = append(pr.Items, aftersale.ItemQty{OrderItemID: *id, Quantity: q})
	}
	if f.Amount != "" {
		minor, err := parseMoney(f.Amount)
		if err != nil {
			return f, pr, err
		}
		pr.Amount = minor
	}
	return f, pr, nil
}

// parseMoney reads "12.5" or "12.50" yuan into minor units (fen).
func parseMoney(s string) (int64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "¥")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, kefu.Invalid("amount", "has more than two decimals: %q", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 {
		return 0, kefu.Invalid("amount", "must be an amount like 12.50; got %q", s)
	}
	return w*100 + f, nil
}

// evaluateCase shows the policy's decision on the proposed case in the
// panel, without creating anything: the agent opens it from there.
func (w *Web) evaluateCase(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if w.cases == nil {
		w.fail(rw, r, v, kefu.NotFound("page"))
		return
	}
	f, pr, err := readCaseForm(r)
	var dec *aftersale.Decision
	if err == nil {
		dec, err = w.cases.Evaluate(r.Context(), v.User, aftersale.EvaluateInput{TicketID: id, Proposal: pr})
	}
	var fe *kefu.FieldError
	if err != nil && !errors.As(err, &fe) {
		w.fail(rw, r, v, err)
		return
	}
	d, derr := w.ticketData(r.Context(), v, id)
	if derr != nil {
		w.fail(rw, r, v, derr)
		return
	}
	d["CaseForm"] = f
	if dec != nil {
		d["Evaluation"] = dec
		d["EvalReasons"] = distinctReasons(dec.Reasons, dec.RecommendedWhy)
	}
	if fe != nil {
		d["CaseError"] = fe.Field + ": " + fe.Message
	}
	v.Page, v.Data = "ticket", d
	w.render(rw, r, http.StatusOK, "ticket", "", *v)
}

// openCase creates the case the agent evaluated.
func (w *Web) openCase(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if w.cases == nil {
		w.fail(rw, r, v, kefu.NotFound("page"))
		return
	}
	f, pr, err := readCaseForm(r)
	if err == nil {
		_, err = w.cases.Create(r.Context(), v.User, aftersale.NewCase{TicketID: id, Description: f.Description, Proposal: pr})
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d#cases", id), http.StatusSeeOther)
}

// moveCase applies a transition from the panel through the after-sales
// use case, so rights, the state machine and approval limits apply.
func (w *Web) moveCase(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if w.cases == nil {
		w.fail(rw, r, v, kefu.NotFound("page"))
		return
	}
	m := aftersale.Move{To: kefu.CaseStatus(r.FormValue("to")), Note: r.FormValue("note"), Kind: kefu.CaseKind(r.FormValue("kind")),
		Carrier: r.FormValue("carrier"), TrackingNumber: r.FormValue("tracking_number"), RequestApproval: r.FormValue("request_approval") == "on"}
	if s := strings.TrimSpace(r.FormValue("amount")); s != "" {
		if m.Amount, err = parseMoney(s); err != nil {
			w.fail(rw, r, v, err)
			return
		}
	}
	c, err := w.cases.Transition(r.Context(), v.User, id, m)
	var ae *aftersale.ApprovalError
	if errors.As(err, &ae) {
		var parts []string
		for _, re := range ae.Reasons {
			parts = append(parts, re.Text(v.Lang))
		}
		w.errorPage(rw, r, v.User, http.StatusForbidden, w.cat.T(v.Lang, "cases.needs_approval", strings.Join(parts, "；")))
		return
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d#case-%d", c.TicketID, c.ID), http.StatusSeeOther)
}

// distinctReasons joins reason lists, dropping repeats: the policy's
// reasons and those of its recommendation often say the same thing.
func distinctReasons(lists ...[]aftersale.Reason) []aftersale.Reason {
	seen := map[string]bool{}
	var out []aftersale.Reason
	for _, l := range lists {
		for _, r := range l {
			if k := r.Code + "\x00" + r.ZH; !seen[k] {
				seen[k] = true
				out = append(out, r)
			}
		}
	}
	return out
}
