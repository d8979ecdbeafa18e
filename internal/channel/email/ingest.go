package email

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// InlinePath is where the API serves an inline image by its SHA-256; the
// "cid:" references of a mail's HTML are rewritten to it so the sanitised
// HTML shows the pictures in place.
const InlinePath = "/api/v1/inline/"

// Tags kefu puts on tickets opened by mail that need a second look.
const (
	TagNeedsHuman = "needs-human" // the mail could not be read: a person must open the original
	TagAutoReply  = "auto-reply"
	TagBulk       = "bulk"
	TagBounce     = "bounce"
)

// Outcome is what became of a mail.
type Outcome string

// Outcomes of Ingest.
const (
	Created   Outcome = "created"   // a new ticket
	Added     Outcome = "added"     // a message on an existing ticket (or its follow-up)
	Duplicate Outcome = "duplicate" // its Message-ID is already stored: nothing new
	Own       Outcome = "own"       // kefu's own mail came back: ignored
	Bounced   Outcome = "bounced"   // a bounce of kefu's mail: the reply is marked failed
	Flagged   Outcome = "flagged"   // unreadable: a ticket flagged for a human, with the raw mail
)

// Result says what Ingest did.
type Result struct {
	Outcome   Outcome
	TicketID  int64
	MessageID int64
	Class     Class
}

// Ingester turns raw mails into tickets and messages through the ticket
// use cases, acting for the customer (a nil actor).
type Ingester struct {
	st      *store.Store
	tickets *ticket.Service
	log     *slog.Logger
	// AckLimit caps the acknowledgements one address gets per AckWindow,
	// so two robots can never keep each other busy.
	AckLimit  int
	AckWindow time.Duration
}

// NewIngester returns an Ingester on st.
func NewIngester(st *store.Store, tickets *ticket.Service, log *slog.Logger) *Ingester {
	return &Ingester{st: st, tickets: tickets, log: log, AckLimit: 3, AckWindow: 24 * time.Hour}
}

