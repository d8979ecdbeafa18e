package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// SetAgentStatus records an agent's chat presence and that they were seen now.
func (s *Store) SetAgentStatus(ctx context.Context, userID int64, status kefu.AgentStatus) error {
	t := now()
	_, err := s.exec(ctx, `INSERT INTO chat_agents (user_id, status, seen_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, seen_at = excluded.seen_at, updated_at = excluded.updated_at`,
		userID, string(status), t, t)
	if err != nil {
		return fmt.Errorf("set chat status of user %d: %w", userID, err)
	}
	return nil
}

// SetAgentMaxChats sets how many chats an agent takes at once (0: the channel's default).
func (s *Store) SetAgentMaxChats(ctx context.Context, userID int64, n int) error {
	t := now()
	_, err := s.exec(ctx, `INSERT INTO chat_agents (user_id, status, max_chats, seen_at, updated_at) VALUES (?, 'offline', ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET max_chats = excluded.max_chats, updated_at = excluded.updated_at`, userID, n, t, t)
	if err != nil {
		return fmt.Errorf("set chat limit of user %d: %w", userID, err)
	}
	return nil
}

// TouchAgent records a heartbeat from an agent's workspace.
func (s *Store) TouchAgent(ctx context.Context, userID int64) error {
	if _, err := s.exec(ctx, `UPDATE chat_agents SET seen_at = ? WHERE user_id = ?`, now(), userID); err != nil {
		return fmt.Errorf("touch chat agent %d: %w", userID, err)
	}
	return nil
}

// ChatAgents lists every agent with a chat presence, with the number of
// chats each has in progress.
func (s *Store) ChatAgents(ctx context.Context) ([]*kefu.ChatAgent, error) {
	rows, err := s.query(ctx, `SELECT a.user_id, a.status, a.max_chats, a.seen_at,
		(SELECT COUNT(*) FROM chat_conversations c WHERE c.agent_id = a.user_id AND c.state = 'active')
		FROM chat_agents a ORDER BY a.user_id`)
	if err != nil {
		return nil, fmt.Errorf("list chat agents: %w", err)
	}
	defer rows.Close()
	as := []*kefu.ChatAgent{}
	for rows.Next() {
		a := &kefu.ChatAgent{}
		if err := rows.Scan(&a.UserID, &a.Status, &a.MaxChats, timeCol{&a.SeenAt}, &a.Active); err != nil {
			return nil, err
		}
		as = append(as, a)
	}
	return as, rows.Err()
}

// ChatAgent returns one agent's presence; an agent never seen is offline.
func (s *Store) ChatAgent(ctx context.Context, userID int64) (*kefu.ChatAgent, error) {
	a := &kefu.ChatAgent{UserID: userID, Status: kefu.AgentOffline}
	err := s.queryRow(ctx, `SELECT status, max_chats, seen_at,
		(SELECT COUNT(*) FROM chat_conversations c WHERE c.agent_id = ? AND c.state = 'active')
		FROM chat_agents WHERE user_id = ?`, userID, userID).Scan(&a.Status, &a.MaxChats, timeCol{&a.SeenAt}, &a.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read chat agent %d: %w", userID, err)
	}
	return a, nil
}

// LockChatAgents locks the presence rows of the given agents for the
// transaction, so two nodes assigning chats at once cannot both fill an
// agent's last free slot.
func (s *Store) LockChatAgents(ctx context.Context, userIDs []int64) error {
	if s.dialect != Postgres || len(userIDs) == 0 {
		return nil // SQLite: the transaction already holds the only writer
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	q, a := s.q(`SELECT user_id FROM chat_agents WHERE user_id IN (`+placeholders(len(args))+`) ORDER BY user_id FOR UPDATE`, args)
	rows, err := s.conn(ctx, true).QueryContext(ctx, q, a...)
	if err != nil {
		return fmt.Errorf("lock chat agents: %w", err)
	}
	return rows.Close()
}

// AddChatRating stores (or replaces) the visitor's rating of a chat.
func (s *Store) AddChatRating(ctx context.Context, r *kefu.ChatRating) error {
	r.CreatedAt = now()
	_, err := s.exec(ctx, `INSERT INTO chat_ratings (ticket_id, conversation_id, score, comment, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET score = excluded.score, comment = excluded.comment, created_at = excluded.created_at`,
		r.TicketID, r.ConversationID, r.Score, r.Comment, r.CreatedAt)
	if err != nil {
		return fmt.Errorf("store rating of ticket %d: %w", r.TicketID, err)
	}
	return nil
}

// ChatRating returns the rating of a chat ticket.
func (s *Store) ChatRating(ctx context.Context, ticketID int64) (*kefu.ChatRating, error) {
	r := &kefu.ChatRating{TicketID: ticketID}
	err := s.queryRow(ctx, `SELECT conversation_id, score, comment, created_at FROM chat_ratings WHERE ticket_id = ?`, ticketID).
		Scan(&r.ConversationID, &r.Score, &r.Comment, timeCol{&r.CreatedAt})
	if err != nil {
		return nil, notFound(err, "rating")
	}
	return r, nil
}

// AddChatUpload counts an upload against the conversation's quota.
func (s *Store) AddChatUpload(ctx context.Context, conversationID, size int64) error {
	if _, err := s.exec(ctx, `INSERT INTO chat_uploads (conversation_id, size, created_at) VALUES (?, ?, ?)`, conversationID, size, now()); err != nil {
		return fmt.Errorf("count upload: %w", err)
	}
	return nil
}

// ChatUploadUsage returns how many files and bytes a conversation uploaded since t.
func (s *Store) ChatUploadUsage(ctx context.Context, conversationID int64, since time.Time) (files int, bytes int64, err error) {
	err = s.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM chat_uploads WHERE conversation_id = ? AND created_at >= ?`,
		conversationID, since).Scan(&files, &bytes)
	if err != nil {
		return 0, 0, fmt.Errorf("read upload usage: %w", err)
	}
	return files, bytes, nil
}

// ChatTranscript is a transcript queued for email.
type ChatTranscript struct {
	ID             int64
	ConversationID int64
	TicketID       *int64
	Email          string
	Lang           string // zh-CN or en: the language it is written in
	Subject        string
	Body           string // plain text
	HTML           string // the same as simple HTML
	State          string // queued, held (Reason says why) or handed (to the email sender: OutboundID)
	Reason         string // a code: no_channel, channel_cannot, channel_deleted, no_ticket
	OutboundID     *int64
	CreatedAt      time.Time
	SentAt         *time.Time
	// Read with the transcript for the sender and the settings page:
	EmailChannelID *int64 // the chat channel's mailbox, if it names one
	MailStatus     string // the mail's status once handed: queued, sending, sent, failed
	MailError      string
}

// Transcript states.
const (
	TranscriptQueued = "queued"
	TranscriptHeld   = "held"
	TranscriptHanded = "handed"
)

// AddChatTranscript queues a transcript for the email sender.
func (s *Store) AddChatTranscript(ctx context.Context, t *ChatTranscript) error {
	t.CreatedAt, t.State = now(), TranscriptQueued
	if t.Lang == "" {
		t.Lang = "zh-CN"
	}
	err := s.writeRow(ctx, `INSERT INTO chat_transcripts (conversation_id, ticket_id, email, lang, subject, body, html, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.ConversationID, t.TicketID, t.Email, t.Lang, t.Subject, t.Body, t.HTML, t.State, t.CreatedAt).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("queue transcript: %w", err)
	}
	return nil
}

