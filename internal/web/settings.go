package web

import (
	"errors"
	"net/http"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// settingsPage shows the user's own settings: language, password, and the
// role and teams an admin gave them.
func (w *Web) settingsPage(rw http.ResponseWriter, r *http.Request, v *view) {
	w.renderSettings(rw, r, v, http.StatusOK, "")
}

func (w *Web) renderSettings(rw http.ResponseWriter, r *http.Request, v *view, status int, errMsg string) {
	teams, err := w.users.Teams(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	mine := map[int64]bool{}
	for _, id := range v.User.TeamIDs {
		mine[id] = true
	}
	var names []string
	for _, t := range teams {
		if mine[t.ID] {
			names = append(names, t.Name)
		}
	}
	switch r.URL.Query().Get("saved") {
	case "password":
		v.Flash = w.cat.T(v.Lang, "settings.password_changed")
	case "language":
		v.Flash = w.cat.T(v.Lang, "settings.saved")
	}
	v.Page, v.Data = "settings", map[string]any{"Teams": names, "Error": errMsg, "Languages": Languages}
	w.render(rw, r, status, "settings", "", *v)
}

// changePassword changes the user's own password; the current one is
// required.
func (w *Web) changePassword(rw http.ResponseWriter, r *http.Request, v *view) {
	next := r.FormValue("password")
	if next != r.FormValue("password2") {
		w.renderSettings(rw, r, v, http.StatusUnprocessableEntity, w.cat.T(v.Lang, "settings.mismatch"))
		return
	}
	err := w.users.ChangePassword(r.Context(), v.User, r.FormValue("current_password"), next)
	var fe *kefu.FieldError
	if errors.As(err, &fe) {
		key := "settings.too_short"
		if fe.Field == "current_password" {
			key = "settings.wrong_current"
		} else if r.FormValue("current_password") == next {
			key = "settings.same"
		}
		w.renderSettings(rw, r, v, http.StatusUnprocessableEntity, w.cat.T(v.Lang, key, 8))
		return
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/settings?saved=password", http.StatusSeeOther)
}