// Ingest stores one raw mail received by channel ch. commit runs in the
// same transaction as the ticket change (the IMAP fetcher saves its
// position there) and also when the mail changes nothing (a duplicate, a
// loop), so a mail is passed only once its effect is committed. Only an
// error of the database (or of commit) is returned: a mail kefu cannot read
// still becomes a ticket.
func (in *Ingester) Ingest(ctx context.Context, ch *kefu.EmailChannel, raw []byte, commit func(ctx context.Context) error) (Result, error) {
	if commit == nil {
		commit = func(context.Context) error { return nil }
	}
	onlyCommit := func(r Result) (Result, error) {
		return r, in.st.WithTx(ctx, commit)
	}
	m := safeParse(raw)
	msgID := ""
	if m != nil {
		msgID = m.MessageID
	}
	if msgID == "" || len(msgID) > 900 {
		// Without a usable Message-ID the bytes identify the mail: a second
		// fetch of the same mail is still recognised.
		sum := sha256.Sum256(raw)
		msgID = "sha256." + hex.EncodeToString(sum[:16]) + "@kefu.invalid"
	}
	if m != nil && in.isOwn(ctx, ch, m, msgID) {
		in.log.Info("email: kefu's own mail came back; ignored", "channel", ch.Address, "message_id", msgID)
		return onlyCommit(Result{Outcome: Own})
	}
	if old, err := in.st.MessageByExternalID(ctx, msgID); err == nil {
		return onlyCommit(Result{Outcome: Duplicate, TicketID: old.TicketID, MessageID: old.ID})
	} else if !errors.Is(err, kefu.ErrNotFound) {
		return Result{}, err
	}
	var class Class
	if m != nil {
		class = Classify(m)
		if class.Kind == KindBounce {
			if r, ok, err := in.bounce(ctx, m, commit); ok || err != nil {
				r.Class = class
				return r, err
			}
		}
	}
	rawSum, _, err := in.st.PutBlob(ctx, raw)
	if err != nil {
		return Result{}, err
	}
	readable := m != nil && m.Structured && m.From.Email != ""
	var nm ticket.NewMessage
	var tags []string
	subject := ""
	from := customer.Ref{}
	replyTo := ""
	if readable {
		nm, err = in.message(ctx, m)
		if err != nil {
			return Result{}, err
		}
		subject = CleanSubject(m.Subject)
		from = customer.Ref{Email: m.From.Email, Name: m.From.Name}
		replyTo = m.From.Email
		if len(m.ReplyTo) > 0 && m.ReplyTo[0].Email != "" {
			replyTo = m.ReplyTo[0].Email
		}
		switch class.Kind {
		case KindAutoReply:
			tags = append(tags, TagAutoReply)
		case KindBulk:
			tags = append(tags, TagBulk)
		case KindBounce:
			tags = append(tags, TagBounce)
		}
	} else {
		nm, from, subject = unreadable(m, raw)
		replyTo = from.Email
		tags = append(tags, TagNeedsHuman)
	}
	nm.Kind = kefu.MessageCustomer
	nm.ExternalID = msgID
	nm.RawSHA256 = rawSum
	if _, err := kefu.NormalizeIdentity(kefu.IdentityEmail, from.Email); err != nil {
		from.Email = "unknown-sender@kefu.invalid"
		tags = appendOnce(tags, TagNeedsHuman)
	}
	if _, err := kefu.NormalizeIdentity(kefu.IdentityEmail, replyTo); err != nil {
		replyTo = from.Email
	}

	subject = truncate(subject, ticket.MaxSubject-1)
	from.Name = truncate(from.Name, 199)

	var res Result
	res.Class = class
	write := func(ctx context.Context) error {
		t, err := in.findTicket(ctx, m, from.Email)
		if err != nil {
			return err
		}
		if t != nil {
			msg, landed, err := in.tickets.AddMessage(ctx, nil, t.ID, nm)
			if err != nil {
				return err
			}
			res = Result{Outcome: Added, TicketID: landed.ID, MessageID: msg.ID, Class: class}
		} else {
			if subject == "" {
				subject = "(无主题 / no subject)"
			}
			priority := kefu.PriorityNormal
			if class.Automatic() {
				priority = kefu.PriorityLow
			}
			nt, msg, err := in.tickets.Create(ctx, nil, ticket.NewTicket{Subject: subject, Channel: kefu.ChannelEmail,
				TeamID: ch.TeamID, Priority: priority, Tags: tags, Customer: from, Message: nm})
			if err != nil {
				return err
			}
			res = Result{Outcome: Created, TicketID: nt.ID, MessageID: msg.ID, Class: class}
			if !readable || from.Email == "unknown-sender@kefu.invalid" {
				res.Outcome = Flagged
			}
			if ch.AckEnabled && readable && !class.Automatic() {
				if err := in.acknowledge(ctx, ch, nt, msgID, subject, replyTo, from.Name); err != nil {
					return err
				}
			}
		}
		if err := in.st.LinkEmailTicket(ctx, res.TicketID, ch.ID, replyTo); err != nil {
			return err
		}
		return commit(ctx)
	}
	err = in.st.WithTx(ctx, write)
	if errors.Is(err, kefu.ErrInvalid) && readable {
		// The ticket use cases refused what the mail says (a bug of ours, or
		// a limit): the mail still reaches a person, flagged, with its original.
		in.log.Warn("email: mail refused by the ticket rules; storing it for a human", "message_id", msgID, "err", err)
		nm2, from2, subject2 := unreadable(m, raw)
		nm2.Body += "\n\n(" + err.Error() + ")"
		nm2.Kind, nm2.ExternalID, nm2.RawSHA256 = kefu.MessageCustomer, msgID, rawSum
		if _, e := kefu.NormalizeIdentity(kefu.IdentityEmail, from2.Email); e != nil {
			from2.Email = "unknown-sender@kefu.invalid"
		}
		from2.Name = truncate(from2.Name, 199)
		nm, from, subject, tags, readable = nm2, from2, truncate(subject2, ticket.MaxSubject-1), []string{TagNeedsHuman}, false
		err = in.st.WithTx(ctx, write)
	}
	var ce *kefu.ConflictError
	if errors.As(err, &ce) && ce.Field == "external_id" {
		// Stored meanwhile by another fetch of the same mail (another node,
		// the SMTP listener and IMAP together).
		return onlyCommit(Result{Outcome: Duplicate, Class: class})
	}
	if err != nil {
		return Result{}, fmt.Errorf("ingest mail %s into channel %s: %w", msgID, ch.Address, err)
	}
	return res, nil
}

// safeParse parses raw, turning a parser panic (a bug) into "unreadable"
// so the mail still reaches a person.
func safeParse(raw []byte) (m *Mail) {
	defer func() {
		if recover() != nil {
			m = nil
		}
	}()
	return Parse(raw)
}

// isOwn recognises mail kefu sent: a Message-ID it made and stored, or mail
// from the channel's own address carrying kefu's ticket header.
func (in *Ingester) isOwn(ctx context.Context, ch *kefu.EmailChannel, m *Mail, msgID string) bool {
	if IsKefuMessageID(msgID) {
		if _, err := in.st.EmailOutboundByHeaderID(ctx, msgID); err == nil {
			return true
		}
	}
	return strings.EqualFold(m.From.Email, ch.Address) && m.Header.Has("X-Kefu-Ticket")
}

