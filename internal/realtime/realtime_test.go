package realtime

import (
	"context"
	"testing"
	"time"
)

func TestLocal(t *testing.T) {
	h := NewLocal()
	ch, cancel := h.Subscribe("ticket.1")
	other, cancelOther := h.Subscribe("ticket.2")
	defer cancelOther()
	_ = h.Publish(context.Background(), Message{Topic: "ticket.1", Type: "message.added", TicketID: 1})
	select {
	case m := <-ch:
		if m.Type != "message.added" {
			t.Errorf("got %+v", m)
		}
	case <-time.After(time.Second):
		t.Fatal("no message")
	}
	select {
	case m := <-other:
		t.Errorf("ticket.2 got %+v", m)
	default:
	}
	cancel()
	cancel() // twice is fine
	_ = h.Publish(context.Background(), Message{Topic: "ticket.1"})
}

// TestNATSAcrossNodes: two hubs on the NATS server these machines run act
// as two nodes; a message published on one reaches a subscriber on the other.
func TestNATSAcrossNodes(t *testing.T) {
	a, err := DialNATS("nats://127.0.0.1:4222")
	if err != nil {
		t.Skipf("NATS tests skipped: no NATS server at 127.0.0.1:4222 (%v)", err)
	}
	defer a.Close()
	b, err := DialNATS("nats://127.0.0.1:4222")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ch, cancel := b.Subscribe("inbox")
	defer cancel()
	if err := a.Publish(context.Background(), Message{Topic: "inbox", Type: "ticket.created", TicketID: 7}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-ch:
		if m.TicketID != 7 {
			t.Errorf("got %+v", m)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("node b never heard node a")
	}
}

// TestWatchDropped: a listener that does not keep up loses messages, the
// publisher never waits, and the listener hears that it lost some.
func TestWatchDropped(t *testing.T) {
	h := NewLocal()
	s := h.Watch("chat.1", 2)
	defer s.Close()
	for i := 0; i < 5; i++ {
		_ = h.Publish(context.Background(), Message{Topic: "chat.1", TicketID: int64(i)})
	}
	select {
	case <-s.Dropped:
	default:
		t.Fatal("no word of the dropped messages")
	}
	if m := <-s.C; m.TicketID != 0 {
		t.Errorf("first kept message %d, want 0", m.TicketID)
	}
	if m := <-s.C; m.TicketID != 1 {
		t.Errorf("second kept message %d, want 1", m.TicketID)
	}
	_ = h.Publish(context.Background(), Message{Topic: "chat.1", TicketID: 9})
	select {
	case <-s.Dropped:
		t.Error("dropped signalled with room in the buffer")
	default:
	}
	s.Close()
	s.Close()
}
