package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/user"
)

const (
	sessionCookie = "kefu_session"
	csrfCookie    = "kefu_csrf" // double-submit token for the signed-out forms
	sessionTTL    = 30 * 24 * time.Hour
	freeAttempts  = 5 // failed sign-ins before the lock-out delay starts
)

// pageFunc is a workspace handler for a signed-in user; v carries the user,
// language and CSRF token.
type pageFunc func(rw http.ResponseWriter, r *http.Request, v *view)

type ctxCSRF struct{}

func csrfOf(r *http.Request) string {
	s, _ := r.Context().Value(ctxCSRF{}).(string)
	return s
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

func (w *Web) setCookie(rw http.ResponseWriter, r *http.Request, name, value string, ttl time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r)}
	if ttl < 0 {
		c.MaxAge = -1
	} else if ttl > 0 {
		c.MaxAge = int(ttl.Seconds())
	}
	http.SetCookie(rw, c)
}

// session resolves the session cookie; without one it sends browsers to
// /login (or /setup when nobody exists yet). Every non-GET request must
// carry the session's CSRF token as a form field or X-CSRF-Token header.
func (w *Web) session(h pageFunc) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var u *kefu.User
		var csrf string
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			u, csrf, err = w.st.SessionUser(r.Context(), auth.HashToken(c.Value))
			if err != nil && !errors.Is(err, kefu.ErrUnauthorized) {
				w.fail(rw, r, &view{Lang: pickLanguage("", r)}, err)
				return
			}
		}
		if u == nil || u.Status != kefu.UserActive {
			if r.Header.Get("HX-Request") == "true" {
				rw.Header().Set("HX-Redirect", "/login")
				rw.WriteHeader(http.StatusUnauthorized)
				return
			}
			next := "/login"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				next += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(rw, r, next, http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			got := r.Header.Get("X-CSRF-Token")
			if got == "" {
				got = formValue(r, "csrf")
			}
			if subtle.ConstantTimeCompare([]byte(got), []byte(csrf)) != 1 {
				w.errorPage(rw, r, u, http.StatusForbidden, w.cat.T(pickLanguage(u.Language, r), "error.csrf"))
				return
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxCSRF{}, csrf))
		v := &view{Lang: pickLanguage(u.Language, r), User: u, CSRF: csrf, Path: r.URL.RequestURI()}
		if auth.Can(u, auth.ReplyToCustomer) == nil && r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
			v.Chat = w.myChatStatus(r.Context(), u)
		}
		h(rw, r, v)
	})
}

// formValue reads a form field from urlencoded or multipart bodies.
func formValue(r *http.Request, name string) string {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if r.MultipartForm == nil {
			_ = r.ParseMultipartForm(32 << 20)
		}
	}
	return r.FormValue(name)
}

// loginCSRF returns the double-submit token for a signed-out form, setting
// its cookie when missing.
func (w *Web) loginCSRF(rw http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) > 20 {
		return c.Value
	}
	t := randomToken()
	w.setCookie(rw, r, csrfCookie, t, 0)
	return t
}

func (w *Web) checkLoginCSRF(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	return err == nil && c.Value != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.FormValue("csrf"))) == 1
}

func (w *Web) authPage(rw http.ResponseWriter, r *http.Request, status int, setup bool, email, errMsg string) {
	lang := pickLanguage(r.URL.Query().Get("lang"), r)
	if l := r.URL.Query().Get("lang"); l == "en" || l == "zh-CN" {
		w.setCookie(rw, r, "kefu_lang", l, 365*24*time.Hour)
	}
	csrf := w.loginCSRF(rw, r)
	w.render(rw, r, status, "login", "", view{Lang: lang, CSRF: csrf, Page: "login", Path: r.URL.Path,
		Data: map[string]any{"Setup": setup, "Email": email, "Error": errMsg}})
}

func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request) {
	if n, err := w.st.CountUsers(r.Context()); err == nil && n == 0 {
		http.Redirect(rw, r, "/setup", http.StatusSeeOther)
		return
	}
	w.authPage(rw, r, http.StatusOK, false, "", "")
}

