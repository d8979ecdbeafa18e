// Command kefu is the after-sales helpdesk: one binary that serves the API
// and the workspace, migrates the database, manages users and tokens, and
// loads the demo shop.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/automation"
	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/config"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/demo"
	"github.com/kefu-dev/kefu/internal/httpapi"
	"github.com/kefu-dev/kefu/internal/jobs"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/portal"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/routing"
	"github.com/kefu-dev/kefu/internal/schedule"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/server"
	"github.com/kefu-dev/kefu/internal/sla"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
	"github.com/kefu-dev/kefu/internal/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `kefu — after-sales customer service (售后客服系统)

Usage:
  kefu serve [--addr HOST:PORT] [--data-dir DIR] [--database-url URL] [--demo] [--smtp-addr HOST:PORT]
  kefu migrate                 apply database migrations
  kefu user add --email E --name N --role R [--password-stdin] [--team NAME]
  kefu token add --email E     print a new API token for the user
  kefu demo                    load the demo shop into the database
  kefu reindex                 rebuild the search index, with a progress bar
  kefu version

Every command takes --data-dir / --database-url (or KEFU_DATA_DIR /
KEFU_DATABASE_URL, or a KEFU_CONFIG file). "kefu serve --help" lists all settings.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "kefu:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "user" || cmd == "token") && len(rest) > 0 && rest[0] == "add" {
		cmd, rest = cmd+" add", rest[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr, getenv)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr, getenv)
	case "user add":
		return userAdd(ctx, rest, stdin, stdout, stderr, getenv)
	case "token add":
		return tokenAdd(ctx, rest, stdout, stderr, getenv)
	case "demo":
		return loadDemo(ctx, rest, stdout, stderr, getenv)
	case "reindex":
		return reindex(ctx, rest, stdout, stderr, getenv)
	case "version":
		fmt.Fprintln(stdout, "kefu", buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", strings.Join(args, " "))
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return version
}

