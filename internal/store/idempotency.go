package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// IdempotentResponse is the first answer given to a request with an
// Idempotency-Key, replayed to every retry.
type IdempotentResponse struct {
	RequestHash string
	Status      int
	Body        []byte
}

// ClaimIdempotencyKey claims key for userID inside the caller's transaction.
// fresh is true when the key is new; otherwise prev is the stored response.
// On PostgreSQL a concurrent request with the same key waits here until the
// first one commits, so the two can never both run.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, userID int64, key string) (prev *IdempotentResponse, fresh bool, err error) {
	// Insert a placeholder first: the unique key makes a concurrent claimant wait.
	res, err := s.exec(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, created_at)
		VALUES (?, ?, '', 0, ?, ?) ON CONFLICT (user_id, key) DO NOTHING`, userID, key, []byte{}, now())
	if err != nil {
		return nil, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, true, nil
	}
	var r IdempotentResponse
	err = s.queryRow(ctx, `SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = ? AND key = ?`, userID, key).
		Scan(&r.RequestHash, &r.Status, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, fmt.Errorf("idempotency key %q vanished while claimed", key)
	}
	if err != nil {
		return nil, false, fmt.Errorf("read idempotency key: %w", err)
	}
	return &r, false, nil
}

// SaveIdempotentResponse stores the answer to a claimed key, in the same
// transaction as the change it answers for.
func (s *Store) SaveIdempotentResponse(ctx context.Context, userID int64, key string, r *IdempotentResponse) error {
	_, err := s.exec(ctx, `UPDATE idempotency_keys SET request_hash = ?, status = ?, body = ? WHERE user_id = ? AND key = ?`,
		r.RequestHash, r.Status, r.Body, userID, key)
	if err != nil {
		return fmt.Errorf("save idempotent response: %w", err)
	}
	return nil
}
