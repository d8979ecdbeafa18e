package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// timeCol scans a time from either dialect: unix microseconds on SQLite, a
// timestamptz on PostgreSQL.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("scan time: unexpected %T", src)
	}
	return nil
}

// nullTimeCol scans a nullable time into a *time.Time.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(src); err != nil {
		return err
	}
	*c.t = &t
	return nil
}

// nullInt scans a nullable integer into an *int64.
type nullInt struct{ p **int64 }

func (c nullInt) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	if n.Valid {
		v := n.Int64
		*c.p = &v
	} else {
		*c.p = nil
	}
	return nil
}

// textCol scans TEXT, JSONB or BYTEA into a string.
type textCol struct{ s *string }

func (c textCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("scan text: unexpected %T", src)
	}
	return nil
}

// notFound turns sql.ErrNoRows into a kefu not-found error for what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return kefu.NotFound(what)
	}
	return err
}

// isUniqueViolation reports whether err is a unique-constraint failure on either dialect.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint failed") || strings.Contains(m, "SQLSTATE 23505")
}

// isForeignKeyViolation reports whether err is a foreign-key failure on either dialect.
func isForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "FOREIGN KEY constraint failed") || strings.Contains(m, "SQLSTATE 23503")
}

// fkColumn returns the column of a failed PostgreSQL foreign key, read from
// the constraint's default name (table_column_fkey). ok is false on SQLite.
func fkColumn(err error) (col string, ok bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return "", false
	}
	name := strings.TrimSuffix(pe.ConstraintName, "_fkey")
	if i := strings.IndexByte(name, '_'); i >= 0 {
		return name[i+1:], true
	}
	return name, true
}

var errNoRows = sql.ErrNoRows

func conflict(field, msg string) error { return &kefu.ConflictError{Field: field, Message: msg} }
