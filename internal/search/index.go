package search

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// ConsumerName is the outbox consumer that keeps the index current.
const ConsumerName = "search"

// HandleEvents is the outbox consumer: it re-reads what the events touched
// and rewrites those documents, in the consumer's transaction. A ticket's
// document includes its customer and order, so a change to a customer or an
// order rewrites their tickets' documents too. It is idempotent: applying
// the same events twice writes the same documents.
func (s *Service) HandleEvents(ctx context.Context, events []*kefu.Event) error {
	tickets, customers, orders := idSet{}, idSet{}, idSet{}
	for _, e := range events {
		var data struct {
			CustomerID int64 `json:"customer_id"`
			OrderID    int64 `json:"order_id"`
		}
		switch {
		case strings.HasPrefix(e.Type, "ticket.") || strings.HasPrefix(e.Type, "message."):
			if e.TicketID != nil {
				tickets.add(*e.TicketID)
			}
		case strings.HasPrefix(e.Type, "customer."):
			if err := json.Unmarshal(e.Data, &data); err == nil && data.CustomerID > 0 {
				customers.add(data.CustomerID)
			}
		case e.Type == kefu.EventOrderUpserted:
			if err := json.Unmarshal(e.Data, &data); err == nil && data.OrderID > 0 {
				orders.add(data.OrderID)
			}
		}
	}
	if len(customers) > 0 {
		ids := customers.list()
		ts, err := s.st.TicketIDsOfCustomers(ctx, ids)
		if err != nil {
			return err
		}
		tickets.add(ts...)
		os, err := s.st.OrderIDsOfCustomers(ctx, ids)
		if err != nil {
			return err
		}
		orders.add(os...)
	}
	if len(orders) > 0 {
		ts, err := s.st.TicketIDsOfOrders(ctx, orders.list())
		if err != nil {
			return err
		}
		tickets.add(ts...)
	}
	if err := s.IndexCustomers(ctx, customers.list()); err != nil {
		return err
	}
	if err := s.IndexOrders(ctx, orders.list()); err != nil {
		return err
	}
	return s.IndexTickets(ctx, tickets.list())
}

type idSet map[int64]bool

func (s idSet) add(ids ...int64) {
	for _, id := range ids {
		s[id] = true
	}
}

func (s idSet) list() []int64 {
	out := make([]int64, 0, len(s))
	for id := range s {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// indexBatch is how many things are loaded and written at once.
const indexBatch = 200

// IndexTickets rewrites the documents of tickets from the database; those
// that no longer exist lose theirs.
func (s *Service) IndexTickets(ctx context.Context, ids []int64) error {
	return inBatches(ids, func(ids []int64) error {
		src, err := s.st.TicketSearchSources(ctx, ids)
		if err != nil {
			return err
		}
		docs := make([]store.SearchDoc, len(src))
		for i, t := range src {
			docs[i] = storeDoc(s.st.Dialect(), t.ID, ticketTexts(t).doc())
		}
		return s.write(ctx, store.SearchTicket, ids, docs)
	})
}

// IndexCustomers rewrites the documents of customers.
func (s *Service) IndexCustomers(ctx context.Context, ids []int64) error {
	return inBatches(ids, func(ids []int64) error {
		src, err := s.st.CustomerSearchSources(ctx, ids)
		if err != nil {
			return err
		}
		docs := make([]store.SearchDoc, len(src))
		for i, c := range src {
			docs[i] = storeDoc(s.st.Dialect(), c.ID, customerTexts(c).doc())
		}
		return s.write(ctx, store.SearchCustomer, ids, docs)
	})
}

// IndexOrders rewrites the documents of orders.
func (s *Service) IndexOrders(ctx context.Context, ids []int64) error {
	return inBatches(ids, func(ids []int64) error {
		src, err := s.st.OrderSearchSources(ctx, ids)
		if err != nil {
			return err
		}
		docs := make([]store.SearchDoc, len(src))
		for i, o := range src {
			docs[i] = storeDoc(s.st.Dialect(), o.ID, orderTexts(o).doc())
		}
		return s.write(ctx, store.SearchOrder, ids, docs)
	})
}

// write stores docs and deletes the documents of the ids that had none.
func (s *Service) write(ctx context.Context, kind store.SearchKind, ids []int64, docs []store.SearchDoc) error {
	have := idSet{}
	for _, d := range docs {
		have.add(d.ID)
	}
	var gone []int64
	for _, id := range ids {
		if !have[id] {
			gone = append(gone, id)
		}
	}
	if err := s.st.DeleteSearchDocs(ctx, kind, gone); err != nil {
		return err
	}
	return s.st.PutSearchDocs(ctx, kind, docs)
}

func inBatches(ids []int64, fn func([]int64) error) error {
	for len(ids) > 0 {
		n := min(indexBatch, len(ids))
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// Progress reports a reindex's advance: done of total things of a kind.
type Progress func(kind store.SearchKind, done, total int)

// Reindex rebuilds the whole index from the database, one batch per
// transaction so that a large shop is not locked for long. Each batch holds
// the search consumer's lock, so it cannot interleave with the consumer and
// write an older version of a document over a newer one. Documents of
// things that no longer exist are removed at the end.
func (s *Service) Reindex(ctx context.Context, progress Progress) error {
	for _, kind := range store.SearchKinds {
		total, err := s.st.CountSearchEntities(ctx, kind)
		if err != nil {
			return err
		}
		if progress != nil {
			progress(kind, 0, total)
		}
		var after int64
		done := 0
		for {
			ids, err := s.st.SearchEntityIDs(ctx, kind, after, 500)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				break
			}
			err = s.st.WithTx(ctx, func(ctx context.Context) error {
				if err := s.st.LockConsumer(ctx, ConsumerName); err != nil {
					return err
				}
				switch kind {
				case store.SearchTicket:
					return s.IndexTickets(ctx, ids)
				case store.SearchCustomer:
					return s.IndexCustomers(ctx, ids)
				default:
					return s.IndexOrders(ctx, ids)
				}
			})
			if err != nil {
				return fmt.Errorf("reindex %ss after id %d: %w", kind, after, err)
			}
			after = ids[len(ids)-1]
			done += len(ids)
			if progress != nil {
				progress(kind, min(done, max(total, done)), max(total, done))
			}
		}
		if _, err := s.st.DeleteOrphanSearchDocs(ctx, kind); err != nil {
			return err
		}
	}
	return nil
}
