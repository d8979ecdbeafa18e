package ticket_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/kefu-dev/kefu/internal/customer"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
	"github.com/kefu-dev/kefu/internal/ticket"
)

// TestConcurrentCreates opens tickets from many goroutines at once, several
// for the same new customer: every one succeeds, numbers are unique, and
// the customer exists once.
func TestConcurrentCreates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := ticket.New(st, customer.New(st))
		const n = 24
		var wg sync.WaitGroup
		numbers := make(chan int64, n)
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				email := fmt.Sprintf("same%d@example.com", i%3)
				tk, _, err := svc.Create(ctx, nil, ticket.NewTicket{Subject: "并发", Channel: kefu.ChannelChat,
					Customer: customer.Ref{Email: email}, Message: ticket.NewMessage{Body: "你好"}})
				if err != nil {
					errs <- err
					return
				}
				numbers <- tk.Number
			}(i)
		}
		wg.Wait()
		close(numbers)
		close(errs)
		for err := range errs {
			t.Errorf("create: %v", err)
		}
		seen := map[int64]bool{}
		for num := range numbers {
			if seen[num] {
				t.Errorf("number %d given twice", num)
			}
			seen[num] = true
		}
		cs, err := st.Customers(ctx, store.CustomerFilter{Query: "same", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 3 {
			t.Errorf("%d customers for 3 addresses", len(cs))
		}
	})
}

// TestExternalIDDeduplicates checks that a channel delivering the same
// message twice (an email fetched again) stores it once.
func TestExternalIDDeduplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := ticket.New(st, customer.New(st))
		tk, _, err := svc.Create(ctx, nil, ticket.NewTicket{Subject: "物流", Channel: kefu.ChannelEmail,
			Customer: customer.Ref{Email: "d@example.com"}, Message: ticket.NewMessage{Body: "快递到哪了", ExternalID: "<m1@mail>"}})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = svc.AddMessage(ctx, nil, tk.ID, ticket.NewMessage{Kind: kefu.MessageCustomer, Body: "快递到哪了", ExternalID: "<m1@mail>"})
		if err == nil {
			t.Fatal("the same Message-ID twice: want a conflict")
		}
		ms, _ := st.Messages(ctx, tk.ID, 0, 0)
		if len(ms) != 1 {
			t.Errorf("%d messages after a duplicate, want 1", len(ms))
		}
	})
}
