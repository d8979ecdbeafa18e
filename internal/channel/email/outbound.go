package email

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Sender mails agents' replies on email tickets. Its outbox consumer turns
// each reply into a queued mail in the same transaction that advances the
// consumer, so every reply is queued exactly once; its worker sends queued
// mail, retrying with exponential backoff, and marks a reply failed, with
// the server's reason, when the server refuses it for good or the retries
// run out.
type Sender struct {
	st  *store.Store
	log *slog.Logger
	// Backoff is the wait after the first failed attempt; it doubles
	// after each one, up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
	// MaxAttempts is how many times a mail is tried before it fails.
	MaxAttempts int
	// Poll is how often the worker looks for due mail when not woken.
	Poll time.Duration
	// Send delivers one mail; tests replace it to inject failures.
	Send func(ctx context.Context, ch *kefu.EmailChannel, to string, raw []byte) error
	wake chan struct{}
}

// ConsumerName is the outbox consumer that queues replies for mailing.
const ConsumerName = "email.outbound"

// NewSender returns a Sender on st.
func NewSender(st *store.Store, log *slog.Logger) *Sender {
	return &Sender{st: st, log: log, Backoff: 30 * time.Second, MaxBackoff: time.Hour, MaxAttempts: 8,
		Poll: 5 * time.Second, Send: sendSMTP, wake: make(chan struct{}, 1)}
}

