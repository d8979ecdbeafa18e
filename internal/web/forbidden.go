package web

import (
	"errors"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
)

// forbidden explains a refusal: which roles may do it and what the user is,
// so they know whom to ask rather than retrying.
func (w *Web) forbidden(lang string, err error) string {
	var fe *auth.ForbiddenError
	if !errors.As(err, &fe) {
		return w.cat.T(lang, "error.forbidden")
	}
	roles := auth.Roles(fe.Action)
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = w.cat.T(lang, "role."+string(r))
	}
	sep := "、"
	if lang == "en" {
		sep = ", "
	}
	return w.cat.T(lang, "forbidden.needs", strings.Join(names, sep), w.cat.T(lang, "role."+string(fe.Role)))
}
