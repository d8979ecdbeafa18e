package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// CaseReportRow is one group of a case report.
type CaseReportRow struct {
	Key   string `json:"key"`
	Name  string `json:"name"` // product name for sku and product groups
	Cases int    `json:"cases"`
	Units int    `json:"units"`
	Open  int    `json:"open"` // cases not yet finished
	// Refunded is money paid back on cases the shop carried out (refunds
	// and compensation), in minor units; by product or SKU it is shared
	// between a case's items by value.
	Refunded int64 `json:"refunded"`
}

// CaseReportGroups are the dimensions a case report can group by.
var CaseReportGroups = []string{"reason", "product", "sku", "responsibility", "kind", "status", "month"}

// CaseReport counts cases opened in [from, to) grouped by one dimension,
// largest groups first.
func (s *Store) CaseReport(ctx context.Context, by string, from, to time.Time) ([]CaseReportRow, error) {
	var key, name string
	perItem := false
	switch by {
	case "reason", "responsibility", "kind", "status":
		key, name = "c."+by, "''"
	case "sku":
		key, name, perItem = "ci.sku", "MIN(ci.product_name)", true
	case "product":
		key, name, perItem = "ci.product_name", "MIN(ci.product_category)", true
	case "month":
		// Months in UTC+8, the shop's default calendar; exact months in other
		// zones belong to the analytics work.
		if s.dialect == Postgres {
			key = `to_char(c.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')`
		} else {
			key = `strftime('%Y-%m', c.created_at / 1000000 + 8 * 3600, 'unixepoch')`
		}
		name = "''"
	default:
		return nil, kefu.Invalid("by", "must be one of reason, product, sku, responsibility, kind, status, month")
	}
	const done = `c.status IN ('executed', 'completed') AND c.kind IN ('refund_only', 'return_refund', 'compensation')`
	const open = `CASE WHEN c.status NOT IN ('completed', 'rejected', 'cancelled') THEN 1 ELSE 0 END`
	var q string
	if perItem {
		// Integer division on both dialects: each item's share rounds down.
		q = `SELECT ` + key + `, ` + name + `, COUNT(DISTINCT c.id), CAST(COALESCE(SUM(ci.quantity), 0) AS BIGINT),
			COUNT(DISTINCT CASE WHEN c.status NOT IN ('completed', 'rejected', 'cancelled') THEN c.id END),
			CAST(COALESCE(SUM(CASE WHEN ` + done + ` THEN c.amount * ci.unit_price * ci.quantity / NULLIF(tot.v, 0) ELSE 0 END), 0) AS BIGINT)
			FROM cases c JOIN case_items ci ON ci.case_id = c.id
			JOIN (SELECT case_id, CAST(SUM(unit_price * quantity) AS BIGINT) AS v FROM case_items GROUP BY case_id) tot ON tot.case_id = c.id
			WHERE c.created_at >= ? AND c.created_at < ? GROUP BY ` + key
	} else {
		q = `SELECT ` + key + `, ` + name + `, COUNT(*),
			CAST(COALESCE(SUM((SELECT SUM(ci.quantity) FROM case_items ci WHERE ci.case_id = c.id)), 0) AS BIGINT),
			CAST(COALESCE(SUM(` + open + `), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN ` + done + ` THEN c.amount ELSE 0 END), 0) AS BIGINT)
			FROM cases c WHERE c.created_at >= ? AND c.created_at < ? GROUP BY ` + key
	}
	q += ` ORDER BY 3 DESC, 1`
	rows, err := s.query(ctx, q, from, to)
	if err != nil {
		return nil, fmt.Errorf("case report by %s: %w", by, err)
	}
	defer rows.Close()
	out := []CaseReportRow{}
	for rows.Next() {
		var r CaseReportRow
		if err := rows.Scan(&r.Key, &r.Name, &r.Cases, &r.Units, &r.Open, &r.Refunded); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
