package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
)

const deliveryCols = `id, case_id, event_id, action, payload, status, attempts, next_attempt_at, last_error, delivered_at, confirmed_at, created_at`

func scanDelivery(sc interface{ Scan(...any) error }, d *kefu.Delivery) error {
	var payload string
	if err := sc.Scan(&d.ID, &d.CaseID, &d.EventID, &d.Action, textCol{&payload}, &d.Status, &d.Attempts, nullTimeCol{&d.NextAttemptAt},
		&d.LastError, nullTimeCol{&d.DeliveredAt}, nullTimeCol{&d.ConfirmedAt}, timeCol{&d.CreatedAt}); err != nil {
		return err
	}
	d.Payload = json.RawMessage(payload)
	return nil
}

// CreateDelivery queues an instruction to the shop in the caller's
// transaction, so it is sent if and only if the change behind it commits.
func (s *Store) CreateDelivery(ctx context.Context, d *kefu.Delivery) error {
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now()
	}
	err := s.writeRow(ctx, `INSERT INTO case_deliveries (case_id, event_id, action, payload, status, attempts, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`, d.CaseID, d.EventID, d.Action, string(d.Payload), d.Status, d.NextAttemptAt, d.CreatedAt).Scan(&d.ID)
	if isUniqueViolation(err) {
		return &kefu.ConflictError{Field: "event_id", Message: "an instruction with event id " + d.EventID + " exists"}
	}
	if err != nil {
		return fmt.Errorf("queue delivery for case %d: %w", d.CaseID, err)
	}
	return nil
}

// ClaimDueDeliveries takes up to limit pending deliveries due at or before
// at and pushes their next attempt lease into the future, so another node
// (or this one, next tick) does not send them at the same time. A node
// that dies mid-send leaves the delivery to be retried when the lease ends.
func (s *Store) ClaimDueDeliveries(ctx context.Context, at time.Time, lease time.Duration, limit int) ([]*kefu.Delivery, error) {
	var ds []*kefu.Delivery
	err := s.WithTx(ctx, func(ctx context.Context) error {
		q := `SELECT ` + deliveryCols + ` FROM case_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`
		if s.dialect == Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		query, args := s.q(q, []any{at, limit})
		rows, err := s.conn(ctx, true).QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		for rows.Next() {
			d := &kefu.Delivery{}
			if err := scanDelivery(rows, d); err != nil {
				rows.Close()
				return err
			}
			ds = append(ds, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		until := at.Add(lease)
		for _, d := range ds {
			if _, err := s.exec(ctx, `UPDATE case_deliveries SET next_attempt_at = ? WHERE id = ?`, until, d.ID); err != nil {
				return fmt.Errorf("lease delivery %d: %w", d.ID, err)
			}
		}
		return nil
	})
	return ds, err
}

// RecordDeliveryAttempt logs one try and sets the delivery's new state.
func (s *Store) RecordDeliveryAttempt(ctx context.Context, d *kefu.Delivery, a kefu.DeliveryAttempt) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.exec(ctx, `INSERT INTO case_delivery_attempts (delivery_id, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?)`,
			d.ID, a.At, a.StatusCode, a.Error, a.DurationMS); err != nil {
			return fmt.Errorf("log attempt of delivery %d: %w", d.ID, err)
		}
		return s.UpdateDelivery(ctx, d)
	})
}

// UpdateDelivery writes a delivery's state.
func (s *Store) UpdateDelivery(ctx context.Context, d *kefu.Delivery) error {
	_, err := s.exec(ctx, `UPDATE case_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ?, confirmed_at = ?
		WHERE id = ?`, d.Status, d.Attempts, d.NextAttemptAt, d.LastError, d.DeliveredAt, d.ConfirmedAt, d.ID)
	if err != nil {
		return fmt.Errorf("update delivery %d: %w", d.ID, err)
	}
	return nil
}

// SaveDeliveryConfirmation keeps what the shop said when it confirmed.
func (s *Store) SaveDeliveryConfirmation(ctx context.Context, id int64, confirmation []byte) error {
	if _, err := s.exec(ctx, `UPDATE case_deliveries SET confirmation = ? WHERE id = ?`, string(confirmation), id); err != nil {
		return fmt.Errorf("save confirmation of delivery %d: %w", id, err)
	}
	return nil
}

// LockDeliveryByEventID reads the delivery with an event id inside a
// transaction, locked so two confirmations of it serialise.
func (s *Store) LockDeliveryByEventID(ctx context.Context, eventID string) (*kefu.Delivery, error) {
	q := `SELECT ` + deliveryCols + ` FROM case_deliveries WHERE event_id = ?`
	if s.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	query, args := s.q(q, []any{eventID})
	d := &kefu.Delivery{}
	if err := scanDelivery(s.conn(ctx, true).QueryRowContext(ctx, query, args...), d); err != nil {
		return nil, notFound(err, "delivery")
	}
	return d, nil
}

// CaseDeliveries lists a case's instructions to the shop with every attempt.
func (s *Store) CaseDeliveries(ctx context.Context, caseID int64) ([]*kefu.Delivery, error) {
	rows, err := s.query(ctx, `SELECT `+deliveryCols+` FROM case_deliveries WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list deliveries of case %d: %w", caseID, err)
	}
	ds := []*kefu.Delivery{}
	byID := map[int64]*kefu.Delivery{}
	for rows.Next() {
		d := &kefu.Delivery{Log: []kefu.DeliveryAttempt{}}
		if err := scanDelivery(rows, d); err != nil {
			rows.Close()
			return nil, err
		}
		ds = append(ds, d)
		byID[d.ID] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ds) == 0 {
		return ds, err
	}
	rows, err = s.query(ctx, `SELECT a.delivery_id, a.at, a.status_code, a.error, a.duration_ms FROM case_delivery_attempts a
		JOIN case_deliveries d ON d.id = a.delivery_id WHERE d.case_id = ? ORDER BY a.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list delivery attempts of case %d: %w", caseID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a kefu.DeliveryAttempt
		if err := rows.Scan(&id, timeCol{&a.At}, &a.StatusCode, &a.Error, &a.DurationMS); err != nil {
			return nil, err
		}
		byID[id].Log = append(byID[id].Log, a)
	}
	return ds, rows.Err()
}
