package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Request size limits: JSON bodies, and multipart uploads with attachments.
const (
	maxJSONBody      = 1 << 20
	maxMultipartBody = 64 << 20
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"response could not be encoded"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	_, _ = w.Write([]byte("\n"))
}

// readBody reads the whole request body up to limit.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "unreadable_body", "", "the request body could not be read: "+err.Error())
	}
	if int64(len(b)) > limit {
		return nil, errorf(http.StatusRequestEntityTooLarge, "too_large", "", fmt.Sprintf("the request body is larger than %d bytes", limit))
	}
	return b, nil
}

// decode reads one JSON object into v, refusing unknown fields, wrong types,
// trailing data and other content types, with an error that names the field.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "", "send JSON with Content-Type: application/json")
		}
	}
	b, err := readBody(r, maxJSONBody)
	if err != nil {
		return err
	}
	return decodeBytes(b, v)
}

func decodeBytes(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return errorf(http.StatusBadRequest, "malformed_json", "", "the request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "malformed_json", "", "the request body has data after the JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var tpe *time.ParseError
	switch {
	case errors.As(err, &se):
		return errorf(http.StatusBadRequest, "malformed_json", "", fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se))
	case errors.As(err, &te):
		return errorf(http.StatusBadRequest, "wrong_type", te.Field, fmt.Sprintf("%s must be %s, not %s", te.Field, jsonType(te.Type.String()), te.Value))
	case errors.As(err, &tpe):
		return errorf(http.StatusBadRequest, "wrong_type", "", "times must be RFC 3339, e.g. 2026-11-23T09:30:00+08:00: "+tpe.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "malformed_json", "", "the JSON body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errorf(http.StatusBadRequest, "unknown_field", f, fmt.Sprintf("unknown field %q", f))
	}
	return errorf(http.StatusBadRequest, "malformed_json", "", err.Error())
}

func jsonType(goType string) string {
	switch {
	case strings.Contains(goType, "int"):
		return "an integer"
	case strings.Contains(goType, "float"):
		return "a number"
	case strings.Contains(goType, "string"), strings.HasPrefix(goType, "kefu."):
		return "a string"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map"):
		return "an object"
	}
	return "of type " + goType
}

// pathID reads an integer id from the URL path.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errorf(http.StatusNotFound, "not_found", "", fmt.Sprintf("%q is not an id", v))
	}
	return id, nil
}

// query reads typed query parameters, collecting the first error.
type query struct {
	r   *http.Request
	err error
}

func (q *query) str(name string) string { return strings.TrimSpace(q.r.URL.Query().Get(name)) }

func (q *query) int(name string, def, min, max int64) int64 {
	v := q.str(name)
	if v == "" || q.err != nil {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min || n > max {
		q.err = errorf(http.StatusBadRequest, "invalid_parameter", name, fmt.Sprintf("%s must be an integer from %d to %d", name, min, max))
		return def
	}
	return n
}

func (q *query) time(name string) time.Time {
	v := q.str(name)
	if v == "" || q.err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if d, derr := time.Parse("2006-01-02", v); derr == nil {
			return d
		}
		q.err = errorf(http.StatusBadRequest, "invalid_parameter", name, name+" must be an RFC 3339 time or a date YYYY-MM-DD")
		return time.Time{}
	}
	return t
}

// oneOf checks an enumerated parameter.
func (q *query) oneOf(name string, valid func(string) bool, hint string) string {
	v := q.str(name)
	if v != "" && q.err == nil && !valid(v) {
		q.err = errorf(http.StatusBadRequest, "invalid_parameter", name, fmt.Sprintf("%s must be one of %s; got %q", name, hint, v))
	}
	return v
}

// page is the shape of every list: items and a cursor for the next page.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}
