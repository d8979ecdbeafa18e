// Package search finds tickets, customers and orders from one search box,
// on SQLite and PostgreSQL alike.
//
// Text is tokenised once, here in Go, and the same tokens feed SQLite's
// FTS5 and PostgreSQL's tsvector: Chinese as single characters and bigrams
// (so two-character words such as 退款, 物流 and 色差 and single characters
// are found without a dictionary), other words lower-cased and lightly
// stemmed, numbers whole and by their suffixes (a phone number is found by
// its last four digits or any part), e-mail addresses whole; full-width
// forms fold to half-width and traditional characters to simplified ones.
//
// The index is kept current by an outbox consumer (Service.HandleEvents)
// and rebuilt by Service.Reindex (kefu reindex). Searches see only what the
// reader may open: tickets through the same scope as ticket lists, and
// customers and orders through their tickets for collaborators.
package search

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Service searches and maintains the index.
type Service struct {
	st *store.Store
	// Window is how many of the most recent matches of a kind are ranked
	// for one search.
	Window int
}

// New returns a Service on st.
func New(st *store.Store) *Service { return &Service{st: st, Window: DefaultWindow} }

// Search limits.
const (
	DefaultLimit  = 10
	MaxLimit      = 50
	DefaultWindow = 1000
)

// Request is one search.
type Request struct {
	Q     string
	Kind  store.SearchKind // "" searches every kind
	Limit int              // per kind; default 10, at most 50
	// Ticket filters; any of them limits the search to tickets.
	Statuses   []kefu.Status
	Channel    kefu.Channel
	AssigneeID int64
	TeamID     int64
	CategoryID int64
	// From and To bound the creation time of tickets and customers and the
	// time orders were placed.
	From, To time.Time
}

// Item is one result.
type Item struct {
	Kind    store.SearchKind `json:"kind"`
	ID      int64            `json:"id"`
	Title   string           `json:"title"`
	Snippet string           `json:"snippet"` // HTML: escaped text with <mark> around matches
	Score   float64          `json:"score"`

	Number     int64        `json:"number,omitempty"` // tickets
	Status     kefu.Status  `json:"status,omitempty"`
	Channel    kefu.Channel `json:"channel,omitempty"`
	CustomerID int64        `json:"customer_id,omitempty"` // tickets and orders
	Time       *time.Time   `json:"time,omitempty"`        // tickets: updated; customers: created; orders: placed

	// Related is a query that finds a customer's or an order's tickets.
	Related string `json:"-"`
}

// Result is a search's answer: items grouped by kind, each group ranked.
type Result struct {
	Items []Item `json:"items"`
}

// Search runs a search as actor.
func (s *Service) Search(ctx context.Context, actor *kefu.User, req Request) (*Result, error) {
	if err := auth.Can(actor, auth.AddNotes); err != nil { // every signed-in role searches what it sees
		return nil, err
	}
	q, err := Parse(req.Q)
	if err != nil {
		return nil, err
	}
	res := &Result{Items: []Item{}}
	if q.Empty() {
		return res, nil
	}
	if req.Limit <= 0 {
		req.Limit = DefaultLimit
	}
	req.Limit = min(req.Limit, MaxLimit)
	kinds := s.kinds(q, req)
	scope := auth.Scope(actor)
	viaTickets := auth.Can(actor, auth.ReadCustomers) != nil
	type group struct {
		items []Item
		title bool // its best item names every part of the query in its title
	}
	// The kinds are searched at once, each on a connection of its own.
	all := make([]group, len(kinds))
	errs := make([]error, len(kinds))
	var wg sync.WaitGroup
	for i, k := range kinds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			all[i].items, all[i].title, errs[i] = s.searchKind(ctx, k, q, req, scope, viaTickets)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var groups []group
	for _, g := range all {
		if len(g.items) > 0 {
			groups = append(groups, g)
		}
	}
	// Groups keep their order (tickets, customers, orders) except that one
	// whose best result is named by the query (a phone number, an order
	// number) comes first.
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].title && !groups[j].title })
	for _, g := range groups {
		res.Items = append(res.Items, g.items...)
	}
	return res, nil
}

