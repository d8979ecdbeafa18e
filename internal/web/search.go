package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/store"
)

// searchHit is one result as the search page shows it.
type searchHit struct {
	search.Item
	Link    string
	Related string        // a link to the tickets of a customer or an order
	Snippet template.HTML // escaped by package search, with <mark> around matches
}

type searchGroup struct {
	Kind  store.SearchKind
	Items []searchHit
}

// searchPage is the workspace's search: the box in the header (and "/")
// lands here, with results grouped by kind and matches highlighted.
func (w *Web) searchPage(rw http.ResponseWriter, r *http.Request, v *view) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	kind := r.URL.Query().Get("kind")
	if kind != "ticket" && kind != "customer" && kind != "order" {
		kind = ""
	}
	data := map[string]any{"Q": q, "Kind": kind, "Kinds": store.SearchKinds}
	if q != "" {
		res, err := w.search.Search(r.Context(), v.User, search.Request{Q: q, Kind: store.SearchKind(kind), Limit: 20})
		var fe *kefu.FieldError
		switch {
		case errors.As(err, &fe):
			data["Error"] = fe.Message
		case err != nil:
			w.fail(rw, r, v, err)
			return
		default:
			var groups []searchGroup
			for _, it := range res.Items {
				if len(groups) == 0 || groups[len(groups)-1].Kind != it.Kind {
					groups = append(groups, searchGroup{Kind: it.Kind})
				}
				// The snippet is escaped text with <mark> tags, built by package search.
				h := searchHit{Item: it, Snippet: template.HTML(it.Snippet)}
				switch it.Kind {
				case store.SearchTicket:
					h.Link = "/tickets/" + strconv.FormatInt(it.ID, 10)
				default:
					h.Related = "/search?kind=ticket&q=" + url.QueryEscape(it.Related)
					h.Link = h.Related
				}
				g := &groups[len(groups)-1]
				g.Items = append(g.Items, h)
			}
			data["Groups"] = groups
		}
	}
	v.Page, v.Data = "search", data
	w.render(rw, r, http.StatusOK, "search", "", *v)
}