// bounce marks the reply a bounce reports as failed, with the remote
// server's words. ok is false when the bounce is about no mail kefu sent.
func (in *Ingester) bounce(ctx context.Context, m *Mail, commit func(context.Context) error) (Result, bool, error) {
	var out *store.EmailOutbound
	for _, id := range ThreadIDs(m) {
		if o, err := in.st.EmailOutboundByHeaderID(ctx, id); err == nil {
			out = o
			break
		}
	}
	if out == nil {
		return Result{}, false, nil
	}
	reason := bounceReason(m)
	err := in.st.WithTx(ctx, func(ctx context.Context) error {
		if err := in.st.FinishEmail(ctx, out.ID, kefu.DeliveryFailed, reason, time.Now()); err != nil {
			return err
		}
		if out.MessageID != nil {
			if err := in.st.SetMessageDelivery(ctx, *out.MessageID, kefu.DeliveryFailed, reason); err != nil {
				return err
			}
			if err := in.st.AddEvent(ctx, &kefu.Event{Type: kefu.EventMessageDelivery, TicketID: &out.TicketID},
				map[string]any{"message_id": *out.MessageID, "delivery_status": kefu.DeliveryFailed, "delivery_error": reason}); err != nil {
				return err
			}
		}
		return commit(ctx)
	})
	var mid int64
	if out.MessageID != nil {
		mid = *out.MessageID
	}
	return Result{Outcome: Bounced, TicketID: out.TicketID, MessageID: mid}, true, err
}

var diagLine = regexp.MustCompile(`(?m)^.*\b[45]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b.*$`)

// bounceReason is the remote server's reason for a bounce: the DSN's
// diagnostic, else the first line of the text that reads like an SMTP error.
func bounceReason(m *Mail) string {
	if m.Report != nil && m.Report.Diagnostic != "" {
		return m.Report.Diagnostic
	}
	if l := diagLine.FindString(m.Text); l != "" {
		return strings.TrimSpace(l)
	}
	if m.Report != nil && m.Report.Status != "" {
		return "status " + m.Report.Status
	}
	return truncate(strings.TrimSpace(m.Subject+": "+m.Text), 300)
}

// findTicket finds the ticket a mail continues: by its thread's
// Message-IDs, else by the subject token when the sender is that ticket's
// customer (a token alone must not let anyone write into any ticket).
func (in *Ingester) findTicket(ctx context.Context, m *Mail, sender string) (*kefu.Ticket, error) {
	if m == nil {
		return nil, nil
	}
	id, err := in.st.TicketByMailIDs(ctx, ThreadIDs(m))
	if err == nil {
		return in.st.Ticket(ctx, id)
	}
	if !errors.Is(err, kefu.ErrNotFound) {
		return nil, err
	}
	n, ok := TicketNumber(m.Subject)
	if !ok {
		return nil, nil
	}
	t, err := in.st.TicketByNumber(ctx, n)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	email, err := kefu.NormalizeIdentity(kefu.IdentityEmail, sender)
	if err != nil {
		return nil, nil
	}
	c, err := in.st.CustomerByIdentity(ctx, kefu.IdentityEmail, email)
	if err != nil || c.ID != t.CustomerID {
		return nil, nil
	}
	return t, nil
}

// message builds the ticket message of a readable mail: its text with the
// fold point, its HTML with inline images pointing at kefu, its attachments.
func (in *Ingester) message(ctx context.Context, m *Mail) (ticket.NewMessage, error) {
	text := m.Text
	quote := m.QuoteAt
	trimmed := strings.TrimLeft(text, " \t\n")
	quote -= len(text) - len(trimmed)
	text = strings.TrimSpace(trimmed)
	if quote <= 0 || quote >= len(text) {
		quote = 0
	}
	var notes []string
	var ups []ticket.Upload
	htmlBody := m.HTML
	for _, p := range m.Parts {
		if len(p.Data) == 0 {
			continue
		}
		if len(p.Data) > ticket.MaxAttachment {
			notes = append(notes, fmt.Sprintf("[附件 %s 过大（%.1f MB），保存在原始邮件中 / attachment %s is too large (%.1f MB); it is kept in the original mail]",
				p.Filename, float64(len(p.Data))/(1<<20), p.Filename, float64(len(p.Data))/(1<<20)))
			continue
		}
		if p.ContentID != "" && htmlBody != "" {
			sum := sha256.Sum256(p.Data)
			url := InlinePath + hex.EncodeToString(sum[:])
			htmlBody = strings.ReplaceAll(htmlBody, "cid:"+p.ContentID, url)
			htmlBody = strings.ReplaceAll(htmlBody, "CID:"+p.ContentID, url)
		}
		ups = append(ups, ticket.Upload{Filename: p.Filename, Data: p.Data})
	}
	if len(notes) > 0 {
		extra := strings.Join(notes, "\n")
		if text == "" {
			text = extra
		} else if quote > 0 {
			text = text[:quote] + extra + "\n\n" + text[quote:]
			quote += len(extra) + 2
		} else {
			text += "\n\n" + extra
		}
	}
	if text == "" && len(ups) == 0 {
		text = "(空邮件 / empty mail)"
		if s := CleanSubject(m.Subject); s != "" {
			text = s
		}
	}
	if r := []rune(text); len(r) > ticket.MaxBody {
		text = string(r[:ticket.MaxBody-80]) + "\n\n[邮件过长，全文见原始邮件 / the mail is longer; the whole of it is in the original]"
		if quote >= len(text) {
			quote = 0
		}
	}
	return ticket.NewMessage{Body: text, HTML: htmlBody, Attachments: ups, QuoteAt: quote}, nil
}

