package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/kefu"
)

// UseCases gives the workspace the after-sales cases and the email
// channel use cases. Either may be nil: its pages and panels are then
// absent, so a workspace built without them still starts.
func (w *Web) UseCases(cases *aftersale.Service, channels *email.Channels) {
	w.cases, w.channels = cases, channels
}

// channelsPage lists the email channels with their last fetch and error,
// and the form to add one or edit the one named by ?edit=.
func (w *Web) channelsPage(rw http.ResponseWriter, r *http.Request, v *view) {
	w.showChannels(rw, r, v, http.StatusOK, optID(r.URL.Query().Get("edit")), nil, nil)
}

func (w *Web) showChannels(rw http.ResponseWriter, r *http.Request, v *view, status int, edit *int64, test *email.ConnectionTest, formErr error) {
	if w.channels == nil {
		w.fail(rw, r, v, kefu.NotFound("page"))
		return
	}
	chs, err := w.channels.List(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	d := map[string]any{"Channels": chs, "Securities": []string{kefu.SecurityTLS, kefu.SecuritySTARTTLS, kefu.SecurityPlain},
		"Edit": &kefu.EmailChannel{IMAPPort: 993, IMAPSecurity: kefu.SecurityTLS, SMTPPort: 587, SMTPSecurity: kefu.SecuritySTARTTLS, Enabled: true, AckHours: 24}}
	if edit != nil {
		ch, err := w.channels.Get(r.Context(), v.User, *edit)
		if err != nil {
			w.fail(rw, r, v, err)
			return
		}
		d["Edit"] = ch
	}
	if test != nil {
		d["Test"] = test
	}
	if formErr != nil {
		d["Error"] = formErr.Error()
	}
	v.Page, v.Data = "channels", d
	w.render(rw, r, status, "channels", "", *v)
}

// channelInput reads the channel form. Blank password fields keep the
// stored passwords: they are write-only and never rendered back.
func channelInput(r *http.Request) (email.ChannelInput, error) {
	str := func(name string) *string { s := strings.TrimSpace(r.FormValue(name)); return &s }
	num := func(name string) (*int, error) {
		s := strings.TrimSpace(r.FormValue(name))
		if s == "" {
			return nil, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, kefu.Invalid(name, "must be a number; got %q", s)
		}
		return &n, nil
	}
	yes := func(name string) *bool { b := r.FormValue(name) == "on"; return &b }
	in := email.ChannelInput{Name: str("name"), Address: str("address"), DisplayName: str("display_name"), Enabled: yes("enabled"),
		IMAPHost: str("imap_host"), IMAPSecurity: str("imap_security"), IMAPUsername: str("imap_username"),
		SMTPHost: str("smtp_host"), SMTPSecurity: str("smtp_security"), SMTPUsername: str("smtp_username"), AckEnabled: yes("ack_enabled")}
	if *in.Name == "" {
		in.Name = in.Address
	}
	var err error
	if in.IMAPPort, err = num("imap_port"); err != nil {
		return in, err
	}
	if in.SMTPPort, err = num("smtp_port"); err != nil {
		return in, err
	}
	if in.AckHours, err = num("ack_hours"); err != nil {
		return in, err
	}
	if p := r.FormValue("imap_password"); p != "" {
		in.IMAPPassword = &p
	}
	if p := r.FormValue("smtp_password"); p != "" {
		in.SMTPPassword = &p
	}
	return in, nil
}

// saveChannel creates a channel, or updates the one named by the form's id.
func (w *Web) saveChannel(rw http.ResponseWriter, r *http.Request, v *view) {
	if w.channels == nil {
		w.fail(rw, r, v, kefu.NotFound("page"))
		return
	}
	id := optID(r.FormValue("id"))
	in, err := channelInput(r)
	if err == nil {
		if id == nil {
			_, err = w.channels.Create(r.Context(), v.User, in)
		} else {
			_, err = w.channels.Update(r.Context(), v.User, *id, in)
		}
	}
	var fe *kefu.FieldError
	if errors.As(err, &fe) {
		// Show the form again with the error beside it, not a bare error page.
		w.showChannels(rw, r, v, http.StatusUnprocessableEntity, id, nil, fmt.Errorf("%s: %s", fe.Field, fe.Message))
		return
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/settings/channels", http.StatusSeeOther)
}

// testChannel tries the channel's servers and shows their exact answers.
func (w *Web) testChannel(rw http.ResponseWriter, r *http.Request, v *view) {
	if w.channels == nil {
		w.fail(rw, r, v, kefu.NotFound("page"))
		return
	}
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	res, err := w.channels.Test(r.Context(), v.User, id)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	w.showChannels(rw, r, v, http.StatusOK, &id, res, nil)
}

// rawMail serves the original .eml of a message to a user who may see its
// ticket: the workspace's session counterpart of /api/v1/messages/{id}/raw.
func (w *Web) rawMail(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	m, err := w.st.Message(r.Context(), id)
	if err == nil {
		_, err = w.tickets.Get(r.Context(), v.User, m.TicketID)
	}
	if err != nil || m.RawSHA256 == "" {
		// Not yours and not there look the same.
		w.fail(rw, r, v, kefu.NotFound("original mail"))
		return
	}
	data, err := w.st.Blob(r.Context(), m.RawSHA256)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="message-%d.eml"`, id))
	h.Set("Cache-Control", "private, max-age=86400")
	_, _ = rw.Write(data)
}

// bilingual picks the text of a zh/en pair for lang.
func bilingual(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

// quoteSplit returns the part of a message's text before its quote fold
// point (quoted history or a signature), or the part from it on.
func quoteSplit(m *kefu.Message, quoted bool) string {
	at := m.QuoteAt
	if at <= 0 || at >= len(m.Body) {
		if quoted {
			return ""
		}
		return m.Body
	}
	if quoted {
		return m.Body[at:]
	}
	return m.Body[:at]
}
