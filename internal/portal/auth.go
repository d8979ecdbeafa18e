package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// signinView is the sign-in page.
type signinView struct {
	*view
	Order, Contact string
	LinkOn         bool
}

func (p *Portal) home(w http.ResponseWriter, r *http.Request) {
	if key, err := p.secret(r.Context()); err == nil {
		if _, ok := decodeSession(key, cookieValue(r, cookieSession), p.now()); ok {
			http.Redirect(w, r, "/portal/orders", http.StatusSeeOther)
			return
		}
	}
	p.render(w, r, http.StatusOK, "signin", &signinView{view: p.view(w, r), LinkOn: p.mailer != nil})
}

// publicForm checks a form post made before sign-in.
func (p *Portal) publicForm(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	key, err := p.secret(r.Context())
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	if err := p.parseForm(r); err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	if err := checkCSRF(key, r); err != nil {
		p.errorPage(w, r, http.StatusForbidden, "error.csrf")
		return nil, false
	}
	return key, true
}

func (p *Portal) login(w http.ResponseWriter, r *http.Request) {
	key, ok := p.publicForm(w, r)
	if !ok {
		return
	}
	v := &signinView{view: p.view(w, r), Order: strings.TrimSpace(r.FormValue("order")), Contact: strings.TrimSpace(r.FormValue("contact")), LinkOn: p.mailer != nil}
	ip, order := clientIP(r), strings.ToUpper(v.Order)
	if p.byAddr.blocked(ip, p.now()) || p.byOrder.blocked(order, p.now()) {
		v.Error = v.T("signin.throttled")
		p.render(w, r, http.StatusTooManyRequests, "signin", v)
		return
	}
	id, err := p.cases.VerifyBuyer(r.Context(), v.Order, v.Contact)
	if err != nil {
		if !errors.Is(err, kefu.ErrNotFound) && !errors.Is(err, kefu.ErrInvalid) {
			p.fail(w, r, err)
			return
		}
		p.byAddr.fail(ip, p.now())
		p.byOrder.fail(order, p.now())
		v.Error = v.T("signin.failed")
		p.render(w, r, http.StatusUnauthorized, "signin", v)
		return
	}
	p.startSession(w, r, key, id)
}

func (p *Portal) startSession(w http.ResponseWriter, r *http.Request, key []byte, customerID int64) {
	setCookie(w, r, cookieSession, encodeSession(key, session{CustomerID: customerID, Expires: p.now().Add(sessionTTL)}), sessionTTL, http.SameSiteLaxMode)
	http.Redirect(w, r, "/portal/orders", http.StatusSeeOther)
}

func (p *Portal) requestLink(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.publicForm(w, r); !ok {
		return
	}
	v := &signinView{view: p.view(w, r), LinkOn: p.mailer != nil}
	if p.mailer == nil {
		v.Error = v.T("signin.link.off")
		p.render(w, r, http.StatusOK, "signin", v)
		return
	}
	ip, email := clientIP(r), strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	if p.byAddr.blocked(ip, p.now()) || p.byOrder.blocked(email, p.now()) {
		v.Error = v.T("signin.throttled")
		p.render(w, r, http.StatusTooManyRequests, "signin", v)
		return
	}
	// Every request counts, found or not: the link form must not become a
	// way to learn which addresses are customers, nor to flood one.
	p.byAddr.fail(ip, p.now())
	p.byOrder.fail(email, p.now())
	token, c, found, err := p.cases.CreatePortalLink(r.Context(), r.FormValue("email"))
	if err == nil && found {
		scheme := "http"
		if secure(r) {
			scheme = "https"
		}
		link := (&url.URL{Scheme: scheme, Host: r.Host, Path: "/portal/link/" + token}).String()
		if err := p.mailer.SendPortalLink(r.Context(), c.Email(), c.Name, v.Lang, link); err != nil {
			p.log.ErrorContext(r.Context(), "send portal link", "customer_id", c.ID, "err", err)
		}
	}
	v.Message = v.T("signin.link.sent")
	p.render(w, r, http.StatusOK, "signin", v)
}

func (p *Portal) useLink(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	key, err := p.secret(r.Context())
	if err != nil {
		p.fail(w, r, err)
		return
	}
	id, err := p.cases.UsePortalLink(r.Context(), r.PathValue("token"))
	if err != nil {
		v := &signinView{view: p.view(w, r), LinkOn: p.mailer != nil}
		v.Error = v.T("signin.link.bad")
		p.render(w, r, http.StatusGone, "signin", v)
		return
	}
	p.startSession(w, r, key, id)
}

func (p *Portal) logout(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.publicForm(w, r); !ok {
		return
	}
	setCookie(w, r, cookieSession, "", -time.Second, http.SameSiteLaxMode)
	http.Redirect(w, r, "/portal/", http.StatusSeeOther)
}
