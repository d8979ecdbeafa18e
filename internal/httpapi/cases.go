package httpapi

import (
	"encoding/csv"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// caseID reads a case id from the path. A word where an id belongs (GET
// /cases/evaluate) is not a missing case but a route that does not exist.
func caseID(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errorf(http.StatusNotFound, "no_route", "", "no API route "+r.Method+" "+r.URL.Path+"; see /api/v1/openapi.json")
	}
	return id, nil
}

func (a *API) evaluateCase(r *http.Request, actor *kefu.User) (int, any, error) {
	var in aftersale.EvaluateInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	d, err := a.cases.Evaluate(r.Context(), actor, in)
	return http.StatusOK, d, err
}

func (a *API) createCase(r *http.Request, actor *kefu.User) (int, any, error) {
	var in aftersale.NewCase
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.cases.Create(r.Context(), actor, in)
	if err != nil {
		return 0, nil, err
	}
	d, err := a.cases.Get(r.Context(), actor, c.ID)
	return http.StatusCreated, d, err
}

func (a *API) getCase(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := caseID(r)
	if err != nil {
		return 0, nil, err
	}
	d, err := a.cases.Get(r.Context(), actor, id)
	return http.StatusOK, d, err
}

// caseListParams documents the filters of GET /cases.
var caseListParams = []param{
	{"ticket_id", "integer", "cases of this ticket"},
	{"order_id", "integer", "cases of this order"},
	{"customer_id", "integer", "cases of this customer"},
	{"status", "string", "comma-separated statuses: requested, approved, rejected, awaiting_return, received, inspected, executed, completed, cancelled"},
	{"kind", "string", "refund_only, return_refund, exchange, resend, repair or compensation"},
	{"reason", "string", "a taxonomy key, e.g. product.colour_difference"},
	{"limit", "integer", "page size, 1 to 200 (default 50)"},
	{"cursor", "string", "next_cursor of the previous page"},
}

