// Package realtime fans live updates out to browsers: new messages, ticket
// changes, who is viewing or typing. In one process a Local hub does it; with
// several nodes a NATS hub carries every message to every node. Nothing here
// is stored: the database stays the truth, and a browser that misses a
// message refetches.
package realtime

import (
	"context"
	"encoding/json"
	"sync"
)

// Message is one live update.
type Message struct {
	Topic    string          `json:"topic"`     // "inbox" or "ticket.<id>"
	Type     string          `json:"type"`      // an event type, or "presence"
	TicketID int64           `json:"ticket_id"` //
	UserID   int64           `json:"user_id"`   // who caused it, when known
	Data     json.RawMessage `json:"data,omitempty"`
}

// Hub publishes messages to every subscriber of their topic, on every node.
type Hub interface {
	Publish(ctx context.Context, m Message) error
	// Subscribe returns a channel of the topic's messages and a function
	// that ends the subscription. A slow subscriber loses messages rather
	// than slowing everyone (browsers refetch on reconnect).
	Subscribe(topic string) (<-chan Message, func())
}

// Local is a Hub within one process.
type Local struct {
	mu   sync.RWMutex
	subs map[string]map[chan Message]struct{}
}

// NewLocal returns an empty in-process hub.
func NewLocal() *Local { return &Local{subs: map[string]map[chan Message]struct{}{}} }

// Publish delivers m to the topic's local subscribers.
func (l *Local) Publish(_ context.Context, m Message) error {
	l.deliver(m)
	return nil
}

func (l *Local) deliver(m Message) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for ch := range l.subs[m.Topic] {
		select {
		case ch <- m:
		default:
		}
	}
}

// Subscribe listens to a topic.
func (l *Local) Subscribe(topic string) (<-chan Message, func()) {
	ch := make(chan Message, 64)
	l.mu.Lock()
	if l.subs[topic] == nil {
		l.subs[topic] = map[chan Message]struct{}{}
	}
	l.subs[topic][ch] = struct{}{}
	l.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.subs[topic], ch)
			if len(l.subs[topic]) == 0 {
				delete(l.subs, topic)
			}
			l.mu.Unlock()
		})
	}
}
