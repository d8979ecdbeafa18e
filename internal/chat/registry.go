package chat

import (
	"context"
	"sync"
	"time"
)

// registry knows this node's open visitor connections: by conversation, to
// check now and then that each has everything committed, and by visitor,
// to bound how many tabs one visitor may hold open.
type registry struct {
	s        *Service
	mu       sync.Mutex
	byConv   map[int64]map[*conn]struct{}
	visitors map[string]int
	loose    map[string]map[*conn]struct{} // connections of visitors without a conversation yet
}

func newRegistry(s *Service) *registry {
	return &registry{s: s, byConv: map[int64]map[*conn]struct{}{}, visitors: map[string]int{}, loose: map[string]map[*conn]struct{}{}}
}

func (r *registry) add(convID int64, c *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byConv[convID] == nil {
		r.byConv[convID] = map[*conn]struct{}{}
	}
	r.byConv[convID][c] = struct{}{}
}

func (r *registry) remove(convID int64, c *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byConv[convID], c)
	if len(r.byConv[convID]) == 0 {
		delete(r.byConv, convID)
	}
}

// wait records a connection whose visitor has no conversation yet.
func (r *registry) wait(visitorID string, c *conn, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !on {
		delete(r.loose[visitorID], c)
		if len(r.loose[visitorID]) == 0 {
			delete(r.loose, visitorID)
		}
		return
	}
	if r.loose[visitorID] == nil {
		r.loose[visitorID] = map[*conn]struct{}{}
	}
	r.loose[visitorID][c] = struct{}{}
}

// attach tells this node's waiting connections of a visitor that their
// conversation now exists (it was created by an upload or another tab).
// Connections on other nodes learn it when the widget reconnects.
func (r *registry) attach(visitorID string, convID int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.loose[visitorID] {
		if c.convID.CompareAndSwap(0, convID) {
			c.attach <- convID
		}
	}
	delete(r.loose, visitorID)
}

func (r *registry) addVisitor(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.visitors[id] >= MaxTabsPerNode {
		return false
	}
	r.visitors[id]++
	return true
}

func (r *registry) removeVisitor(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.visitors[id]--; r.visitors[id] <= 0 {
		delete(r.visitors, id)
	}
}

// Connections reports how many visitor connections this node holds and how
// many conversations they belong to.
func (s *Service) Connections() (visitors, conversations int) {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	for _, n := range s.reg.visitors {
		visitors += n
	}
	return visitors, len(s.reg.byConv)
}

// run compares, every interval, each open conversation's last sequence
// number in the database with what its connections were sent, and pokes
// those behind: the safety net under the hub, which may drop news.
func (r *registry) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		ids := make([]int64, 0, len(r.byConv))
		for id := range r.byConv {
			ids = append(ids, id)
		}
		r.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		seqs, err := r.s.st.ConversationSeqs(ctx, ids)
		if err != nil {
			if ctx.Err() == nil {
				r.s.log.Warn("chat sync check", "err", err)
			}
			continue
		}
		r.mu.Lock()
		for id, seq := range seqs {
			for c := range r.byConv[id] {
				if c.sent.Load() < seq {
					select {
					case c.poke <- struct{}{}:
					default:
					}
				}
			}
		}
		r.mu.Unlock()
	}
}
