package chat

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestGroupCommit: writes queued together share a transaction, yet each
// sender hears its own outcome, and one that fails leaves nothing behind
// while the others are committed.
func TestGroupCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if st.Dialect() != store.SQLite {
			t.Skip("the group is for SQLite's one writer")
		}
		g := newGroup(st)
		s := &Service{st: st, group: g}
		ctx := context.Background()
		bad := errors.New("refused")
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.write(ctx, func(ctx context.Context) error {
					if _, err := st.Setting(ctx, fmt.Sprintf("group.%d", i), "v"); err != nil {
						return err
					}
					if i%10 == 3 {
						return bad
					}
					return nil
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			v, serr := st.Setting(ctx, fmt.Sprintf("group.%d", i), "absent")
			if serr != nil {
				t.Fatal(serr)
			}
			if i%10 == 3 {
				if !errors.Is(err, bad) || v != "absent" {
					t.Errorf("write %d: err %v, value %q; want its own error and nothing stored", i, err, v)
				}
			} else if err != nil || v != "v" {
				t.Errorf("write %d: err %v, value %q; want committed", i, err, v)
			}
		}
	})
}
