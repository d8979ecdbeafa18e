// Package httpapi serves kefu's REST API under /api/v1: JSON, bearer tokens,
// cursor pagination, Idempotency-Key on POST, one error shape, and an
// OpenAPI 3 document built from the same route table that serves requests.
package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/routing"
	"github.com/kefu-dev/kefu/internal/schedule"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

// API is the REST API's handlers and what they need.
type API struct {
	st        *store.Store
	tickets   *ticket.Service
	customers *customer.Service
	users     *user.Service
	cases     *aftersale.Service
	deadlines *sla.Service // nil: tickets show no SLA
	routing   *routing.Service
	rules     *automation.Service
	later     *schedule.Service
	emails    *email.Channels
	log       *slog.Logger
	routes    []route
}

// emailChannelInput is the body of email channel writes.
type emailChannelInput = email.ChannelInput

// Services are the use cases the API serves. Tickets, Customers and Users
// are required; a nil optional service switches its feature off.
type Services struct {
	Tickets   *ticket.Service
	Customers *customer.Service
	Users     *user.Service
	Cases     *aftersale.Service
	Deadlines *sla.Service // nil: tickets show no SLA
	Routing   *routing.Service
	Rules     *automation.Service
	Later     *schedule.Service
	Email     *email.Channels
}

// New returns the API on its services.
func New(st *store.Store, svc Services, log *slog.Logger) *API {
	a := &API{st: st, tickets: svc.Tickets, customers: svc.Customers, users: svc.Users, cases: svc.Cases,
		deadlines: svc.Deadlines, routing: svc.Routing, rules: svc.Rules, later: svc.Later, emails: svc.Email, log: log}
	a.routes = a.routeTable()
	return a
}

// handlerFunc is what every API handler is: it returns the status and the
// value to encode, or an error that errors.go turns into the error shape.
type handlerFunc func(r *http.Request, actor *kefu.User) (int, any, error)

// route is one entry of the route table; the OpenAPI document is built from it.
type route struct {
	Method, Path string
	Summary      string
	Tag          string
	Public       bool             // no bearer token needed
	Query        []param          // query parameters
	In           any              // request body type, nil for none
	Out          any              // response body type
	Status       int              // success status
	Multipart    bool             // also accepts multipart/form-data
	Form         []param          // the multipart fields ("file" type for files), when not a message's
	Handler      handlerFunc      // nil when Raw is set
	Raw          http.HandlerFunc // a handler that writes its own response (downloads, the document)
}

type param struct {
	Name, Type, Desc string
}

type ctxUser struct{}

// Register adds every API route to mux, each wrapped by wrap (the server's
// logging and metrics middleware, which takes the route pattern for labels).
func (a *API) Register(mux *http.ServeMux, wrap func(pattern string, h http.Handler) http.Handler) {
	for _, rt := range a.routes {
		pattern := rt.Method + " " + rt.Path
		var h http.Handler
		if rt.Raw != nil {
			h = rt.Raw
			if !rt.Public {
				h = a.authenticate(h)
			}
		} else {
			h = a.authenticate(a.serve(rt))
		}
		mux.Handle(pattern, wrap(pattern, h))
	}
	// Anything else under /api/ answers in the error shape, not with an HTML page.
	mux.Handle("/api/", wrap("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, errorf(http.StatusNotFound, "no_route", "", "no API route "+r.Method+" "+r.URL.Path+"; see /api/v1/openapi.json"))
	})))
}

// authenticate resolves the bearer token to a user before the handler runs.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kefu"`)
			a.writeError(w, r, kefu.ErrUnauthorized)
			return
		}
		u, err := a.users.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kefu", error="invalid_token"`)
			a.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxUser{}, u)))
	})
}

func actorOf(r *http.Request) *kefu.User {
	u, _ := r.Context().Value(ctxUser{}).(*kefu.User)
	return u
}

// MaxIdempotencyKey bounds the Idempotency-Key header.
const MaxIdempotencyKey = 255

// serve runs a handler and writes its answer. A POST with an
// Idempotency-Key runs in one transaction with the key's claim, and its
// answer is stored in that transaction: a retry gets the first answer and
// changes nothing, even if the first attempt's connection was lost.
func (a *API) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := actorOf(r)
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost || key == "" {
			status, body, err := rt.Handler(r, actor)
			if err != nil {
				a.writeError(w, r, err)
				return
			}
			writeResult(w, status, body)
			return
		}
		if len(key) > MaxIdempotencyKey {
			a.writeError(w, r, errorf(http.StatusBadRequest, "invalid_header", "Idempotency-Key", "Idempotency-Key must be at most 255 characters"))
			return
		}
		limit := int64(maxJSONBody)
		if rt.Multipart {
			limit = maxMultipartBody
		}
		raw, err := readBody(r, limit)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), raw...))
		hash := hex.EncodeToString(sum[:])
		var status int
		var out []byte
		replayed := false
		err = a.st.WithTx(r.Context(), func(ctx context.Context) error {
			prev, fresh, err := a.st.ClaimIdempotencyKey(ctx, actor.ID, key)
			if err != nil {
				return err
			}
			if !fresh {
				if prev.RequestHash != hash {
					return errorf(http.StatusUnprocessableEntity, "idempotency_key_reused", "Idempotency-Key", "this Idempotency-Key was used for a different request")
				}
				status, out, replayed = prev.Status, prev.Body, true
				return nil
			}
			r2 := r.WithContext(ctx)
			r2.Body = readCloser{bytes.NewReader(raw)}
			st, body, err := rt.Handler(r2, actor)
			if err != nil {
				return err
			}
			if out, err = json.Marshal(body); err != nil {
				return err
			}
			status = st
			return a.st.SaveIdempotentResponse(ctx, actor.ID, key, &store.IdempotentResponse{RequestHash: hash, Status: status, Body: out})
		})
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write(out)
		_, _ = w.Write([]byte("\n"))
	})
}

func writeResult(w http.ResponseWriter, status int, body any) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, body)
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
