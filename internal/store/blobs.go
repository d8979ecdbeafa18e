package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
)

// PutBlob stores data once by its SHA-256 and returns the hash and the
// content type sniffed from the bytes. On SQLite the bytes go to a file in
// the data folder (written and synced before the row commits); on PostgreSQL
// into the blobs table, so every node can serve them.
func (s *Store) PutBlob(ctx context.Context, data []byte) (sum, contentType string, err error) {
	h := sha256.Sum256(data)
	sum = hex.EncodeToString(h[:])
	contentType = http.DetectContentType(data)
	var stored any = data
	if s.dialect == SQLite {
		if err := s.writeBlobFile(sum, data); err != nil {
			return "", "", err
		}
		stored = nil
	}
	_, err = s.exec(ctx, `INSERT INTO blobs (sha256, size, content_type, data, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		sum, len(data), contentType, stored, now())
	if err != nil {
		return "", "", fmt.Errorf("store blob %s: %w", sum, err)
	}
	return sum, contentType, nil
}

func (s *Store) blobPath(sum string) string {
	return filepath.Join(s.blobDir, sum[:2], sum[2:4], sum)
}

func (s *Store) writeBlobFile(sum string, data []byte) error {
	p := s.blobPath(sum)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("create attachment folder: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write attachment: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write attachment %s: %w", sum, err)
	}
	return nil
}

// Blob returns the bytes stored under sum.
func (s *Store) Blob(ctx context.Context, sum string) ([]byte, error) {
	var data []byte
	err := s.queryRow(ctx, `SELECT data FROM blobs WHERE sha256 = ?`, sum).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(err, "attachment")
	}
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", sum, err)
	}
	if data == nil && s.dialect == SQLite {
		data, err = os.ReadFile(s.blobPath(sum))
		if err != nil {
			return nil, fmt.Errorf("read attachment file %s: %w", sum, err)
		}
	}
	return data, nil
}
