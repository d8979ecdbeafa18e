package search_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/demo"
	"github.com/kefu-dev/kefu/internal/search"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestIndexSurvivesMigration0012 indexes the demo shop on a database as the
// release before migration 0012 left it, then migrates: without a
// reindex, the relevance set must still pass and every search must answer
// exactly what it answers after a full reindex (on PostgreSQL the rank
// vectors of existing rows come from the migration alone).
func TestIndexSurvivesMigration0012(t *testing.T) {
	cases := readRelevance(t)
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, store.Options{DatabaseURL: storetest.URL(t, d), DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if _, err := st.MigrateTo(ctx, 11); err != nil {
				t.Fatal(err)
			}
			if _, err := demo.Load(ctx, st, demoNow); err != nil {
				t.Fatal(err)
			}
			svc := search.New(st)
			if err := svc.Reindex(ctx, nil); err != nil {
				t.Fatal(err)
			}
			applied, err := st.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d == store.Postgres && !slices.Contains(applied, "0012_search_rank.sql") {
				t.Fatalf("applied %v, want 0012_search_rank.sql among them", applied)
			}
			if d == store.Postgres {
				// Every ticket's title has at least its number.
				var empty, all int
				if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE length(rank_tsv) = 0), COUNT(*) FROM search_tickets`).Scan(&empty, &all); err != nil {
					t.Fatal(err)
				}
				if empty > 0 || all == 0 {
					t.Fatalf("%d of %d ticket documents have no rank vector after the migration", empty, all)
				}
			}
			admin, _, err := st.UserByEmail(ctx, demo.AdminEmail)
			if err != nil {
				t.Fatal(err)
			}
			answers := func() []string {
				var out []string
				for _, c := range cases {
					res, err := svc.Search(ctx, admin, search.Request{Q: c.query})
					if err != nil {
						t.Fatalf("%q: %v", c.query, err)
					}
					var got []string
					tickets := map[int64]bool{}
					for _, it := range res.Items {
						got = append(got, fmt.Sprintf("%s %d %.4f", it.Kind, it.ID, it.Score))
						if it.Kind == store.SearchTicket && len(tickets) < 5 {
							tickets[it.Number] = true
						}
					}
					for _, n := range c.want {
						if !tickets[n] {
							t.Errorf("relevance.tsv:%d: %q misses #%d in its top 5 after the migration", c.line, c.query, n)
						}
					}
					out = append(out, c.query+": "+strings.Join(got, ", "))
				}
				return out
			}
			migrated := answers()
			if err := svc.Reindex(ctx, nil); err != nil {
				t.Fatal(err)
			}
			reindexed := answers()
			for i := range migrated {
				if migrated[i] != reindexed[i] {
					t.Errorf("after the migration:\n\t%s\nafter a reindex:\n\t%s", migrated[i], reindexed[i])
				}
			}
		})
	}
}
