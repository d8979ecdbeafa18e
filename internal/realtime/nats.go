package realtime

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"
)

// subject is where every node publishes and listens.
const subject = "kefu.realtime"

// NATS is a Hub shared by several kefu nodes through a NATS server: a
// message published on any node reaches the subscribers on all of them.
type NATS struct {
	nc    *nats.Conn
	sub   *nats.Subscription
	local *Local
}

// DialNATS connects to url and starts relaying.
func DialNATS(url string) (*NATS, error) {
	nc, err := nats.Connect(url, nats.Name("kefu"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("connect to NATS %s: %w", url, err)
	}
	h := &NATS{nc: nc, local: NewLocal()}
	h.sub, err = nc.Subscribe(subject, func(msg *nats.Msg) {
		var m Message
		if json.Unmarshal(msg.Data, &m) == nil {
			h.local.deliver(m)
		}
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("subscribe to NATS: %w", err)
	}
	return h, nc.Flush()
}

// Publish sends m to every node, this one included.
func (h *NATS) Publish(_ context.Context, m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return h.nc.Publish(subject, b)
}

// Subscribe listens to a topic on this node.
func (h *NATS) Subscribe(topic string) (<-chan Message, func()) { return h.local.Subscribe(topic) }

// Watch listens to a topic on this node, with word of losses.
func (h *NATS) Watch(topic string, buffer int) *Subscription { return h.local.Watch(topic, buffer) }

// Close stops relaying.
func (h *NATS) Close() {
	_ = h.sub.Unsubscribe()
	h.nc.Close()
}