func (a *API) listCases(r *http.Request, actor *kefu.User) (int, any, error) {
	q := &query{r: r}
	f := store.CaseFilter{
		TicketID:   q.int("ticket_id", 0, 1, 1<<62),
		OrderID:    q.int("order_id", 0, 1, 1<<62),
		CustomerID: q.int("customer_id", 0, 1, 1<<62),
		Kind:       kefu.CaseKind(q.oneOf("kind", func(s string) bool { return kefu.CaseKind(s).Valid() }, "refund_only, return_refund, exchange, resend, repair, compensation")),
		Reason:     q.str("reason"),
		Before:     q.int("cursor", 0, 1, 1<<62),
		Limit:      int(q.int("limit", 50, 1, 200)) + 1,
	}
	if v := q.str("status"); v != "" {
		for _, s := range strings.Split(v, ",") {
			st := kefu.CaseStatus(strings.TrimSpace(s))
			if !st.Valid() {
				return 0, nil, errorf(http.StatusBadRequest, "invalid_parameter", "status", fmt.Sprintf("unknown case status %q", s))
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if q.err != nil {
		return 0, nil, q.err
	}
	return a.casePage(r, actor, f)
}

func (a *API) casePage(r *http.Request, actor *kefu.User, f store.CaseFilter) (int, any, error) {
	cs, err := a.cases.List(r.Context(), actor, f)
	if err != nil {
		return 0, nil, err
	}
	next := ""
	if len(cs) == f.Limit {
		cs = cs[:f.Limit-1]
		next = fmt.Sprint(cs[len(cs)-1].ID)
	}
	return http.StatusOK, page[*kefu.Case]{Items: cs, NextCursor: next}, nil
}

func (a *API) ticketCases(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if _, err := a.tickets.Get(r.Context(), actor, id); err != nil {
		return 0, nil, err
	}
	return a.casePage(r, actor, store.CaseFilter{TicketID: id, Limit: 201})
}

func (a *API) transitionCase(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := caseID(r)
	if err != nil {
		return 0, nil, err
	}
	var m aftersale.Move
	if err := decode(r, &m); err != nil {
		return 0, nil, err
	}
	if _, err := a.cases.Transition(r.Context(), actor, id, m); err != nil {
		return 0, nil, err
	}
	d, err := a.cases.Get(r.Context(), actor, id)
	return http.StatusOK, d, err
}

func (a *API) caseTransitions(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := caseID(r)
	if err != nil {
		return 0, nil, err
	}
	d, err := a.cases.Get(r.Context(), actor, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page[*kefu.CaseTransition]{Items: d.Transitions}, nil
}

// evidenceForm documents the multipart fields of an evidence upload.
var evidenceForm = []param{{"note", "string", "what the files show"}, {"files", "file", "photos, videos or PDF, up to 9"}}

// evidenceUpload is the JSON form of an evidence upload: files as base64.
type evidenceUpload struct {
	Note  string       `json:"note"`
	Files []fileUpload `json:"files"`
}

type fileUpload struct {
	Filename string `json:"filename"`
	Data     []byte `json:"data"` // base64 in JSON
}

func (a *API) addEvidence(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := caseID(r)
	if err != nil {
		return 0, nil, err
	}
	var in evidenceUpload
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if in, err = readEvidenceForm(r); err != nil {
			return 0, nil, err
		}
	} else if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	ups := make([]aftersale.Upload, len(in.Files))
	for i, f := range in.Files {
		ups[i] = aftersale.Upload{Filename: f.Filename, Data: f.Data}
	}
	evs, err := a.cases.AddEvidence(r.Context(), actor, id, in.Note, ups)
	return http.StatusCreated, page[*kefu.Evidence]{Items: evs}, err
}

func readEvidenceForm(r *http.Request) (evidenceUpload, error) {
	var in evidenceUpload
	r.Body = http.MaxBytesReader(nil, r.Body, maxMultipartBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return in, errorf(http.StatusBadRequest, "malformed_multipart", "", "the multipart body could not be read: "+err.Error())
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return in, nil
		}
		if err != nil {
			return in, errorf(http.StatusBadRequest, "malformed_multipart", "", "the multipart body could not be read: "+err.Error())
		}
		data, err := io.ReadAll(io.LimitReader(part, aftersale.MaxUpload+1))
		if err != nil {
			return in, errorf(http.StatusBadRequest, "malformed_multipart", part.FormName(), "could not be read")
		}
		switch part.FormName() {
		case "note":
			in.Note = string(data)
		case "files":
			in.Files = append(in.Files, fileUpload{Filename: part.FileName(), Data: data})
		default:
			return in, errorf(http.StatusBadRequest, "unknown_field", part.FormName(), fmt.Sprintf("unknown field %q", part.FormName()))
		}
	}
}

// downloadEvidence serves a case's file with the same safe headers as
// message attachments.
func (a *API) downloadEvidence(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	eid, err := pathID(r, "evidence_id")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ev, data, err := a.cases.Evidence(r.Context(), actorOf(r), id, eid)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ServeFile(w, ev.ContentType, ev.Filename, ev.SHA256, data)
}

// ServeFile writes stored bytes with headers that keep a browser from
// running them: the sniffed type, nosniff, a sandbox CSP, and attachment
// disposition for anything but images.
func ServeFile(w http.ResponseWriter, contentType, filename, sha string, data []byte) {
	disp := "attachment"
	if strings.HasPrefix(contentType, "image/") && !strings.Contains(contentType, "svg") {
		disp = "inline"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": filename}))
	w.Header().Set("ETag", `"`+sha+`"`)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, _ = w.Write(data)
}

func (a *API) openCaseTask(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := caseID(r)
	if err != nil {
		return 0, nil, err
	}
	var in aftersale.TaskInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	t, err := a.cases.OpenTask(r.Context(), actor, id, in)
	return http.StatusCreated, t, err
}

var taskListParams = []param{
	{"team_id", "integer", "tasks of this team (collaborators: one of theirs; default all of theirs)"},
	{"case_id", "integer", "tasks of this case"},
	{"status", "string", "open, done or cancelled"},
	{"limit", "integer", "page size, 1 to 200 (default 100)"},
	{"cursor", "string", "next_cursor of the previous page"},
}

func (a *API) listCaseTasks(r *http.Request, actor *kefu.User) (int, any, error) {
	q := &query{r: r}
	f := store.CaseTaskFilter{
		CaseID: q.int("case_id", 0, 1, 1<<62),
		Status: kefu.TaskStatus(q.oneOf("status", func(s string) bool { return s == "open" || s == "done" || s == "cancelled" }, "open, done, cancelled")),
		Before: q.int("cursor", 0, 1, 1<<62),
		Limit:  int(q.int("limit", 100, 1, 200)) + 1,
	}
	if team := q.int("team_id", 0, 1, 1<<62); team > 0 {
		f.TeamIDs = []int64{team}
	}
	if q.err != nil {
		return 0, nil, q.err
	}
	ts, err := a.cases.Tasks(r.Context(), actor, f)
	if err != nil {
		return 0, nil, err
	}
	next := ""
	if len(ts) == f.Limit {
		ts = ts[:f.Limit-1]
		next = fmt.Sprint(ts[len(ts)-1].ID)
	}
	return http.StatusOK, page[*kefu.CaseTask]{Items: ts, NextCursor: next}, nil
}

func (a *API) completeCaseTask(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in aftersale.TaskAnswer
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	t, err := a.cases.CompleteTask(r.Context(), actor, id, in)
	return http.StatusOK, t, err
}

func (a *API) confirmCase(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := caseID(r)
	if err != nil {
		return 0, nil, err
	}
	var in aftersale.Confirmation
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	res, err := a.cases.Confirm(r.Context(), actor, id, in)
	return http.StatusOK, res, err
}

// confirmSigned is the shop's callback, authenticated by the webhook
// signature instead of a bearer token.
func (a *API) confirmSigned(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r, maxJSONBody)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	res, err := a.cases.ConfirmSigned(r.Context(), r.Header.Get(aftersale.HeaderSignature), body)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *API) retryExecution(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := caseID(r)
	if err != nil {
		return 0, nil, err
	}
	if _, err := a.cases.RetryExecution(r.Context(), actor, id); err != nil {
		return 0, nil, err
	}
	d, err := a.cases.Get(r.Context(), actor, id)
	return http.StatusOK, d, err
}

var reportParams = []param{
	{"by", "string", "reason (default), product, sku, responsibility, kind, status or month"},
	{"from", "string", "cases opened at or after (RFC 3339 or YYYY-MM-DD)"},
	{"to", "string", "cases opened before"},
}

func (a *API) reportRows(r *http.Request, actor *kefu.User) ([]store.CaseReportRow, error) {
	q := &query{r: r}
	by, from, to := q.str("by"), q.time("from"), q.time("to")
	if q.err != nil {
		return nil, q.err
	}
	return a.cases.Report(r.Context(), actor, by, from, to)
}

func (a *API) caseReport(r *http.Request, actor *kefu.User) (int, any, error) {
	rows, err := a.reportRows(r, actor)
	return http.StatusOK, page[store.CaseReportRow]{Items: rows}, err
}

// caseReportCSV is the report as a spreadsheet-friendly CSV file.
func (a *API) caseReportCSV(w http.ResponseWriter, r *http.Request) {
	rows, err := a.reportRows(r, actorOf(r))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	by := r.URL.Query().Get("by")
	if by == "" {
		by = "reason"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "cases-by-" + by + ".csv"}))
	// A byte-order mark lets spreadsheet programs read the Chinese names as UTF-8.
	_, _ = w.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{by, "name", "cases", "units", "open", "refunded_fen", "refunded_yuan"})
	for _, row := range rows {
		_ = cw.Write([]string{csvSafe(row.Key), csvSafe(row.Name), strconv.Itoa(row.Cases), strconv.Itoa(row.Units), strconv.Itoa(row.Open),
			strconv.FormatInt(row.Refunded, 10), fmt.Sprintf("%d.%02d", row.Refunded/100, row.Refunded%100)})
	}
	cw.Flush()
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (a *API) getPolicy(r *http.Request, actor *kefu.User) (int, any, error) {
	if _, err := a.cases.Playbooks(r.Context(), actor); err != nil { // every signed-in role may read the policy
		return 0, nil, err
	}
	p, err := a.cases.Policy(r.Context())
	return http.StatusOK, p, err
}

