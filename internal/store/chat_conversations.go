package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const conversationCols = `id, channel_id, visitor_id, customer_id, ticket_id, state, agent_id, last_seq, visitor_read, visitor_recv, agent_read, agent_recv, visitor_seen_at, created_at, updated_at, state_changed_at`

func scanConversation(sc interface{ Scan(...any) error }, c *kefu.Conversation) error {
	return sc.Scan(&c.ID, &c.ChannelID, &c.VisitorID, nullInt{&c.CustomerID}, nullInt{&c.TicketID}, &c.State, nullInt{&c.AgentID},
		&c.LastSeq, &c.VisitorRead, &c.VisitorRecv, &c.AgentRead, &c.AgentRecv,
		timeCol{&c.VisitorSeenAt}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, timeCol{&c.StateChangedAt})
}

// EnsureConversation returns the visitor's conversation on a channel,
// creating it when it does not exist yet. Two nodes doing so at once get
// the same row.
func (s *Store) EnsureConversation(ctx context.Context, channelID int64, visitorID string) (*kefu.Conversation, error) {
	if c, err := s.ConversationByVisitor(ctx, channelID, visitorID); err == nil {
		return c, nil // the common case costs a read, not a write
	}
	t := now()
	if _, err := s.exec(ctx, `INSERT INTO chat_conversations (channel_id, visitor_id, state, visitor_seen_at, created_at, updated_at, state_changed_at)
		VALUES (?, ?, 'idle', ?, ?, ?, ?) ON CONFLICT (channel_id, visitor_id) DO NOTHING`, channelID, visitorID, t, t, t, t); err != nil {
		return nil, fmt.Errorf("create conversation: %w", err)
	}
	var c kefu.Conversation
	q, args := s.q(`SELECT `+conversationCols+` FROM chat_conversations WHERE channel_id = ? AND visitor_id = ?`, []any{channelID, visitorID})
	if err := scanConversation(s.conn(ctx, true).QueryRowContext(ctx, q, args...), &c); err != nil {
		return nil, fmt.Errorf("read conversation: %w", err)
	}
	return &c, nil
}

// ConversationByVisitor returns a visitor's conversation on a channel.
func (s *Store) ConversationByVisitor(ctx context.Context, channelID int64, visitorID string) (*kefu.Conversation, error) {
	var c kefu.Conversation
	if err := scanConversation(s.queryRow(ctx, `SELECT `+conversationCols+` FROM chat_conversations WHERE channel_id = ? AND visitor_id = ?`, channelID, visitorID), &c); err != nil {
		return nil, notFound(err, "conversation")
	}
	return &c, nil
}

// Conversation returns a conversation by id.
func (s *Store) Conversation(ctx context.Context, id int64) (*kefu.Conversation, error) {
	var c kefu.Conversation
	if err := scanConversation(s.queryRow(ctx, `SELECT `+conversationCols+` FROM chat_conversations WHERE id = ?`, id), &c); err != nil {
		return nil, notFound(err, "conversation")
	}
	return &c, nil
}

// ConversationByTicket returns the conversation a chat ticket belongs to.
func (s *Store) ConversationByTicket(ctx context.Context, ticketID int64) (*kefu.Conversation, error) {
	var c kefu.Conversation
	err := scanConversation(s.queryRow(ctx, `SELECT `+conversationCols+` FROM chat_conversations
		WHERE id = (SELECT conversation_id FROM chat_entries WHERE ticket_id = ? ORDER BY seq LIMIT 1)`, ticketID), &c)
	if err != nil {
		return nil, notFound(err, "conversation")
	}
	return &c, nil
}

// LockConversation re-reads a conversation inside a transaction so that
// every change to it, and every sequence number, is serialised (FOR UPDATE
// on PostgreSQL; SQLite has one writer). Callers lock the conversation
// before the ticket so two paths never wait on each other.
func (s *Store) LockConversation(ctx context.Context, id int64) (*kefu.Conversation, error) {
	q := `SELECT ` + conversationCols + ` FROM chat_conversations WHERE id = ?`
	if s.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var c kefu.Conversation
	query, args := s.q(q, []any{id})
	if err := scanConversation(s.conn(ctx, true).QueryRowContext(ctx, query, args...), &c); err != nil {
		return nil, notFound(err, "conversation")
	}
	return &c, nil
}

