// Package web is the agent workspace: server-rendered pages (html/template)
// with htmx for partial updates and Server-Sent Events for live ones, all
// assets embedded. It calls the same use cases as the REST API, so the same
// role rules apply.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/schedule"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Web serves the workspace.
type Web struct {
	st        *store.Store
	tickets   *ticket.Service
	customers *customer.Service
	users     *user.Service
	deadlines *sla.Service        // nil: no due times shown
	cases     *aftersale.Service  // nil: no case panel (see UseCases)
	channels  *email.Channels     // nil: no channel settings
	rules     *automation.Service // nil: no automation rule pages (see UseRules)
	hub       realtime.Hub
	search    *search.Service
	chat      *chat.Service
	later     *schedule.Service // nil: no "send later" (see UseSchedule)
	log       *slog.Logger
	cat       catalogs
	pages     map[string]*template.Template
	loc       *time.Location // how times are shown

	gen      atomic.Uint64 // bumped on every ticket change
	countsMu sync.Mutex
	counts   map[int64]cachedCounts // inbox view counts per user
}

// New parses every template once; a template error stops the start.
func New(st *store.Store, tickets *ticket.Service, customers *customer.Service, users *user.Service, deadlines *sla.Service, hub realtime.Hub, chats *chat.Service, log *slog.Logger) (*Web, error) {
	cat, err := loadCatalogs()
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	w := &Web{st: st, tickets: tickets, customers: customers, users: users, deadlines: deadlines, hub: hub, search: search.New(st), chat: chats, log: log, cat: cat, loc: loc, pages: map[string]*template.Template{}, counts: map[int64]cachedCounts{}}
	go w.watchChanges()
	for _, page := range []string{"login", "error", "inbox", "ticket", "canned", "search", "channels", "settings", "customers", "customer", "admin_users", "admin_teams", "admin_categories", "admin_tags", "chat", "admin_calendars", "admin_calendar", "admin_policies", "admin_rules"} {
		t, err := template.New(page).Funcs(w.funcs("zh-CN")).ParseFS(templateFS, "templates/layout.html", "templates/canned_list.html", "templates/cases_panel.html", "templates/relations.html", "templates/shortcuts.html", "templates/chats.html", "templates/admin_tabs.html", "templates/"+page+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", page, err)
		}
		w.pages[page] = t
	}
	return w, nil
}

