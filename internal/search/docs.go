package search

import (
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/store"
)

// A thing's texts, as indexed and as shown in snippets. The title texts
// are weighted highest; the others are the body.
type texts struct {
	title []string
	body  []string
}

func (x texts) doc() *doc {
	d := &doc{}
	for _, t := range x.title {
		d.add(fTitle, t)
	}
	for _, t := range x.body {
		d.add(fBody, t)
	}
	return d
}

// storeDoc renders d for the store's dialect.
func storeDoc(dialect store.Dialect, id int64, d *doc) store.SearchDoc {
	if dialect == store.Postgres {
		return store.SearchDoc{ID: id, TSV: d.tsvector()}
	}
	return store.SearchDoc{ID: id, Fields: d.fts5()}
}

// ticketTexts: subject, number and tags; then every message, note and
// hand-off note; then what the ticket refers to (its customer and order).
func ticketTexts(t *store.TicketSearchSource) texts {
	x := texts{title: []string{t.Subject, "#" + strconv.FormatInt(t.Number, 10)}}
	x.title = append(x.title, t.Tags...)
	for _, m := range t.Texts {
		x.body = append(x.body, m.Body)
	}
	if refs := ticketRefs(t); refs != "" {
		x.body = append(x.body, refs)
	}
	return x
}

// ticketRefs is one line naming the ticket's customer and order, so that a
// ticket is found by its customer's phone or its parcel's tracking number.
func ticketRefs(t *store.TicketSearchSource) string {
	parts := []string{t.CustomerName}
	parts = append(parts, t.Identities...)
	if t.OrderNumber != "" {
		parts = append(parts, t.OrderNumber)
		if t.OrderExternalID != "" && t.OrderExternalID != t.OrderNumber {
			parts = append(parts, t.OrderExternalID)
		}
	}
	parts = append(parts, t.Tracking...)
	parts = append(parts, t.Products...)
	return joinNonEmpty(parts, " · ")
}

// customerTexts: name and identities; then tags and notes.
func customerTexts(c *store.CustomerSearchSource) texts {
	x := texts{title: append([]string{c.Name}, c.Identities...)}
	if len(c.Tags) > 0 {
		x.body = append(x.body, strings.Join(c.Tags, " · "))
	}
	if c.Notes != "" {
		x.body = append(x.body, c.Notes)
	}
	return x
}

// orderTexts: number, external id and tracking numbers; then the items,
// the customer and where it ships.
func orderTexts(o *store.OrderSearchSource) texts {
	x := texts{title: []string{o.Number}}
	if o.ExternalID != "" && o.ExternalID != o.Number {
		x.title = append(x.title, o.ExternalID)
	}
	x.title = append(x.title, o.Tracking...)
	x.body = append(x.body, o.Items...)
	if line := joinNonEmpty([]string{o.CustomerName, o.Province + o.City}, " · "); line != "" {
		x.body = append(x.body, line)
	}
	return x
}

func joinNonEmpty(parts []string, sep string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
