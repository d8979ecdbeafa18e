package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Cookie names. The session cookie is signed with a key kept in the
// database, so any node can read it.
const (
	cookieSession = "kefu_portal"
	cookieCSRF    = "kefu_portal_csrf"
	cookieLang    = "kefu_lang"
)

// sessionTTL is how long a customer stays signed in.
const sessionTTL = 7 * 24 * time.Hour

// session is a signed-in customer.
type session struct {
	CustomerID int64
	Expires    time.Time
}

func sign(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// encodeSession writes "customer.expiry.signature".
func encodeSession(key []byte, s session) string {
	msg := strconv.FormatInt(s.CustomerID, 10) + "." + strconv.FormatInt(s.Expires.Unix(), 10)
	return msg + "." + sign(key, "session:"+msg)
}

func decodeSession(key []byte, v string, now time.Time) (session, bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return session{}, false
	}
	msg := parts[0] + "." + parts[1]
	if !hmac.Equal([]byte(parts[2]), []byte(sign(key, "session:"+msg))) {
		return session{}, false
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 || now.After(time.Unix(exp, 0)) {
		return session{}, false
	}
	return session{CustomerID: id, Expires: time.Unix(exp, 0)}, true
}

// secure reports whether the request came over HTTPS (directly or through
// a proxy that says so), so cookies are marked Secure there.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration, sameSite http.SameSite) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/portal", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: secure(r), SameSite: sameSite})
}

// csrfToken is the form field matching the browser's CSRF cookie: a MAC
// of it, so a cookie planted by a neighbour site cannot be paired with a
// token the attacker chose.
func csrfToken(key []byte, cookie string) string {
	if cookie == "" {
		return ""
	}
	return sign(key, "csrf:"+cookie)
}

// ensureCSRFCookie returns the browser's CSRF cookie, setting one if it
// has none.
func ensureCSRFCookie(w http.ResponseWriter, r *http.Request) string {
	if v := cookieValue(r, cookieCSRF); len(v) >= 32 {
		return v
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	v := hex.EncodeToString(b)
	setCookie(w, r, cookieCSRF, v, 24*time.Hour, http.SameSiteStrictMode)
	// Make it visible to this request's render too.
	r.AddCookie(&http.Cookie{Name: cookieCSRF, Value: v})
	return v
}

// checkCSRF verifies a form post: the field must match the cookie, and an
// Origin header, when the browser sends one, must be this host.
func checkCSRF(key []byte, r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if !strings.HasSuffix(o, "://"+r.Host) {
			return fmt.Errorf("cross-origin form post from %s", o)
		}
	}
	c := cookieValue(r, cookieCSRF)
	f := r.FormValue("csrf")
	if c == "" || f == "" || !hmac.Equal([]byte(f), []byte(csrfToken(key, c))) {
		return fmt.Errorf("missing or wrong CSRF token")
	}
	return nil
}

// limiter counts failed sign-ins per client address so order numbers and
// phone numbers cannot be guessed at speed. It is per node: a few nodes
// multiply the allowance, which still stops guessing.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string][]time.Time{}}
}

func (l *limiter) blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.fails[key][:0]
	for _, t := range l.fails[key] {
		if now.Sub(t) < l.window {
			recent = append(recent, t)
		}
	}
	if len(recent) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = recent
	}
	return len(recent) >= l.max
}

func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	l.fails[key] = append(l.fails[key], now)
	l.mu.Unlock()
}

// clientIP is the address failed sign-ins are counted under: the one the
// nearest proxy reports (the last X-Forwarded-For entry), else the peer.
func clientIP(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		parts := strings.Split(xff, ",")
		if ip := strings.TrimSpace(parts[len(parts)-1]); ip != "" {
			return ip
		}
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return host
}