// Register adds the workspace routes to mux.
func (w *Web) Register(mux *http.ServeMux, wrap func(string, http.Handler) http.Handler) {
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	handle := func(pattern string, h http.Handler) { mux.Handle(pattern, wrap(pattern, w.secure(h))) }
	handle("GET /static/", http.StripPrefix("/static/", cacheFor(files, 24*time.Hour)))
	handle("GET /login", http.HandlerFunc(w.loginPage))
	handle("POST /login", http.HandlerFunc(w.login))
	handle("GET /setup", http.HandlerFunc(w.setupPage))
	handle("POST /setup", http.HandlerFunc(w.setup))
	for _, r := range []struct {
		pattern string
		h       pageFunc
	}{
		{"GET /{$}", w.inbox},
		{"GET /inbox/views", w.inboxViews},
		{"POST /tickets/bulk", w.bulk},
		{"GET /tickets/{id}", w.ticketPage},
		{"GET /tickets/{id}/conversation", w.conversation},
		{"POST /tickets/{id}/messages", w.addMessage},
		{"POST /tickets/{id}/props", w.updateProps},
		{"POST /tickets/{id}/transfer", w.transfer},
		{"POST /tickets/{id}/link-order", w.linkOrder},
		{"POST /tickets/{id}/merge", w.merge},
		{"POST /tickets/{id}/relate", w.relate},
		{"GET /tickets/{id}/canned", w.cannedForTicket},
		{"POST /tickets/{id}/presence", w.presence},
		{"POST /tickets/{id}/chat/accept", w.chatAccept},
		{"POST /tickets/{id}/chat/end", w.chatEnd},
		{"POST /tickets/{id}/chat/seen", w.chatSeen},
		{"POST /tickets/{id}/chat/transcript", w.chatTranscript},
		{"GET /inbox/chats", w.chatPanel},
		{"POST /me/chat-status", w.chatStatus},
		{"POST /me/heartbeat", w.chatHeartbeat},
		{"GET /settings/chat", w.chatSettings},
		{"POST /settings/chat", w.saveChatChannel},
		{"POST /settings/chat/agents", w.saveChatAgent},
		{"POST /tickets/{id}/promises", w.addPromise},
		{"POST /promises/{id}/keep", w.keepPromise},
		{"POST /tickets/{id}/snooze", w.snooze},
		{"POST /tickets/{id}/unsnooze", w.unsnooze},
		{"POST /tickets/{id}/scheduled", w.scheduleReply},
		{"POST /scheduled/{id}/cancel", w.cancelScheduled},
		{"GET /attachments/{id}", w.attachment},
		{"GET /messages/{id}/raw", w.rawMail},
		{"POST /tickets/{id}/cases/evaluate", w.evaluateCase},
		{"POST /tickets/{id}/cases", w.openCase},
		{"POST /cases/{id}/move", w.moveCase},
		{"GET /settings/channels", w.channelsPage},
		{"POST /settings/channels", w.saveChannel},
		{"POST /settings/channels/{id}/test", w.testChannel},
		{"GET /live", w.live},
		{"GET /search", w.searchPage},
		{"GET /settings/canned", w.cannedPage},
		{"POST /settings/canned", w.saveCanned},
		{"POST /settings/language", w.setLanguage},
		{"GET /settings", w.settingsPage},
		{"GET /customers", w.customersPage},
		{"GET /customers/{id}", w.customerPage},
		{"GET /admin/users", w.adminUsers},
		{"POST /admin/users", w.createUser},
		{"POST /admin/users/{id}", w.updateUser},
		{"GET /admin/teams", w.adminTeams},
		{"POST /admin/teams", w.saveTeam},
		{"POST /admin/teams/{id}", w.saveTeam},
		{"GET /admin/categories", w.adminCategories},
		{"POST /admin/categories", w.saveCategory},
		{"POST /admin/categories/{id}", w.saveCategory},
		{"GET /admin/tags", w.adminTags},
		{"POST /admin/tags", w.saveTag},
		{"GET /admin/calendars", w.needs(func() bool { return w.deadlines != nil }, w.adminCalendars)},
		{"POST /admin/calendars", w.needs(func() bool { return w.deadlines != nil }, w.createCalendar)},
		{"GET /admin/calendars/{id}", w.needs(func() bool { return w.deadlines != nil }, w.calendarPage)},
		{"POST /admin/calendars/{id}", w.needs(func() bool { return w.deadlines != nil }, w.saveCalendar)},
		{"POST /admin/calendars/{id}/days", w.needs(func() bool { return w.deadlines != nil }, w.addCalendarDay)},
		{"POST /admin/calendars/{id}/days/remove", w.needs(func() bool { return w.deadlines != nil }, w.removeCalendarDay)},
		{"POST /admin/calendars/{id}/import", w.needs(func() bool { return w.deadlines != nil }, w.importCalendar)},
		{"GET /admin/calendars/{id}/recompute", w.needs(func() bool { return w.deadlines != nil }, w.recomputeProgress)},
		{"POST /admin/calendars/{id}/delete", w.needs(func() bool { return w.deadlines != nil }, w.deleteCalendar)},
		{"GET /admin/sla", w.needs(func() bool { return w.deadlines != nil }, w.adminPolicies)},
		{"POST /admin/sla", w.needs(func() bool { return w.deadlines != nil }, w.savePolicy)},
		{"POST /admin/sla/{id}", w.needs(func() bool { return w.deadlines != nil }, w.savePolicy)},
		{"GET /admin/sla/progress", w.needs(func() bool { return w.deadlines != nil }, w.reapplyProgress)},
		{"POST /admin/sla/{id}/move", w.needs(func() bool { return w.deadlines != nil }, w.movePolicy)},
		{"POST /admin/sla/{id}/toggle", w.needs(func() bool { return w.deadlines != nil }, w.togglePolicy)},
		{"POST /admin/sla/{id}/delete", w.needs(func() bool { return w.deadlines != nil }, w.deletePolicy)},
		{"GET /admin/rules", w.needs(func() bool { return w.rules != nil }, w.adminRules)},
		{"POST /admin/rules", w.needs(func() bool { return w.rules != nil }, w.saveRule)},
		{"POST /admin/rules/{id}", w.needs(func() bool { return w.rules != nil }, w.saveRule)},
		{"POST /admin/rules/{id}/move", w.needs(func() bool { return w.rules != nil }, w.moveRule)},
		{"POST /admin/rules/{id}/toggle", w.needs(func() bool { return w.rules != nil }, w.toggleRule)},
		{"POST /admin/rules/{id}/delete", w.needs(func() bool { return w.rules != nil }, w.deleteRule)},
		{"POST /settings/password", w.changePassword},
		{"POST /logout", w.logout},
	} {
		handle(r.pattern, w.session(r.h))
	}
	// Every other path answers with the workspace's own error page.
	handle("/", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.errorPage(rw, r, nil, http.StatusNotFound, w.cat.T(pickLanguage("", r), "error.not_found"))
	}))
}

// secure adds the headers every workspace response carries.
func (w *Web) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(rw, r)
	})
}

func cacheFor(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(d.Seconds())))
		h.ServeHTTP(rw, r)
	})
}

// view is what every page template receives.
type view struct {
	Chat  kefu.AgentStatus // the user's chat presence, for agents
	Lang  string
	User  *kefu.User
	CSRF  string
	Page  string
	Path  string
	Flash string
	Data  any
}

