package aftersale

import (
	"context"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// Report counts cases opened in [from, to) grouped by reason, product,
// SKU, responsibility, kind, status or month, with the money refunded.
// A zero from or to leaves that end open.
func (s *Service) Report(ctx context.Context, actor *kefu.User, by string, from, to time.Time) ([]store.CaseReportRow, error) {
	if err := auth.Can(actor, auth.ReadReports); err != nil {
		return nil, err
	}
	if by == "" {
		by = "reason"
	}
	if to.IsZero() {
		to = s.now().Add(24 * time.Hour)
	}
	if !from.Before(to) {
		return nil, kefu.Invalid("from", "must be before to")
	}
	return s.st.CaseReport(ctx, by, from, to)
}
