// Package portal is the customer's self-service site under /portal: a
// buyer signs in with an order number and the phone or email they ordered
// with (or a one-time link sent by email), sees their orders and requests,
// opens an after-sales request with photos and learns at once whether the
// shop's policy allows it and why, replies, enters the return tracking
// number, follows each step and rates the result. Pages are server-rendered
// (html/template, embedded), in Chinese and English, and work on a phone.
package portal

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/kefu"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Mailer sends a customer the one-time sign-in link. The email channel
// provides one; without it the portal offers order-number sign-in only.
type Mailer interface {
	SendPortalLink(ctx context.Context, to, name, lang, link string) error
}

// Portal serves the customer portal.
type Portal struct {
	cases  *aftersale.Service
	log    *slog.Logger
	mailer Mailer
	pages  map[string]*template.Template
	// Failed sign-ins are counted per client address (generously: many
	// customers may share one) and per order number (tightly: that is
	// what guessing a phone number needs).
	byAddr, byOrder *limiter
	now             func() time.Time

	keyOnce sync.Mutex
	key     []byte
}

// New returns the portal on the after-sales service. mailer may be nil.
func New(cases *aftersale.Service, log *slog.Logger, mailer Mailer) *Portal {
	p := &Portal{cases: cases, log: log, mailer: mailer, pages: map[string]*template.Template{},
		byAddr: newLimiter(50, 10*time.Minute), byOrder: newLimiter(5, 10*time.Minute), now: time.Now}
	for _, name := range []string{"signin", "orders", "request", "case", "ticket", "error"} {
		p.pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return p
}

var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i + 1
		}
		return s
	},
}

// Register adds the portal's routes to mux, each wrapped by wrap (the
// server's logging and metrics middleware).
func (p *Portal) Register(mux *http.ServeMux, wrap func(pattern string, h http.Handler) http.Handler) {
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, wrap(pattern, p.headers(h))) }
	handle("GET /portal", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/portal/", http.StatusMovedPermanently)
	})
	handle("GET /portal/{$}", p.home)
	handle("POST /portal/login", p.login)
	handle("POST /portal/link", p.requestLink)
	handle("GET /portal/link/{token}", p.useLink)
	handle("POST /portal/logout", p.logout)
	handle("GET /portal/orders", p.signedIn(p.orders))
	handle("GET /portal/orders/{id}/request", p.signedIn(p.requestForm))
	handle("POST /portal/orders/{id}/request", p.signedIn(p.submitRequest))
	handle("POST /portal/orders/{id}/check", p.signedIn(p.checkFragment))
	handle("GET /portal/cases/{id}", p.signedIn(p.casePage))
	handle("POST /portal/cases/{id}/reply", p.signedIn(p.reply))
	handle("POST /portal/cases/{id}/tracking", p.signedIn(p.tracking))
	handle("POST /portal/cases/{id}/rate", p.signedIn(p.rate))
	handle("POST /portal/cases/{id}/cancel", p.signedIn(p.cancel))
	handle("GET /portal/cases/{id}/files/{file}", p.signedIn(p.file))
	handle("GET /portal/tickets/{id}", p.signedIn(p.ticketPage))
	handle("POST /portal/tickets/{id}/reply", p.signedIn(p.ticketReply))
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /portal/static/", wrap("GET /portal/static/", http.StripPrefix("/portal/static/", cacheStatic(http.FileServerFS(static)))))
	mux.Handle("/portal/", wrap("/portal/", p.headers(func(w http.ResponseWriter, r *http.Request) {
		p.errorPage(w, r, http.StatusNotFound, "error.notfound")
	})))
}

// headers sets the portal's security headers: a strict CSP (no inline
// script or style), no framing, no sniffing, no referrer outside.
func (p *Portal) headers(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		if l := normLang(r.URL.Query().Get("lang")); l != "" {
			setCookie(w, r, cookieLang, l, 365*24*time.Hour, http.SameSiteLaxMode)
		}
		h(w, r)
	}
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// secret returns the cookie-signing key, loaded once from the database.
func (p *Portal) secret(ctx context.Context) ([]byte, error) {
	p.keyOnce.Lock()
	defer p.keyOnce.Unlock()
	if p.key != nil {
		return p.key, nil
	}
	k, err := p.cases.PortalSecret(ctx)
	if err != nil {
		return nil, err
	}
	p.key = k
	return k, nil
}

type ctxCustomer struct{}