func (w *Web) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":          func(key string, args ...any) string { return w.cat.T(lang, key, args...) },
		"catName":    func(c *kefu.Category) string { return categoryName(lang, c) },
		"ago":        func(t time.Time) string { return w.ago(lang, t) },
		"fmtTime":    func(t time.Time) string { return t.In(w.loc).Format("2006-01-02 15:04") },
		"fmtDate":    func(t time.Time) string { return t.In(w.loc).Format("2006-01-02") },
		"money":      money,
		"join":       strings.Join,
		"safeHTML":   func(s string) template.HTML { return template.HTML(s) }, // only for HTML the ticket service sanitised
		"isImage":    func(ct string) bool { return strings.HasPrefix(ct, "image/") && !strings.Contains(ct, "svg") },
		"bytes":      humanBytes,
		"due":        func(t *kefu.Ticket) *dueView { return soonestDue(t) },
		"until":      func(at time.Time) string { return w.until(lang, at) },
		"metric":     func(m string) string { return w.cat.T(lang, "sla."+m) },
		"reasonText": func(r aftersale.Reason) string { return r.Text(lang) },
		"bi":         func(zh, en string) string { return bilingual(lang, zh, en) },
		"unquoted":   func(m *kefu.Message) string { return quoteSplit(m, false) },
		"quoted":     func(m *kefu.Message) string { return quoteSplit(m, true) },
		"has":        func(m map[int64]int, id int64) bool { _, ok := m[id]; return ok },
		"list":       func(xs ...string) []string { return xs },
		"contains":   containsText,
		"deref":      func(p *int64) int64 { return *p },
		"inc":        func(i int) int { return i + 1 },
		"percent":    func(f float64) int { return int(math.Round(f * 100)) },
		"mins":       func(m any) string { return w.minutes(lang, m) },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

func categoryName(lang string, c *kefu.Category) string {
	if lang == "en" {
		return c.NameEN
	}
	return c.NameZH
}

func (w *Web) ago(lang string, t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return w.cat.T(lang, "ago.now")
	case d < time.Hour:
		return w.cat.T(lang, "ago.m", int(d.Minutes()))
	case d < 48*time.Hour:
		return w.cat.T(lang, "ago.h", int(d.Hours()))
	}
	return w.cat.T(lang, "ago.d", int(d.Hours()/24))
}

func money(minor int64, currency string) string {
	sym := currency + " "
	if currency == "CNY" {
		sym = "¥"
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%s%d.%02d", sign, sym, minor/100, minor%100)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// render executes a page (or one of its named blocks) into a buffer first,
// so a template error becomes the error page rather than half a page.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, page, block string, v view) {
	t, err := w.pages[page].Clone()
	if err == nil {
		t = t.Funcs(w.funcs(v.Lang))
		var buf bytes.Buffer
		if block == "" {
			block = "layout"
		}
		if err = t.ExecuteTemplate(&buf, block, v); err == nil {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.WriteHeader(status)
			_, _ = buf.WriteTo(rw)
			return
		}
	}
	w.log.Error("render", "page", page, "block", block, "err", err)
	if page != "error" {
		w.errorPage(rw, r, v.User, http.StatusInternalServerError, w.cat.T(v.Lang, "error.internal", rw.Header().Get("X-Request-Id")))
		return
	}
	http.Error(rw, "internal error", http.StatusInternalServerError)
}

func (w *Web) errorPage(rw http.ResponseWriter, r *http.Request, u *kefu.User, status int, msg string) {
	lang := pickLanguage("", r)
	if u != nil {
		lang = pickLanguage(u.Language, r)
	}
	if r.Header.Get("HX-Request") == "true" {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.WriteHeader(status)
		_, _ = rw.Write([]byte(msg))
		return
	}
	w.render(rw, r, status, "error", "", view{Lang: lang, User: u, CSRF: csrfOf(r), Path: r.URL.Path, Data: map[string]any{"Status": status, "Message": msg}})
}

// fail shows the error page for an error from a use case.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, v *view, err error) {
	var fe *kefu.FieldError
	var ce *kefu.ConflictError
	var nf *kefu.NotFoundError
	switch {
	case errors.As(err, &fe):
		w.errorPage(rw, r, v.User, http.StatusUnprocessableEntity, fe.Field+": "+fe.Message)
	case errors.As(err, &ce):
		w.errorPage(rw, r, v.User, http.StatusConflict, ce.Message)
	case errors.As(err, &nf) && nf.Field != "":
		w.errorPage(rw, r, v.User, http.StatusUnprocessableEntity, nf.Field+": "+nf.What+" does not exist")
	case errors.Is(err, kefu.ErrNotFound):
		w.errorPage(rw, r, v.User, http.StatusNotFound, w.cat.T(v.Lang, "error.not_found"))
	case errors.Is(err, kefu.ErrForbidden):
		w.errorPage(rw, r, v.User, http.StatusForbidden, w.forbidden(v.Lang, err))
	default:
		w.log.Error("workspace request failed", "path", r.URL.Path, "err", err)
		w.errorPage(rw, r, v.User, http.StatusInternalServerError, w.cat.T(v.Lang, "error.internal", rw.Header().Get("X-Request-Id")))
	}
}
