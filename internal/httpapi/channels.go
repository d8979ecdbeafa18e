package httpapi

import (
	"net/http"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
)

func (a *API) listEmailChannels(r *http.Request, actor *kefu.User) (int, any, error) {
	cs, err := a.emails.List(r.Context(), actor)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page[*kefu.EmailChannel]{Items: cs}, nil
}

func (a *API) createEmailChannel(r *http.Request, actor *kefu.User) (int, any, error) {
	var in emailChannelInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	ch, err := a.emails.Create(r.Context(), actor, in)
	return http.StatusCreated, ch, err
}

func (a *API) getEmailChannel(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	ch, err := a.emails.Get(r.Context(), actor, id)
	return http.StatusOK, ch, err
}

func (a *API) updateEmailChannel(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in emailChannelInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	ch, err := a.emails.Update(r.Context(), actor, id, in)
	return http.StatusOK, ch, err
}

func (a *API) deleteEmailChannel(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, a.emails.Delete(r.Context(), actor, id)
}

func (a *API) testEmailChannel(r *http.Request, actor *kefu.User) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	res, err := a.emails.Test(r.Context(), actor, id)
	return http.StatusOK, res, err
}

// downloadRawMail serves the original .eml of a message that came by mail.
func (a *API) downloadRawMail(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.st.Message(r.Context(), id)
	if err == nil {
		_, err = a.tickets.Get(r.Context(), actor, m.TicketID)
	}
	if err != nil || m.RawSHA256 == "" {
		a.writeError(w, r, kefu.NotFound("original mail"))
		return
	}
	data, err := a.st.Blob(r.Context(), m.RawSHA256)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Content-Disposition", `attachment; filename="message-`+r.PathValue("id")+`.eml"`)
	_, _ = w.Write(data)
}

// serveInline serves an image a mail showed in place (its HTML referred
// to it by cid:), to a reader who may see a ticket that holds it.
func (a *API) serveInline(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	sum := strings.ToLower(r.PathValue("sha256"))
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		a.writeError(w, r, kefu.NotFound("image"))
		return
	}
	tickets, err := a.st.MessageTicketsBySHA(r.Context(), sum)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	visible := false
	for _, id := range tickets {
		if _, err := a.tickets.Get(r.Context(), actor, id); err == nil {
			visible = true
			break
		}
	}
	if !visible {
		a.writeError(w, r, kefu.NotFound("image"))
		return
	}
	data, err := a.st.Blob(r.Context(), sum)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ctype := http.DetectContentType(data)
	if !strings.HasPrefix(ctype, "image/") || strings.Contains(ctype, "svg") {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("ETag", `"`+sum+`"`)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, _ = w.Write(data)
}