// signedIn runs h for a signed-in customer and sends anyone else to the
// sign-in page. Every POST is checked for its CSRF token.
func (p *Portal) signedIn(h func(w http.ResponseWriter, r *http.Request, c *kefu.Customer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, err := p.secret(r.Context())
		if err != nil {
			p.fail(w, r, err)
			return
		}
		s, ok := decodeSession(key, cookieValue(r, cookieSession), p.now())
		if !ok {
			http.Redirect(w, r, "/portal/", http.StatusSeeOther)
			return
		}
		c, err := p.cases.Customer(r.Context(), s.CustomerID)
		if err != nil {
			http.Redirect(w, r, "/portal/", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if err := p.parseForm(r); err != nil {
				p.fail(w, r, err)
				return
			}
			if err := checkCSRF(key, r); err != nil {
				p.errorPage(w, r, http.StatusForbidden, "error.csrf")
				return
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxCustomer{}, c)), c)
	}
}

// maxForm bounds a form post: nine photos of up to 10 MB and the text.
const maxForm = 9*10<<20 + 1<<20

func (p *Portal) parseForm(r *http.Request) error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(8 << 20)
	}
	return r.ParseForm()
}

// view is what every page's template gets.
type view struct {
	Lang     string
	CSRF     string
	Customer *kefu.Customer
	Path     string
	Message  string // a notice in the page's language
	Error    string
	loc      *time.Location
	names    map[string]*kefu.Category
}

func (p *Portal) view(w http.ResponseWriter, r *http.Request) *view {
	c, _ := r.Context().Value(ctxCustomer{}).(*kefu.Customer)
	lang := ""
	if c != nil {
		lang = c.Language
	}
	v := &view{Lang: pickLang(r, lang), Customer: c, Path: r.URL.Path, loc: p.cases.ShopLocation(r.Context())}
	if key, err := p.secret(r.Context()); err == nil {
		v.CSRF = csrfToken(key, ensureCSRFCookie(w, r))
	}
	return v
}

// T returns a catalog string in the page's language.
func (v *view) T(key string) string { return tr(v.Lang, key) }

// Tf formats a catalog string.
func (v *view) Tf(key string, args ...any) string { return fmt.Sprintf(tr(v.Lang, key), args...) }

// En reports whether the page is in English.
func (v *view) En() bool { return v.Lang == langEN }

// Pick returns zh or en for the page's language.
func (v *view) Pick(zh, en string) string {
	if v.Lang == langEN {
		return en
	}
	return zh
}

// LangURL is this page in the other language.
func (v *view) LangURL() string {
	other := langEN
	if v.Lang == langEN {
		other = langZH
	}
	return v.Path + "?lang=" + url.QueryEscape(other)
}

// Money writes minor units as yuan.
func (v *view) Money(fen int64) string {
	if fen%100 == 0 {
		return fmt.Sprintf("¥%d", fen/100)
	}
	return fmt.Sprintf("¥%d.%02d", fen/100, fen%100)
}

// Time writes a time on the shop's clock.
func (v *view) Time(t time.Time) string { return t.In(v.loc).Format("2006-01-02 15:04") }

// Status names a case status.
func (v *view) Status(s kefu.CaseStatus) string { return v.T("status." + string(s)) }

// Kind names a case kind (capitalised in English: it starts a line).
func (v *view) Kind(k kefu.CaseKind) string {
	n := aftersale.KindName(string(k), v.Lang)
	if v.Lang == langEN && n != "" {
		n = strings.ToUpper(n[:1]) + n[1:]
	}
	return n
}

// Reason names a problem of the taxonomy.
func (v *view) Reason(key string) string {
	if c, ok := v.names[key]; ok {
		return v.Pick(c.NameZH, c.NameEN)
	}
	return key
}

// ReasonText is a policy reason in the page's language.
func (v *view) ReasonText(r aftersale.Reason) string { return r.Text(v.Lang) }

func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := p.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		p.log.ErrorContext(r.Context(), "render portal page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage shows a message in the visitor's language.
func (p *Portal) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	v := p.view(w, r)
	v.Error = v.T(key)
	p.render(w, r, status, "error", v)
}

// fail turns an error into the right page: not found, a refusal, or an
// internal error that is logged.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, kefu.ErrNotFound):
		p.errorPage(w, r, http.StatusNotFound, "error.notfound")
	default:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			p.errorPage(w, r, http.StatusRequestEntityTooLarge, "error.generic")
			return
		}
		p.log.ErrorContext(r.Context(), "portal request failed", "path", r.URL.Path, "err", err)
		p.errorPage(w, r, http.StatusInternalServerError, "error.generic")
	}
}

// userMessage is an input error in words a customer reads, in their
// language where the service gave both.
func userMessage(v *view, err error) string {
	var fe *kefu.FieldError
	var ce *kefu.ConflictError
	switch {
	case errors.Is(err, errEmptyReply):
		return v.T("case.reply.empty")
	case errors.As(err, &fe) && fe.Field == "photos":
		return v.T("error.photos") + " (" + fe.Message + ")"
	case errors.As(err, &fe):
		return fe.Field + ": " + fe.Message
	case errors.As(err, &ce):
		return ce.Message
	}
	return v.T("error.generic")
}
