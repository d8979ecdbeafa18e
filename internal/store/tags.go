package store

import (
	"context"
	"fmt"
	"strings"
)

// TagCount is a ticket tag and how many tickets carry it.
type TagCount struct {
	Tag     string
	Tickets int
}

// TagFilter selects and orders ticket tags for the tags admin page.
type TagFilter struct {
	Query  string // part of the tag, any case
	Sort   string // "count" (most used first, the default), "name", "-count", "-name"
	Limit  int
	Offset int
}

// tagSorts maps a TagFilter.Sort to its ORDER BY; the tag breaks ties so
// pages never overlap.
var tagSorts = map[string]string{
	"count":  `COUNT(*) DESC, tag`,
	"-count": `COUNT(*), tag`,
	"name":   `tag`,
	"-name":  `tag DESC`,
}

// TicketTagCounts lists the tags on tickets with how many tickets carry
// each, and how many tags match f in all (for paging).
func (s *Store) TicketTagCounts(ctx context.Context, f TagFilter) ([]TagCount, int, error) {
	where, args := ``, []any{}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = `WHERE LOWER(tag) LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(strings.ToLower(q))+"%")
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(DISTINCT tag) FROM ticket_tags `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count ticket tags: %w", err)
	}
	order, ok := tagSorts[f.Sort]
	if !ok {
		order = tagSorts["count"]
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := s.query(ctx, `SELECT tag, COUNT(*) FROM ticket_tags `+where+` GROUP BY tag ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, f.Limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list ticket tags: %w", err)
	}
	defer rows.Close()
	out := []TagCount{}
	for rows.Next() {
		var c TagCount
		if err := rows.Scan(&c.Tag, &c.Tickets); err != nil {
			return nil, 0, fmt.Errorf("scan ticket tag: %w", err)
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// TicketsTagged returns the ids of the tickets carrying tag, in id order
// (the order a bulk change locks them in, so two cannot deadlock).
func (s *Store) TicketsTagged(ctx context.Context, tag string) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT ticket_id FROM ticket_tags WHERE tag = ? ORDER BY ticket_id`, tag)
	if err != nil {
		return nil, fmt.Errorf("tickets tagged %q: %w", tag, err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan ticket tagged %q: %w", tag, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SetTicketTags replaces a ticket's tags and nothing else: a tag renamed
// across all tickets is not news on each ticket, so its updated_at stays.
func (s *Store) SetTicketTags(ctx context.Context, ticketID int64, tags []string) error {
	if err := s.setTags(ctx, "ticket_tags", "ticket_id", ticketID, tags); err != nil {
		return fmt.Errorf("set tags of ticket %d: %w", ticketID, err)
	}
	return nil
}