const transcriptCols = `t.id, t.conversation_id, t.ticket_id, t.email, t.lang, t.subject, t.body, t.html, t.state, t.reason, t.outbound_id, t.created_at, t.sent_at,
	ch.email_channel_id, COALESCE(o.status, ''), COALESCE(o.last_error, '')`

const transcriptFrom = ` FROM chat_transcripts t JOIN chat_conversations c ON c.id = t.conversation_id JOIN chat_channels ch ON ch.id = c.channel_id
	LEFT JOIN email_outbound o ON o.id = t.outbound_id`

func (s *Store) transcripts(ctx context.Context, where string, args ...any) ([]*ChatTranscript, error) {
	rows, err := s.query(ctx, `SELECT `+transcriptCols+transcriptFrom+` `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list transcripts: %w", err)
	}
	defer rows.Close()
	var ts []*ChatTranscript
	for rows.Next() {
		t := &ChatTranscript{}
		if err := rows.Scan(&t.ID, &t.ConversationID, nullInt{&t.TicketID}, &t.Email, &t.Lang, &t.Subject, &t.Body, &t.HTML, &t.State, &t.Reason,
			nullInt{&t.OutboundID}, timeCol{&t.CreatedAt}, nullTimeCol{&t.SentAt}, nullInt{&t.EmailChannelID}, &t.MailStatus, &t.MailError); err != nil {
			return nil, fmt.Errorf("read transcript: %w", err)
		}
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// PendingChatTranscripts lists transcripts not handed to the email sender
// yet (queued, then held), oldest first.
func (s *Store) PendingChatTranscripts(ctx context.Context, limit int) ([]*ChatTranscript, error) {
	return s.transcripts(ctx, `WHERE t.state IN ('queued', 'held') ORDER BY t.state DESC, t.id LIMIT ?`, limit)
}

// RecentChatTranscripts lists the latest transcripts, newest first, for admins.
func (s *Store) RecentChatTranscripts(ctx context.Context, limit int) ([]*ChatTranscript, error) {
	return s.transcripts(ctx, `ORDER BY t.id DESC LIMIT ?`, limit)
}

// HoldChatTranscripts marks the queued transcripts held, with the reason.
func (s *Store) HoldChatTranscripts(ctx context.Context, reason string) (int, error) {
	res, err := s.exec(ctx, `UPDATE chat_transcripts SET state = 'held', reason = ? WHERE state = 'queued'`, reason)
	if err != nil {
		return 0, fmt.Errorf("hold transcripts: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// HoldChatTranscript marks one transcript held, with the reason.
func (s *Store) HoldChatTranscript(ctx context.Context, id int64, reason string) error {
	if _, err := s.exec(ctx, `UPDATE chat_transcripts SET state = 'held', reason = ? WHERE id = ? AND state <> 'handed'`, reason, id); err != nil {
		return fmt.Errorf("hold transcript %d: %w", id, err)
	}
	return nil
}

// HandChatTranscript records that a transcript became the queued mail
// outboundID; false when another node handed it first.
func (s *Store) HandChatTranscript(ctx context.Context, id, outboundID int64) (bool, error) {
	res, err := s.exec(ctx, `UPDATE chat_transcripts SET state = 'handed', reason = '', outbound_id = ? WHERE id = ? AND state <> 'handed'`, outboundID, id)
	if err != nil {
		return false, fmt.Errorf("hand transcript %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ChatTranscriptSent records when the mail carrying a transcript went out.
func (s *Store) ChatTranscriptSent(ctx context.Context, outboundID int64) error {
	if _, err := s.exec(ctx, `UPDATE chat_transcripts SET sent_at = ? WHERE outbound_id = ?`, now(), outboundID); err != nil {
		return fmt.Errorf("mark transcript of mail %d sent: %w", outboundID, err)
	}
	return nil
}
