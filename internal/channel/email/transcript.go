package email

import (
	"context"
	"errors"
	"fmt"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Why a transcript waits: codes the live chat settings page explains to
// admins in their language.
const (
	reasonNoChannel      = "no_channel"      // no email channel is enabled with an SMTP server
	reasonChannelCannot  = "channel_cannot"  // the chat channel's email channel is disabled or has no SMTP server
	reasonChannelDeleted = "channel_deleted" // the chat channel's email channel was deleted
	reasonNoTicket       = "no_ticket"       // the conversation has no ticket to file the mail under
	transcriptBatch      = 50
	transcriptKind       = "transcript"
)

var errTranscriptTaken = errors.New("transcript handed by another node")

// HandTranscripts turns queued chat transcripts into mail for the sender's
// queue (the same durable queue, with backoff, that agents' replies take),
// each in one transaction with its hand-off, so it is queued once however
// many nodes run. A transcript no email channel can send stays, held with
// the reason, and is tried again on every round until one can.
func (s *Sender) HandTranscripts(ctx context.Context) (int, error) {
	ts, err := s.st.PendingChatTranscripts(ctx, transcriptBatch)
	if err != nil || len(ts) == 0 {
		return 0, err
	}
	chs, err := s.st.EmailChannels(ctx)
	if err != nil {
		return 0, err
	}
	var fallback *kefu.EmailChannel
	byID := map[int64]*kefu.EmailChannel{}
	for _, ch := range chs {
		byID[ch.ID] = ch
		if fallback == nil && canSend(ch) {
			fallback = ch
		}
	}
	handed := 0
	for _, t := range ts {
		ch, reason := fallback, reasonNoChannel
		if t.EmailChannelID != nil {
			ch, reason = byID[*t.EmailChannelID], reasonChannelDeleted
			if ch != nil && !canSend(ch) {
				ch, reason = nil, reasonChannelCannot
			}
		}
		if ch != nil && t.TicketID == nil {
			ch, reason = nil, reasonNoTicket
		}
		if ch == nil {
			if t.State != store.TranscriptHeld || t.Reason != reason {
				if err := s.st.HoldChatTranscript(ctx, t.ID, reason); err != nil {
					return handed, err
				}
			}
			continue
		}
		err := s.st.WithTx(ctx, func(ctx context.Context) error {
			o := transcriptMail(ch, t)
			out := &store.EmailOutbound{ChannelID: ch.ID, TicketID: *t.TicketID, HeaderID: o.MessageID, Kind: transcriptKind, Recipient: t.Email, Raw: o.Compose()}
			if err := s.st.EnqueueEmail(ctx, out); err != nil {
				return err
			}
			ok, err := s.st.HandChatTranscript(ctx, t.ID, out.ID)
			if err == nil && !ok {
				err = errTranscriptTaken
			}
			return err
		})
		if errors.Is(err, errTranscriptTaken) {
			continue
		}
		if err != nil {
			return handed, fmt.Errorf("hand transcript %d to the email sender: %w", t.ID, err)
		}
		handed++
	}
	if handed > 0 {
		s.Wake()
	}
	return handed, nil
}

func canSend(ch *kefu.EmailChannel) bool { return ch.Enabled && ch.SMTPHost != "" }

// transcriptMail is the mail of a transcript: its text and HTML were written
// in the visitor's language when it was asked for.
func transcriptMail(ch *kefu.EmailChannel, t *store.ChatTranscript) *Outgoing {
	return &Outgoing{
		From:      Address{Name: ch.DisplayName, Email: ch.Address},
		To:        []Address{{Email: t.Email}},
		Subject:   t.Subject,
		MessageID: NewMessageID(ch.Address),
		Text:      t.Body,
		HTML:      t.HTML,
		Automatic: true, // no person wrote it: robots should not answer
	}
}