// parse reads a command's flags into a Config. extra registers the
// command's own flags.
func parse(name string, args []string, serve bool, stderr io.Writer, getenv func(string) string, extra func(*flag.FlagSet)) (config.Config, *flag.FlagSet, error) {
	cfg := config.Defaults()
	fs := flag.NewFlagSet("kefu "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Flags(fs, serve)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, fs, err
	}
	if fs.NArg() > 0 {
		return cfg, fs, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return cfg, fs, cfg.Load(fs, serve, getenv)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// openStore opens and migrates the configured database.
func openStore(ctx context.Context, cfg config.Config) (*store.Store, []string, error) {
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxConns: cfg.MaxDBConns})
	if err != nil {
		return nil, nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, applied, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := parse("serve", args, true, stderr, getenv, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	st, applied, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	where := "SQLite in " + cfg.DataDir
	if st.Dialect() == store.Postgres {
		where = "PostgreSQL"
	}
	log.Info("database ready", "dialect", string(st.Dialect()), "migrations_applied", applied)
	demoLoaded := false
	if cfg.Demo {
		sum, err := demo.Load(ctx, st, time.Now())
		if err != nil {
			return fmt.Errorf("load demo shop: %w", err)
		}
		if sum != nil {
			demoLoaded = true
			log.Info("demo shop loaded", "customers", sum.Customers, "orders", sum.Orders, "tickets", sum.Tickets)
			if err := search.New(st).Reindex(ctx, nil); err != nil {
				return fmt.Errorf("index the demo shop: %w", err)
			}
		}
		// The demo shop's support address, reachable through the SMTP listener.
		if _, err := email.EnsureDemoChannel(ctx, st); err != nil {
			return fmt.Errorf("demo email channel: %w", err)
		}
	}
	var hub realtime.Hub = realtime.NewLocal()
	if cfg.NATSURL != "" {
		nh, err := realtime.DialNATS(cfg.NATSURL)
		if err != nil {
			return err
		}
		defer nh.Close()
		hub = nh
	}
	customers := customer.New(st)
	tickets := ticket.New(st, customers)
	users := user.New(st)
	outbox := jobs.NewOutbox(st, log, time.Second)
	mail := email.NewRunner(st, tickets, outbox, log) // registers the reply consumer on the outbox
	cases := aftersale.New(st, tickets, log)
	if demoLoaded {
		// Only a shop the demo just filled: never a real shop's tickets.
		n, err := cases.LoadDemo(ctx)
		if err != nil {
			return fmt.Errorf("load demo after-sales cases: %w", err)
		}
		log.Info("demo after-sales cases loaded", "cases", n)
	}
	timers := jobs.NewTimers(st, log, time.Second)
	// Deadlines: SLA clocks follow every ticket change from here on (in its
	// transaction); routing and automation react through the outbox.
	deadlines := sla.New(st)
	deadlines.SetLogger(log)
	deadlines.Register(timers)
	if cfg.Demo {
		if err := deadlines.SeedDemo(ctx); err != nil {
			return err
		}
	}
	routes := routing.New(st)
	routes.Register(outbox, timers)
	rules := automation.New(st, tickets, log)
	rules.Register(outbox, timers)
	if err := rules.Start(ctx); err != nil {
		return err
	}
	later := schedule.New(st, tickets)
	later.Register(timers)
	api := httpapi.New(st, httpapi.Services{Tickets: tickets, Customers: customers, Users: users, Cases: cases, Deadlines: deadlines, Routing: routes, Rules: rules, Later: later, Email: mail.Channels}, log)
	chats := chat.New(st, tickets, customers, hub, log)
	chats.Demo = cfg.Demo
	if cfg.Demo {
		if _, err := chats.EnsureDemoChannel(ctx); err != nil {
			return fmt.Errorf("demo chat channel: %w", err)
		}
	}
	ws, err := web.New(st, tickets, customers, users, deadlines, hub, chats, log)
	if err != nil {
		return err
	}
	ws.UseCases(cases, mail.Channels)
	ws.UseRules(rules)
	ws.UseSchedule(later)
	outbox.Register("realtime", web.Relay(hub))
	outbox.Register("chat", chats.Consumer())
	var smtpLn net.Listener
	if cfg.SMTPAddr != "" {
		if smtpLn, err = net.Listen("tcp", cfg.SMTPAddr); err != nil {
			return fmt.Errorf("listen for SMTP on %s: %w", cfg.SMTPAddr, err)
		}
	}
	outbox.Register(search.ConsumerName, search.New(st).HandleEvents)
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	go outbox.Run(bg)
	go chats.Run(bg)
	go timers.Run(bg)
	// The email channel (fetchers, sender, SMTP listener) stops after the
	// HTTP server and before the database closes.
	var mailWG sync.WaitGroup
	mailWG.Add(1)
	go func() {
		defer mailWG.Done()
		mail.Run(bg)
	}()
	if smtpLn != nil {
		mailWG.Add(1)
		go func() {
			defer mailWG.Done()
			if err := mail.ServeSMTP(bg, smtpLn); err != nil {
				log.Error("SMTP listener stopped", "err", err)
			}
		}()
	}
	defer func() {
		stopBG()
		mailWG.Wait()
	}()
	go func() {
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-bg.Done():
				return
			case <-t.C:
				if err := st.Optimize(bg); err != nil {
					log.Warn("optimize database", "err", err)
				}
			}
		}
	}()
	// Webhook deliveries to the shop and the lost-parcel rule.
	go cases.Run(bg, 5*time.Second)
	srv := server.New(st, api, log, ws, portal.New(cases, log, nil), chats)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(stdout, "kefu %s listening on http://%s (%s)\n", buildVersion(), ln.Addr(), where)
	if smtpLn != nil {
		fmt.Fprintf(stdout, "kefu SMTP listener on %s (mail for the email channels' addresses becomes tickets)\n", smtpLn.Addr())
	}
	if cfg.Demo {
		fmt.Fprintf(stdout, "Demo shop page with the chat widget: http://%s/demo/shop\n", ln.Addr())
		fmt.Fprintf(stdout, "Demo shop: sign in as admin@demo.test, lead@demo.test, agent@demo.test or warehouse@demo.test, password \"demo\".\n")
	}
	return srv.Run(ctx, ln, cfg.ShutdownTimeout)
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := parse("migrate", args, false, stderr, getenv, nil)
	if err != nil {
		return err
	}
	st, applied, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(stdout, "applied", m)
	}
	return nil
}

func userAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	var email, name, role, team, lang string
	var fromStdin bool
	cfg, _, err := parse("user add", args, false, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user's email (sign-in name)")
		fs.StringVar(&name, "name", "", "the user's display name")
		fs.StringVar(&role, "role", "agent", "admin, supervisor, agent or collaborator")
		fs.StringVar(&team, "team", "", "name of a team to put the user in")
		fs.StringVar(&lang, "language", "zh-CN", "zh-CN or en")
		fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of stdin instead of generating one")
	})
	if err != nil {
		return err
	}
	in := user.Input{Email: email, Name: name, Role: kefu.Role(role), Language: lang}
	if in.Name == "" {
		in.Name, _, _ = strings.Cut(email, "@")
	}
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("read password from stdin: %w", err)
		}
		in.Password = strings.TrimRight(line, "\r\n")
		if in.Password == "" {
			return errors.New("--password-stdin: stdin is empty")
		}
	}
	st, _, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if team != "" {
		t, err := st.TeamByName(ctx, team)
		if err != nil {
			return fmt.Errorf("team %q: %w", team, err)
		}
		in.TeamIDs = []int64{t.ID}
	} else if in.Role == kefu.RoleAgent || in.Role == kefu.RoleSupervisor {
		if t, err := st.TeamByName(ctx, kefu.DefaultTeam); err == nil {
			in.TeamIDs = []int64{t.ID}
		}
	}
	u, generated, err := user.New(st).Create(ctx, nil, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (id %d)\n", u.Role, u.Email, u.ID)
	if generated != "" {
		fmt.Fprintf(stdout, "one-time password: %s\n", generated)
	}
	return nil
}

func tokenAdd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var email, name string
	cfg, _, err := parse("token add", args, false, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user the token acts as")
		fs.StringVar(&name, "name", "cli", "a label for the token")
	})
	if err != nil {
		return err
	}
	if email == "" {
		return errors.New("--email is required")
	}
	st, _, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	token, err := user.New(st).AddToken(ctx, nil, email, name)
	if err != nil {
		return fmt.Errorf("user %s: %w", email, err)
	}
	fmt.Fprintln(stdout, token)
	return nil
}

func loadDemo(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := parse("demo", args, false, stderr, getenv, nil)
	if err != nil {
		return err
	}
	st, _, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := demo.Load(ctx, st, time.Now())
	if err != nil {
		return err
	}
	if err := sla.New(st).SeedDemo(ctx); err != nil {
		return err
	}
	if sum == nil || sum.Tickets == 0 {
		fmt.Fprintln(stdout, "the demo shop is already loaded")
		return nil
	}
	// The demo writes its rows directly: index them now rather than when
	// the server's outbox consumer gets to them.
	if err := search.New(st).Reindex(ctx, nil); err != nil {
		return fmt.Errorf("index the demo shop: %w", err)
	}
	cases := aftersale.New(st, ticket.New(st, customer.New(st)), slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	n, err := cases.LoadDemo(ctx)
	if err != nil {
		return fmt.Errorf("load demo after-sales cases: %w", err)
	}
	fmt.Fprintf(stdout, "demo shop loaded: %d users, %d customers, %d orders, %d tickets, %d messages, %d after-sales cases\n", sum.Users, sum.Customers, sum.Orders, sum.Tickets, sum.Messages, n)
	fmt.Fprintln(stdout, `sign in as admin@demo.test, lead@demo.test, agent@demo.test or warehouse@demo.test with the password "demo"`)
	return nil
}

// reindex rebuilds the search index from the database. It is safe while
// servers run: each batch holds the search consumer's lock.
func reindex(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := parse("reindex", args, false, stderr, getenv, nil)
	if err != nil {
		return err
	}
	st, _, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := search.New(st).Reindex(ctx, search.ProgressBar(stderr, isTerminal(stderr))); err != nil {
		return err
	}
	size, err := st.SearchIndexSize(ctx)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("search index rebuilt in %s", time.Since(start).Round(time.Millisecond))
	if size >= 0 {
		msg += fmt.Sprintf(" (%.1f MiB)", float64(size)/(1<<20))
	}
	fmt.Fprintln(stdout, msg)
	return nil
}

// isTerminal reports whether w is a terminal, where a progress bar can
// redraw itself.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