// lockUntil is the lock-out after n failed sign-ins: none for the first few,
// then doubling from 30 s up to 15 minutes.
func lockUntil(n int) *time.Time {
	if n < freeAttempts {
		return nil
	}
	d := 30 * time.Second << min(n-freeAttempts, 5)
	t := time.Now().Add(min(d, 15*time.Minute))
	return &t
}

func (w *Web) login(rw http.ResponseWriter, r *http.Request) {
	lang := pickLanguage("", r)
	if !w.checkLoginCSRF(r) {
		w.authPage(rw, r, http.StatusForbidden, false, r.FormValue("email"), w.cat.T(lang, "error.csrf"))
		return
	}
	email := strings.TrimSpace(r.FormValue("email"))
	u, hash, err := w.st.UserByEmail(r.Context(), email)
	if err == nil {
		if until, lerr := w.st.LockedUntil(r.Context(), u.ID); lerr == nil && until != nil && until.After(time.Now()) {
			w.authPage(rw, r, http.StatusTooManyRequests, false, email, w.cat.T(lang, "login.locked", until.In(w.loc).Format("15:04:05")))
			return
		}
	}
	if err != nil || u.Status != kefu.UserActive || !auth.CheckPassword(hash, r.FormValue("password")) {
		if err == nil {
			_ = w.st.LoginFailed(r.Context(), u.ID, lockUntil)
		} else {
			// Spend the same time as a real check so timing does not reveal which emails exist.
			auth.CheckPassword("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", r.FormValue("password"))
		}
		w.log.Info("sign-in failed", "email", email)
		w.authPage(rw, r, http.StatusUnauthorized, false, email, w.cat.T(lang, "login.failed"))
		return
	}
	_ = w.st.LoginSucceeded(r.Context(), u.ID)
	w.startSession(rw, r, u)
}

func (w *Web) startSession(rw http.ResponseWriter, r *http.Request, u *kefu.User) {
	id := randomToken()
	if err := w.st.CreateSession(r.Context(), auth.HashToken(id), u.ID, randomToken(), time.Now().Add(sessionTTL)); err != nil {
		w.fail(rw, r, &view{Lang: pickLanguage(u.Language, r), User: u}, err)
		return
	}
	w.setCookie(rw, r, sessionCookie, id, sessionTTL)
	next := r.FormValue("next")
	if next == "" {
		if ref, err := url.Parse(r.Referer()); err == nil {
			next = ref.Query().Get("next")
		}
	}
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = "/"
	}
	http.Redirect(rw, r, next, http.StatusSeeOther)
}

func (w *Web) logout(rw http.ResponseWriter, r *http.Request, v *view) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = w.st.DeleteSession(r.Context(), auth.HashToken(c.Value))
	}
	w.setCookie(rw, r, sessionCookie, "", -1)
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
}

func (w *Web) setupPage(rw http.ResponseWriter, r *http.Request) {
	if n, err := w.st.CountUsers(r.Context()); err != nil || n > 0 {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	w.authPage(rw, r, http.StatusOK, true, "", "")
}

// setup creates the first admin; it only works while there is no user.
func (w *Web) setup(rw http.ResponseWriter, r *http.Request) {
	lang := pickLanguage("", r)
	if n, err := w.st.CountUsers(r.Context()); err != nil || n > 0 {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	if !w.checkLoginCSRF(r) {
		w.authPage(rw, r, http.StatusForbidden, true, r.FormValue("email"), w.cat.T(lang, "error.csrf"))
		return
	}
	u, _, err := w.users.Create(r.Context(), nil, user.Input{Email: r.FormValue("email"), Name: r.FormValue("name"),
		Role: kefu.RoleAdmin, Language: lang, Password: r.FormValue("password")})
	if err != nil {
		w.authPage(rw, r, http.StatusUnprocessableEntity, true, r.FormValue("email"), err.Error())
		return
	}
	w.startSession(rw, r, u)
}

func (w *Web) setLanguage(rw http.ResponseWriter, r *http.Request, v *view) {
	lang := r.FormValue("lang")
	if lang != "en" && lang != "zh-CN" {
		lang = "zh-CN"
	}
	u := *v.User
	u.Language = lang
	// Anyone may change their own language; it is not a user-management action.
	if err := w.st.UpdateUser(r.Context(), &u); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	back := r.FormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(rw, r, back, http.StatusSeeOther)
}
