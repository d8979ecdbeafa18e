// Package kefu declares the domain of an after-sales helpdesk: tickets, their
// messages, customers, orders and the people who work them. It holds types,
// enumerations, the ticket state machine and error kinds, and imports only the
// standard library so every other package can depend on it.
package kefu

import (
	"errors"
	"fmt"
)

// Error kinds. Code in other packages wraps them with %w; the HTTP layer alone
// maps a kind to a status code and a safe message.
var (
	ErrNotFound     = errors.New("not found")
	ErrInvalid      = errors.New("invalid")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
)

// FieldError is a validation failure on one named input field. It unwraps to
// ErrInvalid so callers can test the kind with errors.Is.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

// Unwrap makes a FieldError an ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Invalid returns a FieldError for field with a formatted message.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundError says which kind of thing was missing; it unwraps to ErrNotFound.
type NotFoundError struct {
	What  string // "ticket", "customer", …
	Field string // the input field that named it, when there was one
}

func (e *NotFoundError) Error() string { return e.What + " not found" }

// Unwrap makes a NotFoundError an ErrNotFound.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// NotFound returns a NotFoundError for what.
func NotFound(what string) error { return &NotFoundError{What: what} }

// ConflictError explains why a change cannot be made in the current state; it
// unwraps to ErrConflict.
type ConflictError struct {
	Field   string
	Message string
}

func (e *ConflictError) Error() string { return e.Message }

// Unwrap makes a ConflictError an ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }
