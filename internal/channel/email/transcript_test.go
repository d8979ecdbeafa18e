package email_test

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// TestChatTranscriptByEmail: a transcript a visitor asks for waits, held
// with a reason admins can read, while no email channel can send; once one
// can, it goes through the sender's queue and a real SMTP conversation, in
// the visitor's language, as text and HTML.
func TestChatTranscriptByEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := e.ctx
		e.ch.Enabled = false
		if err := st.UpdateEmailChannel(ctx, e.ch); err != nil {
			t.Fatal(err)
		}
		customers := customer.New(st)
		chats := chat.New(st, ticket.New(st, customers), customers, realtime.NewLocal(), quietLog())
		ch, err := chats.EnsureDemoChannel(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v := &chat.Visitor{Channel: ch, VisitorID: "transcript-visitor-0001", Language: "en", Profile: chat.Profile{Name: "Ann", Email: "ann@example.com"}}
		_, conv, err := chats.Send(ctx, v, chat.Incoming{CID: "m1", Body: "Where is <my> parcel?"})
		if err != nil {
			t.Fatal(err)
		}
		if err := chats.Transcript(ctx, conv.ID, "ann@example.com", "en"); err != nil {
			t.Fatal(err)
		}

		// No channel can send: held, with the reason.
		if n, err := e.run.Sender.HandTranscripts(ctx); err != nil || n != 0 {
			t.Fatalf("handed %d, %v with no channel that can send", n, err)
		}
		ts, err := st.RecentChatTranscripts(ctx, 10)
		if err != nil || len(ts) != 1 {
			t.Fatalf("transcripts %v %v", ts, err)
		}
		if ts[0].State != store.TranscriptHeld || ts[0].Reason != "no_channel" {
			t.Fatalf("transcript %s %q, want held with a reason", ts[0].State, ts[0].Reason)
		}

		// A channel that can send, through a real SMTP server.
		sink := serveSink(t, e)
		if n, err := e.run.Sender.HandTranscripts(ctx); err != nil || n != 1 {
			t.Fatalf("handed %d, %v", n, err)
		}
		if n, err := e.run.Sender.HandTranscripts(ctx); err != nil || n != 0 {
			t.Fatalf("handed %d again, %v", n, err)
		}
		if _, err := e.run.Sender.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		if len(sink.got) != 1 {
			t.Fatalf("the SMTP server got %d mails", len(sink.got))
		}
		raw := sink.got[0]
		subject := ""
		for _, l := range strings.Split(string(raw), "\r\n") {
			if s, ok := strings.CutPrefix(l, "Subject: "); ok {
				subject, _ = new(mime.WordDecoder).DecodeHeader(s)
			}
		}
		if !strings.HasPrefix(subject, "Your chat transcript") {
			t.Errorf("subject %q", subject)
		}
		for _, want := range []string{"To: <ann@example.com>", "text/plain", "text/html", "Auto-Submitted: auto-replied"} {
			if !bytes.Contains(raw, []byte(want)) {
				t.Errorf("mail lacks %q:\n%s", want, raw)
			}
		}
		body, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"] You: Where is <my> parcel?", "<b>You</b>", "Where is &lt;my&gt; parcel?", "Xinghe Shop support"} {
			if !bytes.Contains(body, []byte(want)) {
				t.Errorf("mail lacks %q:\n%s", want, body)
			}
		}
		ts, err = st.RecentChatTranscripts(ctx, 10)
		if err != nil || len(ts) != 1 {
			t.Fatal(ts, err)
		}
		if ts[0].State != store.TranscriptHanded || ts[0].MailStatus != kefu.DeliverySent || ts[0].SentAt == nil || ts[0].Reason != "" {
			t.Errorf("after sending: %+v", ts[0])
		}
	})
}
