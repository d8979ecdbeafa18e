package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// tagsPerPage is one page of the tags admin list.
const tagsPerPage = 50

// adminTags lists every ticket tag with how many tickets carry it, for
// admins and supervisors to rename, merge and delete.
func (w *Web) adminTags(rw http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	v.Flash = w.tagsDone(v.Lang, q)
	w.renderTags(rw, r, v, http.StatusOK, q.Get("q"), q.Get("sort"), q.Get("page"), "")
}

func (w *Web) renderTags(rw http.ResponseWriter, r *http.Request, v *view, status int, q, sort, pageArg, errMsg string) {
	if err := auth.Can(v.User, auth.ManageTags); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	q = strings.TrimSpace(q)
	if sort != "name" && sort != "-name" && sort != "-count" {
		sort = "count"
	}
	page, _ := strconv.Atoi(pageArg)
	page = max(page, 1)
	tags, total, err := w.tickets.Tags(r.Context(), v.User, store.TagFilter{Query: q, Sort: sort, Limit: tagsPerPage, Offset: (page - 1) * tagsPerPage})
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	link := func(sort string, page int) string {
		u := url.Values{}
		if q != "" {
			u.Set("q", q)
		}
		if sort != "count" {
			u.Set("sort", sort)
		}
		if page > 1 {
			u.Set("page", strconv.Itoa(page))
		}
		if len(u) == 0 {
			return "/admin/tags"
		}
		return "/admin/tags?" + u.Encode()
	}
	// A column's header sorts by it; clicking the current sort reverses it.
	flip := func(col string) string {
		if sort == col {
			return link("-"+col, 1)
		}
		return link(col, 1)
	}
	d := map[string]any{"Tab": "tags", "Tags": tags, "Total": total, "Q": q, "Sort": sort, "Page": page,
		"NameURL": flip("name"), "CountURL": flip("count"), "Error": errMsg,
		"Pages": (total + tagsPerPage - 1) / tagsPerPage}
	if page > 1 {
		d["PrevURL"] = link(sort, page-1)
	}
	if page*tagsPerPage < total {
		d["NextURL"] = link(sort, page+1)
	}
	v.Page, v.Data = "admin", d
	w.render(rw, r, status, "admin_tags", "", *v)
}

// saveTag renames, merges or deletes a tag across all tickets, then goes
// back to the list saying how many tickets changed; refused input shows the
// list again with the reason.
func (w *Web) saveTag(rw http.ResponseWriter, r *http.Request, v *view) {
	_ = r.ParseForm()
	action, tag, name := r.FormValue("action"), r.FormValue("tag"), r.FormValue("name")
	var n int
	var err error
	switch action {
	case "rename":
		n, err = w.tickets.RenameTag(r.Context(), v.User, tag, name)
	case "merge":
		n, err = w.tickets.MergeTag(r.Context(), v.User, tag, name)
	case "delete":
		n, err = w.tickets.DeleteTag(r.Context(), v.User, tag)
	default:
		err = kefu.Invalid("action", "must be rename, merge or delete; got %q", action)
	}
	if err != nil {
		if msg, status := w.tagRefusal(v.Lang, err, tag, name); msg != "" {
			w.renderTags(rw, r, v, status, r.FormValue("q"), r.FormValue("sort"), r.FormValue("page"), msg)
			return
		}
		w.fail(rw, r, v, err)
		return
	}
	back := url.Values{"done": {action}, "tag": {strings.TrimSpace(tag)}, "name": {strings.TrimSpace(name)}, "n": {strconv.Itoa(n)}}
	if q := strings.TrimSpace(r.FormValue("q")); q != "" {
		back.Set("q", q)
	}
	if s := r.FormValue("sort"); s != "" {
		back.Set("sort", s)
	}
	http.Redirect(rw, r, "/admin/tags?"+back.Encode(), http.StatusSeeOther)
}

// tagsDone is the flash after a change, from the redirect's query.
func (w *Web) tagsDone(lang string, q url.Values) string {
	n, _ := strconv.Atoi(q.Get("n"))
	switch q.Get("done") {
	case "rename":
		return w.cat.T(lang, "tags.renamed", q.Get("tag"), q.Get("name"), n)
	case "merge":
		return w.cat.T(lang, "tags.merged", q.Get("tag"), q.Get("name"), n)
	case "delete":
		return w.cat.T(lang, "tags.deleted", q.Get("tag"), n)
	}
	return ""
}

// tagRefusal explains in the user's language why a tag change was refused,
// with the status to answer; "" for errors the error page handles.
func (w *Web) tagRefusal(lang string, err error, tag, name string) (string, int) {
	tag, name = strings.TrimSpace(tag), strings.TrimSpace(name)
	var fe *kefu.FieldError
	var nf *kefu.NotFoundError
	var ce *kefu.ConflictError
	switch {
	case errors.As(err, &fe) && fe.Field == "name" && name != "" && name == tag:
		return w.cat.T(lang, "tags.err.same"), http.StatusUnprocessableEntity
	case errors.As(err, &fe) && (fe.Field == "name" || fe.Field == "tag"):
		return w.cat.T(lang, "tags.err.name"), http.StatusUnprocessableEntity
	case errors.As(err, &nf) && nf.Field == "name":
		return w.cat.T(lang, "tags.err.no_target", name), http.StatusUnprocessableEntity
	case errors.As(err, &nf) && nf.Field == "tag":
		return w.cat.T(lang, "tags.err.unknown", tag), http.StatusNotFound
	case errors.As(err, &ce) && ce.Field == "name":
		return w.cat.T(lang, "tags.err.exists", name), http.StatusConflict
	}
	return "", 0
}
