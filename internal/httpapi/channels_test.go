package httpapi_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// TestEmailChannelsAPI: only admins manage email channels; passwords are
// stored but never shown; the connection test reports the server's words;
// and messages carry their email fields.
func TestEmailChannelsAPI(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	body := `{"address":"Support@Shop.test","display_name":"小店","imap_host":"127.0.0.1","imap_port":1,"imap_security":"plain",
		"imap_username":"support","imap_password":"imap-secret","smtp_host":"127.0.0.1","smtp_port":1,"smtp_security":"plain","smtp_password":"smtp-secret"}`
	for _, role := range []string{"agent", "lead", "warehouse"} {
		if r := e.do(role, "POST", "/api/v1/email-channels", body); r.Status != 403 {
			t.Errorf("%s creates a channel: %d", role, r.Status)
		}
		if r := e.do(role, "GET", "/api/v1/email-channels", nil); r.Status != 403 {
			t.Errorf("%s lists channels: %d", role, r.Status)
		}
	}
	r := e.mustStatus(e.do("admin", "POST", "/api/v1/email-channels", body), 201)
	if strings.Contains(string(r.Body), "secret") || r.JSON["address"] != "support@shop.test" || r.JSON["imap_password_set"] != true {
		t.Errorf("created: %s", r.Body)
	}
	id := r.id()
	e.mustStatus(e.do("admin", "POST", "/api/v1/email-channels", body), 409)
	if r := e.do("admin", "POST", "/api/v1/email-channels", `{"address":"x@shop.test","imap_security":"ssl"}`); r.Status != 422 || r.errField() != "imap_security" {
		t.Errorf("bad security: %d %s", r.Status, r.Body)
	}
	// Changing other fields keeps the passwords.
	r = e.mustStatus(e.do("admin", "PATCH", fmt.Sprintf("/api/v1/email-channels/%d", id), `{"ack_enabled":true,"ack_hours":12}`), 200)
	if r.JSON["ack_enabled"] != true || r.JSON["smtp_password_set"] != true || r.JSON["imap_password_set"] != true {
		t.Errorf("patched: %s", r.Body)
	}
	ch, err := e.st.EmailChannel(t.Context(), id)
	if err != nil || ch.IMAPPassword != "imap-secret" || ch.SMTPPassword != "smtp-secret" {
		t.Errorf("stored passwords changed: %+v %v", ch, err)
	}
	// The test reaches nothing on port 1 and says so in the network's words.
	r = e.mustStatus(e.do("admin", "POST", fmt.Sprintf("/api/v1/email-channels/%d/test", id), nil), 200)
	if r.JSON["imap_ok"] != false || !strings.Contains(fmt.Sprint(r.JSON["imap_result"]), "refused") || !strings.Contains(fmt.Sprint(r.JSON["smtp_result"]), "refused") {
		t.Errorf("connection test: %s", r.Body)
	}
	list := e.mustStatus(e.do("admin", "GET", "/api/v1/email-channels", nil), 200)
	if len(list.items()) != 1 {
		t.Errorf("list: %s", list.Body)
	}
	e.mustStatus(e.do("admin", "DELETE", fmt.Sprintf("/api/v1/email-channels/%d", id), nil), 204)
	e.mustStatus(e.do("admin", "GET", fmt.Sprintf("/api/v1/email-channels/%d", id), nil), 404)
	// A message that did not come by mail has no original to download.
	tk := e.newTicket("agent", nil)
	msgs := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/tickets/%d/messages", tk.id()), nil), 200).items()
	m := msgs[0]
	if _, ok := m["delivery_status"]; !ok {
		t.Errorf("message without delivery_status: %v", m)
	}
	e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/messages/%d/raw", int64(m["id"].(float64))), nil), 404)
	e.mustStatus(e.do("agent", "GET", "/api/v1/inline/"+strings.Repeat("ab", 32), nil), 404)
}

// TestMailDownloads serves the original of a mail and its inline image to
// those who may see the ticket, and to no one else.
func TestMailDownloads(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	raw, err := os.ReadFile("../channel/email/testdata/mails/28-related-inline.eml")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := email.EnsureDemoChannel(t.Context(), e.st)
	if err != nil {
		t.Fatal(err)
	}
	in := email.NewIngester(e.st, ticket.New(e.st, customer.New(e.st)), slog.New(slog.NewTextHandler(io.Discard, nil)))
	res, err := in.Ingest(t.Context(), ch, raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := e.mustStatus(e.do("agent", "GET", fmt.Sprintf("/api/v1/messages/%d/raw", res.MessageID), nil), 200)
	if !bytes.Equal(got.Body, raw) || got.Header.Get("Content-Type") != "message/rfc822" {
		t.Errorf("raw download: %q %d bytes", got.Header.Get("Content-Type"), len(got.Body))
	}
	m, err := e.st.Message(t.Context(), res.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	img := e.mustStatus(e.do("agent", "GET", "/api/v1/inline/"+m.Attachments[0].SHA256, nil), 200)
	if img.Header.Get("Content-Type") != "image/png" || !strings.Contains(m.HTML, "/api/v1/inline/"+m.Attachments[0].SHA256) {
		t.Errorf("inline image: %q; html %s", img.Header.Get("Content-Type"), m.HTML)
	}
	// The warehouse was never handed this ticket.
	e.mustStatus(e.do("warehouse", "GET", fmt.Sprintf("/api/v1/messages/%d/raw", res.MessageID), nil), 404)
	e.mustStatus(e.do("warehouse", "GET", "/api/v1/inline/"+m.Attachments[0].SHA256, nil), 404)
}
