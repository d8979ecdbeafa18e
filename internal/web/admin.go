package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
)

// formIDs reads a multi-valued id field (checkboxes).
func formIDs(r *http.Request, name string) []int64 {
	ids := []int64{}
	for _, s := range r.Form[name] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// adminUsers lists users with their role, teams and status; admins only.
func (w *Web) adminUsers(rw http.ResponseWriter, r *http.Request, v *view) {
	w.renderAdminUsers(rw, r, v, http.StatusOK, nil)
}

func (w *Web) renderAdminUsers(rw http.ResponseWriter, r *http.Request, v *view, status int, extra map[string]any) {
	if err := auth.Can(v.User, auth.ManageUsers); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	users, err := w.users.List(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	teams, err := w.users.Teams(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	d := map[string]any{"Users": users, "Teams": teams, "Roles": allRoles, "Tab": "users"}
	for k, x := range extra {
		d[k] = x
	}
	v.Page, v.Data = "admin", d
	w.render(rw, r, status, "admin_users", "", *v)
}

// createUser adds a user; the generated one-time password is shown once, on
// this response only (never in a URL or a log).
func (w *Web) createUser(rw http.ResponseWriter, r *http.Request, v *view) {
	_ = r.ParseForm()
	u, password, err := w.users.Create(r.Context(), v.User, user.Input{Email: r.FormValue("email"), Name: r.FormValue("name"),
		Role: kefu.Role(r.FormValue("role")), Language: r.FormValue("language"), TeamIDs: formIDs(r, "team_ids")})
	if err != nil {
		if fe := fieldError(err); fe != "" {
			w.renderAdminUsers(rw, r, v, http.StatusUnprocessableEntity, map[string]any{"Error": fe})
			return
		}
		w.fail(rw, r, v, err)
		return
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.renderAdminUsers(rw, r, v, http.StatusOK, map[string]any{"Created": u, "Password": password})
}

// updateUser changes a user's role, teams, status or name.
func (w *Web) updateUser(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	_ = r.ParseForm()
	err = w.st.WithTx(r.Context(), func(ctx context.Context) error {
		old, err := w.users.Get(ctx, v.User, id)
		if err != nil {
			return err
		}
		in := user.Input{Name: r.FormValue("name"), Role: kefu.Role(r.FormValue("role")), Language: old.Language,
			Status: kefu.UserStatus(r.FormValue("status")), TeamIDs: formIDs(r, "team_ids")}
		_, err = w.users.Update(ctx, v.User, id, in)
		return err
	})
	if err != nil {
		if fe := fieldError(err); fe != "" {
			w.renderAdminUsers(rw, r, v, http.StatusUnprocessableEntity, map[string]any{"Error": fe})
			return
		}
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/users", http.StatusSeeOther)
}

// adminTeams lists teams; admins create and rename them.
func (w *Web) adminTeams(rw http.ResponseWriter, r *http.Request, v *view) {
	if err := auth.Can(v.User, auth.ManageUsers); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	teams, err := w.users.Teams(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	users, err := w.users.List(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	members := map[int64][]string{}
	for _, u := range users {
		for _, t := range u.TeamIDs {
			members[t] = append(members[t], u.Name)
		}
	}
	v.Page, v.Data = "admin", map[string]any{"Teams": teams, "Members": members, "Tab": "teams"}
	w.render(rw, r, http.StatusOK, "admin_teams", "", *v)
}

// saveTeam creates a team (no id) or renames one.
func (w *Web) saveTeam(rw http.ResponseWriter, r *http.Request, v *view) {
	in := user.TeamInput{Name: r.FormValue("name"), Kind: kefu.TeamKind(r.FormValue("kind")), Description: r.FormValue("description")}
	var err error
	if id := optID(r.PathValue("id")); id != nil {
		_, err = w.users.UpdateTeam(r.Context(), v.User, *id, in)
	} else {
		_, err = w.users.CreateTeam(r.Context(), v.User, in)
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/teams", http.StatusSeeOther)
}

// adminCategories shows the problem taxonomy; admins and supervisors edit it.
func (w *Web) adminCategories(rw http.ResponseWriter, r *http.Request, v *view) {
	if err := auth.Can(v.User, auth.ManageCategories); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	cats, err := w.tickets.Categories(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	// Each row carries the CSRF token: the row template cannot reach the page's.
	type row struct {
		C    *kefu.Category
		CSRF string
	}
	type group struct {
		G        row
		Problems []row
	}
	var groups []*group
	byID := map[int64]*group{}
	for _, c := range cats {
		if c.ParentID == nil {
			g := &group{G: row{c, v.CSRF}}
			groups = append(groups, g)
			byID[c.ID] = g
		}
	}
	for _, c := range cats {
		if c.ParentID != nil && byID[*c.ParentID] != nil {
			byID[*c.ParentID].Problems = append(byID[*c.ParentID].Problems, row{c, v.CSRF})
		}
	}
	v.Page, v.Data = "admin", map[string]any{"Groups": groups, "Tab": "categories", "CanUsers": auth.Can(v.User, auth.ManageUsers) == nil}
	w.render(rw, r, http.StatusOK, "admin_categories", "", *v)
}

// saveCategory adds a category (no id), renames one, or archives/restores it.
func (w *Web) saveCategory(rw http.ResponseWriter, r *http.Request, v *view) {
	position, _ := strconv.Atoi(r.FormValue("position"))
	in := ticket.CategoryInput{ParentID: optID(r.FormValue("parent_id")), Key: r.FormValue("key"),
		NameZH: r.FormValue("name_zh"), NameEN: r.FormValue("name_en"), Position: position, Archived: r.FormValue("archived") == "1"}
	var err error
	if id := optID(r.PathValue("id")); id != nil {
		_, err = w.tickets.UpdateCategory(r.Context(), v.User, *id, in)
	} else {
		_, err = w.tickets.CreateCategory(r.Context(), v.User, in)
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/admin/categories", http.StatusSeeOther)
}

// fieldError is the message of a field error (or of a field naming
// something that does not exist), for showing on the form.
func fieldError(err error) string {
	var fe *kefu.FieldError
	var nf *kefu.NotFoundError
	switch {
	case errors.As(err, &fe):
		return fe.Field + ": " + fe.Message
	case errors.As(err, &nf) && nf.Field != "":
		return nf.Field + ": " + nf.What + " does not exist"
	}
	return ""
}

// allRoles is every role, most powerful first, for the role selects.
var allRoles = []kefu.Role{kefu.RoleAdmin, kefu.RoleSupervisor, kefu.RoleAgent, kefu.RoleCollaborator}
