package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/store"
)

// Feed keeps the chat entries one workspace stream passes to an agent's
// browser complete and in order, as a visitor's connection does: per topic
// and conversation it remembers the last number passed on, passes entry n
// only after n−1, fills a gap from the database, skips what it already
// passed, and after the hub dropped news (or every few seconds) asks the
// database what it missed. The hub is never made to wait for a browser.
//
// A Feed follows the user's own topic ("user.<id>": the chats they have)
// and ticket topics ("ticket.<id>"); it passes the entries committed after
// it was opened, or after it first heard of a conversation.
type Feed struct {
	s      *Service
	user   int64
	topics []string
	opened time.Time
	sent   map[feedKey]int64
	last   map[int64]int64 // conversation → its last number at the previous check
}

type feedKey struct {
	topic string
	conv  int64
}

// feedBatch bounds one read of missed entries.
const feedBatch = 200

// NewFeed opens a feed for a user's stream of the given topics, starting
// after what each followed conversation holds now.
func (s *Service) NewFeed(ctx context.Context, userID int64, topics []string) (*Feed, error) {
	f := &Feed{s: s, user: userID, opened: time.Now().Add(-time.Second), sent: map[feedKey]int64{}, last: map[int64]int64{}}
	for _, t := range topics {
		if t == TopicUser(userID) || strings.HasPrefix(t, "ticket.") {
			f.topics = append(f.topics, t)
		}
	}
	convs, err := f.followed(ctx)
	if err != nil {
		return nil, err
	}
	for k, c := range convs {
		f.sent[k] = c.LastSeq
	}
	return f, nil
}

// followed returns the conversations the feed's topics carry now: the
// user's active chats, and the current chat of each ticket followed.
func (f *Feed) followed(ctx context.Context) (map[feedKey]*kefu.Conversation, error) {
	out := map[feedKey]*kefu.Conversation{}
	for _, t := range f.topics {
		if t == TopicUser(f.user) {
			cs, err := f.s.st.Conversations(ctx, store.ConversationFilter{States: []kefu.ChatState{kefu.ChatActive}, AgentID: f.user, Limit: 500})
			if err != nil {
				return nil, fmt.Errorf("chat feed: the agent's chats: %w", err)
			}
			for _, c := range cs {
				out[feedKey{t, c.ID}] = c
			}
			continue
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(t, "ticket."), 10, 64)
		if err != nil {
			continue
		}
		c, err := f.s.st.ConversationByTicket(ctx, id)
		if err != nil {
			continue // not a chat ticket
		}
		out[feedKey{t, c.ID}] = c
	}
	return out, nil
}

// Pass takes one hub message of the stream and returns what to send the
// browser in its place: the message itself, nothing (an entry already
// passed), or the missing entries up to and including it.
func (f *Feed) Pass(ctx context.Context, m realtime.Message) ([]realtime.Message, error) {
	if m.Type != "chat.entry" {
		return []realtime.Message{m}, nil
	}
	var e struct {
		Conv int64 `json:"conv"`
		Seq  int64 `json:"seq"`
	}
	if json.Unmarshal(m.Data, &e) != nil || e.Conv == 0 {
		return []realtime.Message{m}, nil
	}
	k := feedKey{m.Topic, e.Conv}
	last, ok := f.sent[k]
	switch {
	case !ok || e.Seq == last+1: // a conversation new to this stream starts here
		f.sent[k] = e.Seq
		return []realtime.Message{m}, nil
	case e.Seq <= last:
		return nil, nil
	}
	return f.fill(ctx, k, e.Seq)
}

