package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
)

// live streams Server-Sent Events for one topic: "inbox", or "ticket.<id>"
// for a ticket the user may see. The browser turns them into htmx triggers
// that refetch the part of the page that changed.
func (w *Web) live(rw http.ResponseWriter, r *http.Request, v *view) {
	topics := r.URL.Query()["topic"]
	if len(topics) == 0 || len(topics) > 4 {
		w.fail(rw, r, v, kefu.NotFound("topic"))
		return
	}
	for _, topic := range topics {
		if err := w.mayListen(r.Context(), v.User, topic); err != nil {
			w.fail(rw, r, v, err)
			return
		}
	}
	msgs := make(chan realtime.Message, 256)
	for _, topic := range topics {
		ch, cancel := w.hub.Subscribe(topic)
		defer cancel()
		go func() {
			for {
				select {
				case m := <-ch:
					select {
					case msgs <- m:
					default: // a slow browser loses news, not the server; it refetches
					}
				case <-r.Context().Done():
					return
				}
			}
		}()
	}
	// Subscribed before the stream opens: the browser announces its presence
	// on "open", and the answers of colleagues already on the ticket must
	// not slip past before this node listens.
	// The response controller reaches the Flusher through middleware wrappers.
	fl := http.NewResponseController(rw)
	h := rw.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	rw.WriteHeader(http.StatusOK)
	fmt.Fprintf(rw, "retry: 2000\n\n")
	_ = fl.Flush()
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ping.C:
			fmt.Fprintf(rw, ": ping\n\n")
		case m := <-msgs:
			if m.Type == "presence" && m.UserID == v.User.ID {
				continue
			}
			b, _ := json.Marshal(m)
			fmt.Fprintf(rw, "event: %s\ndata: %s\n\n", eventName(m.Type), b)
		}
		if err := fl.Flush(); err != nil {
			return
		}
	}
}

// mayListen checks a live topic: "inbox" and "chats" for any user, "user.<id>"
// for that user alone, "ticket.<id>" for a ticket the user may see.
func (w *Web) mayListen(ctx context.Context, u *kefu.User, topic string) error {
	switch {
	case topic == "inbox" || topic == "chats":
		return nil
	case topic == fmt.Sprintf("user.%d", u.ID):
		return nil
	case strings.HasPrefix(topic, "ticket."):
		id, err := strconv.ParseInt(strings.TrimPrefix(topic, "ticket."), 10, 64)
		if err != nil {
			return kefu.NotFound("topic")
		}
		_, err = w.tickets.Get(ctx, u, id)
		return err
	}
	return kefu.NotFound("topic")
}

func eventName(t string) string {
	switch {
	case t == "presence":
		return "presence"
	case strings.HasPrefix(t, "chat."):
		return "chat"
	case t == kefu.EventMessageAdded || t == kefu.EventTicketMerged:
		return "messages"
	}
	return "ticket"
}

// Relay is the outbox consumer that turns committed events into live
// updates for browsers: one on the ticket's topic and one on the inbox.
// Old events (a node catching up after downtime) are not replayed.
func Relay(hub realtime.Hub) func(ctx context.Context, es []*kefu.Event) error {
	return func(ctx context.Context, es []*kefu.Event) error {
		for _, e := range es {
			if e.TicketID == nil || time.Since(e.CreatedAt) > time.Minute {
				continue
			}
			m := realtime.Message{Type: e.Type, TicketID: *e.TicketID}
			if e.ActorUserID != nil {
				m.UserID = *e.ActorUserID
			}
			m.Topic = fmt.Sprintf("ticket.%d", *e.TicketID)
			_ = hub.Publish(ctx, m)
			m.Topic = "inbox"
			_ = hub.Publish(ctx, m)
		}
		return nil
	}
}
