package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// SnoozedTicket is an open ticket put aside, with when it comes back.
type SnoozedTicket struct {
	*kefu.Ticket
	Until time.Time
}

// SnoozedTickets lists the open snoozed tickets inside scope, the ones
// waking first first, limit at a time; after is the previous page's cursor
// ("" for the first) and next is "" on the last page.
//
// The query starts from the snoozes (a small table: only tickets put
// aside) and looks each ticket up by its key (see snoozedJoin), so it costs
// the same whatever the number of tickets.
func (s *Store) SnoozedTickets(ctx context.Context, sc *Scope, after string, limit int) (ts []*SnoozedTicket, next string, err error) {
	q := `SELECT ` + prefixCols("t", ticketCols) + `, z.until FROM ` + s.snoozedJoin() + ` AND t.status IN ('new', 'open', 'pending', 'on_hold')`
	var args []any
	if cond, a := sc.sql(); cond != "" {
		q += ` AND ` + cond
		args = append(args, a...)
	}
	if after != "" {
		at, id, ok := parseSnoozeCursor(after)
		if !ok {
			return nil, "", kefu.Invalid("cursor", "is not a cursor this server issued")
		}
		q += ` AND (z.until > ? OR (z.until = ? AND z.ticket_id > ?))`
		args = append(args, at, at, id)
	}
	q += ` ORDER BY z.until, z.ticket_id LIMIT ?`
	rows, err := s.query(ctx, q, append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("list snoozed tickets: %w", err)
	}
	defer rows.Close()
	var plain []*kefu.Ticket
	for rows.Next() {
		z := &SnoozedTicket{Ticket: &kefu.Ticket{}}
		if err := scanTicket(scanPlus{rows, []any{timeCol{&z.Until}}}, z.Ticket); err != nil {
			return nil, "", fmt.Errorf("list snoozed tickets: %w", err)
		}
		ts = append(ts, z)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list snoozed tickets: %w", err)
	}
	if len(ts) > limit {
		ts = ts[:limit]
		last := ts[len(ts)-1]
		next = strconv.FormatInt(last.Until.UnixMicro(), 10) + "." + strconv.FormatInt(last.ID, 10)
	}
	for _, z := range ts {
		plain = append(plain, z.Ticket)
	}
	return ts, next, s.loadTicketTags(ctx, plain)
}

func parseSnoozeCursor(c string) (time.Time, int64, bool) {
	a, b, ok := strings.Cut(c, ".")
	us, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, 0, false
	}
	return time.UnixMicro(us).UTC(), id, true
}

// scanPlus scans a row into the destinations a scanner was given and then
// into extra ones: a ticket's columns followed by a column of the join.
type scanPlus struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (p scanPlus) Scan(dest ...any) error { return p.sc.Scan(append(dest, p.extra...)...) }

// snoozedJoin is the FROM clause (and the start of a WHERE) that pairs each
// snooze z with its ticket t, written so both databases start from the few
// snoozes and look tickets up by primary key rather than scan the open
// tickets: SQLite keeps the order of a CROSS JOIN; PostgreSQL, left to
// itself, hash-joins against every open ticket (seen with 100,000 tickets),
// but an id = ANY(ARRAY(...)) condition is an index scan of the key.
func (s *Store) snoozedJoin() string {
	if s.dialect == Postgres {
		return `snoozes z JOIN tickets t ON t.id = z.ticket_id WHERE t.id = ANY(ARRAY(SELECT ticket_id FROM snoozes))`
	}
	return `snoozes z CROSS JOIN tickets t WHERE t.id = z.ticket_id`
}
