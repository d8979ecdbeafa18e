package kefu

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// CleanText trims a plain-text input and checks it is valid UTF-8 of min to
// max characters; the error names field.
func CleanText(field, v string, min, max int) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return "", Invalid(field, "is not valid UTF-8")
	}
	n := utf8.RuneCountInString(v)
	if n < min {
		if min == 1 {
			return "", Invalid(field, "is required")
		}
		return "", Invalid(field, "must be at least %d characters", min)
	}
	if n > max {
		return "", Invalid(field, "must be at most %d characters, got %d", max, n)
	}
	return v, nil
}

// PrefixField qualifies the field of a FieldError or NotFoundError, e.g.
// body → message.body, so nested input points at the right place.
func PrefixField(prefix string, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) && !strings.HasPrefix(fe.Field, prefix) {
		return &FieldError{Field: prefix + fe.Field, Message: fe.Message}
	}
	var nf *NotFoundError
	if errors.As(err, &nf) && nf.Field != "" && !strings.HasPrefix(nf.Field, prefix) {
		return &NotFoundError{What: nf.What, Field: prefix + nf.Field}
	}
	return err
}
