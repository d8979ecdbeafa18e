package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// chatStrip is what the ticket page shows above a chat ticket's conversation.
type chatStrip struct {
	Conv        *kefu.Conversation
	Current     bool   // this ticket is the visitor's current chat
	Agent       string // who has the chat
	Mine        bool
	Rating      *kefu.ChatRating
	LastAgent   int64 // seq of the last agent message
	ReadByGuest bool  // the visitor read it
	Email       string
	TicketID    int64
	CSRF        string
}

func (w *Web) chatStrip(ctx context.Context, v *view, t *kefu.Ticket, cust *kefu.Customer) (*chatStrip, error) {
	if t.Channel != kefu.ChannelChat {
		return nil, nil
	}
	conv, err := w.chat.ForTicket(ctx, t.ID)
	if errors.Is(err, kefu.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cs := &chatStrip{TicketID: t.ID, CSRF: v.CSRF, Conv: conv, Current: conv.TicketID != nil && *conv.TicketID == t.ID, Email: cust.Email()}
	if conv.AgentID != nil {
		cs.Mine = *conv.AgentID == v.User.ID
		if u, err := w.st.User(ctx, *conv.AgentID); err == nil {
			cs.Agent = u.Name
		}
	}
	if r, err := w.st.ChatRating(ctx, t.ID); err == nil {
		cs.Rating = r
	}
	es, err := w.st.ChatEntries(ctx, conv.ID, max(0, conv.LastSeq-100), 100)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.From == kefu.FromAgent {
			cs.LastAgent = e.Seq
		}
	}
	cs.ReadByGuest = cs.LastAgent > 0 && conv.VisitorRead >= cs.LastAgent
	return cs, nil
}

func (w *Web) chatAction(rw http.ResponseWriter, r *http.Request, v *view, act func(ctx context.Context, id int64) error) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if err := act(r.Context(), id); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if r.Header.Get("HX-Request") == "true" {
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/tickets/%d", id), http.StatusSeeOther)
}

func (w *Web) chatAccept(rw http.ResponseWriter, r *http.Request, v *view) {
	w.chatAction(rw, r, v, func(ctx context.Context, id int64) error {
		if _, err := w.tickets.Get(ctx, v.User, id); err != nil {
			return err
		}
		_, err := w.chat.Accept(ctx, v.User, id)
		return err
	})
}

func (w *Web) chatEnd(rw http.ResponseWriter, r *http.Request, v *view) {
	w.chatAction(rw, r, v, func(ctx context.Context, id int64) error {
		if _, err := w.tickets.Get(ctx, v.User, id); err != nil {
			return err
		}
		_, err := w.chat.End(ctx, v.User, id)
		return err
	})
}

func (w *Web) chatTranscript(rw http.ResponseWriter, r *http.Request, v *view) {
	w.chatAction(rw, r, v, func(ctx context.Context, id int64) error {
		t, err := w.tickets.Get(ctx, v.User, id)
		if err != nil {
			return err
		}
		if err := auth.Can(v.User, auth.ReplyToCustomer); err != nil {
			return err
		}
		conv, err := w.chat.ForTicket(ctx, id)
		if err != nil {
			return err
		}
		cust, err := w.st.Customer(ctx, t.CustomerID)
		if err != nil {
			return err
		}
		if cust.Email() == "" {
			return kefu.Invalid("email", "the customer has no email address")
		}
		return w.chat.Transcript(ctx, conv.ID, cust.Email(), cust.Language)
	})
}

// chatSeen records how far the agent's page has shown the conversation.
func (w *Web) chatSeen(rw http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if _, err := w.tickets.Get(r.Context(), v.User, id); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	seq, _ := strconv.ParseInt(r.FormValue("seq"), 10, 64)
	if err := w.chat.Seen(r.Context(), v.User, id, seq, r.FormValue("read") == "1"); err != nil && !errors.Is(err, kefu.ErrNotFound) {
		w.fail(rw, r, v, err)
		return
	}
	rw.WriteHeader(http.StatusNoContent)
}

