package email

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// Runner runs the whole email channel in a kefu process: one fetcher per
// enabled IMAP channel (started and stopped as channels change), the reply
// sender, and optionally the SMTP listener.
type Runner struct {
	st       *store.Store
	log      *slog.Logger
	Ingester *Ingester
	Sender   *Sender
	Fetcher  *Fetcher
	Channels *Channels

	mu      sync.Mutex
	running map[int64]*fetching
	reload  chan struct{}
	wg      sync.WaitGroup
}

// NewRunner wires the email channel on st and registers its outbox
// consumer (replies become queued mail) on outbox.
func NewRunner(st *store.Store, tickets *ticket.Service, outbox *jobs.Outbox, log *slog.Logger) *Runner {
	in := NewIngester(st, tickets, log)
	r := &Runner{st: st, log: log, Ingester: in, Sender: NewSender(st, log), Fetcher: NewFetcher(st, in, log),
		Channels: NewChannels(st), running: map[int64]*fetching{}, reload: make(chan struct{}, 1)}
	r.Channels.OnChange = r.Reload
	if outbox != nil {
		outbox.Register(ConsumerName, r.Sender.HandleEvents)
	}
	return r
}

// Reload makes the runner start and stop fetchers to match the channels now.
func (r *Runner) Reload() {
	select {
	case r.reload <- struct{}{}:
	default:
	}
}

// Run runs the sender and the fetchers until ctx ends, then waits for them.
func (r *Runner) Run(ctx context.Context) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.Sender.Run(ctx)
	}()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		r.sync(ctx)
		select {
		case <-ctx.Done():
			r.wg.Wait()
			return
		case <-r.reload:
		case <-t.C:
		}
	}
}

// fetching is a running fetcher and the version of the settings it uses.
type fetching struct {
	cancel  context.CancelFunc
	version time.Time
}

// sync starts a fetcher for every enabled IMAP channel without one,
// restarts those whose settings changed (a new password, another server)
// and stops those whose channel is gone or disabled.
func (r *Runner) sync(ctx context.Context) {
	chs, err := r.st.EmailChannels(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("email: list channels", "err", err)
		}
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	want := map[int64]time.Time{}
	for _, ch := range chs {
		if ch.Enabled && ch.IMAPHost != "" {
			want[ch.ID] = ch.UpdatedAt
		}
	}
	for id, f := range r.running {
		if v, ok := want[id]; !ok || !v.Equal(f.version) {
			f.cancel()
			delete(r.running, id)
		}
	}
	for id, version := range want {
		if _, ok := r.running[id]; ok {
			continue
		}
		fctx, cancel := context.WithCancel(ctx)
		f := &fetching{cancel: cancel, version: version}
		r.running[id] = f
		r.wg.Add(1)
		go func(id int64) {
			defer r.wg.Done()
			r.Fetcher.Run(fctx, id)
			cancel()
			r.mu.Lock()
			if r.running[id] == f { // not replaced by a restart meanwhile
				delete(r.running, id)
			}
			r.mu.Unlock()
		}(id)
	}
}

// ServeSMTP runs the inbound SMTP listener on ln until ctx ends.
func (r *Runner) ServeSMTP(ctx context.Context, ln net.Listener) error {
	r.log.Info("email: SMTP listener ready", "addr", ln.Addr().String())
	return NewListener(r.st, r.Ingester, r.log).Serve(ctx, ln)
}