func (a *API) putPolicy(r *http.Request, actor *kefu.User) (int, any, error) {
	var p aftersale.Policy
	if err := decode(r, &p); err != nil {
		return 0, nil, err
	}
	out, err := a.cases.SetPolicy(r.Context(), actor, p)
	return http.StatusOK, out, err
}

func (a *API) listPlaybooks(r *http.Request, actor *kefu.User) (int, any, error) {
	pbs, err := a.cases.Playbooks(r.Context(), actor)
	return http.StatusOK, page[aftersale.Playbook]{Items: pbs}, err
}

func (a *API) getPlaybook(r *http.Request, actor *kefu.User) (int, any, error) {
	if _, err := a.cases.Playbooks(r.Context(), actor); err != nil {
		return 0, nil, err
	}
	if _, err := a.st.CategoryByKey(r.Context(), r.PathValue("reason")); err != nil {
		return 0, nil, err
	}
	pb, err := a.cases.Playbook(r.Context(), r.PathValue("reason"))
	return http.StatusOK, pb, err
}

func (a *API) putPlaybook(r *http.Request, actor *kefu.User) (int, any, error) {
	var pb aftersale.Playbook
	if err := decode(r, &pb); err != nil {
		return 0, nil, err
	}
	out, err := a.cases.SetPlaybook(r.Context(), actor, r.PathValue("reason"), pb)
	return http.StatusOK, out, err
}

func (a *API) resetPlaybook(r *http.Request, actor *kefu.User) (int, any, error) {
	out, err := a.cases.ResetPlaybook(r.Context(), actor, r.PathValue("reason"))
	return http.StatusOK, out, err
}

func (a *API) getWebhook(r *http.Request, actor *kefu.User) (int, any, error) {
	v, err := a.cases.WebhookSettings(r.Context(), actor)
	return http.StatusOK, v, err
}

func (a *API) putWebhook(r *http.Request, actor *kefu.User) (int, any, error) {
	var in aftersale.Webhook
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	v, err := a.cases.SetWebhook(r.Context(), actor, in)
	return http.StatusOK, v, err
}