// unreadable builds the message of a mail kefu could not read: an
// explanation, whatever text there was, and the raw mail attached.
func unreadable(m *Mail, raw []byte) (ticket.NewMessage, customer.Ref, string) {
	var b strings.Builder
	b.WriteString("kefu 无法完整解析这封邮件，原始邮件见附件 original.eml，请人工查看。\nkefu could not read this mail completely; the original is attached as original.eml for a person to check.\n")
	from := customer.Ref{}
	subject := "(无法解析的邮件 / unreadable mail)"
	if m != nil {
		for _, p := range m.Problems {
			b.WriteString("\n- " + p)
		}
		if t := strings.TrimSpace(m.Text); t != "" {
			if r := []rune(t); len(r) > 20000 {
				t = string(r[:20000]) + "…"
			}
			b.WriteString("\n\n" + t)
		}
		if m.Subject != "" {
			subject = CleanSubject(m.Subject)
		}
		from = customer.Ref{Email: m.From.Email, Name: m.From.Name}
	}
	if from.Email == "" {
		if a := bareAddr.Find(raw); a != nil {
			from.Email = strings.ToLower(string(a))
		}
	}
	nm := ticket.NewMessage{Body: b.String()}
	if len(raw) > 0 && len(raw) <= ticket.MaxAttachment {
		nm.Attachments = []ticket.Upload{{Filename: "original.eml", Data: raw}}
	}
	return nm, from, subject
}

func appendOnce(tags []string, t string) []string {
	for _, x := range tags {
		if x == t {
			return tags
		}
	}
	return append(tags, t)
}

// acknowledge queues the bilingual acknowledgement of a new ticket, unless
// the address already had AckLimit of them within AckWindow.
func (in *Ingester) acknowledge(ctx context.Context, ch *kefu.EmailChannel, t *kefu.Ticket, inReplyTo, subject, to, name string) error {
	n, err := in.st.CountEmailsTo(ctx, to, "ack", time.Now().Add(-in.AckWindow))
	if err != nil {
		return err
	}
	if n >= in.AckLimit {
		in.log.Info("email: acknowledgement skipped: rate limit for this sender", "to", to, "ticket", t.Number)
		return nil
	}
	hours := ch.AckHours
	if hours <= 0 {
		hours = 24
	}
	shop := ch.DisplayName
	if shop == "" {
		shop = ch.Address
	}
	text := fmt.Sprintf("您好，\n\n我们已收到您的邮件，工单号为 #%d。我们会在 %d 小时内回复您。如需补充信息，直接回复本邮件即可，请保留标题中的 %s。\n\n"+
		"Hello,\n\nWe have received your mail; your ticket number is #%d. We will answer within %d hours. To add anything, simply reply to this mail and keep %s in the subject.\n\n— %s",
		t.Number, hours, SubjectToken(t.Number), t.Number, hours, SubjectToken(t.Number), shop)
	o := &Outgoing{
		From:         Address{Name: shop, Email: ch.Address},
		To:           []Address{{Name: name, Email: to}},
		Subject:      ReplySubject(subject, t.Number),
		MessageID:    NewMessageID(ch.Address),
		InReplyTo:    inReplyTo,
		References:   []string{inReplyTo},
		Text:         text,
		Automatic:    true,
		TicketNumber: t.Number,
	}
	return in.st.EnqueueEmail(ctx, &store.EmailOutbound{ChannelID: ch.ID, TicketID: t.ID, HeaderID: o.MessageID, Kind: "ack",
		Recipient: to, Raw: o.Compose()})
}
