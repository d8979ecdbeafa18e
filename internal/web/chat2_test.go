package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// TestChatSettingsTranscripts: admins see on the live chat settings page
// how the latest transcripts fared and why one waits, and choose the email
// channel transcripts go from; agents see neither; strangers are sent to
// sign in.
func TestChatSettingsTranscripts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		customers := customer.New(st)
		chats := chat.New(st, ticket.New(st, customers), customers, realtime.NewLocal(), slog.New(slog.NewTextHandler(io.Discard, nil)))
		ch, err := chats.EnsureDemoChannel(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v := &chat.Visitor{Channel: ch, VisitorID: "settings-visitor-00001", Language: "zh-CN", Profile: chat.Profile{Name: "王", Email: "wang@example.com"}}
		_, conv, err := chats.Send(ctx, v, chat.Incoming{CID: "m1", Body: "你好"})
		if err != nil {
			t.Fatal(err)
		}
		if err := chats.Transcript(ctx, conv.ID, "wang@example.com", "zh-CN"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.HoldChatTranscripts(ctx, "no_channel"); err != nil {
			t.Fatal(err)
		}
		if _, err := email.EnsureDemoChannel(ctx, st); err != nil {
			t.Fatal(err)
		}
		mailboxes, err := st.EmailChannels(ctx)
		if err != nil || len(mailboxes) == 0 {
			t.Fatalf("the demo has no email channel: %v", err)
		}

		admin := newBrowser(t, base)
		admin.signIn("admin@demo.test", "demo")
		code, body, _ := admin.get("/settings/chat")
		if code != http.StatusOK {
			t.Fatalf("admin: %d", code)
		}
		for _, want := range []string{`data-state="held"`, "wang@example.com", `name="email_channel_id"`} {
			if !strings.Contains(body, want) {
				t.Errorf("admin's page lacks %q", want)
			}
		}
		if !strings.Contains(body, "没有可发信的邮件渠道") && !strings.Contains(body, "No email channel can send mail") {
			t.Error("admin's page does not say why the transcript waits")
		}
		code, _, _ = admin.post("/settings/chat", url.Values{"csrf": {admin.csrf}, "id": {itoa(ch.ID)}, "name": {ch.Name}, "color": {ch.Color},
			"max_chats": {"4"}, "max_upload_mb": {"10"}, "rate_per_min": {"30"}, "time_zone": {"Asia/Shanghai"}, "email_channel_id": {itoa(mailboxes[0].ID)}})
		if code != http.StatusSeeOther {
			t.Fatalf("save channel: %d", code)
		}
		got, err := st.ChatChannel(ctx, ch.ID)
		if err != nil || got.EmailChannelID == nil || *got.EmailChannelID != mailboxes[0].ID {
			t.Errorf("email channel of the chat channel: %+v %v", got, err)
		}

		agent := newBrowser(t, base)
		agent.signIn("agent@demo.test", "demo")
		code, body, _ = agent.get("/settings/chat")
		if code != http.StatusOK || strings.Contains(body, "wang@example.com") || strings.Contains(body, `name="email_channel_id"`) {
			t.Errorf("agent: %d, sees transcripts or the channel form", code)
		}
		if code, _, _ := newBrowser(t, base).get("/settings/chat"); code != http.StatusSeeOther {
			t.Errorf("stranger: %d", code)
		}
	})
}
