package httpapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/store"
)

// searchParams documents GET /search.
var searchParams = []param{
	{"q", "string", `what to find: words and Chinese text (every part must match), "exact phrases", phone, order and tracking numbers (whole or any part), e-mail addresses; field prefixes customer:, order:, tag:, status:`},
	{"kind", "string", "ticket, customer or order; every kind when absent"},
	{"limit", "integer", "results per kind, 1 to 50 (default 10)"},
	{"status", "string", "tickets in these comma-separated statuses"},
	{"channel", "string", "tickets from this channel"},
	{"assignee_id", "integer", "tickets assigned to this user"},
	{"team_id", "integer", "tickets of this team"},
	{"category_id", "integer", "tickets of this category (a group includes its problems)"},
	{"created_from", "string", "created (orders: placed) at or after, RFC 3339 or YYYY-MM-DD"},
	{"created_to", "string", "created (orders: placed) before"},
}

// search answers GET /search: {"items": [...]}, grouped by kind (tickets,
// customers, orders; a customer or order the query names exactly comes
// first), each group ranked. A status, channel, assignee, team or category
// filter limits the search to tickets.
func (a *API) search(r *http.Request, actor *kefu.User) (int, any, error) {
	q := &query{r: r}
	req := search.Request{
		Q:          r.URL.Query().Get("q"),
		Kind:       store.SearchKind(q.oneOf("kind", func(s string) bool { return oneOfStr(s, []string{"ticket", "customer", "order"}) }, "ticket, customer, order")),
		Limit:      int(q.int("limit", search.DefaultLimit, 1, search.MaxLimit)),
		Channel:    kefu.Channel(q.oneOf("channel", func(s string) bool { return kefu.Channel(s).Valid() }, "email, chat, portal, phone, api")),
		AssigneeID: q.int("assignee_id", 0, 1, 1<<62),
		TeamID:     q.int("team_id", 0, 1, 1<<62),
		CategoryID: q.int("category_id", 0, 1, 1<<62),
		From:       q.time("created_from"),
		To:         q.time("created_to"),
	}
	if v := q.str("status"); v != "" {
		for _, s := range strings.Split(v, ",") {
			st := kefu.Status(strings.TrimSpace(s))
			if !st.Valid() {
				return 0, nil, errorf(http.StatusBadRequest, "invalid_parameter", "status", fmt.Sprintf("status must be among new, open, pending, on_hold, solved, closed; got %q", s))
			}
			req.Statuses = append(req.Statuses, st)
		}
	}
	if q.err != nil {
		return 0, nil, q.err
	}
	if strings.TrimSpace(req.Q) == "" {
		return 0, nil, errorf(http.StatusBadRequest, "invalid_parameter", "q", "q is required: the text to search for")
	}
	res, err := a.searcher.Search(r.Context(), actor, req)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, res, nil
}
