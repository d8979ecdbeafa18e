// Command web measures the agent workspace's two busiest pages on a large
// database: the inbox (default view, 50 rows) and a ticket page with 200
// messages, on SQLite and PostgreSQL. It prints p50/p95/p99 server time.
//
//	go run ./bench/web -tickets 100000 -n 300
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/kefu-dev/kefu/internal/aftersale"
	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/chat"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/httpapi"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/realtime"
	"github.com/kefu-dev/kefu/internal/server"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
	"github.com/kefu-dev/kefu/internal/user"
	"github.com/kefu-dev/kefu/internal/web"
)

func main() {
	tickets := flag.Int("tickets", 100000, "tickets to seed")
	n := flag.Int("n", 300, "requests per page")
	dialects := flag.String("dialects", "sqlite,postgres", "databases to measure")
	keep := flag.String("sqlite-dir", "", "keep the SQLite database in this folder and reuse it on later runs")
	pg := flag.String("pg", envOr("KEFU_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"), "PostgreSQL server for a scratch database")
	flag.Parse()
	fmt.Printf("workspace page benchmark: %d tickets, %d requests per page\n", *tickets, *n)
	fmt.Printf("%-9s %-28s %8s %8s %8s\n", "dialect", "page", "p50 ms", "p95 ms", "p99 ms")
	for _, d := range strings.Split(*dialects, ",") {
		if err := run(d, *pg, *keep, *tickets, *n); err != nil {
			fmt.Fprintln(os.Stderr, d+":", err)
			os.Exit(1)
		}
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run(dialect, pg, keep string, nTickets, n int) error {
	ctx := context.Background()
	opts := store.Options{DataDir: keep}
	reuse := false
	if keep == "" || dialect != "sqlite" {
		opts.DataDir = mustTemp()
		defer os.RemoveAll(opts.DataDir)
	} else if _, err := os.Stat(keep + "/kefu.db"); err == nil {
		reuse = true
	}
	if dialect == "postgres" {
		name := fmt.Sprintf("kefu_webbench_%d", time.Now().UnixNano())
		admin, err := sql.Open("pgx", pg)
		if err != nil {
			return err
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			return err
		}
		defer admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		u, _ := url.Parse(pg)
		u.Path = "/" + name
		opts.DatabaseURL = u.String()
	}
	st, err := store.Open(ctx, opts)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	start := time.Now()
	var big int64
	if reuse {
		err = st.WithTx(ctx, func(ctx context.Context) error {
			ts, _, err := st.Tickets(ctx, store.TicketFilter{Sort: "number", Limit: 1})
			if len(ts) > 0 {
				big = ts[0].ID
			}
			return err
		})
	} else {
		big, err = seed(ctx, st, nTickets)
	}
	if err != nil {
		return err
	}
	// One open ticket in a hundred is snoozed, so the views that hide
	// snoozed tickets and the counts that subtract them do real work.
	snoozed, err := snoozeSome(ctx, st, 100)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d tickets snoozed\n", dialect, snoozed)
	// What kefu serve does at start and every ten minutes.
	if err := st.Optimize(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: seeded %d tickets in %s\n", dialect, nTickets, time.Since(start).Round(time.Second))

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	customers := customer.New(st)
	tk := ticket.New(st, customers)
	users := user.New(st)
	hub := realtime.NewLocal()
	ws, err := web.New(st, tk, customers, users, nil, hub, chat.New(st, tk, customers, hub, log), log)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(server.New(st, httpapi.New(st, httpapi.Services{Tickets: tk, Customers: customers, Users: users, Cases: aftersale.New(st, tk, log), Email: email.NewChannels(st)}, log), log, ws).Handler())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if err := signIn(c, srv.URL); err != nil {
		return err
	}
	for _, p := range []struct {
		name, path string
		change     bool // a ticket changes before each request, so view counts are recounted
	}{
		{"inbox (all open, 50 rows)", "/?view=all", false},
		{"inbox, counts recounted", "/?view=all", true},
		{"inbox (my tickets)", "/", false},
		{"ticket page (200 messages)", fmt.Sprintf("/tickets/%d", big), false},
	} {
		lat := make([]time.Duration, 0, n)
		for i := 0; i < n+10; i++ {
			if p.change {
				_ = hub.Publish(ctx, realtime.Message{Topic: "inbox", Type: kefu.EventTicketUpdated})
				time.Sleep(time.Millisecond)
			}
			t0 := time.Now()
			res, err := c.Get(srv.URL + p.path)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				return fmt.Errorf("%s: status %d", p.path, res.StatusCode)
			}
			if i >= 10 { // warm-up
				lat = append(lat, time.Since(t0))
			}
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		q := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) / 1000 }
		fmt.Printf("%-9s %-28s %8.1f %8.1f %8.1f\n", dialect, p.name, q(.5), q(.95), q(.99))
	}
	return nil
}

// snoozeSome snoozes every nth open ticket for a day.
func snoozeSome(ctx context.Context, st *store.Store, nth int) (int, error) {
	until := time.Now().Add(24 * time.Hour)
	var after int64
	n, i := 0, 0
	for {
		ids, err := st.ActiveTicketIDs(ctx, after, 5000)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		err = st.WithTx(ctx, func(ctx context.Context) error {
			for _, id := range ids {
				if i++; i%nth != 0 {
					continue
				}
				if err := st.SetSnooze(ctx, &store.Snooze{TicketID: id, Until: until}); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		after = ids[len(ids)-1]
	}
}

func mustTemp() string {
	d, err := os.MkdirTemp("", "kefu-webbench")
	if err != nil {
		panic(err)
	}
	return d
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func signIn(c *http.Client, base string) error {
	res, err := c.Get(base + "/login")
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfRe.FindSubmatch(b)
	if m == nil {
		return fmt.Errorf("no csrf on the login page")
	}
	res, err = c.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "email": {"bench@bench.test"}, "password": {"bench"}})
	if err != nil {
		return err
	}
	res.Body.Close()
	return nil
}

// seed writes nTickets tickets (two messages each) for 2,000 customers and
// one ticket with 200 messages, whose id it returns.
func seed(ctx context.Context, st *store.Store, nTickets int) (int64, error) {
	users := user.New(st)
	team, err := st.TeamByName(ctx, kefu.DefaultTeam)
	if err != nil {
		return 0, err
	}
	agents := []int64{}
	for i := 0; i < 10; i++ {
		email := fmt.Sprintf("agent%d@bench.test", i)
		if i == 0 {
			email = "bench@bench.test"
		}
		u, _, err := users.Create(ctx, nil, user.Input{Email: email, Name: fmt.Sprintf("客服%d", i), Role: kefu.RoleAgent, Password: "bench", TeamIDs: []int64{team.ID}})
		if err != nil {
			return 0, err
		}
		agents = append(agents, u.ID)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	var custs []int64
	err = st.WithTx(ctx, func(ctx context.Context) error {
		for i := 0; i < 2000; i++ {
			c := &kefu.Customer{Name: fmt.Sprintf("客户%04d", i), Language: "zh-CN", Identities: []kefu.Identity{{Kind: kefu.IdentityEmail, Value: fmt.Sprintf("c%d@bench.test", i)}}}
			if err := st.CreateCustomer(ctx, c); err != nil {
				return err
			}
			custs = append(custs, c.ID)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	statuses := []kefu.Status{kefu.StatusNew, kefu.StatusOpen, kefu.StatusOpen, kefu.StatusPending, kefu.StatusOnHold, kefu.StatusSolved, kefu.StatusClosed, kefu.StatusClosed}
	subjects := []string{"衣服颜色和图片不一样", "快递三天没更新了", "申请七天无理由退货", "Where is my parcel?", "耳机左边没有声音", "收到的橙子坏了"}
	base := time.Now().Add(-180 * 24 * time.Hour)
	for done := 0; done < nTickets; {
		batch := min(2000, nTickets-done)
		err := st.WithTx(ctx, func(ctx context.Context) error {
			for i := 0; i < batch; i++ {
				at := base.Add(time.Duration(rng.Int64N(int64(180 * 24 * time.Hour)))).UTC().Truncate(time.Microsecond)
				a := agents[rng.IntN(len(agents))]
				t := &kefu.Ticket{Subject: subjects[rng.IntN(len(subjects))], Channel: kefu.Channels[rng.IntN(len(kefu.Channels))],
					Type: kefu.TicketTypes[rng.IntN(3)], Priority: kefu.Priorities[rng.IntN(4)], Status: statuses[rng.IntN(len(statuses))],
					AssigneeID: &a, TeamID: &team.ID, CustomerID: custs[rng.IntN(len(custs))], CreatedAt: at, UpdatedAt: at, LastMessageAt: at}
				if err := st.CreateTicket(ctx, t); err != nil {
					return err
				}
				for k := 0; k < 2; k++ {
					m := &kefu.Message{TicketID: t.ID, Kind: kefu.MessageCustomer, AuthorCustomerID: &t.CustomerID, Body: "您好，我的订单有问题，请帮忙看看。", CreatedAt: at}
					if err := st.AddMessage(ctx, m); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		done += batch
	}
	var big int64
	err = st.WithTx(ctx, func(ctx context.Context) error {
		a := agents[0]
		t := &kefu.Ticket{Subject: "很长的对话", Channel: kefu.ChannelChat, Type: kefu.TypeComplaint, Priority: kefu.PriorityHigh, Status: kefu.StatusOpen, AssigneeID: &a, TeamID: &team.ID, CustomerID: custs[0]}
		if err := st.CreateTicket(ctx, t); err != nil {
			return err
		}
		big = t.ID
		for k := 0; k < 200; k++ {
			m := &kefu.Message{TicketID: t.ID, Kind: kefu.MessageCustomer, AuthorCustomerID: &t.CustomerID, Body: fmt.Sprintf("第%d条消息：快递到底什么时候到？", k)}
			if k%2 == 1 {
				m.Kind, m.AuthorCustomerID, m.AuthorUserID = kefu.MessageReply, nil, &a
				m.Body = "非常抱歉给您带来了不便，我们正在跟快递核实，24小时内给您回复。"
			}
			if err := st.AddMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	return big, err
}
