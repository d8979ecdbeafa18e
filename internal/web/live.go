package web

import (
	"bytes"
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
	ctx := r.Context()
	msgs := make(chan realtime.Message, liveBuffer)
	dropped := make(chan struct{}, 1)
	for _, topic := range topics {
		sub := w.hub.Watch(topic, liveBuffer)
		defer sub.Close()
		// The forwarder may wait for this stream; the hub never does: it
		// drops for this subscription and says so.
		go func() {
			for {
				select {
				case m := <-sub.C:
					select {
					case msgs <- m:
					case <-ctx.Done():
						return
					}
				case <-sub.Dropped:
					select {
					case dropped <- struct{}{}:
					default:
					}
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	// Subscribed before the stream opens: the browser announces its presence
	// on "open", and the answers of colleagues already on the ticket must
	// not slip past before this node listens.
	// The feed starts from what the database holds now; chat entries the
	// hub delivered above that are older are skipped, later ones missed are
	// repaired from the database. The rest of the news a slow browser may
	// lose, as it refetches.
	feed, err := w.chat.NewFeed(ctx, v.User.ID, topics)
	if err != nil {
		w.fail(rw, r, v, fmt.Errorf("open chat feed: %w", err))
		return
	}
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
	check := time.NewTicker(liveCheck)
	defer check.Stop()
	var buf bytes.Buffer
	for {
		buf.Reset()
		var out []realtime.Message
		var err error
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			buf.WriteString(": ping\n\n")
		case <-dropped:
			out, err = feed.Catch(ctx, true)
		case <-check.C:
			out, err = feed.Catch(ctx, false)
		case m := <-msgs:
			// Take what else is waiting too: one write and one flush for a
			// burst rather than one per message.
			out, err = feed.Pass(ctx, m)
		batch:
			for n := 0; n < liveBatch && err == nil; n++ {
				select {
				case m := <-msgs:
					var more []realtime.Message
					more, err = feed.Pass(ctx, m)
					out = append(out, more...)
				default:
					break batch
				}
			}
		}
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("live: chat feed", "err", err)
			}
			return // the browser reconnects and starts afresh
		}
		for _, m := range out {
			if m.Type == "presence" && m.UserID == v.User.ID {
				continue
			}
			writeEvent(&buf, m)
		}
		if buf.Len() == 0 {
			continue
		}
		if _, err := rw.Write(buf.Bytes()); err != nil {
			return
		}
		if err := fl.Flush(); err != nil {
			return
		}
	}
}

// Sizes and pace of a live stream.
const (
	liveBuffer = 1024            // messages a stream may fall behind before the hub drops
	liveBatch  = 256             // messages written with one flush
	liveCheck  = 3 * time.Second // how often a stream asks the database what it missed
)

// writeEvent appends one Server-Sent Event. The message is encoded by hand:
// its data is JSON already, and this runs once per message per browser.
func writeEvent(buf *bytes.Buffer, m realtime.Message) {
	buf.WriteString("event: ")
	buf.WriteString(eventName(m.Type))
	buf.WriteString("\ndata: {\"topic\":")
	writeJSONString(buf, m.Topic)
	buf.WriteString(`,"type":`)
	writeJSONString(buf, m.Type)
	buf.WriteString(`,"ticket_id":`)
	buf.WriteString(strconv.FormatInt(m.TicketID, 10))
	buf.WriteString(`,"user_id":`)
	buf.WriteString(strconv.FormatInt(m.UserID, 10))
	if len(m.Data) > 0 {
		buf.WriteString(`,"data":`)
		if bytes.ContainsAny(m.Data, "\r\n") {
			// A line break would end the event early; kefu's own encoder
			// never writes one, but a NATS peer might.
			if err := json.Compact(buf, m.Data); err != nil {
				buf.WriteString("null")
			}
		} else {
			buf.Write(m.Data)
		}
	}
	buf.WriteString("}\n\n")
}

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s)
	buf.Write(b)
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