// kinds decides which kinds a search looks at.
func (s *Service) kinds(q *Query, req Request) []store.SearchKind {
	ticketOnly := len(q.Statuses) > 0 || len(req.Statuses) > 0 || req.Channel != "" || req.AssigneeID > 0 || req.TeamID > 0 || req.CategoryID > 0
	var out []store.SearchKind
	for _, k := range store.SearchKinds {
		if req.Kind != "" && k != req.Kind {
			continue
		}
		if k != store.SearchTicket && ticketOnly {
			continue
		}
		if k == store.SearchOrder && len(q.Tags) > 0 {
			continue // orders have no tags
		}
		out = append(out, k)
	}
	return out
}

func (s *Service) render(es []expr) string {
	if len(es) == 0 {
		return ""
	}
	if s.st.Dialect() == store.Postgres {
		return TSQuery(es)
	}
	return FTS5(es)
}

// searchKind runs the search of one kind and turns the hits into items.
func (s *Service) searchKind(ctx context.Context, kind store.SearchKind, q *Query, req Request, scope *store.Scope, viaTickets bool) ([]Item, bool, error) {
	sq := store.SearchQuery{Kind: kind, Scope: scope, ViaTickets: viaTickets, Tags: q.Tags,
		Statuses: append(append([]kefu.Status{}, q.Statuses...), req.Statuses...), Channel: req.Channel,
		AssigneeID: req.AssigneeID, TeamID: req.TeamID, CategoryID: req.CategoryID, From: req.From, To: req.To}
	text := q.Text
	switch kind {
	case store.SearchTicket:
		sq.CustomerMatch, sq.OrderMatch = s.render(q.Customer), s.render(q.Order)
	case store.SearchCustomer:
		text = append(append([]expr{}, text...), q.Customer...)
		sq.OrderMatch = s.render(q.Order)
	case store.SearchOrder:
		text = append(append([]expr{}, text...), q.Order...)
		sq.CustomerMatch = s.render(q.Customer)
	}
	sq.Match = s.render(text)
	if sq.Match == "" && sq.CustomerMatch == "" && sq.OrderMatch == "" && len(sq.Tags) == 0 && len(sq.Statuses) == 0 {
		return nil, false, nil // nothing in the query is about this kind
	}
	// Rank more candidates than asked for: the exact-wording bonus below
	// can reorder them.
	sq.Window = s.Window
	sq.Limit = min(req.Limit*3, 100)
	hits, err := s.st.Search(ctx, sq)
	if err != nil || len(hits) == 0 {
		return nil, false, err
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	items, err := s.present(ctx, kind, ids, q)
	if err != nil {
		return nil, false, err
	}
	// Final score: the database's relevance, scaled to the best hit, plus a
	// bonus for finding the query's own wording (not only its parts) in the
	// title and anywhere.
	maxScore := 0.0
	for _, h := range hits {
		maxScore = max(maxScore, h.Score)
	}
	whole := q.wholePatterns()
	out := make([]Item, 0, len(hits))
	for _, h := range hits {
		p, ok := items[h.ID]
		if !ok {
			continue // gone since it matched
		}
		score := 0.0
		if maxScore > 0 {
			score = h.Score / maxScore
		}
		if whole > 0 {
			score += float64(p.titleWhole)/float64(whole) + 0.5*float64(p.anyWhole)/float64(whole)
		}
		p.item.Score = float64(int64(score*10000)) / 10000
		out = append(out, p.item)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > req.Limit {
		out = out[:req.Limit]
	}
	// A customer or an order whose title (name, phone, number…) holds the
	// whole query is what the agent was looking for.
	titleHit := kind != store.SearchTicket && len(out) > 0 && whole > 0 && items[out[0].ID].titleWhole == whole
	return out, titleHit, nil
}

// presented is an item and how its texts match the query.
type presented struct {
	item       Item
	titleWhole int // whole patterns found in the title texts
	anyWhole   int // whole patterns found anywhere
}

// present loads the things that matched and makes their items: title,
// highlighted snippet and how well their texts match.
func (s *Service) present(ctx context.Context, kind store.SearchKind, ids []int64, q *Query) (map[int64]*presented, error) {
	out := map[int64]*presented{}
	switch kind {
	case store.SearchTicket:
		src, err := s.st.TicketSearchSources(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, t := range src {
			updated := t.UpdatedAt
			p := &presented{item: Item{Kind: kind, ID: t.ID, Title: "#" + strconv.FormatInt(t.Number, 10) + " " + t.Subject,
				Number: t.Number, Status: t.Status, Channel: t.Channel, CustomerID: t.CustomerID, Time: &updated}}
			x := ticketTexts(t)
			// The subject is the title; the tags are not shown in a snippet.
			p.fill(q, x, x.title[:1])
			out[t.ID] = p
		}
	case store.SearchCustomer:
		src, err := s.st.CustomerSearchSources(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, c := range src {
			created := c.CreatedAt
			p := &presented{item: Item{Kind: kind, ID: c.ID, Title: c.Name, Time: &created, Related: "customer:" + quoteValue(c.Name)}}
			if len(c.Identities) > 0 {
				p.item.Related = "customer:" + quoteValue(c.Identities[0])
			}
			x := customerTexts(c)
			x.body = append([]string{strings.Join(c.Identities, " · ")}, x.body...)
			p.fill(q, x, nil)
			out[c.ID] = p
		}
	case store.SearchOrder:
		src, err := s.st.OrderSearchSources(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, o := range src {
			placed := o.PlacedAt
			p := &presented{item: Item{Kind: kind, ID: o.ID, Title: o.Number, CustomerID: o.CustomerID, Time: &placed, Related: "order:" + quoteValue(o.Number)}}
			x := orderTexts(o)
			x.body = append([]string{strings.Join(x.title, " · ")}, x.body...)
			p.fill(q, x, nil)
			out[o.ID] = p
		}
	}
	return out, nil
}

// quoteValue writes a field prefix's value, quoted when it has spaces.
func quoteValue(v string) string {
	if strings.ContainsAny(v, " \t　") {
		return `"` + strings.ReplaceAll(v, `"`, "") + `"`
	}
	return v
}

// fill computes how the texts match and picks the snippet: the body text
// with the most distinct matches (the first one on a tie), else a matching
// fallback (the ticket's subject), else the start of the first text.
func (p *presented) fill(q *Query, x texts, fallback []string) {
	seenTitle := make([]bool, len(q.patterns))
	seenAny := make([]bool, len(q.patterns))
	mark := func(spans []span, seen ...[]bool) {
		for _, sp := range spans {
			for _, s := range seen {
				s[sp.pat] = true
			}
		}
	}
	for _, t := range x.title {
		mark(q.find(t), seenTitle, seenAny)
	}
	best, bestN := -1, 0
	var bestSpans []span
	for i, t := range x.body {
		spans := q.find(t)
		mark(spans, seenAny)
		if n, _ := q.coverage(spans); n > bestN {
			best, bestN, bestSpans = i, n, spans
		}
	}
	for i, pt := range q.patterns {
		if pt.whole {
			if seenTitle[i] {
				p.titleWhole++
			}
			if seenAny[i] {
				p.anyWhole++
			}
		}
	}
	switch {
	case best >= 0:
		p.item.Snippet = snippet(x.body[best], bestSpans)
	case len(fallback) > 0:
		p.item.Snippet = snippet(fallback[0], q.find(fallback[0]))
	case len(x.body) > 0:
		p.item.Snippet = snippet(x.body[0], nil)
	}
}
