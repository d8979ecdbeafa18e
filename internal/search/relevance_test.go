package search_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kefu-dev/kefu/internal/demo"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// demoNow is the instant the demo shop is drawn around for the relevance
// set: the same instant gives the same shop, so ticket numbers are stable.
var demoNow = time.Date(2026, 10, 12, 9, 30, 0, 0, time.UTC)

type relevanceCase struct {
	line   int
	lang   string // zh or en: the language the query is typed in
	query  string
	want   []int64 // ticket numbers that must be in the top 5
	reason string
}

func readRelevance(t *testing.T) []relevanceCase {
	t.Helper()
	f, err := os.Open("testdata/relevance.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []relevanceCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 3 {
			t.Fatalf("relevance.tsv:%d: want language, query, tickets[, reason]; got %q", n, line)
		}
		c := relevanceCase{line: n, lang: cols[0], query: cols[1]}
		if len(cols) > 3 {
			c.reason = cols[3]
		}
		for _, f := range strings.Fields(cols[2]) {
			num, err := strconv.ParseInt(strings.TrimPrefix(f, "#"), 10, 64)
			if err != nil {
				t.Fatalf("relevance.tsv:%d: %q is not a ticket number", n, f)
			}
			c.want = append(c.want, num)
		}
		if c.lang != "zh" && c.lang != "en" || len(c.want) == 0 || len(c.want) > 5 {
			t.Fatalf("relevance.tsv:%d: language must be zh or en and there must be 1 to 5 tickets", n)
		}
		cases = append(cases, c)
	}
	return cases
}

// TestRelevance runs the relevance set over the demo shop: each query must
// return the tickets it names among its first five results, on SQLite and
// on PostgreSQL. The set is testdata/relevance.tsv.
func TestRelevance(t *testing.T) {
	cases := readRelevance(t)
	zh := 0
	for _, c := range cases {
		if c.lang == "zh" {
			zh++
		}
	}
	if len(cases) < 80 || zh*2 < len(cases) {
		t.Fatalf("the relevance set has %d queries, %d in Chinese; want at least 80, half of them Chinese", len(cases), zh)
	}
	verbose := os.Getenv("KEFU_RELEVANCE_VERBOSE") != ""
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, st, demoNow); err != nil {
			t.Fatal(err)
		}
		svc := search.New(st)
		if err := svc.Reindex(ctx, nil); err != nil {
			t.Fatal(err)
		}
		admin, _, err := st.UserByEmail(ctx, demo.AdminEmail)
		if err != nil {
			t.Fatal(err)
		}
		// Ticket numbers to ids and subjects, to read failures.
		all, _, err := st.Tickets(ctx, store.TicketFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		subject := map[int64]string{}
		for _, tk := range all {
			subject[tk.Number] = tk.Subject
		}
		failed := 0
		for _, c := range cases {
			for _, n := range c.want {
				if _, ok := subject[n]; !ok {
					t.Fatalf("relevance.tsv:%d: the demo has no ticket #%d; was the demo changed?", c.line, n)
				}
			}
			res, err := svc.Search(ctx, admin, search.Request{Q: c.query, Kind: store.SearchTicket, Limit: 5})
			if err != nil {
				t.Errorf("relevance.tsv:%d: %q: %v", c.line, c.query, err)
				continue
			}
			got := map[int64]bool{}
			var top []string
			for _, it := range res.Items {
				got[it.Number] = true
				top = append(top, fmt.Sprintf("#%d %s (%.2f)", it.Number, it.Title[strings.IndexByte(it.Title, ' ')+1:], it.Score))
			}
			var missing []string
			for _, n := range c.want {
				if !got[n] {
					missing = append(missing, fmt.Sprintf("#%d %s", n, subject[n]))
				}
			}
			if len(missing) > 0 {
				failed++
				t.Errorf("relevance.tsv:%d: %q misses %s in its top 5:\n\t%s", c.line, c.query, strings.Join(missing, ", "), strings.Join(top, "\n\t"))
			} else if verbose {
				t.Logf("relevance.tsv:%d: %q ok:\n\t%s", c.line, c.query, strings.Join(top, "\n\t"))
			}
		}
		t.Logf("%d of %d queries return their tickets in the top 5", len(cases)-failed, len(cases))
	})
}
