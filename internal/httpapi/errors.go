package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// Error is the one shape every API error takes:
// {"error": {"code": "…", "message": "…", "field": "…"}}.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(status int, code, field, msg string) *Error {
	return &Error{Status: status, Code: code, Field: field, Message: msg}
}

// toError maps an error kind to a status, a stable code and a message that
// is safe to show. It is the only place that does.
func toError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var ap *aftersale.ApprovalError
	if errors.As(err, &ap) {
		return errorf(http.StatusForbidden, "approval_required", "amount", ap.Error())
	}
	var ie *aftersale.IneligibleError
	if errors.As(err, &ie) {
		return errorf(http.StatusConflict, "ineligible", "kind", ie.Error())
	}
	var fe *kefu.FieldError
	if errors.As(err, &fe) {
		return errorf(http.StatusUnprocessableEntity, "invalid", fe.Field, fe.Field+" "+fe.Message)
	}
	var nf *kefu.NotFoundError
	if errors.As(err, &nf) {
		if nf.Field != "" {
			// A reference in the body points nowhere: the request is at fault, not the URL.
			return errorf(http.StatusUnprocessableEntity, "unknown_reference", nf.Field, nf.What+" does not exist")
		}
		return errorf(http.StatusNotFound, "not_found", "", nf.What+" not found")
	}
	var ce *kefu.ConflictError
	if errors.As(err, &ce) {
		return errorf(http.StatusConflict, "conflict", ce.Field, ce.Message)
	}
	switch {
	case errors.Is(err, kefu.ErrNotFound):
		return errorf(http.StatusNotFound, "not_found", "", "not found")
	case errors.Is(err, kefu.ErrUnauthorized):
		return errorf(http.StatusUnauthorized, "unauthorized", "", "a valid bearer token is required")
	case errors.Is(err, kefu.ErrForbidden):
		return errorf(http.StatusForbidden, "forbidden", "", err.Error())
	case errors.Is(err, kefu.ErrInvalid):
		return errorf(http.StatusUnprocessableEntity, "invalid", "", err.Error())
	case errors.Is(err, kefu.ErrConflict):
		return errorf(http.StatusConflict, "conflict", "", err.Error())
	}
	return errorf(http.StatusInternalServerError, "internal", "", "something went wrong on our side; the request id identifies it in the logs")
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := toError(err)
	if e.Status >= 500 {
		a.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	writeJSON(w, e.Status, map[string]*Error{"error": e})
}
