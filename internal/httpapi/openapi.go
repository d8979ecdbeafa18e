package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

// OpenAPI returns the OpenAPI 3 document of the API, built from the route
// table and the Go types each route reads and writes.
func (a *API) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range a.routes {
		op := map[string]any{"summary": rt.Summary, "tags": []string{rt.Tag}, "operationId": operationID(rt)}
		var params []map[string]any
		for _, name := range pathParams(rt.Path) {
			typ := "integer"
			if !strings.HasSuffix(name, "id") {
				typ = "string" // a key such as a playbook's reason
			}
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": typ}})
		}
		for _, p := range rt.Query {
			params = append(params, map[string]any{"name": p.Name, "in": "query", "description": p.Desc, "schema": map[string]any{"type": p.Type}})
		}
		if rt.Method == "POST" {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header",
				"description": "a retried request with the same key returns the first answer and changes nothing", "schema": map[string]any{"type": "string", "maxLength": MaxIdempotencyKey}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.In != nil {
			content := map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.In))}}
			if rt.Multipart && rt.Form != nil {
				props := map[string]any{}
				for _, f := range rt.Form {
					if f.Type == "file" {
						props[f.Name] = map[string]any{"type": "array", "description": f.Desc, "items": map[string]any{"type": "string", "format": "binary"}}
					} else {
						props[f.Name] = map[string]any{"type": f.Type, "description": f.Desc}
					}
				}
				content["multipart/form-data"] = map[string]any{"schema": map[string]any{"type": "object", "properties": props}}
			} else if rt.Multipart {
				content["multipart/form-data"] = map[string]any{"schema": map[string]any{"type": "object", "properties": map[string]any{
					"kind": map[string]any{"type": "string"}, "body": map[string]any{"type": "string"}, "html": map[string]any{"type": "string"},
					"status": map[string]any{"type": "string"}, "external_id": map[string]any{"type": "string"},
					"attachments": map[string]any{"type": "array", "items": map[string]any{"type": "string", "format": "binary"}}}}}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		status := rt.Status
		if status == 0 {
			status = 200
		}
		ok := map[string]any{"description": http.StatusText(status)}
		if rt.Out != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Out))}}
		} else if status != 204 {
			ok["content"] = map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		}
		op["responses"] = map[string]any{
			strconv.Itoa(status): ok,
			"default":            map[string]any{"description": "an error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}},
		}
		if !rt.Public {
			op["security"] = []map[string][]string{{"bearer": {}}}
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "kefu API", "version": "1",
			"description": "kefu after-sales helpdesk REST API. Money is in minor units (分); times are RFC 3339."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Error": map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{
				"error": schemaOf(reflect.TypeOf(Error{}))}}},
		},
	}
}

var (
	openapiOnce sync.Once
	openapiJSON []byte
)

func (a *API) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	openapiOnce.Do(func() { openapiJSON, _ = json.MarshalIndent(a.OpenAPI(), "", "  ") })
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openapiJSON)
}

func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, seg := range strings.Split(strings.TrimPrefix(rt.Path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		seg = strings.ReplaceAll(seg, ".", "_")
		if seg != "" {
			b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
		}
	}
	return b.String()
}

func pathParams(path string) []string {
	var ps []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") {
			ps = append(ps, strings.Trim(seg, "{}"))
		}
	}
	return ps
}

// schemaOf describes a Go type as an OpenAPI schema the way encoding/json
// writes it.
func schemaOf(t reflect.Type) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	var s map[string]any
	switch {
	case t == timeType:
		s = map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		s = map[string]any{"type": "object"}
	case t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "Field["):
		// ticket.Field[T]: an optional patch field, described as T (null allowed).
		s = schemaOf(t.Field(1).Type)
		s["nullable"] = true
		return s
	case t.Kind() == reflect.Struct:
		props := map[string]any{}
		collectProps(t, props)
		s = map[string]any{"type": "object", "properties": props}
	case t.Kind() == reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			s = map[string]any{"type": "string", "format": "byte"}
		} else {
			s = map[string]any{"type": "array", "items": schemaOf(t.Elem())}
		}
	case t.Kind() == reflect.Map:
		s = map[string]any{"type": "object", "additionalProperties": map[string]any{}}
	case t.Kind() == reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		s = map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		s = map[string]any{"type": "number"}
	case t.Kind() == reflect.String:
		s = map[string]any{"type": "string"}
	default:
		s = map[string]any{}
	}
	if nullable {
		s["nullable"] = true
	}
	return s
}

func collectProps(t reflect.Type, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			collectProps(et, props)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type)
	}
}
