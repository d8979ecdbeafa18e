package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestSearchWindowAcrossBuckets checks that a search gets exactly the
// newest matches of a word however they are spread over the recency
// buckets (PostgreSQL reads 1,024 ids to a bucket, newest first): dense (in
// every third document: the newest buckets hold the whole window), medium
// (every 50th: two more buckets needed) and sparse (found only by going
// back to the oldest), and that a title match ranks first.
func TestSearchWindowAcrossBuckets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		const n = 12000
		rare := map[int64]bool{7: true, 1500: true, 11990: true}
		var docs []store.SearchDoc
		for id := int64(1); id <= n; id++ {
			title := []string{fmt.Sprintf("t%d", id)}
			body := []string{"filler"}
			if id%3 == 0 {
				body = append(body, "common")
			}
			if id%50 == 0 {
				body = append(body, "medium")
			}
			if rare[id] {
				body = append(body, "rare")
			}
			if id == 11901 {
				title = append(title, "common") // the only one that names it in its title
			}
			docs = append(docs, testDoc(id, title, body))
		}
		if err := st.PutSearchDocs(ctx, store.SearchTicket, docs); err != nil {
			t.Fatal(err)
		}
		search := func(word string, window, limit int) []int64 {
			t.Helper()
			match := word
			if st.Dialect() == store.Postgres {
				match = "'" + word + "'"
			}
			hits, err := st.Search(ctx, store.SearchQuery{Kind: store.SearchTicket, Match: match, Window: window, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]int64, len(hits))
			for i, h := range hits {
				ids[i] = h.ID
			}
			return ids
		}
		newest := func(ids []int64) []int64 {
			out := append([]int64(nil), ids...)
			sort.Slice(out, func(i, j int) bool { return out[i] > out[j] })
			return out
		}
		every := func(step int64, count int) []int64 {
			var out []int64
			for id := int64(n) / step * step; len(out) < count; id -= step {
				out = append(out, id)
			}
			return out
		}

		ids := search("common", 100, 100)
		if len(ids) == 0 || ids[0] != 11901 {
			t.Errorf("common: first hit %v, want #11901 (the title match)", ids[:min(1, len(ids))])
		}
		if got, want := fmt.Sprint(newest(ids)), fmt.Sprint(every(3, 100)); got != want {
			t.Errorf("common: got %s,\nwant the 100 newest matches %s", got, want)
		}
		if got, want := fmt.Sprint(newest(search("medium", 100, 100))), fmt.Sprint(every(50, 100)); got != want {
			t.Errorf("medium: got %s,\nwant the 100 newest matches %s", got, want)
		}
		if got := fmt.Sprint(newest(search("rare", 100, 10))); got != "[11990 1500 7]" {
			t.Errorf("rare: got %s, want [11990 1500 7]", got)
		}
		if got := search("absent", 100, 10); len(got) != 0 {
			t.Errorf("absent: got %v, want nothing", got)
		}
	})
}

// testDoc makes a document with a title and a body for both dialects: the
// FTS5 columns (title, ids, uni, body) and a tsvector literal with the
// title at weight A and the body at D.
func testDoc(id int64, title, body []string) store.SearchDoc {
	var lex []string
	pos := 0
	for _, w := range title {
		pos++
		lex = append(lex, fmt.Sprintf("'%s':%dA", w, pos))
	}
	for _, w := range body {
		pos++
		lex = append(lex, fmt.Sprintf("'%s':%d", w, pos))
	}
	return store.SearchDoc{ID: id, Fields: [4]string{strings.Join(title, " "), "", "", strings.Join(body, " ")}, TSV: strings.Join(lex, " ")}
}
