package chat

import (
	"context"

	"github.com/kefu-dev/kefu/internal/store"
)

// group commits the messages of many visitors in one transaction on
// SQLite. SQLite has one writer, so visitors' messages queue for it anyway;
// under load each one's commit (its WAL frames and their write calls) was
// the larger part of its cost. The group takes whatever is queued (up to
// groupMax), runs each message's writes in a savepoint of one transaction
// (a message that fails rolls back alone) and commits once; each sender
// hears its own outcome only after that commit, so "acknowledged only once
// committed" still holds. PostgreSQL runs transactions side by side and
// gains nothing from waiting for others: it writes each message alone.
type group struct {
	st   *store.Store
	jobs chan groupJob
}

type groupJob struct {
	fn   func(ctx context.Context) error
	done chan error
}

const groupMax = 64

func newGroup(st *store.Store) *group {
	g := &group{st: st, jobs: make(chan groupJob, 4*groupMax)}
	go g.run()
	return g
}

// write runs fn in a transaction, maybe shared with other messages.
func (s *Service) write(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.group == nil {
		return s.st.WithTx(ctx, fn)
	}
	j := groupJob{fn: fn, done: make(chan error, 1)}
	select {
	case s.group.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the job runs: wait for its outcome even if ctx ends, so
	// the caller never reports as lost a message that was committed.
	return <-j.done
}

func (g *group) run() {
	for j := range g.jobs {
		batch := []groupJob{j}
	more:
		for len(batch) < groupMax {
			select {
			case j := <-g.jobs:
				batch = append(batch, j)
			default:
				break more
			}
		}
		errs := make([]error, len(batch))
		err := g.st.WithTx(context.Background(), func(ctx context.Context) error {
			if len(batch) == 1 {
				errs[0] = batch[0].fn(ctx)
				return errs[0]
			}
			for i, j := range batch {
				errs[i] = g.st.Savepoint(ctx, "chat_msg", j.fn)
			}
			return nil
		})
		for i, j := range batch {
			if err != nil && errs[i] == nil {
				errs[i] = err // the commit failed: nothing of the group was stored
			}
			j.done <- errs[i]
		}
	}
}