// UpdateConversation stores a conversation's customer, ticket, state and agent.
func (s *Store) UpdateConversation(ctx context.Context, c *kefu.Conversation) error {
	c.UpdatedAt = now()
	if c.StateChangedAt.IsZero() {
		c.StateChangedAt = c.UpdatedAt
	}
	_, err := s.exec(ctx, `UPDATE chat_conversations SET customer_id = ?, ticket_id = ?, state = ?, agent_id = ?, updated_at = ?, state_changed_at = ? WHERE id = ?`,
		c.CustomerID, c.TicketID, c.State, c.AgentID, c.UpdatedAt, c.StateChangedAt, c.ID)
	if err != nil {
		return fmt.Errorf("update conversation %d: %w", c.ID, err)
	}
	return nil
}

// Mark fields of a conversation.
const (
	MarkVisitorRead = "visitor_read"
	MarkVisitorRecv = "visitor_recv"
	MarkAgentRead   = "agent_read"
	MarkAgentRecv   = "agent_recv"
)

// MarkConversation raises a delivered/read mark to seq (never lowers it, and
// never past the last entry). It reports whether the mark moved.
func (s *Store) MarkConversation(ctx context.Context, id int64, field string, seq int64) (bool, error) {
	switch field {
	case MarkVisitorRead, MarkVisitorRecv, MarkAgentRead, MarkAgentRecv:
	default:
		return false, fmt.Errorf("unknown mark %q", field)
	}
	res, err := s.exec(ctx, `UPDATE chat_conversations SET `+field+` = CASE WHEN ? < last_seq THEN ? ELSE last_seq END
		WHERE id = ? AND `+field+` < ? AND `+field+` < last_seq`, seq, seq, id, seq)
	if err != nil {
		return false, fmt.Errorf("mark conversation %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// TouchVisitor records that the visitor was connected at t.
func (s *Store) TouchVisitor(ctx context.Context, id int64) error {
	if _, err := s.exec(ctx, `UPDATE chat_conversations SET visitor_seen_at = ? WHERE id = ?`, now(), id); err != nil {
		return fmt.Errorf("touch conversation %d: %w", id, err)
	}
	return nil
}

// AddChatEntry numbers e with the conversation's next sequence number and
// stores it, in the caller's transaction: the number is taken only if the
// transaction commits, so sequences have no gaps.
func (s *Store) AddChatEntry(ctx context.Context, e *kefu.ChatEntry) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		if e.CreatedAt.IsZero() {
			e.CreatedAt = now()
		}
		if len(e.Data) == 0 {
			e.Data = json.RawMessage(`{}`)
		}
		if err := s.writeRow(ctx, `UPDATE chat_conversations SET last_seq = last_seq + 1, updated_at = ? WHERE id = ? RETURNING last_seq`,
			e.CreatedAt, e.ConversationID).Scan(&e.Seq); err != nil {
			return notFound(err, "conversation")
		}
		_, err := s.exec(ctx, `INSERT INTO chat_entries (conversation_id, seq, kind, author, ticket_id, message_id, user_id, client_id, body, data, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ConversationID, e.Seq, e.Kind, e.From, e.TicketID, e.MessageID, e.UserID, e.ClientID, e.Body, string(e.Data), e.CreatedAt)
		if isUniqueViolation(err) {
			return &kefu.ConflictError{Field: "message_id", Message: fmt.Sprintf("message %d is already in the conversation", *e.MessageID)}
		}
		if err != nil {
			return fmt.Errorf("insert entry %d of conversation %d: %w", e.Seq, e.ConversationID, err)
		}
		return nil
	})
}

const chatEntryCols = `conversation_id, seq, kind, author, ticket_id, message_id, user_id, client_id, body, data, created_at`

func scanEntries(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]*kefu.ChatEntry, error) {
	es := []*kefu.ChatEntry{}
	for rows.Next() {
		e := &kefu.ChatEntry{}
		var data string
		if err := rows.Scan(&e.ConversationID, &e.Seq, &e.Kind, &e.From, nullInt{&e.TicketID}, nullInt{&e.MessageID}, nullInt{&e.UserID},
			&e.ClientID, &e.Body, textCol{&data}, timeCol{&e.CreatedAt}); err != nil {
			return nil, err
		}
		e.Data = json.RawMessage(data)
		es = append(es, e)
	}
	return es, rows.Err()
}

// ChatEntries lists a conversation's entries after seq, in order, at most limit.
func (s *Store) ChatEntries(ctx context.Context, conversationID, after int64, limit int) ([]*kefu.ChatEntry, error) {
	rows, err := s.query(ctx, `SELECT `+chatEntryCols+` FROM chat_entries WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
		conversationID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list entries of conversation %d: %w", conversationID, err)
	}
	defer rows.Close()
	return scanEntries(rows)
}

// ChatEntriesAfter lists, for each conversation named, its entries after
// the number given, ordered by conversation and number, at most limit in
// all: one query where a stream that fell behind in many chats would
// otherwise make one per chat.
func (s *Store) ChatEntriesAfter(ctx context.Context, after map[int64]int64, limit int) ([]*kefu.ChatEntry, error) {
	if len(after) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(after))
	for id := range after {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []*kefu.ChatEntry
	for start := 0; start < len(ids) && len(out) < limit; start += 100 {
		chunk := ids[start:min(start+100, len(ids))]
		conds := make([]string, len(chunk))
		args := make([]any, 0, 2*len(chunk)+1)
		for i, id := range chunk {
			conds[i] = "(conversation_id = ? AND seq > ?)"
			args = append(args, id, after[id])
		}
		args = append(args, limit-len(out))
		rows, err := s.query(ctx, `SELECT `+chatEntryCols+` FROM chat_entries WHERE `+strings.Join(conds, " OR ")+` ORDER BY conversation_id, seq LIMIT ?`, args...)
		if err != nil {
			return nil, fmt.Errorf("list entries of %d conversations: %w", len(chunk), err)
		}
		es, err := scanEntries(rows)
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("list entries of %d conversations: %w", len(chunk), err)
		}
		out = append(out, es...)
	}
	return out, nil
}

// ChatEntryByMessage returns the entry that carries a ticket message.
func (s *Store) ChatEntryByMessage(ctx context.Context, messageID int64) (*kefu.ChatEntry, error) {
	rows, err := s.query(ctx, `SELECT `+chatEntryCols+` FROM chat_entries WHERE message_id = ?`, messageID)
	if err != nil {
		return nil, fmt.Errorf("find entry of message %d: %w", messageID, err)
	}
	defer rows.Close()
	es, err := scanEntries(rows)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, kefu.NotFound("chat entry")
	}
	return es[0], nil
}

