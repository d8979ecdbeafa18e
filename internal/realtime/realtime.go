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
	// Watch is Subscribe with a buffer of the caller's size and word of
	// every loss, for listeners that must repair what they missed from the
	// database (the agents' chat stream).
	Watch(topic string, buffer int) *Subscription
}

// Subscription is one listener of a topic.
type Subscription struct {
	// C carries the topic's messages in the order they were published.
	C <-chan Message
	// Dropped receives (it holds one signal at most) when the hub dropped
	// a message because C was full: the publisher never waits for a slow
	// listener, so the listener learns it lost something and resyncs.
	Dropped <-chan struct{}
	cancel  func()
}

// Close ends the subscription; calling it again does nothing.
func (s *Subscription) Close() { s.cancel() }

type subscriber struct {
	ch      chan Message
	dropped chan struct{}
}

// Local is a Hub within one process.
type Local struct {
	mu   sync.RWMutex
	subs map[string]map[*subscriber]struct{}
}

// NewLocal returns an empty in-process hub.
func NewLocal() *Local { return &Local{subs: map[string]map[*subscriber]struct{}{}} }

// Publish delivers m to the topic's local subscribers.
func (l *Local) Publish(_ context.Context, m Message) error {
	l.deliver(m)
	return nil
}

func (l *Local) deliver(m Message) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for s := range l.subs[m.Topic] {
		select {
		case s.ch <- m:
		default:
			select {
			case s.dropped <- struct{}{}:
			default: // already told
			}
		}
	}
}

// Subscribe listens to a topic with a 64-message buffer.
func (l *Local) Subscribe(topic string) (<-chan Message, func()) {
	s := l.Watch(topic, 64)
	return s.C, s.Close
}

// Watch listens to a topic with a buffer of the given size.
func (l *Local) Watch(topic string, buffer int) *Subscription {
	s := &subscriber{ch: make(chan Message, max(buffer, 1)), dropped: make(chan struct{}, 1)}
	l.mu.Lock()
	if l.subs[topic] == nil {
		l.subs[topic] = map[*subscriber]struct{}{}
	}
	l.subs[topic][s] = struct{}{}
	l.mu.Unlock()
	var once sync.Once
	return &Subscription{C: s.ch, Dropped: s.dropped, cancel: func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.subs[topic], s)
			if len(l.subs[topic]) == 0 {
				delete(l.subs, topic)
			}
			l.mu.Unlock()
		})
	}}
}

// NewSubscription makes a Subscription of the given channels, for hubs
// outside this package (tests that lose messages on purpose).
func NewSubscription(c <-chan Message, dropped <-chan struct{}, cancel func()) *Subscription {
	return &Subscription{C: c, Dropped: dropped, cancel: cancel}
}