// fill reads the entries of k's conversation after the last one passed, up
// to seq (0: all), as messages of k's topic.
func (f *Feed) fill(ctx context.Context, k feedKey, upTo int64) ([]realtime.Message, error) {
	var out []realtime.Message
	for {
		last := f.sent[k]
		n := feedBatch
		if upTo > 0 {
			n = int(min(upTo-last, feedBatch))
		}
		if n <= 0 {
			return out, nil
		}
		es, err := f.s.st.ChatEntries(ctx, k.conv, last, n)
		if err != nil {
			return out, fmt.Errorf("chat feed: entries of conversation %d after %d: %w", k.conv, last, err)
		}
		for _, e := range es {
			f.sent[k] = e.Seq
			if m, ok := f.message(ctx, k.topic, e); ok {
				out = append(out, m)
			}
		}
		if len(es) < n {
			return out, nil
		}
	}
}

// message turns a stored entry into the hub message its topic carried.
func (f *Feed) message(ctx context.Context, topic string, e *kefu.ChatEntry) (realtime.Message, bool) {
	if strings.HasPrefix(topic, "ticket.") && (e.TicketID == nil || TopicTicket(*e.TicketID) != topic) {
		return realtime.Message{}, false // an earlier or later chat of the visitor, on another ticket
	}
	b, err := json.Marshal(f.s.wire(ctx, e))
	if err != nil {
		return realtime.Message{}, false
	}
	m := realtime.Message{Topic: topic, Type: "chat.entry", Data: b}
	if e.TicketID != nil {
		m.TicketID = *e.TicketID
	}
	return m, true
}

// Catch asks the database what the stream missed: everything committed
// after the last entry passed, in every conversation it follows. After the
// hub dropped news (discover) it takes all of it, and also looks for
// conversations the stream never heard of, such as a chat handed to the
// agent whose news was lost, passing their entries since the feed opened.
// The periodic check (not discover) takes only what was committed by the
// previous check and is still missing, leaving news in flight to the hub.
func (f *Feed) Catch(ctx context.Context, discover bool) ([]realtime.Message, error) {
	if discover {
		convs, err := f.followed(ctx)
		if err != nil {
			return nil, err
		}
		for k, c := range convs {
			if _, ok := f.sent[k]; ok {
				continue
			}
			es, err := f.s.st.ChatEntries(ctx, c.ID, max(0, c.LastSeq-feedBatch), feedBatch)
			if err != nil {
				return nil, fmt.Errorf("chat feed: entries of conversation %d: %w", c.ID, err)
			}
			f.sent[k] = c.LastSeq
			for _, e := range es {
				if !e.CreatedAt.Before(f.opened) {
					f.sent[k] = e.Seq - 1
					break
				}
			}
		}
	}
	if len(f.sent) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(f.sent))
	seen := map[int64]bool{}
	for k := range f.sent {
		if !seen[k.conv] {
			seen[k.conv] = true
			ids = append(ids, k.conv)
		}
	}
	seqs, err := f.s.st.ConversationSeqs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("chat feed: last numbers: %w", err)
	}
	upTo := seqs
	if !discover {
		upTo = f.last
	}
	// The lowest number passed per conversation, over the feed's topics.
	from := map[int64]int64{}
	for k, last := range f.sent {
		if upTo[k.conv] > last {
			if v, ok := from[k.conv]; !ok || last < v {
				from[k.conv] = last
			}
		}
	}
	var out []realtime.Message
	for len(from) > 0 {
		es, err := f.s.st.ChatEntriesAfter(ctx, from, 1000)
		if err != nil {
			return out, fmt.Errorf("chat feed: %w", err)
		}
		for _, e := range es {
			from[e.ConversationID] = e.Seq
			if e.Seq > upTo[e.ConversationID] {
				continue
			}
			for _, t := range f.topics {
				k := feedKey{t, e.ConversationID}
				if last, ok := f.sent[k]; !ok || e.Seq != last+1 {
					continue
				}
				f.sent[k] = e.Seq
				if m, ok := f.message(ctx, t, e); ok {
					out = append(out, m)
				}
			}
		}
		for id, seq := range from {
			if seq >= upTo[id] {
				delete(from, id)
			}
		}
		if len(es) < 1000 {
			break
		}
	}
	f.last = seqs
	return out, nil
}
