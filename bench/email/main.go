// Command email measures end-to-end ingestion of a mailbox into tickets: it
// fills an IMAP mailbox (an in-process IMAP server spoken to over loopback
// TCP) with n mails drawn from the parser's corpus, each with its own
// Message-ID and one of a few thousand senders, then times kefu's fetcher
// reading them all into tickets on SQLite or PostgreSQL.
//
//	go run ./bench/email -n 10000 -db sqlite
//	go run ./bench/email -n 10000 -db postgres -database-url postgres://postgres@127.0.0.1:5432/test
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/kefu-dev/kefu/internal/channel/email"
	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/ticket"
)

func main() {
	n := flag.Int("n", 10000, "mails in the mailbox")
	db := flag.String("db", "sqlite", "sqlite or postgres")
	dbURL := flag.String("database-url", os.Getenv("KEFU_TEST_DATABASE_URL"), "PostgreSQL server (a fresh schema is created and dropped)")
	corpus := flag.String("corpus", "internal/channel/email/testdata/mails", "folder of .eml files to draw mails from")
	flag.Parse()
	ctx := context.Background()

	mails, err := loadCorpus(*corpus)
	if err != nil {
		log.Fatal(err)
	}
	st, cleanup, err := openStore(ctx, *db, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer cleanup()

	addr := startIMAP()
	var total int64
	start := time.Now()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Login("support", "pw").Wait(); err != nil {
		log.Fatal(err)
	}
	for i := 0; i < *n; i++ {
		raw := mails[i%len(mails)]
		head := fmt.Sprintf("Message-ID: <bench-%d@bench.test>\r\nFrom: Customer %d <c%d@bench.test>\r\n", i, i%3000, i%3000)
		m := append([]byte(head), raw...)
		total += int64(len(m))
		cmd := c.Append("INBOX", int64(len(m)), nil)
		if _, err := cmd.Write(m); err != nil {
			log.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			log.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			log.Fatal(err)
		}
	}
	c.Close()
	fmt.Printf("filled the mailbox with %d mails (%.1f MB) in %v\n", *n, float64(total)/1e6, time.Since(start).Round(time.Millisecond))

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	customers := customer.New(st)
	in := email.NewIngester(st, ticket.New(st, customers), quiet)
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	ch := &kefu.EmailChannel{Name: "bench", Address: "support@bench.test", Enabled: true, IMAPHost: host, IMAPPort: p,
		IMAPSecurity: kefu.SecurityPlain, IMAPUsername: "support", IMAPPassword: "pw", IMAPMailbox: "INBOX",
		AfterFetch: kefu.AfterFetchSeen, PollSeconds: 60, SMTPPort: 587, SMTPSecurity: kefu.SecuritySTARTTLS, AckHours: 24}
	if err := st.CreateEmailChannel(ctx, ch); err != nil {
		log.Fatal(err)
	}
	f := email.NewFetcher(st, in, quiet)
	f.Batch = 50
	start = time.Now()
	got, err := f.FetchOnce(ctx, ch)
	if err != nil {
		log.Fatal(err)
	}
	d := time.Since(start)
	var tickets, messages int
	_ = st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&tickets)
	_ = st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM messages`).Scan(&messages)
	fmt.Printf("%s: ingested %d mails into %d tickets (%d messages) in %v: %.0f mails/s, %.2f MB/s\n",
		*db, got, tickets, messages, d.Round(time.Millisecond), float64(got)/d.Seconds(), float64(total)/1e6/d.Seconds())
}

func loadCorpus(dir string) ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no corpus in %s (run from the repository root): %v", dir, err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if len(b) > 256<<10 {
			continue // the 2 MB video would dominate: measure the common case
		}
		switch filepath.Base(f) {
		case "46-no-headers.eml", "47-header-garbage.eml", "57-mbox-from-line.eml":
			continue // the in-memory IMAP server stores these as empty mails
		}
		out = append(out, b)
	}
	return out, nil
}

func startIMAP() string {
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("support", "pw")
	if err := u.Create("INBOX", nil); err != nil {
		log.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		InsecureAuth: true,
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String()
}

func openStore(ctx context.Context, dialect, base string) (*store.Store, func(), error) {
	if dialect == "sqlite" {
		dir, err := os.MkdirTemp("", "kefu-bench-")
		if err != nil {
			return nil, nil, err
		}
		st, err := store.Open(ctx, store.Options{DataDir: dir})
		if err != nil {
			return nil, nil, err
		}
		if _, err := st.Migrate(ctx); err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close(); os.RemoveAll(dir) }, nil
	}
	if base == "" {
		return nil, nil, fmt.Errorf("-db postgres needs -database-url or KEFU_TEST_DATABASE_URL")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "bench_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return nil, nil, err
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := store.Open(ctx, store.Options{DatabaseURL: u.String()})
	if err != nil {
		return nil, nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		return nil, nil, err
	}
	return st, func() {
		st.Close()
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	}, nil
}