// ConversationSeqs returns the last sequence number of each conversation
// named, so a node can check in one query that it delivered everything.
func (s *Store) ConversationSeqs(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.query(ctx, `SELECT id, last_seq FROM chat_conversations WHERE id IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read conversation sequences: %w", err)
		}
		for rows.Next() {
			var id, seq int64
			if err := rows.Scan(&id, &seq); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = seq
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ConversationFilter selects conversations for the workspace's chat lists.
type ConversationFilter struct {
	States  []kefu.ChatState
	AgentID int64 // 0: any agent
	Limit   int
}

// Conversations lists conversations f selects, oldest state change first
// (the longest-waiting visitor comes first).
func (s *Store) Conversations(ctx context.Context, f ConversationFilter) ([]*kefu.Conversation, error) {
	q := `SELECT ` + conversationCols + ` FROM chat_conversations WHERE 1=1`
	var args []any
	if len(f.States) > 0 {
		q += ` AND state IN (` + placeholders(len(f.States)) + `)`
		for _, st := range f.States {
			args = append(args, string(st))
		}
	}
	if f.AgentID != 0 {
		q += ` AND agent_id = ?`
		args = append(args, f.AgentID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += ` ORDER BY state_changed_at, id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list conversations: %w", err)
	}
	defer rows.Close()
	cs := []*kefu.Conversation{}
	for rows.Next() {
		c := &kefu.Conversation{}
		if err := scanConversation(rows, c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}