// chatStatus sets the agent's chat presence (online, away, offline).
func (w *Web) chatStatus(rw http.ResponseWriter, r *http.Request, v *view) {
	if err := auth.Can(v.User, auth.ReplyToCustomer); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if err := w.chat.SetStatus(r.Context(), v.User, kefu.AgentStatus(r.FormValue("status"))); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	if r.Header.Get("HX-Request") == "true" {
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	back := r.FormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(rw, r, back, http.StatusSeeOther)
}

// chatHeartbeat says the agent's workspace is still open.
func (w *Web) chatHeartbeat(rw http.ResponseWriter, r *http.Request, v *view) {
	if err := w.chat.Heartbeat(r.Context(), v.User); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	rw.WriteHeader(http.StatusNoContent)
}

type chatRow struct {
	C        *kefu.Conversation
	T        *kefu.Ticket
	Customer string
	Agent    string
	Waited   time.Duration
}

// chatLists gathers the chats waiting in the queue and the user's own.
func (w *Web) chatLists(ctx context.Context, u *kefu.User) (waiting, mine []chatRow, err error) {
	load := func(f store.ConversationFilter) ([]chatRow, error) {
		cs, err := w.st.Conversations(ctx, f)
		if err != nil {
			return nil, err
		}
		var rows []chatRow
		for _, c := range cs {
			if c.TicketID == nil {
				continue
			}
			t, err := w.tickets.Get(ctx, u, *c.TicketID)
			if err != nil {
				continue // not visible to this user
			}
			row := chatRow{C: c, T: t, Waited: time.Since(c.StateChangedAt)}
			if n, err := w.st.CustomerNames(ctx, []int64{t.CustomerID}); err == nil {
				row.Customer = n[t.CustomerID]
			}
			if c.AgentID != nil {
				if a, err := w.st.User(ctx, *c.AgentID); err == nil {
					row.Agent = a.Name
				}
			}
			rows = append(rows, row)
		}
		return rows, nil
	}
	if waiting, err = load(store.ConversationFilter{States: []kefu.ChatState{kefu.ChatWaiting}, Limit: 50}); err != nil {
		return nil, nil, err
	}
	mine, err = load(store.ConversationFilter{States: []kefu.ChatState{kefu.ChatActive}, AgentID: u.ID, Limit: 50})
	return waiting, mine, err
}

// chatPanel re-renders the inbox's live chat panel.
func (w *Web) chatPanel(rw http.ResponseWriter, r *http.Request, v *view) {
	waiting, mine, err := w.chatLists(r.Context(), v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	v.Data = map[string]any{"Waiting": waiting, "MyChats": mine, "CanReply": auth.Can(v.User, auth.ReplyToCustomer) == nil}
	w.render(rw, r, http.StatusOK, "inbox", "chats", *v)
}

// chatSettings shows the chat channels (with their embed code) and agents' limits.
func (w *Web) chatSettings(rw http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	chs, err := w.chat.Channels(ctx)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	agents, err := w.st.ChatAgents(ctx)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	byUser := map[int64]*kefu.ChatAgent{}
	for _, a := range agents {
		byUser[a.UserID] = a
	}
	users, teams, _, err := w.directory(ctx, v.User)
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	type agentRow struct {
		U *kefu.User
		A *kefu.ChatAgent
	}
	var rows []agentRow
	for _, u := range users {
		if auth.Can(u, auth.ReplyToCustomer) != nil {
			continue
		}
		a := byUser[u.ID]
		if a == nil {
			a = &kefu.ChatAgent{UserID: u.ID, Status: kefu.AgentOffline}
		}
		if time.Since(a.SeenAt) > 90*time.Second {
			a.Status = kefu.AgentOffline
		}
		rows = append(rows, agentRow{u, a})
	}
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	canEdit := auth.Can(v.User, auth.ManageUsers) == nil
	v.Page, v.Data = "chat", map[string]any{"Channels": chs, "Agents": rows, "Teams": teams, "Base": scheme + "://" + r.Host,
		"CanEdit": canEdit, "Flash": r.URL.Query().Get("saved")}
	if canEdit {
		// Admins choose the mailbox transcripts go from, and see how the
		// latest transcripts fared (and why one waits).
		mailboxes, err := w.st.EmailChannels(ctx)
		if err != nil {
			w.fail(rw, r, v, err)
			return
		}
		transcripts, err := w.st.RecentChatTranscripts(ctx, 20)
		if err != nil {
			w.fail(rw, r, v, err)
			return
		}
		v.Data.(map[string]any)["Mailboxes"] = mailboxes
		v.Data.(map[string]any)["Transcripts"] = transcripts
	}
	w.render(rw, r, http.StatusOK, "chat", "", *v)
}

// saveChatChannel creates or updates a channel from the settings form.
func (w *Web) saveChatChannel(rw http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	c := &kefu.ChatChannel{}
	if id := optID(r.FormValue("id")); id != nil {
		old, err := w.st.ChatChannel(ctx, *id)
		if err != nil {
			w.fail(rw, r, v, err)
			return
		}
		c = old
	}
	c.Name = r.FormValue("name")
	c.Origins = nil
	for _, o := range strings.FieldsFunc(r.FormValue("origins"), func(r rune) bool { return r == '\n' || r == ',' || r == ' ' || r == '\r' }) {
		c.Origins = append(c.Origins, strings.TrimSpace(o))
	}
	c.PreChat = r.FormValue("prechat") == "1"
	c.AutoAssign = r.FormValue("auto_assign") == "1"
	c.Color = r.FormValue("color")
	c.Language = r.FormValue("language")
	c.Hours = r.FormValue("hours")
	c.TimeZone = r.FormValue("time_zone")
	c.TeamID = optID(r.FormValue("team_id"))
	c.EmailChannelID = optID(r.FormValue("email_channel_id"))
	c.MaxChats, _ = strconv.Atoi(r.FormValue("max_chats"))
	c.MaxUploadMB, _ = strconv.Atoi(r.FormValue("max_upload_mb"))
	c.RatePerMin, _ = strconv.Atoi(r.FormValue("rate_per_min"))
	var err error
	if c.ID == 0 {
		err = w.chat.CreateChannel(ctx, v.User, c)
	} else {
		err = w.chat.UpdateChannel(ctx, v.User, c)
	}
	if err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/settings/chat?saved=1", http.StatusSeeOther)
}

// saveChatAgent sets an agent's concurrent chat limit (admins and supervisors).
func (w *Web) saveChatAgent(rw http.ResponseWriter, r *http.Request, v *view) {
	if err := auth.Can(v.User, auth.ManageCategories); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	id := optID(r.FormValue("user_id"))
	n, err := strconv.Atoi(r.FormValue("max_chats"))
	if id == nil || err != nil || n < 0 || n > 50 {
		w.fail(rw, r, v, kefu.Invalid("max_chats", "must be 0 (the channel's default) to 50"))
		return
	}
	if err := w.st.SetAgentMaxChats(r.Context(), *id, n); err != nil {
		w.fail(rw, r, v, err)
		return
	}
	http.Redirect(rw, r, "/settings/chat?saved=1", http.StatusSeeOther)
}

// myChatStatus is the agent's presence shown in the header.
func (w *Web) myChatStatus(ctx context.Context, u *kefu.User) kefu.AgentStatus {
	a, err := w.st.ChatAgent(ctx, u.ID)
	if err != nil {
		return kefu.AgentOffline
	}
	return a.Status
}