// Wake asks the worker to look for due mail now.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// HandleEvents is the outbox consumer: it queues a mail for every reply
// added to an email ticket.
func (s *Sender) HandleEvents(ctx context.Context, events []*kefu.Event) error {
	queued := false
	for _, e := range events {
		if e.Type != kefu.EventMessageAdded || e.TicketID == nil {
			continue
		}
		var d struct {
			MessageID int64            `json:"message_id"`
			Kind      kefu.MessageKind `json:"kind"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil || d.Kind != kefu.MessageReply {
			continue
		}
		ok, err := s.queueReply(ctx, *e.TicketID, d.MessageID, e.ActorUserID)
		if err != nil {
			return err
		}
		queued = queued || ok
	}
	if queued {
		s.Wake()
	}
	return nil
}

// queueReply composes and queues one reply; ok is false when the ticket is
// not an email conversation.
func (s *Sender) queueReply(ctx context.Context, ticketID, messageID int64, actor *int64) (ok bool, err error) {
	t, err := s.st.Ticket(ctx, ticketID)
	if errors.Is(err, kefu.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if t.Channel != kefu.ChannelEmail {
		return false, nil
	}
	m, err := s.st.Message(ctx, messageID)
	if errors.Is(err, kefu.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ch, to, err := s.route(ctx, t)
	if err != nil {
		return false, err
	}
	if ch == nil || to == "" {
		reason := "no email channel or customer address to send this reply to"
		return false, s.markDelivery(ctx, t.ID, m.ID, kefu.DeliveryFailed, reason)
	}
	agent := ""
	if actor != nil {
		if u, err := s.st.User(ctx, *actor); err == nil {
			agent = u.Name
		}
	}
	fromName := ch.DisplayName
	if agent != "" && fromName != "" {
		fromName = agent + " (" + fromName + ")"
	} else if agent != "" {
		fromName = agent
	}
	thread, last, err := s.st.MailThread(ctx, t.ID)
	if err != nil {
		return false, err
	}
	var parts []Part
	for _, a := range m.Attachments {
		data, err := s.st.Blob(ctx, a.SHA256)
		if err != nil {
			return false, fmt.Errorf("load attachment %s of message %d: %w", a.Filename, m.ID, err)
		}
		parts = append(parts, Part{Filename: a.Filename, ContentType: a.ContentType, Data: data})
	}
	custName := ""
	if c, err := s.st.Customer(ctx, t.CustomerID); err == nil {
		custName = c.Name
	}
	o := &Outgoing{
		From:         Address{Name: fromName, Email: ch.Address},
		To:           []Address{{Name: custName, Email: to}},
		Subject:      ReplySubject(t.Subject, t.Number),
		MessageID:    NewMessageID(ch.Address),
		InReplyTo:    last,
		References:   thread,
		Text:         m.Body,
		HTML:         m.HTML,
		Attachments:  parts,
		TicketNumber: t.Number,
	}
	if err := s.st.EnqueueEmail(ctx, &store.EmailOutbound{ChannelID: ch.ID, TicketID: t.ID, MessageID: &m.ID,
		HeaderID: o.MessageID, Kind: "reply", Recipient: to, Raw: o.Compose()}); err != nil {
		return false, err
	}
	return true, s.markDelivery(ctx, t.ID, m.ID, kefu.DeliveryQueued, "")
}

// route picks the mailbox and address a ticket's replies go through: the
// ones its mail came through, else (a ticket an agent opened) the first
// channel that can send and the customer's email.
func (s *Sender) route(ctx context.Context, t *kefu.Ticket) (*kefu.EmailChannel, string, error) {
	chID, to, err := s.st.EmailTicket(ctx, t.ID)
	if err == nil {
		ch, err := s.st.EmailChannel(ctx, chID)
		if errors.Is(err, kefu.ErrNotFound) {
			return nil, "", nil
		}
		return ch, to, err
	}
	if !errors.Is(err, kefu.ErrNotFound) {
		return nil, "", err
	}
	chs, err := s.st.EmailChannels(ctx)
	if err != nil {
		return nil, "", err
	}
	c, err := s.st.Customer(ctx, t.CustomerID)
	if err != nil {
		return nil, "", err
	}
	for _, ch := range chs {
		if ch.Enabled && ch.SMTPHost != "" {
			return ch, c.Email(), nil
		}
	}
	return nil, "", nil
}

func (s *Sender) markDelivery(ctx context.Context, ticketID, messageID int64, status, reason string) error {
	if err := s.st.SetMessageDelivery(ctx, messageID, status, reason); err != nil {
		return err
	}
	return s.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventMessageDelivery, TicketID: &ticketID},
		map[string]any{"message_id": messageID, "delivery_status": status, "delivery_error": reason})
}

// Run sends due mail until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.Poll)
	defer t.Stop()
	for {
		if _, err := s.HandTranscripts(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("email: queueing chat transcripts failed; will retry", "err", err)
		}
		for {
			n, err := s.SendDue(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Error("email: sending queued mail failed; will retry", "err", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// SendDue makes one attempt at every mail that is due (at most a batch)
// and returns how many it tried.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	due, err := s.st.ClaimDueEmails(ctx, 20, 10*time.Minute)
	if err != nil {
		return 0, err
	}
	for _, o := range due {
		if err := s.attempt(ctx, o); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

func (s *Sender) attempt(ctx context.Context, o *store.EmailOutbound) error {
	ch, err := s.st.EmailChannel(ctx, o.ChannelID)
	var sendErr error
	if errors.Is(err, kefu.ErrNotFound) {
		sendErr = &SendError{Permanent: true, Reason: "the email channel was deleted"}
	} else if err != nil {
		return err
	} else {
		sendErr = s.Send(ctx, ch, o.Recipient, o.Raw)
	}
	status, reason, next := kefu.DeliverySent, "", time.Now()
	if sendErr != nil {
		reason = sendErr.Error()
		var se *SendError
		permanent := errors.As(sendErr, &se) && se.Permanent
		if permanent || o.Attempts >= s.MaxAttempts {
			status = kefu.DeliveryFailed
		} else {
			status = kefu.DeliveryQueued
			next = time.Now().Add(s.backoff(o.Attempts))
		}
		s.log.Warn("email: sending failed", "to", o.Recipient, "ticket_id", o.TicketID, "attempt", o.Attempts, "final", status == kefu.DeliveryFailed, "reason", reason)
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.FinishEmail(ctx, o.ID, status, reason, next); err != nil {
			return err
		}
		if o.Kind == transcriptKind && status == kefu.DeliverySent {
			if err := s.st.ChatTranscriptSent(ctx, o.ID); err != nil {
				return err
			}
		}
		if o.MessageID == nil {
			return nil
		}
		return s.markDelivery(ctx, o.TicketID, *o.MessageID, status, reason)
	})
}

func (s *Sender) backoff(attempts int) time.Duration {
	d := s.Backoff
	for i := 1; i < attempts && d < s.MaxBackoff; i++ {
		d *= 2
	}
	if d > s.MaxBackoff {
		d = s.MaxBackoff
	}
	return d
}
